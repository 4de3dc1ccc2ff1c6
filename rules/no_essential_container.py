from cicdlint.model import as_scalar
from cicdlint.rule import Issue, rule


@rule(
    id="no-essential-container",
    kinds=("taskdef",),
    severity="error",
    summary="No container in the task definition is essential",
    tags=("reliability", "correctness", "ecs"),
)
def check(doc, ctx):
    """## What it does
    Reports a task definition in which every container says `"essential": false`. A
    container without `essential` is essential (the ECS default is `true`), and a value that
    is a template placeholder counts as essential too.

    ## Why is this bad?
    ECS requires at least one essential container, and rejects the task definition at
    registration (`Task definition doesn't have any essential container.`), so the deploy
    fails at its last step. Essential containers are also what tie a task's life to its
    work: when an essential container stops, ECS stops the task and the service replaces
    it. With none, a crashed application would leave a task running only its sidecars.

    ## Example
    ```json
    {
      "family": "orders-api",
      "containerDefinitions": [
        { "name": "api", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:4f2c9e1", "essential": false },
        { "name": "log-router", "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2", "essential": false }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "orders-api",
      "containerDefinitions": [
        { "name": "api", "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:4f2c9e1", "essential": true },
        { "name": "log-router", "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2", "essential": false }
      ]
    }
    ```
    Mark the container that does the task's work (the application) `"essential": true`, or
    drop the `essential: false` from it; helpers such as log routers and init containers can
    stay non-essential.
    """
    taskdef = ctx.taskdef
    containers = taskdef.containers
    if not containers or any(container.essential for container in containers):
        return
    key = taskdef.node.key("containerDefinitions")
    if key is None:
        return
    names = [container.name for container in containers if container.name]
    main = _main_container(containers)
    shown = ", ".join(f"'{name}'" for name in names[:4]) + (" ..." if len(names) > 4 else "")
    target = f"'{main.name}'" if main is not None and main.name else "the application container"
    yield Issue(
        key,
        f"Set `\"essential\": true` on {target} (or drop its `essential: false`). Every container here "
        f"({shown or 'all of them'}) is non-essential, and ECS rejects a task definition without an essential "
        "container.",
    )


def _main_container(containers):
    """The container most likely to be the application: the first that is not a known sidecar."""
    sidecars = ("fluent", "firelens", "log", "envoy", "xray", "x-ray", "datadog", "otel", "collector", "proxy", "init")
    for container in containers:
        name = (container.name or "").lower()
        image = as_scalar(container.node.get("image"))
        reference = (image.value if image is not None else "").lower()
        if not any(word in name or word in reference for word in sidecars):
            return container
    return containers[0]
