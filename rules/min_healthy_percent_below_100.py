import math
import re

from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

_NUMBER = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*")


@rule(
    id="min-healthy-percent-below-100",
    kinds=("service",),
    severity="warning",
    summary="ECS rolling deployment may stop running tasks before replacements are healthy",
    tags=("reliability", "deployment"),
    options={"minimum": 100},
    options_schema={
        "minimum": {
            "type": "integer",
            "minimum": 0,
            "maximum": 100,
            "description": "lowest accepted deploymentConfiguration.minimumHealthyPercent",
        }
    },
)
def check(doc, ctx):
    """## What it does
    Finds ECS services whose `deploymentConfiguration.minimumHealthyPercent` is below the
    configured floor (option `minimum`, default 100), in create-service / update-service input
    JSON, `describe-services` output (`{"services": [...]}`) and create-service output
    (`{"service": {...}}`). Numbers written as strings (`"50"`) count too.

    The finding is a warning, and an error when the service, its cluster or the file path
    looks like production (the shared production patterns): a non-production service may trade
    capacity for cost on purpose (a one-task dev service on a single EC2 host with static port
    mappings cannot deploy at 100), but a production service must not.

    Not reported: a service without `minimumHealthyPercent` (ECS then uses 100 for replica
    services), a `DAEMON` service (ECS cannot start a second copy of a daemon task on an
    instance, so it must stop the old one first; there the setting is how many instances may be
    down at once), a service whose `deploymentController` is `CODE_DEPLOY` or `EXTERNAL`
    (ECS ignores these percentages; the blue/green or external controller decides), a service
    with `desiredCount: 0` or one whose rounded-up lower limit still keeps every task (ECS
    rounds up, so 1 task at 50% keeps 1 running), and values that are template placeholders.

    ## Why is this bad?
    During a rolling deployment ECS may stop old tasks until only `minimumHealthyPercent` of
    `desiredCount` are running, before the new tasks are healthy. At 50 half the capacity is
    gone for the length of the deploy; at 0 every task can be stopped at once, which is an
    outage on every release, and a longer one when the new version does not start. Traffic
    that the service was sized for lands on the remaining tasks, or nowhere.

    ## Example
    ```json
    {
      "serviceName": "api",
      "cluster": "production",
      "desiredCount": 4,
      "deploymentConfiguration": {
        "maximumPercent": 100,
        "minimumHealthyPercent": 50
      }
    }
    ```

    ## Use instead
    ```json
    {
      "serviceName": "api",
      "cluster": "production",
      "desiredCount": 4,
      "deploymentConfiguration": {
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {"enable": true, "rollback": true}
      }
    }
    ```
    Set `minimumHealthyPercent` to 100 and give ECS room to start the new tasks first with a
    `maximumPercent` above 100 (200 is the default). On EC2 with static host ports, use dynamic
    port mapping (`hostPort: 0`) or spare instances so that the extra tasks can be placed.
    """
    floor = ctx.options.get("minimum", 100)
    if not isinstance(floor, (int, float)) or isinstance(floor, bool):
        floor = 100
    for service in ctx.services:
        config = service.deployment_configuration
        if config is None:
            continue
        value = config.get("minimumHealthyPercent")
        percent = _number(value)
        if percent is None or percent >= floor:
            continue
        if (service.scheduling_strategy or "").upper() == "DAEMON":
            continue
        if _controller(service) != "ECS":
            continue
        desired = _number(service.node.get("desiredCount"))
        if desired is not None and (desired <= 0 or _kept(desired, percent) >= desired):
            continue  # no tasks, or ECS rounds the lower limit up to every task (1 task at 50%)
        production = ctx.production.matches(service.name, service.cluster, doc.path)
        name = f"service '{service.name}'" if service.name else "this service"
        maximum = _number(config.get("maximumPercent"))
        room = ""
        if maximum is not None and maximum <= floor:  # ECS could then neither start nor stop a task
            room = f" and raise maximumPercent above it (it is {_show(maximum)}) so ECS can start new tasks first"
        where = " in production" if production else ""
        shown = _show(percent)
        if percent <= 0:
            loss = "every task can be stopped at once"
        elif desired:
            loss = f"as few as {_kept(desired, percent)} of {_show(desired)} tasks may be running"
        else:
            loss = f"as few as {shown}% of the desired tasks may be running"
        target = f"to {_show(floor)}" if floor >= 100 else f"to at least {_show(floor)}"
        message = (
            f"Set minimumHealthyPercent {target}{room}. With {shown}, a rolling deploy of {name}{where}"
            f" may stop old tasks before their replacements are healthy: {loss}."
        )
        yield Issue(value, message, severity="error" if production else None)


def _number(node) -> float | None:
    if not isinstance(node, Scalar):
        return None
    match = _NUMBER.fullmatch(node.value)
    return float(match.group(1)) if match else None


def _kept(desired: float, percent: float) -> int:
    """The tasks ECS keeps running: the lower limit is rounded up."""
    return math.ceil(desired * percent / 100 - 1e-9)


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _controller(service) -> str:
    controller = service.deployment_controller.upper()
    if controller == "ECS":
        # A deploymentController misplaced inside deploymentConfiguration (AWS rejects it) still
        # tells what the author meant.
        nested = as_map(service.deployment_configuration.get("deploymentController"))
        kind = nested.get("type") if nested else None
        if isinstance(kind, Scalar) and kind.value:
            return kind.value.upper()
    return controller
