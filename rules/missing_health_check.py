from pathlib import PurePath

from cicdlint import lazyre
from cicdlint.model import as_scalar
from cicdlint.rule import Issue, rule

# Containers of one-off tasks (run with RunTask or a schedule, not as a service): ECS ignores the
# health of a task that is not part of a service, so a health check changes nothing there.
_ONE_OFF = lazyre.compile(r"(?i)(?:^|[-_.])(?:migrat\w*|cron|cronjob|job|jobs|batch|oneoff|one-off|backup|seed|seeder)(?:$|[-_.])")
_PLACEHOLDER = lazyre.compile(r"[$<>{}%#@]")


@rule(
    id="missing-health-check",
    kinds=("taskdef",),
    severity="warning",
    summary="Essential container has no health check, so ECS only notices when it exits",
    tags=("reliability", "health-check"),
    confidence="medium",
)
def check(doc, ctx):
    """## What it does
    Reports an essential container definition (`essential` missing or `true`) that has no
    `healthCheck`, at the container's `name` value (or at the container when it has no name).

    Not reported:

    - containers with `"essential": false`: their health does not decide the task's;
    - FireLens log routers (a container with `firelensConfiguration`): they are supporting
      containers, and the application containers that log through them are the ones to probe;
    - containers of task definitions that look like one-off tasks, by the family, the file
      name or the container name (`migrate`, `migration`, `cron`, `job`, `batch`, `oneoff`, `backup`, `seed`): ECS
      ignores the health of tasks that are not part of a service, so a health check there
      changes nothing;
    - a `healthCheck` written as a template placeholder (`"${HEALTH_CHECK}"`), and a blank
      `--generate-cli-skeleton` file.

    Sidecars such as Envoy, the X-Ray daemon or the OpenTelemetry collector *are* reported
    when they are essential: if one hangs, the task is broken just as if the application hung.
    A health check whose values are wrong is `invalid-health-check`'s business; one without
    `retries` is `missing-health-retries`'.

    ## Why is this bad?
    Without a health check ECS knows only whether the container's process is running. A
    process that deadlocks, loses its database connection for good, or stops answering keeps
    the task `RUNNING`: the service does not replace it, deployments count it as healthy (so
    the deployment circuit breaker cannot roll back a release that starts but never serves),
    and `dependsOn` conditions of `HEALTHY` cannot be used. A load balancer's target-group
    check covers only the one container and port behind it, and not tasks without a load
    balancer (workers, queue consumers).

    ## Example
    ```json
    {
      "family": "orders-api",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-api:1.12.0",
          "essential": true,
          "portMappings": [{ "containerPort": 8080 }]
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "orders-api",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-api:1.12.0",
          "essential": true,
          "portMappings": [{ "containerPort": 8080 }],
          "healthCheck": {
            "command": ["CMD-SHELL", "curl -fsS http://localhost:8080/health || exit 1"],
            "interval": 30,
            "timeout": 5,
            "retries": 3,
            "startPeriod": 60
          }
        }
      ]
    }
    ```
    Probe something cheap that fails when the process cannot do its work (an HTTP health
    endpoint, `pg_isready`, a CLI ping), with a tool that exists in the image (`curl` is
    missing from many slim and distroless images: use `wget`, the application's own binary, or
    a small health-check executable). Give slow starters a `startPeriod`.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton or _one_off(taskdef.family) or _one_off(PurePath(doc.path).stem):
        return
    for container in taskdef.containers:
        if not container.essential or "firelensConfiguration" in container.node:
            continue
        if "healthCheck" in container.node:
            continue  # present (a map, or a placeholder): invalid-health-check reads it
        if _one_off(container.name):
            continue
        name_node = as_scalar(container.node.get("name"))
        label = f"essential container '{container.name}'" if container.name else "this essential container"
        port = _first_port(container)
        probe = f"curl -f http://localhost:{port}/health || exit 1" if port else "<a command that fails when it is stuck>"
        yield Issue(
            name_node if name_node is not None and not name_node.is_null else container.node,
            f"Add a `healthCheck` to {label}, e.g. `\"command\": [\"CMD-SHELL\", \"{probe}\"]`. Without one ECS only "
            "notices when its process exits, so a hung container stays in service and deployments count it as "
            "healthy.",
        )


def _one_off(name) -> bool:
    return bool(name) and bool(_ONE_OFF.search(name))


def _first_port(container) -> int | None:
    for mapping in container.port_mappings:
        port = as_scalar(mapping.get("containerPort"))
        if port is not None and not _PLACEHOLDER.search(port.value) and port.value.strip().isdigit():
            return int(port.value)
    return None
