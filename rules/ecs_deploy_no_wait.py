from __future__ import annotations

from cicdlint import shell
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

_DEPLOY_ACTION = "aws-actions/amazon-ecs-deploy-task-definition"
_WAIT_INPUT = "wait-for-service-stability"


@rule(
    id="ecs-deploy-no-wait",
    kinds=("workflow", "action"),
    severity="warning",
    summary="ECS deploy does not wait for the service to become stable",
    tags=("reliability", "deployment", "ecs"),
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds ECS service deployments that return as soon as the new task definition is handed to
    ECS, without waiting for the rollout to finish:

    - `aws-actions/amazon-ecs-deploy-task-definition` with a `service:` and no
      `wait-for-service-stability: true` (the input missing, `false`, `'false'` or any value
      other than `true`), when no later step of the job waits for the service;
    - `aws ecs update-service ... --task-definition ...` (or `--force-new-deployment`) in a
      script with no `aws ecs wait services-stable` (nor an `aws ecs describe-services` poll, nor
      an ECS wait action) after it in the same job. Reported with medium confidence: a script or
      a later job may wait in a way cicdlint cannot see.

    Not reported: the action without `service:` (it only registers the task definition);
    `wait-for-service-stability: ${{ inputs.wait }}` (decided at run time);
    `aws ecs update-service --desired-count 0` and other updates that start no new deployment.

    ## Why is this bad?
    `UpdateService` only records the new desired state; ECS then starts the new tasks, waits for
    them to pass health checks and drains the old ones. If the new image crashes on start, fails
    its health check or cannot be pulled, ECS keeps retrying (or the circuit breaker rolls
    back) long after the job has finished - and the job is green. The team believes the release
    is live, later jobs (smoke tests, notifications, a promotion to the next environment) run
    against the old version, and nobody is alerted that the deployment failed.

    ## Example
    ```yaml
    - name: Deploy to ECS
      uses: aws-actions/amazon-ecs-deploy-task-definition@v2
      with:
        task-definition: ${{ steps.task-def.outputs.task-definition }}
        service: my-api-service
        cluster: production-cluster
    - name: Roll out worker
      run: aws ecs update-service --cluster production-cluster --service worker --force-new-deployment
    ```

    ## Use instead
    ```yaml
    - name: Deploy to ECS
      uses: aws-actions/amazon-ecs-deploy-task-definition@v2
      with:
        task-definition: ${{ steps.task-def.outputs.task-definition }}
        service: my-api-service
        cluster: production-cluster
        wait-for-service-stability: true
        wait-for-minutes: 10
    - name: Roll out worker
      run: |
        aws ecs update-service --cluster production-cluster --service worker --force-new-deployment
        aws ecs wait services-stable --cluster production-cluster --services worker
    ```
    Set `wait-for-service-stability: true` (and a `wait-for-minutes` that covers a normal
    rollout), or run `aws ecs wait services-stable` after `aws ecs update-service`, so that a
    deployment that never becomes healthy fails the job.
    """
    for steps in _step_groups(ctx):
        waits_after = _waits_after(steps)
        for position, step in enumerate(steps):
            if step.uses is not None and step.uses_action(_DEPLOY_ACTION):
                issue = _check_action(step, waits_after[position + 1])
                if issue is not None:
                    yield issue
            for scalar, _where in step.scripts():
                if "update-service" not in scalar.value:
                    continue
                nested = shell.parse_nested(scalar.value)
                for index, item in enumerate(nested):
                    words = _ecs_subcommand(item.command, "update-service")
                    if words is None or not _starts_deployment(words):
                        continue
                    if waits_after[position + 1] or any(_is_wait(later.command) for later in nested[index + 1 :]):
                        continue
                    start = words[0].start
                    span = ctx.locate(scalar, start, words[1].end - start)
                    service = _option_value(words, "--service") or "..."
                    yield Issue(
                        span,
                        f"Run `aws ecs wait services-stable --cluster ... --services {service}` after "
                        f"`aws ecs update-service --service {service}`. Without it the job succeeds as soon as ECS "
                        "accepts the update, even if the new tasks never become healthy.",
                        confidence="medium",
                    )


def _step_groups(ctx):
    """The steps of each job (or of the composite action), in order."""
    if ctx.doc.kind == "workflow":
        return [job.steps for job in ctx.workflow.jobs]
    return [ctx.steps()]


def _check_action(step, waited_later: bool):
    inputs = as_map(step.node.get("with"))
    if inputs is None:
        return None
    service = _input(inputs, "service")
    if service is None or not isinstance(service[1], Scalar) or not service[1].value.strip():
        return None  # no service: the action only registers the task definition
    key, value = _input(inputs, _WAIT_INPUT) or (None, None)
    uses = step.uses.value
    if key is None:
        if waited_later:
            return None
        return Issue(
            step.uses,
            f"Add `{_WAIT_INPUT}: true` to '{uses}' (service {service[1].value.strip()}). Without it the step "
            "succeeds as soon as ECS accepts the new task definition, so a deployment whose tasks never become "
            "healthy still goes green.",
        )
    if not isinstance(value, Scalar):
        return None
    text = value.value.strip()
    if "${{" in text or text.lower() == "true":
        return None
    if waited_later:
        return None
    node = key if value.is_null else value
    shown = text or "empty"
    return Issue(
        node,
        f"Set `{_WAIT_INPUT}: true` on '{uses}' (it is `{shown}`). The action only waits when the input is "
        "'true', so a deployment whose tasks never become healthy still goes green.",
    )


def _input(inputs, name: str):
    """(key, value) of an input; input names are case-insensitive."""
    for key_name, key, value in inputs.items():
        if isinstance(key_name, str) and key_name.lower() == name:
            return key, value
    return None


def _waits_after(steps) -> list[bool]:
    """waits_after[i]: does step i or a later step wait for ECS services to become stable?"""
    flags = [False] * (len(steps) + 1)
    for index in range(len(steps) - 1, -1, -1):
        flags[index] = flags[index + 1] or _step_waits(steps[index])
    return flags


def _step_waits(step) -> bool:
    if step.uses is not None:
        target = step.uses.value.split("@", 1)[0].lower()
        if "ecs" in target and "wait" in target:
            return True
    for scalar, _where in step.scripts():
        if "ecs" in scalar.value and ("wait" in scalar.value or "describe-services" in scalar.value):
            if any(_is_wait(item.command) for item in shell.parse_nested(scalar.value)):
                return True
    return False


def _is_wait(command) -> bool:
    return (
        _ecs_subcommand(command, "wait") is not None
        or _ecs_subcommand(command, "describe-services") is not None
    )


def _ecs_subcommand(command, name: str):
    """The words `aws ... ecs NAME ...` (from `aws`) when the command runs that ECS subcommand."""
    words = shell.strip_wrappers(command.words)
    if not words or words[0].value.rsplit("/", 1)[-1] != "aws":
        return None
    for index, word in enumerate(words[1:6], start=1):
        if word.value == "ecs":
            following = words[index + 1 : index + 2]
            if following and following[0].value == name:
                return [words[0], following[0]] + words[index + 2 :]
            return None
    return None


def _option_value(words, name: str) -> str | None:
    for index, word in enumerate(words):
        value = word.value
        if value == name and index + 1 < len(words):
            return words[index + 1].value
        if value.startswith(name + "="):
            return value.split("=", 1)[1]
    return None


def _starts_deployment(words) -> bool:
    """Does `aws ecs update-service` start a new deployment (new task definition or a forced one)?"""
    for word in words[2:]:
        value = word.value
        if value.startswith(("--task-definition", "--force-new-deployment")):
            return True
    return False
