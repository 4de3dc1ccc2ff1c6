from cicdlint.model import as_seq
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Scalar


@rule(
    id="circuit-breaker-disabled",
    kinds=("service",),
    severity="warning",
    summary="ECS rolling deployment has no circuit breaker with rollback",
    tags=("reliability", "deployment"),
)
def check(doc, ctx):
    """## What it does
    Finds ECS services deployed by ECS itself (the default `deploymentController` type `ECS`)
    whose `deploymentConfiguration.deploymentCircuitBreaker` is not `{"enable": true,
    "rollback": true}`, in create-service / update-service input JSON, `describe-services`
    output (`{"services": [...]}`) and create-service output (`{"service": {...}}`):

    - `enable` is `false` (reported at the value);
    - `enable` is `true` but `rollback` is `false` (reported at `rollback`);
    - the breaker leaves out `enable` or `rollback` (reported at `deploymentCircuitBreaker`);
    - `deploymentConfiguration` has no `deploymentCircuitBreaker` (reported at
      `deploymentConfiguration`), or there is no `deploymentConfiguration` at all (reported at
      the `serviceName`).

    The finding is a warning, and an error when the service, its cluster or the file path
    looks like production (the shared production patterns).

    Not reported: an update-service input (`service` rather than `serviceName`) without
    `deploymentConfiguration`, since it leaves the service's breaker as it is; a service whose
    `deploymentController` is `CODE_DEPLOY` or `EXTERNAL` (the breaker only works for ECS
    deployments; the other controllers decide on failure themselves); a `DAEMON` service (one
    task per instance and no desired count, from which the breaker's failure threshold is
    computed); a service behind a
    Classic Load Balancer only (`loadBalancerName`, no `targetGroupArn`), where older ECS
    versions reject the breaker; a `--generate-cli-skeleton` file (empty `serviceName` or
    `taskDefinition`); and `enable` / `rollback` values that are not JSON booleans (template
    placeholders such as `"${CIRCUIT_BREAKER}"`). When an update-service input sets
    `deploymentConfiguration` without a breaker the finding has medium confidence: whether
    ECS keeps the service's current breaker then is not documented.

    ## Why is this bad?
    Without the circuit breaker, a deployment whose new tasks never become healthy (a crash on
    start, a failing health check, an image that cannot be pulled) does not fail: ECS keeps
    starting and stopping replacement tasks for hours, the deployment stays "in progress", and
    a pipeline waiting on `aws ecs wait services-stable` times out long after the cause could
    have been seen. With `rollback: true`, ECS marks the deployment failed after a few failed
    tasks and returns the service to the last deployment that completed, without anyone being
    paged. With `enable: true` but `rollback: false`, the deployment stops but the service is
    left running the failed version beside the old one.

    ## Example
    ```json
    {
      "cluster": "production",
      "serviceName": "api",
      "taskDefinition": "api:42",
      "desiredCount": 3,
      "deploymentConfiguration": {
        "maximumPercent": 200,
        "minimumHealthyPercent": 100
      }
    }
    ```

    ## Use instead
    ```json
    {
      "cluster": "production",
      "serviceName": "api",
      "taskDefinition": "api:42",
      "desiredCount": 3,
      "deploymentConfiguration": {
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {"enable": true, "rollback": true}
      }
    }
    ```
    Add `"deploymentCircuitBreaker": {"enable": true, "rollback": true}` to the service's
    `deploymentConfiguration` (`--deployment-configuration
    "deploymentCircuitBreaker={enable=true,rollback=true}"` on the command line).
    """
    for service in ctx.services:
        if service.is_skeleton or service.deployment_controller != "ECS" or _classic_elb_only(service):
            continue
        if (service.scheduling_strategy or "").upper() == "DAEMON":
            continue  # one task per instance, no desired count: the breaker's threshold does not apply
        production = ctx.production.matches(service.name, service.cluster, doc.path)
        severity = "error" if production else None
        name = f"service '{service.name}'" if service.name else "this service"
        where = " in production" if production else ""
        fix = 'Turn on the deployment circuit breaker with rollback: "deploymentCircuitBreaker": {"enable": true, "rollback": true}.'
        config_key, config = service.node.item("deploymentConfiguration")
        if config_key is None:
            if service.is_update_input:
                continue  # update-service without deploymentConfiguration keeps the current breaker
            anchor = service.anchor
            if anchor is None:
                continue
            yield Issue(
                anchor,
                f"Add a deploymentConfiguration with a circuit breaker: \"deploymentCircuitBreaker\": "
                f"{{\"enable\": true, \"rollback\": true}}. {name[0].upper()}{name[1:]}{where} has none, so a deploy whose "
                f"tasks never become healthy keeps retrying instead of failing and rolling back.",
                severity=severity,
            )
            continue
        if not isinstance(config, Map):
            continue  # a placeholder or an odd shape
        breaker_key, breaker = config.item("deploymentCircuitBreaker")
        if breaker_key is None:
            update = service.is_update_input
            if update:
                found = (f"This update-service input of {name}{where} sets deploymentConfiguration without one, so unless "
                         f"the service already has a breaker, a deploy")
            else:
                found = f"The deploymentConfiguration of {name}{where} has none, so a deploy"
            yield Issue(
                config_key,
                f"{fix} {found} whose tasks never become healthy keeps retrying for hours instead of failing and "
                f"rolling back.",
                severity=severity,
                confidence="medium" if update else None,
            )
            continue
        if not isinstance(breaker, Map):
            continue
        enable_key, enable = breaker.item("enable")
        rollback_key, rollback = breaker.item("rollback")
        enabled = _bool(enable)
        rolls_back = _bool(rollback)
        if enable_key is not None and enabled is None or rollback_key is not None and rolls_back is None:
            continue  # a placeholder: the real value is filled in later
        if enabled is False:
            yield Issue(
                enable,
                f"Set deploymentCircuitBreaker enable to true (and rollback to true). The breaker of {name}{where} is "
                f"off, so a deploy whose tasks never become healthy keeps retrying for hours instead of failing and "
                f"rolling back.",
                severity=severity,
            )
        elif enabled is None:
            yield Issue(
                breaker_key,
                f"Add \"enable\": true to deploymentCircuitBreaker (and \"rollback\": true). ECS requires both fields; "
                f"without enable the breaker of {name}{where} is not on.",
                severity=severity,
            )
        elif rolls_back is False:
            yield Issue(
                rollback,
                f"Set deploymentCircuitBreaker rollback to true. The breaker of {name}{where} stops a failing deploy "
                f"but does not roll back, so the service is left running the failed version beside the old one.",
                severity=severity,
            )
        elif rolls_back is None:
            yield Issue(
                breaker_key,
                f"Add \"rollback\": true to deploymentCircuitBreaker. ECS requires the field; without it a failing "
                f"deploy of {name}{where} is stopped but not rolled back to the last working version.",
                severity=severity,
            )


def _bool(node) -> bool | None:
    return node.as_bool() if isinstance(node, Scalar) else None





def _classic_elb_only(service) -> bool:
    balancers = [item for item in as_seq(service.node.get("loadBalancers")) if isinstance(item, Map)]
    return bool(balancers) and all(
        "loadBalancerName" in item and "targetGroupArn" not in item for item in balancers
    )
