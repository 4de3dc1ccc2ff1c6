import re

from cicdlint import lazyre
from cicdlint.model import as_map, as_scalar
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Scalar

_PLACEHOLDER = lazyre.compile(r"[$<>{}%#@]")


@rule(
    id="missing-log-configuration",
    kinds=("taskdef",),
    severity="warning",
    summary="Container logs go nowhere, or the awslogs driver lacks options it needs to start",
    tags=("reliability", "observability", "logging"),
)
def check(doc, ctx):
    """## What it does
    Checks where each container's output goes:

    - an essential container (`essential` missing or `true`) without `logConfiguration`: a
      warning at its `name` value (or at the container when it has no name);
    - `"logDriver": "awslogs"` with required options missing: one finding at `options` (or at
      the driver when there are no options) that lists them all, with the highest severity:
      - `awslogs-group`: an error, everywhere (the driver cannot start without it);
      - `awslogs-stream-prefix`: an error in a task definition that lists `FARGATE` in
        `requiresCompatibilities` (Fargate requires it; it is optional on EC2);
      - `awslogs-region`: an error on Fargate, a note otherwise. AWS documents the option as
        required; on EC2 the Docker daemon falls back to the instance's own region, so the
        task starts, but the definition breaks wherever it runs without that fallback;
    - `"logDriver": "awsfirelens"` when no container of the task has a
      `firelensConfiguration` (the log router): an error at the driver; and the reverse, a
      `firelensConfiguration` when no container uses the `awsfirelens` driver: an error at
      that key. `RegisterTaskDefinition` rejects both.

    A `logConfiguration` without `logDriver`, and wrongly typed values, are `ecs-schema`'s.
    Not reported: containers with `"essential": false` that have no log configuration, option
    values that are template placeholders (`"${LOG_GROUP}"`, the `options` or the whole
    `logConfiguration` written as a placeholder), other log drivers' options, and a blank
    `--generate-cli-skeleton` file.

    ## Why is this bad?
    Without a log configuration a container's output is lost on Fargate and, on EC2, stays in
    the Docker daemon's default driver on the instance, gone when the instance is replaced and
    out of reach of CloudWatch alarms and log queries. When a task fails to start or crashes,
    its logs are usually the only explanation.

    A broken `awslogs` configuration is worse: the log driver cannot start, so the container
    never starts (`CannotStartContainerError` / `ResourceInitializationError`), or
    `RegisterTaskDefinition` rejects the task definition on Fargate. The deploy fails, or the
    service loops on tasks that stop at once.

    ## Example
    ```json
    {
      "family": "orders-api",
      "requiresCompatibilities": ["FARGATE"],
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-api:1.12.0",
          "logConfiguration": {
            "logDriver": "awslogs",
            "options": { "awslogs-group": "/ecs/orders-api" }
          }
        },
        {
          "name": "worker",
          "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-worker:1.12.0"
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "orders-api",
      "requiresCompatibilities": ["FARGATE"],
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-api:1.12.0",
          "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
              "awslogs-group": "/ecs/orders-api",
              "awslogs-region": "us-east-1",
              "awslogs-stream-prefix": "api"
            }
          }
        },
        {
          "name": "worker",
          "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-worker:1.12.0",
          "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
              "awslogs-group": "/ecs/orders-api",
              "awslogs-region": "us-east-1",
              "awslogs-stream-prefix": "worker"
            }
          }
        }
      ]
    }
    ```
    Give every essential container a log driver (`awslogs` to CloudWatch Logs, or
    `awsfirelens` with a log router container), with the group, region and stream prefix set.
    Create the log group beforehand, or add `"awslogs-create-group": "true"` and allow
    `logs:CreateLogGroup` to the execution role.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton:
        return
    fargate = taskdef.requires("FARGATE") is not None
    has_router = any("firelensConfiguration" in container.node for container in taskdef.containers)
    routed = any(_driver(container) == "awsfirelens" for container in taskdef.containers)
    for container in taskdef.containers:
        name = f"container '{container.name}'" if container.name else "this container"
        router_key, router = container.node.item("firelensConfiguration")
        if router_key is not None and isinstance(router, Map) and not routed and not _placeholder_drivers(taskdef):
            yield Issue(
                router_key,
                f"Set `\"logDriver\": \"awsfirelens\"` on the containers whose logs {name} should route, or remove "
                "its `firelensConfiguration`. ECS rejects a task definition with a FireLens log router that no "
                "container sends logs to.",
                severity="error",
            )
        key, config = container.node.item("logConfiguration")
        if key is None or (isinstance(config, Scalar) and config.is_null):
            if container.essential:
                yield _missing(container, name, fargate)
            continue
        if not isinstance(config, Map):
            continue  # a placeholder or an odd shape
        driver_node = as_scalar(config.get("logDriver"))
        if driver_node is None or driver_node.is_null:
            continue  # a missing `logDriver` is ecs-schema's (a required field)
        driver = driver_node.value.strip().lower()
        if driver == "awslogs":
            yield from _awslogs(config, driver_node, name, fargate)
        elif driver == "awsfirelens" and not has_router:
            yield Issue(
                driver_node,
                f"Add a log router container with a `firelensConfiguration` (e.g. aws-for-fluent-bit) to this task, "
                f"or switch {name} to the awslogs driver. The awsfirelens driver sends logs to that router, and ECS "
                "rejects a task definition that has none.",
                severity="error",
            )


def _driver(container) -> str | None:
    config = as_map(container.node.get("logConfiguration"))
    driver = as_scalar(config.get("logDriver")) if config is not None else None
    return driver.value.strip().lower() if driver is not None and not driver.is_null else None


def _placeholder_drivers(taskdef) -> bool:
    """Is any container's log driver (or whole log configuration) still a template placeholder?"""
    for container in taskdef.containers:
        config = container.node.get("logConfiguration")
        if isinstance(config, Map):
            config = config.get("logDriver")
        if isinstance(config, Scalar) and _PLACEHOLDER.search(config.value):
            return True
    return False


def _missing(container, name: str, fargate: bool) -> Issue:
    name_node = as_scalar(container.node.get("name"))
    where = (
        "its output is discarded on Fargate"
        if fargate
        else "its output is discarded on Fargate, and on EC2 it stays in the Docker daemon's log files on the instance"
    )
    return Issue(
        name_node if name_node is not None and not name_node.is_null else container.node,
        f"Add a `logConfiguration` to essential {name} (e.g. the awslogs driver with `awslogs-group`, "
        f"`awslogs-region` and `awslogs-stream-prefix`). Without one {where}, so crashes and failed starts leave "
        "no trace in CloudWatch.",
        severity="warning",
    )


def _awslogs(config: Map, driver_node: Scalar, name: str, fargate: bool):
    options_key, options_node = config.item("options")
    if isinstance(options_node, Scalar) and not options_node.is_null and _PLACEHOLDER.search(options_node.value):
        return
    options = as_map(options_node)
    if options_key is not None and options_node is not None and options is None and not options_node.is_null:
        return  # an odd shape (a list): nothing to read
    at = options_key if options is not None else driver_node

    def present(option: str) -> bool:
        if options is None or option not in options:
            return False
        value = as_scalar(options.get(option))
        return value is None or not value.is_null  # an empty or placeholder value is left to the template

    slug = _slug(name)
    missing = []  # (option with example, severity, why)
    if not present("awslogs-group"):
        missing.append((f"`awslogs-group` (e.g. \"/ecs/{slug}\")", "error",
                        "Without a log group the awslogs driver cannot start, so the container never starts."))
    if not present("awslogs-region"):
        if fargate:
            missing.append(("`awslogs-region`", "error",
                            "The region is required, and Fargate has no daemon default to fall back on."))
        else:
            missing.append(("`awslogs-region`", "note",
                            "AWS documents the region as required; on EC2 the Docker daemon falls back to the "
                            "instance's region, but the task definition fails where that fallback does not exist "
                            "(Fargate, ECS Anywhere)."))
    if fargate and not present("awslogs-stream-prefix"):
        missing.append((f"`awslogs-stream-prefix` (e.g. \"{slug}\")", "error",
                        "Fargate requires a stream prefix and rejects the task definition without one."))
    if not missing:
        return
    names = [option for option, _, _ in missing]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    severity = "error" if any(level == "error" for _, level, _ in missing) else "note"
    yield Issue(
        at,
        f"Add {listed} to the awslogs `options` of {name}. " + " ".join(why for _, _, why in missing),
        severity=severity,
    )


def _slug(name: str) -> str:
    match = re.search(r"'([^']+)'", name)
    return match.group(1) if match else "app"
