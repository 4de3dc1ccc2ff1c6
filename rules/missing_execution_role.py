import re

from cicdlint import lazyre
from cicdlint.images import parse_image
from cicdlint.model import as_map, as_scalar, as_seq, text
from cicdlint.rule import Issue, Location, rule
from cicdlint.yamlpos import Map

# Launch types on which the ECS agent pulls from ECR and writes awslogs with the execution role
# (on EC2 it uses the container instance role).
AGENT_WITHOUT_INSTANCE_ROLE = ("FARGATE", "EXTERNAL", "MANAGED_INSTANCES")
_ECR_REGISTRY = lazyre.compile(r"\.dkr\.ecr(?:-fips)?\.[^/]+\.amazonaws\.com(?:\.cn)?$", re.I)


@rule(
    id="missing-execution-role",
    kinds=("taskdef",),
    severity="error",
    summary="Task definition needs a task execution role (`executionRoleArn`) but has none",
    tags=("correctness", "ecs", "iam"),
)
def check(doc, ctx):
    """## What it does
    Reports a task definition without `executionRoleArn` (or with `null` or `""`) that uses
    something the ECS agent can only fetch with the task execution role.

    On every launch type:

    - container `secrets` read with `valueFrom` (Secrets Manager or SSM Parameter Store);
    - `logConfiguration.secretOptions` (a log driver option read from a secret);
    - `repositoryCredentials` (private registry authentication);
    - `environmentFiles` (variables loaded from S3);
    - a FireLens `firelensConfiguration` whose `config-file-type` is `s3`.

    Only where `requiresCompatibilities` lists `FARGATE` (or `EXTERNAL`,
    `MANAGED_INSTANCES`), where no container instance role stands in:

    - an image from a private Amazon ECR repository (`*.dkr.ecr.*.amazonaws.com/...`);
    - the `awslogs` log driver.

    On EC2 the agent pulls ECR images and writes CloudWatch logs with the container instance
    role, so those two alone are not reported there, nor in a task definition that does not
    say where it runs. The finding points at the first use; the others are listed as related
    locations.

    ## Why is this bad?
    The task execution role is the identity the ECS agent (not your application) uses to
    prepare the task: pull the image, read the secrets it injects, create the log stream.
    Without it, registration fails (`Fargate requires task definition to have execution role
    ARN to support log driver awslogs`, or for `secrets`: you must also specify a value for
    `executionRoleArn`), or the task is stopped before it starts with
    `ResourceInitializationError` / `CannotPullContainerError`. A deploy that registers fine
    and then never reaches a running task is slow to diagnose.

    ## Example
    ```json
    {
      "family": "orders-api",
      "requiresCompatibilities": ["FARGATE"],
      "networkMode": "awsvpc",
      "cpu": "512",
      "memory": "1024",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:4f2c9e1",
          "secrets": [
            { "name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/orders/db-password" }
          ],
          "logConfiguration": {
            "logDriver": "awslogs",
            "options": { "awslogs-group": "/ecs/orders-api", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "api" }
          }
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "orders-api",
      "requiresCompatibilities": ["FARGATE"],
      "networkMode": "awsvpc",
      "cpu": "512",
      "memory": "1024",
      "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:4f2c9e1",
          "secrets": [
            { "name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/orders/db-password" }
          ],
          "logConfiguration": {
            "logDriver": "awslogs",
            "options": { "awslogs-group": "/ecs/orders-api", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "api" }
          }
        }
      ]
    }
    ```
    Add `executionRoleArn` with a role that has the `AmazonECSTaskExecutionRolePolicy`
    managed policy, plus `ssm:GetParameters` / `secretsmanager:GetSecretValue` (and
    `kms:Decrypt` for a customer key) on the secrets it injects. Keep it separate from
    `taskRoleArn`, the role your application's code uses.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton:
        return
    key, role = taskdef.node.item("executionRoleArn")
    role_scalar = as_scalar(role)
    if role is not None and (role_scalar is None or (not role_scalar.is_null and role_scalar.value.strip())):
        return  # a role (or a placeholder for one)
    agent_only = next((entry for name in AGENT_WITHOUT_INSTANCE_ROLE if (entry := taskdef.requires(name)) is not None), None)
    needs = []  # (node, what)
    for container in taskdef.containers:
        needs.extend(_needs(container, agent_only.value.strip().upper() if agent_only is not None else None))
    if not needs:
        return
    node, what = needs[0]
    others = needs[1:]
    missing = "is `null`" if role_scalar is not None and role_scalar.is_null else "is empty" if role is not None else "is missing"
    more = f" (and {len(others)} more use{'' if len(others) == 1 else 's'}, listed as related)" if others else ""
    related = [Location(doc.path, ctx.span(other), f"also needs the execution role: {reason}") for other, reason in others]
    yield Issue(
        node,
        f"Add `executionRoleArn` to this task definition (a role with AmazonECSTaskExecutionRolePolicy). "
        f"It {missing}, but {what}{more}: the ECS agent needs the task execution role for that, so "
        "registration fails or the task stops before it starts.",
        related=related,
    )


def _needs(container, agent_only: str | None):
    """(node, what) for each thing in the container that needs the execution role."""
    label = f"container '{container.name}'" if container.name else "a container"
    node = container.node
    if agent_only is not None:
        image = container.image
        if image is not None and _is_ecr(image.value):
            yield image, f"{label} pulls its image from private Amazon ECR on {agent_only}"
    secrets_key, secrets = node.item("secrets")
    names = [text(item.get("name")) or "?" for item in as_seq(secrets) if isinstance(item, Map) and _has(item, "valueFrom")]
    if names:
        yield secrets_key, f"{label} injects secrets with `valueFrom` ({_list(names)})"
    logging = container.log_configuration
    if logging is not None:
        driver = as_scalar(logging.get("logDriver"))
        if agent_only is not None and driver is not None and driver.value.strip() == "awslogs":
            yield driver, f"{label} sends its logs with the `awslogs` driver on {agent_only}"
        options_key, options = logging.item("secretOptions")
        names = [text(item.get("name")) or "?" for item in as_seq(options) if isinstance(item, Map) and _has(item, "valueFrom")]
        if names:
            yield options_key, f"{label} reads log driver options from secrets (`secretOptions`: {_list(names)})"
    credentials_key, credentials = node.item("repositoryCredentials")
    if isinstance(credentials, Map) and _has(credentials, "credentialsParameter"):
        yield credentials_key, f"{label} pulls from a private registry with `repositoryCredentials`"
    files_key, files = node.item("environmentFiles")
    if any(isinstance(item, Map) and _has(item, "value") for item in as_seq(files)):
        yield files_key, f"{label} loads `environmentFiles` from S3"
    firelens = as_map(node.get("firelensConfiguration"))
    options = as_map(firelens.get("options")) if firelens is not None else None
    if options is not None:
        kind = as_scalar(options.get("config-file-type"))
        if kind is not None and kind.value.strip().lower() == "s3":
            yield kind, f"{label} loads its FireLens configuration file from S3"


def _has(node: Map, name: str) -> bool:
    value = as_scalar(node.get(name))
    return value is not None and not value.is_null and bool(value.value.strip())


def _is_ecr(image: str) -> bool:
    ref = parse_image(image)
    if ref is not None:
        return bool(ref.registry and _ECR_REGISTRY.search(ref.registry))
    # The tag may be a placeholder (`...amazonaws.com/api:${TAG}`): the registry still says ECR.
    registry = image.strip().split("/", 1)[0] if "/" in image else ""
    return bool(_ECR_REGISTRY.search(registry))


def _list(names: list[str]) -> str:
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")
