from cicdlint.model import as_scalar
from cicdlint.rule import Issue, rule


@rule(
    id="privileged-container",
    kinds=("taskdef",),
    severity="error",
    summary="Container runs privileged, with every capability and the host's devices",
    tags=("security", "container-hardening"),
    security_severity=8.0,
)
def check(doc, ctx):
    """## What it does
    Reports a container definition with `"privileged": true` (also the string `"true"`, which
    CloudFormation and Terraform accept). The finding points at the value.

    Not reported: `"privileged": false`, a missing key (ECS defaults to `false`), template
    placeholders (`"${PRIVILEGED}"`), and a blank `--generate-cli-skeleton` file (`"family": ""`
    and nameless containers: the skeleton writes `true` for every boolean).

    ## Why is this bad?
    A privileged container gets every Linux capability, all host devices (`/dev/*`, including
    the instance's disks) and no seccomp or AppArmor confinement. A process that gets code
    execution inside it is root on the container instance: it can mount the host disk, load
    kernel modules, read the other tasks' containers and the ECS agent's credentials, and
    act as the instance role. Fargate refuses privileged containers outright, so the flag also
    pins the task to EC2.

    ## Example
    ```json
    {
      "family": "build-agent",
      "containerDefinitions": [
        {
          "name": "agent",
          "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/build-agent:2.4.1",
          "privileged": true
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "build-agent",
      "containerDefinitions": [
        {
          "name": "agent",
          "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/build-agent:2.4.1",
          "linuxParameters": {
            "capabilities": { "drop": ["ALL"], "add": ["NET_BIND_SERVICE"] }
          }
        }
      ]
    }
    ```
    Remove `privileged` and grant only the capability or device the container needs
    (`linuxParameters.capabilities.add`, `linuxParameters.devices`). Workloads that really need
    a privileged Docker daemon (image builds) are better served by rootless builders such as
    BuildKit rootless or Kaniko, or by CodeBuild.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton:
        return
    for container in taskdef.containers:
        value = as_scalar(container.node.get("privileged"))
        if value is None or value.is_null:
            continue
        if value.as_bool() is not True and value.value.strip().lower() != "true":
            continue
        name = f"container '{container.name}'" if container.name else "this container"
        yield Issue(
            value,
            f"Remove `\"privileged\": true` from {name} and add only the capabilities it needs under "
            "`linuxParameters.capabilities.add`. A privileged container has every capability and the host's "
            "devices, so code running in it is root on the container instance.",
        )
