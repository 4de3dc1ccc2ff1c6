from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar


@rule(
    id="execute-command-enabled",
    kinds=("service",),
    severity="note",
    summary="ECS Exec is turned on for the service",
    tags=("security", "access"),
    security_severity=4.3,
)
def check(doc, ctx):
    """## What it does
    Finds ECS services with `enableExecuteCommand: true`, in create-service / update-service
    input JSON, `describe-services` output (`{"services": [...]}`) and create-service output
    (`{"service": {...}}`). It is reported at the value.

    The finding is a note, and an error when the service, its cluster or the file path looks
    like production (the shared production patterns): ECS Exec is a fair debugging aid in a
    development or staging service, but a standing shell into production containers is not.

    Not reported: `false`, a value that is not a JSON boolean (a template placeholder such as
    `"${ENABLE_EXEC}"`), and a `--generate-cli-skeleton` file (empty `serviceName` or
    `taskDefinition`).

    ## Why is this bad?
    With ECS Exec on, anyone who holds `ecs:ExecuteCommand` on the cluster can open an
    interactive shell in any running container of the service, with the task role's AWS
    permissions and the secrets in its environment, outside the deploy pipeline and its
    reviews. Such permissions are often granted broadly (`ecs:*` for developers or CI roles),
    so the flag turns them into production shell access. Commands and their output are only
    recorded when the cluster's `executeCommandConfiguration` logging is set up.

    ## Example
    ```json
    {
      "cluster": "production",
      "serviceName": "payments",
      "taskDefinition": "payments:17",
      "enableExecuteCommand": true
    }
    ```

    ## Use instead
    ```json
    {
      "cluster": "production",
      "serviceName": "payments",
      "taskDefinition": "payments:17",
      "enableExecuteCommand": false
    }
    ```
    Leave ECS Exec off in production (`--disable-execute-command`). When a session is needed,
    turn it on for that incident with `aws ecs update-service --enable-execute-command
    --force-new-deployment`, restrict `ecs:ExecuteCommand` to a break-glass role, log sessions
    through the cluster's `executeCommandConfiguration`, and turn it off again afterwards.
    """
    for service in ctx.services:
        value = service.node.get("enableExecuteCommand")
        if not isinstance(value, Scalar) or value.as_bool() is not True or service.is_skeleton:
            continue
        production = ctx.production.matches(service.name, service.cluster, doc.path)
        name = f"service '{service.name}'" if service.name else "this service"
        if production:
            message = (
                f"Set enableExecuteCommand to false (turn ECS Exec on only for an incident, then off again). It lets "
                f"anyone with ecs:ExecuteCommand open a shell in the running containers of {name} in production, with "
                f"the task role's permissions and its secrets."
            )
        else:
            message = (
                f"Set enableExecuteCommand to false unless you debug with ECS Exec here. It lets anyone with "
                f"ecs:ExecuteCommand open a shell in the running containers of {name}, with the task role's "
                f"permissions and its secrets."
            )
        yield Issue(value, message, severity="error" if production else None)
