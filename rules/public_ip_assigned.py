from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar


@rule(
    id="public-ip-assigned",
    kinds=("service",),
    severity="warning",
    summary="ECS service gives its tasks public IP addresses",
    tags=("security", "network"),
    security_severity=5.3,
)
def check(doc, ctx):
    """## What it does
    Finds ECS services whose `networkConfiguration.awsvpcConfiguration.assignPublicIp` is
    `ENABLED`, in create-service / update-service input JSON, `describe-services` output
    (`{"services": [...]}`) and create-service output (`{"service": {...}}`). It is reported at
    the value.

    Not reported: `DISABLED`, a value that is a template placeholder (`"${ASSIGN_PUBLIC_IP}"`),
    and a `--generate-cli-skeleton` file (empty `serviceName` or `taskDefinition`; the skeleton
    fills in `ENABLED` as the first allowed value, not as a choice).

    ## Why is this bad?
    Each task gets its own public IPv4 address in a public subnet. Every port that the task's
    security groups open is then reachable from the internet directly, next to the load
    balancer that was meant to be the only way in: its TLS, WAF rules and access logs are
    bypassed, and a security group rule widened for debugging exposes the container at once.
    Public addresses also cost money per address and hour. Tasks often get one only to pull
    images or reach AWS APIs without a NAT gateway; VPC endpoints or a NAT gateway give the same
    outbound access without inbound exposure.

    ## Example
    ```json
    {
      "serviceName": "api",
      "launchType": "FARGATE",
      "networkConfiguration": {
        "awsvpcConfiguration": {
          "subnets": ["subnet-0a1b2c3d4e5f60718"],
          "securityGroups": ["sg-0123456789abcdef0"],
          "assignPublicIp": "ENABLED"
        }
      }
    }
    ```

    ## Use instead
    ```json
    {
      "serviceName": "api",
      "launchType": "FARGATE",
      "networkConfiguration": {
        "awsvpcConfiguration": {
          "subnets": ["subnet-0f1e2d3c4b5a69788"],
          "securityGroups": ["sg-0123456789abcdef0"],
          "assignPublicIp": "DISABLED"
        }
      }
    }
    ```
    Set `assignPublicIp` to `DISABLED` and place the tasks in private subnets; give them
    outbound access through a NAT gateway or VPC endpoints (ECR, S3, CloudWatch Logs, Secrets
    Manager), and inbound traffic through a load balancer.
    """
    for service in ctx.services:
        network = as_map(service.node.get("networkConfiguration"))
        vpc = as_map(network.get("awsvpcConfiguration")) if network else None
        value = vpc.get("assignPublicIp") if vpc else None
        if not isinstance(value, Scalar) or value.value.strip().upper() != "ENABLED":
            continue
        if service.is_skeleton:
            continue
        name = f"service '{service.name}'" if service.name else "this service"
        yield Issue(
            value,
            f"Set assignPublicIp to DISABLED and run the tasks in private subnets (outbound through a NAT gateway or "
            f"VPC endpoints). With {value.value}, every task of {name} gets a public IP address, so any port its "
            f"security groups open is reachable from the internet directly, not only through a load balancer.",
        )
