from cicdlint.model import as_scalar
from cicdlint.rule import Issue, rule

@rule(
    id="writable-root-filesystem",
    kinds=("taskdef",),
    severity="note",
    summary="Container can write to its root filesystem (`readonlyRootFilesystem` is not true)",
    tags=("security", "container-hardening"),
    security_severity=3.0,
    confidence="medium",
)
def check(doc, ctx):
    """## What it does
    Reports each container of a task definition that does not set
    `"readonlyRootFilesystem": true`: at the container's `name` when the field is missing, at
    the value when it is `false`. Windows tasks (`runtimePlatform.operatingSystemFamily`
    `WINDOWS_*`) are skipped, since Windows containers do not support the setting, and so are
    values that are template placeholders and blank `--generate-cli-skeleton` files.

    This is a hardening check (AWS Security Hub control ECS.5), not a bug: most images need a
    few writable paths, so it is a note with medium confidence.

    ## Why is this bad?
    A container that can write anywhere in its filesystem lets an attacker who gets code
    execution (a deserialization bug, a malicious dependency) drop tools, change the
    application's own files or plant a web shell, and that change lives as long as the task.
    A read-only root filesystem turns most of those footholds into errors, and makes any
    path the application really writes to explicit.

    ## Example
    ```json
    {
      "family": "orders-api",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:4f2c9e1"
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "orders-api",
      "volumes": [{ "name": "tmp" }],
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:4f2c9e1",
          "readonlyRootFilesystem": true,
          "mountPoints": [{ "sourceVolume": "tmp", "containerPath": "/tmp" }]
        }
      ]
    }
    ```
    Set `"readonlyRootFilesystem": true` and give the paths the application must write to
    (`/tmp`, a cache directory) a volume of their own through `volumes` and `mountPoints`.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton or taskdef.is_windows:
        return
    for container in taskdef.containers:
        value = container.node.get("readonlyRootFilesystem")
        scalar = as_scalar(value)
        label = f"container '{container.name}'" if container.name else "this container"
        if value is None or (scalar is not None and scalar.is_null):
            where = as_scalar(container.node.get("name")) or container.node
            yield Issue(
                where,
                f"Add `\"readonlyRootFilesystem\": true` to {label}, with a volume for each path it must write "
                "to (e.g. `/tmp`). Without it the container can change any file of its image at run time.",
            )
        elif scalar is not None and scalar.as_bool() is False:
            yield Issue(
                scalar,
                f"Set `readonlyRootFilesystem` to `true` for {label}, with a volume for each path it must write "
                "to (e.g. `/tmp`). `false` lets the container change any file of its image at run time.",
            )
