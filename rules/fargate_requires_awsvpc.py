from cicdlint import lazyre
from cicdlint.model import as_scalar
from cicdlint.rule import Issue, rule

# `${NETWORK_MODE}`, `<MODE>`, `{{ mode }}`, `$$$NETWORK_MODE$$$`: filled in later.
_PLACEHOLDER = lazyre.compile(r"[$<>{}%#]")
OTHER_MODES = ("bridge", "host", "none")


@rule(
    id="fargate-requires-awsvpc",
    kinds=("taskdef",),
    severity="error",
    summary="Fargate task without `awsvpc` network mode, or an `awsvpc` port mapping whose hostPort differs",
    tags=("correctness", "ecs", "fargate", "network"),
)
def check(doc, ctx):
    """## What it does
    Reports two network settings that `RegisterTaskDefinition` rejects:

    - a task definition that lists `FARGATE` in `requiresCompatibilities` and sets
      `networkMode` to `bridge`, `host` or `none`, or leaves it out (the default is
      `bridge`). A value that is no network mode at all is left to `ecs-schema`;
    - in `awsvpc` mode (any launch type), a `portMappings` entry whose `hostPort` differs from
      its `containerPort`. In `awsvpc` mode the task has its own network interface, so the
      host port is the container port. A missing `hostPort`, or `0`, is fine: ECS fills in the
      container port.

    Values that are template placeholders (`"${NETWORK_MODE}"`, `"<PORT>"`, `""`) are not
    checked, nor is a blank `--generate-cli-skeleton` file (`"family": ""`).

    ## Why is this bad?
    Fargate only runs tasks in `awsvpc` mode. Registration fails (`Fargate only supports
    network mode 'awsvpc'`, `When networkMode=awsvpc, the host ports and container ports in
    port mappings must match`), so the deploy breaks at its last step. A `hostPort` copied
    from a `bridge`-mode task (`80` in front of `8080`) also
    suggests the load balancer and security groups were set up for the wrong port.

    ## Example
    ```json
    {
      "family": "web",
      "requiresCompatibilities": ["FARGATE"],
      "networkMode": "bridge",
      "cpu": "256",
      "memory": "512",
      "containerDefinitions": [
        {
          "name": "web",
          "image": "nginx:1.27",
          "portMappings": [{ "containerPort": 8080, "hostPort": 80 }]
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "web",
      "requiresCompatibilities": ["FARGATE"],
      "networkMode": "awsvpc",
      "cpu": "256",
      "memory": "512",
      "containerDefinitions": [
        {
          "name": "web",
          "image": "nginx:1.27",
          "portMappings": [{ "containerPort": 8080, "hostPort": 8080 }]
        }
      ]
    }
    ```
    Set `"networkMode": "awsvpc"`, and drop `hostPort` (or make it equal to
    `containerPort`); point the load balancer's target group at the container port.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton:
        return
    fargate = taskdef.requires("FARGATE")
    mode_key, mode_node = taskdef.node.item("networkMode")
    mode = as_scalar(mode_node)
    if mode_key is not None and mode is None:
        return  # an odd shape: nothing we can read
    if mode is not None and not mode.is_null and _PLACEHOLDER.search(mode.value):
        return
    value = None if mode is None or mode.is_null else mode.value.strip()
    if fargate is not None and (value is None or value.lower() != "awsvpc"):
        if value is None:
            yield Issue(
                mode if mode is not None else fargate,
                "Add `\"networkMode\": \"awsvpc\"` to this Fargate task definition. Without it the mode is "
                "`bridge`, which Fargate does not run, so registration fails.",
            )
        elif value in OTHER_MODES:  # a value outside the enumeration is left to `ecs-schema`
            yield Issue(
                mode,
                f"Set `networkMode` to `awsvpc`: Fargate only runs `awsvpc` tasks, and '{value}' makes "
                "registration of this Fargate task definition fail.",
            )
        return
    if value is None or value.lower() != "awsvpc":
        return
    for container in taskdef.containers:
        for mapping in container.port_mappings:
            container_port = _port(mapping.get("containerPort"))
            host_node = as_scalar(mapping.get("hostPort"))
            host_port = _port(host_node)
            if not container_port or not host_port or host_port == container_port:
                continue  # `hostPort: 0` is "not set": ECS fills in the container port
            name = f"container '{container.name}'" if container.name else "this container"
            yield Issue(
                host_node,
                f"Remove `hostPort` (or set it to {container_port}, the `containerPort`). In `awsvpc` mode the "
                f"host port is the container port, so `hostPort: {host_node.value}` of {name} makes "
                "registration fail.",
            )


def _port(node) -> int | None:
    """A literal port number (JSON number or numeric string), or None."""
    scalar = as_scalar(node)
    if scalar is None or scalar.is_null:
        return None
    text = scalar.value.strip()
    return int(text) if text.isdigit() else None
