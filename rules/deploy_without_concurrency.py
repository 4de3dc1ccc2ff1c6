from __future__ import annotations

from cicdlint.notions import is_deploy_job
from cicdlint.rule import Issue, rule
from cicdlint.triggers import REUSABLE_EVENT, events
from cicdlint.yamlpos import Map, Scalar


@rule(
    id="deploy-without-concurrency",
    kinds=("workflow",),
    severity="warning",
    summary="A production deploy job has no concurrency group, so two deploys can race",
    tags=("deployment", "reliability"),
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds production deploy jobs with no `concurrency:` group, neither on the job nor on the
    workflow. A deploy job has a deploy step (an ECS / EKS / Cloud Run / Serverless / SSH
    deploy, `kubectl apply`, `helm upgrade` ...) or names an environment it deploys to; it is a
    production deploy when its environment, or else the workflow's file name, says production
    (`prod`, `production`, `prd`, `live`, or the project's production patterns). A job that
    names a production environment only to read from it (`Prod (Readonly)`, a job named
    verify / plan / download) is not a deploy. Reported at the job's key.

    Both forms count: `concurrency: ${{ github.workflow }}` (a string is the group) and
    `concurrency: {group: deploy-production, cancel-in-progress: false}`. A mapping without
    `group:` does not. A concurrency group on another job (the build job) does not serialise
    the deploy job. A workflow that only runs as a reusable workflow (`on: workflow_call`) is
    not reported: its caller's workflow-level `concurrency:` covers it.

    ## Why is this bad?
    Two pushes a minute apart start two runs, and nothing stops them from deploying at the same
    time. The runs race: the older commit's deploy can finish last and put the old version
    back in production (`aws ecs update-service` / `kubectl set image` just take the last
    write), two `terraform apply` runs fight over the state lock, two SSH scripts run
    `git pull && npm ci && pm2 reload` over each other. The result depends on timing, and the
    newest commit is not necessarily what is running.

    ## Example
    ```yaml
    on:
      push:
        branches: [main]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: aws-actions/amazon-ecs-deploy-task-definition@v2
            with:
              task-definition: task-definition.json
              service: my-api-service
              cluster: production-cluster
    ```

    ## Use instead
    ```yaml
    on:
      push:
        branches: [main]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: production
        concurrency:
          group: deploy-production
          cancel-in-progress: false
        steps:
          - uses: aws-actions/amazon-ecs-deploy-task-definition@v2
            with:
              task-definition: task-definition.json
              service: my-api-service
              cluster: production-cluster
    ```
    Give every job that deploys to the same place the same group (one group per environment,
    not per branch or run). Keep `cancel-in-progress: false` for deploys, so a running deploy
    is finished rather than killed halfway; GitHub then runs the newest waiting run next and
    skips the ones in between.
    """
    workflow = ctx.workflow
    triggers = events(workflow)
    if triggers and all(event == REUSABLE_EVENT for event in triggers):
        return
    if _has_group(workflow.node.get("concurrency")):
        return
    for job in workflow.jobs:
        if not is_deploy_job(job, ctx.production) or not ctx.production.job(job):
            continue
        if _has_group(job.node.get("concurrency")):
            continue
        where = f"environment '{job.environment_name}'" if job.environment_name else "production"
        group = _suggested_group(job)
        message = (
            f"Add `concurrency: {{group: {group}, cancel-in-progress: false}}` to job '{job.id}' (or a "
            f"workflow-level `concurrency:`). The job deploys to {where} with no concurrency group, so two "
            "runs can deploy at the same time and the older commit can finish last."
        )
        yield Issue(job.key, message)


def _has_group(node) -> bool:
    """`concurrency: <group>` or `concurrency: {group: <group>}` with a non-empty group."""
    if isinstance(node, Scalar):
        return not node.is_null and bool(node.value.strip())
    if isinstance(node, Map):
        group = node.get("group")
        return isinstance(group, Scalar) and not group.is_null and bool(group.value.strip())
    return False


def _suggested_group(job) -> str:
    name = job.environment_name
    if name and "${{" not in name:
        slug = "-".join(name.lower().split())
        return f"deploy-{slug}"
    if name:
        return "deploy-${{ " + name.strip()[3:-2].strip() + " }}" if name.strip().startswith("${{") and name.strip().endswith("}}") else "deploy-production"
    return "deploy-production"
