import math

from cicdlint.model import number
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar



@rule(
    id="deployment-cannot-progress",
    kinds=("service",),
    severity="error",
    summary="ECS rolling deployment can neither start a new task nor stop an old one",
    tags=("reliability", "deployment"),
)
def check(doc, ctx):
    """## What it does
    Finds ECS services whose `deploymentConfiguration` leaves a rolling deployment no move, in
    create-service / update-service input JSON, `describe-services` output
    (`{"services": [...]}`) and create-service output (`{"service": {...}}`):

    - `maximumPercent` 100 or less together with `minimumHealthyPercent` 100 (or no
      `minimumHealthyPercent`, which ECS sets to 100 for a replica service): ECS may not run a
      task beyond the desired count, and may not stop one below it;
    - the same dead end reached through rounding, when `desiredCount` is known: ECS rounds the
      upper limit (`maximumPercent` of `desiredCount`) down and the lower limit
      (`minimumHealthyPercent`) up, so one task with `maximumPercent` 150 and
      `minimumHealthyPercent` 50 allows at most 1 task and keeps at least 1. These findings have
      medium confidence, since scaling may change the desired count.

    It is reported at `maximumPercent`. Numbers written as strings (`"100"`) count too.

    Not reported: a `DAEMON` service (ECS stops a daemon task before starting its replacement;
    these limits do not apply the same way), a service whose `deploymentController` is
    `CODE_DEPLOY` or `EXTERNAL`, or whose `deploymentConfiguration.strategy` is not `ROLLING`
    (blue/green, linear and canary deployments start a whole new set of tasks), a service
    with `desiredCount: 0`, an update-service input (`service` rather than `serviceName`) that
    leaves out `minimumHealthyPercent` (the service keeps its current value), and values that
    are template placeholders (`"${MAX_PERCENT}"`, also in `desiredCount` when the finding
    depends on rounding).

    ## Why is this bad?
    In a rolling deployment ECS either starts new tasks first (room above the desired count,
    given by `maximumPercent`) or stops old tasks first (room below it, given by
    `minimumHealthyPercent`). With neither, the deployment never starts replacing anything: the
    service keeps running the old version, the deployment stays "in progress" without an
    error event, and `aws ecs wait services-stable` in the pipeline times out. The same applies
    when ECS replaces an unhealthy task.

    ## Example
    ```json
    {
      "cluster": "production",
      "serviceName": "api",
      "desiredCount": 2,
      "deploymentConfiguration": {
        "maximumPercent": 100,
        "minimumHealthyPercent": 100
      }
    }
    ```

    ## Use instead
    ```json
    {
      "cluster": "production",
      "serviceName": "api",
      "desiredCount": 2,
      "deploymentConfiguration": {
        "maximumPercent": 200,
        "minimumHealthyPercent": 100
      }
    }
    ```
    Raise `maximumPercent` so that at least one task can start beside the running ones (200,
    the default, doubles the tasks for the length of the deploy). If the cluster has no room
    for an extra task (one EC2 host with a static host port), lower `minimumHealthyPercent`
    instead and accept fewer running tasks during the deploy.
    """
    for service in ctx.services:
        config = service.deployment_configuration
        if config is None:
            continue
        if (service.scheduling_strategy or "").upper() == "DAEMON" or service.deployment_controller != "ECS":
            continue
        strategy = config.get("strategy")
        if isinstance(strategy, Scalar) and strategy.value and strategy.value.upper() != "ROLLING":
            continue
        max_node = config.get("maximumPercent")
        maximum = number(max_node)
        if maximum is None:
            continue  # absent (ECS uses 200) or a placeholder
        min_key, min_node = config.item("minimumHealthyPercent")
        defaulted = min_key is None
        if defaulted:
            if service.is_update_input:
                continue  # the service keeps its current minimum, which this file does not show
            minimum = 100.0
        else:
            minimum = number(min_node)
            if minimum is None:
                continue
        desired = number(service.node.get("desiredCount"))
        if desired is not None and desired <= 0:
            continue
        plain = maximum <= 100 and minimum >= 100
        if not plain:
            if not desired:
                continue  # absent or a placeholder: the rounding cannot be judged
            upper = math.floor(desired * maximum / 100 + 1e-9)
            lower = math.ceil(desired * minimum / 100 - 1e-9)
            if upper > desired or lower < desired:
                continue
        name = f"service '{service.name}'" if service.name else "this service"
        shown_min = f"{_show(minimum)} (the default)" if defaulted else _show(minimum)
        if plain:
            message = (
                f"Raise maximumPercent above 100 (200 is the default) so that ECS can start a new task before stopping "
                f"an old one. With maximumPercent {_show(maximum)} and minimumHealthyPercent {shown_min}, a rolling "
                f"deploy of {name} can neither start a replacement nor stop an old task first, so it never finishes."
            )
            yield Issue(max_node, message)
        else:
            needed = math.ceil((desired + 1) * 100 / desired - 1e-9)
            tasks = "task" if desired == 1 else "tasks"
            message = (
                f"Raise maximumPercent to at least {needed} (or lower minimumHealthyPercent) so that ECS can start a "
                f"new task before stopping an old one. With {_show(desired)} desired {tasks}, maximumPercent "
                f"{_show(maximum)} allows at most {upper} running and minimumHealthyPercent {shown_min} keeps at "
                f"least {lower} (ECS rounds the upper limit down and the lower limit up), so a rolling deploy of "
                f"{name} never finishes."
            )
            yield Issue(max_node, message, confidence="medium")



def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
