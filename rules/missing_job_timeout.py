from __future__ import annotations

from cicdlint.notions import deploy_steps, describe_deploy_step, is_deploy_job
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

GITHUB_DEFAULT_MINUTES = 360


@rule(
    id="missing-job-timeout",
    kinds=("workflow",),
    severity="note",
    summary="A deploy job has no timeout-minutes, so a hung deploy holds the runner for 6 hours",
    tags=("deployment", "reliability"),
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds deploy jobs without `timeout-minutes`. A deploy job has a deploy step (an ECS / EKS /
    Cloud Run / App Service / Serverless deploy action, an SSH action, `kubectl apply`,
    `helm upgrade`, `aws ecs update-service`, `ssh user@host` ...), or names an environment
    that is a deploy target (production, staging, dev, preview, `github-pages`,
    `${{ inputs.environment }}` ...). Reported as a note at the job's key. A job whose every
    step sets its own `timeout-minutes` is bounded too and is not reported; so is a job that
    calls a reusable workflow (the timeout belongs on the called workflow's jobs). An
    expression (`timeout-minutes: ${{ inputs.timeout }}`) counts as a timeout.

    Not reported: environments that only hold secrets or an approval (`pypi`, `release`,
    `automations`, `protected`) or that a job only reads from (`Prod (Readonly)`, a job named
    verify / plan / download); steps that only install a deploy tool; and jobs without an
    environment that only rehearse a deploy on a throwaway cluster or machine (kind, minikube,
    k3d, vagrant, localstack) or are test jobs by name.

    ## Why is this bad?
    Without `timeout-minutes` GitHub lets a job run for 360 minutes. Deploys are the jobs that
    hang: `wait-for-service-stability` on a service whose tasks keep failing their health
    check, `kubectl rollout status` without `--timeout`, `helm upgrade --wait`, an SSH session
    waiting for a prompt, `terraform apply` waiting for a lock. Six hours later the job fails,
    having held a runner (and billed minutes) all along, and, with a `concurrency` group,
    having blocked every later deploy, including the fix.

    ## Example
    ```yaml
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
              wait-for-service-stability: true
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: production
        timeout-minutes: 30
        steps:
          - uses: aws-actions/amazon-ecs-deploy-task-definition@v2
            with:
              task-definition: task-definition.json
              service: my-api-service
              cluster: production-cluster
              wait-for-service-stability: true
              wait-for-minutes: 20
    ```
    Set `timeout-minutes` on the job a little above the longest healthy deploy you have seen,
    and give the waiting tools their own, shorter limits (`wait-for-minutes`,
    `kubectl rollout status --timeout=10m`, `helm upgrade --wait --timeout 10m`).
    """
    for job in ctx.workflow.jobs:
        if not is_deploy_job(job, ctx.production):
            continue
        if _has_timeout(job.node):
            continue
        if job.steps and all(_has_timeout(step.node) for step in job.steps):
            continue
        steps = deploy_steps(job)
        if steps:
            what = f"deploys with {describe_deploy_step(steps[0])}"
        else:
            what = f"deploys to environment '{job.environment_name}'"
        message = (
            f"Add `timeout-minutes:` to job '{job.id}' (e.g. `timeout-minutes: 30`, a little above its longest "
            f"healthy run). The job {what} and has no timeout, so a hung deploy holds the runner for "
            f"GitHub's default of {GITHUB_DEFAULT_MINUTES} minutes."
        )
        yield Issue(job.key, message)


def _has_timeout(node) -> bool:
    value = node.get("timeout-minutes") if hasattr(node, "get") else None
    if value is None:
        return False
    if isinstance(value, Scalar) and value.is_null:
        return False
    return True
