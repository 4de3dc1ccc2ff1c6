from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Scalar, Seq


@rule(
    id="missing-deployment-alarms",
    kinds=("service",),
    severity="note",
    summary="ECS deployment is not watched by CloudWatch alarms that roll it back",
    tags=("reliability", "deployment"),
)
def check(doc, ctx):
    """## What it does
    Finds ECS services deployed by ECS itself (the default `deploymentController` type `ECS`)
    whose `deploymentConfiguration.alarms` does not name CloudWatch alarms with `enable: true`
    and `rollback: true`, in create-service / update-service input JSON, `describe-services`
    output (`{"services": [...]}`) and create-service output (`{"service": {...}}`):

    - `alarms.enable` or `alarms.rollback` is `false` (reported at the value);
    - `alarms.alarmNames` is empty (reported at the list) or missing, or `enable` / `rollback`
      is missing (reported at `alarms`);
    - `deploymentConfiguration` has no `alarms` (reported at `deploymentConfiguration`), or
      there is no `deploymentConfiguration` at all (reported at the `serviceName`).

    Not reported: an update-service input (`service` rather than `serviceName`) without
    `deploymentConfiguration` (it leaves the service's alarms as they are), a service whose
    `deploymentController` is `CODE_DEPLOY` or `EXTERNAL` (CodeDeploy has its own alarm
    settings in the deployment group), a `DAEMON` service (agents and log routers with one task
    per instance and no desired count, which ECS's deployment failure detection is built
    around), a `--generate-cli-skeleton` file (empty `serviceName`
    or `taskDefinition`), and values that are template placeholders.

    ## Why is this bad?
    The deployment circuit breaker only notices new tasks that fail to start or fail their
    health checks. A version that starts and answers `/health` but returns errors, times out
    or drops messages passes every check, and ECS completes the deployment and removes the old
    tasks. With deployment alarms (on the target group's 5xx count, latency, or an
    application metric), ECS watches the alarms through a bake time after the new tasks are
    running and, with `rollback: true`, returns to the last completed deployment when one
    fires.

    ## Example
    ```json
    {
      "serviceName": "api",
      "deploymentConfiguration": {
        "deploymentCircuitBreaker": {"enable": true, "rollback": true}
      }
    }
    ```

    ## Use instead
    ```json
    {
      "serviceName": "api",
      "deploymentConfiguration": {
        "deploymentCircuitBreaker": {"enable": true, "rollback": true},
        "alarms": {
          "alarmNames": ["api-5xx-rate", "api-p99-latency"],
          "enable": true,
          "rollback": true
        }
      }
    }
    ```
    Create CloudWatch alarms on the signals that show a bad release (load balancer 5xx count,
    latency, error metrics) and list them in `deploymentConfiguration.alarms` with `enable` and
    `rollback` set to `true`.
    """
    for service in ctx.services:
        if service.is_skeleton or service.deployment_controller != "ECS":
            continue
        if (service.scheduling_strategy or "").upper() == "DAEMON":
            continue
        name = f"service '{service.name}'" if service.name else "this service"
        fix = ('Add deployment alarms: "alarms": {"alarmNames": [...], "enable": true, "rollback": true} in '
               "deploymentConfiguration, on alarms such as the load balancer's 5xx count or latency.")
        consequence = (f"so a release of {name} that starts and passes its health checks but fails requests is not "
                       f"rolled back")
        config_key, config = service.node.item("deploymentConfiguration")
        if config_key is None:
            if service.is_update_input:
                continue  # update-service without deploymentConfiguration keeps the current alarms
            anchor = service.anchor
            if anchor is not None:
                yield Issue(anchor, f"{fix} There is no deploymentConfiguration, {consequence}.")
            continue
        if not isinstance(config, Map):
            continue
        alarms_key, alarms = config.item("alarms")
        if alarms_key is None:
            yield Issue(config_key, f"{fix} The deploymentConfiguration has no alarms, {consequence}.")
            continue
        if not isinstance(alarms, Map):
            continue
        enable_key, enable = alarms.item("enable")
        rollback_key, rollback = alarms.item("rollback")
        names_key, names = alarms.item("alarmNames")
        enabled, rolls_back = _bool(enable), _bool(rollback)
        if enable_key is not None and enabled is None or rollback_key is not None and rolls_back is None:
            continue  # a placeholder
        if names_key is not None and not isinstance(names, Seq):
            continue  # a placeholder for the list
        if enabled is False:
            yield Issue(enable, f"Set alarms enable to true (and rollback to true). The deployment alarms are off, "
                                f"{consequence}.")
        elif rolls_back is False:
            yield Issue(rollback, f"Set alarms rollback to true. ECS marks a deploy of {name} failed when an alarm "
                                  f"fires but keeps the new version running.")
        elif names_key is not None and len(names) == 0:
            yield Issue(names, f"List the CloudWatch alarms to watch in alarmNames. The list is empty, "
                               f"{consequence}.")
        elif names_key is None or enabled is None or rolls_back is None:
            missing = [text for text, key in (('"alarmNames": [...]', names_key), ('"enable": true', enable_key),
                                              ('"rollback": true', rollback_key)) if key is None]
            pronoun = "it" if len(missing) == 1 else "them"
            yield Issue(alarms_key, f"Add {' and '.join(missing)} to alarms (ECS requires alarmNames, enable and "
                                    f"rollback). Without {pronoun} the alarms do not roll back a bad deploy of {name}.")


def _bool(node) -> bool | None:
    return node.as_bool() if isinstance(node, Scalar) else None
