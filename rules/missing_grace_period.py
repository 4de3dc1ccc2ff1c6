from cicdlint.model import as_seq, number
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Scalar, Seq



@rule(
    id="missing-grace-period",
    kinds=("service",),
    severity="warning",
    summary="ECS service behind a load balancer has no health check grace period",
    tags=("reliability", "deployment", "health-check"),
    confidence="medium",
)
def check(doc, ctx):
    """## What it does
    Finds ECS services with `loadBalancers` attached but no `healthCheckGracePeriodSeconds`
    (reported at `loadBalancers`) or a grace period of 0 (reported at the value), in
    create-service / update-service input JSON, `describe-services` output
    (`{"services": [...]}`) and create-service output (`{"service": {...}}`). Numbers written as
    strings (`"0"`) count too.

    Not reported: an update-service input (`service` rather than `serviceName`) that leaves
    out `healthCheckGracePeriodSeconds` (the service keeps its current grace period), an empty
    `loadBalancers` list or one whose entries leave `targetGroupArn` and `loadBalancerName`
    empty (a `--generate-cli-skeleton` file), and grace periods that are template
    placeholders. The finding has
    medium confidence: an application that starts and answers its health check within the
    target group's first checks does not need a grace period.

    ## Why is this bad?
    Without a grace period ECS acts on the load balancer's health checks from the moment a
    task starts. An application that needs longer to start than the target group's
    `HealthyThresholdCount` x `HealthCheckIntervalSeconds` allows (a JVM warming up, migrations
    on boot, a cache loaded at start) is marked unhealthy and stopped before it is ready; ECS
    starts a replacement that meets the same end. Deploys loop or are rolled back by the
    circuit breaker although the new version is fine, and a scale-out under load adds tasks
    that are killed again.

    ## Example
    ```json
    {
      "serviceName": "api",
      "taskDefinition": "api:42",
      "desiredCount": 2,
      "loadBalancers": [
        {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/0123456789abcdef",
         "containerName": "api", "containerPort": 8080}
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "serviceName": "api",
      "taskDefinition": "api:42",
      "desiredCount": 2,
      "loadBalancers": [
        {"targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/0123456789abcdef",
         "containerName": "api", "containerPort": 8080}
      ],
      "healthCheckGracePeriodSeconds": 60
    }
    ```
    Set `healthCheckGracePeriodSeconds` to a little more than the time the application needs
    from start to its first passing health check (`--health-check-grace-period-seconds` on
    the command line).
    """
    for service in ctx.services:
        balancers_key, balancers = service.node.item("loadBalancers")
        if balancers_key is None or not isinstance(balancers, Seq) or not _attached(balancers):
            continue
        name = f"service '{service.name}'" if service.name else "this service"
        grace_key, grace = service.node.item("healthCheckGracePeriodSeconds")
        if grace_key is None:
            if service.is_update_input:
                continue  # the service keeps its current grace period
            yield Issue(
                balancers_key,
                f"Set healthCheckGracePeriodSeconds (e.g. 60: longer than the application needs to start and pass its "
                f"first health check). {name[0].upper()}{name[1:]} has a load balancer but no grace period, so ECS may "
                f"stop tasks that fail the load balancer's health checks while they are still starting.",
            )
            continue
        seconds = number(grace)
        if seconds is not None and seconds <= 0:
            yield Issue(
                grace,
                f"Set healthCheckGracePeriodSeconds above 0 (e.g. 60: longer than the application needs to start and "
                f"pass its first health check). {name[0].upper()}{name[1:]} has a load balancer, and with a grace "
                f"period of {grace.value} ECS may stop tasks that fail its health checks while they are still starting.",
            )


def _attached(balancers: Seq) -> bool:
    """At least one entry that names a target group or a load balancer (not an empty skeleton)."""
    for item in as_seq(balancers):
        if not isinstance(item, Map):
            return True  # a placeholder list entry: something is attached
        for key in ("targetGroupArn", "loadBalancerName"):
            value = item.get(key)
            if isinstance(value, Scalar) and value.value.strip() and not value.is_null:
                return True
        if not any(key in item for key in ("targetGroupArn", "loadBalancerName")) and item.pairs:
            return True  # filled in elsewhere (a template that leaves the ARN out)
    return False
