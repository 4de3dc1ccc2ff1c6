from __future__ import annotations

from cicdlint.notions import deploy_steps, describe_deploy_step, is_deploy_job
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar


@rule(
    id="deploy-without-environment",
    kinds=("workflow",),
    severity="warning",
    summary="A job deploys but names no environment, so it has no approval gate and no scoped secrets",
    tags=("deployment", "security", "secrets"),
    security_severity=4.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds jobs that deploy but declare no `environment:`. A job deploys when it has a deploy
    step: an ECS / EKS / Cloud Run / App Service / Elastic Beanstalk / Serverless deploy
    action, an SSH action (`appleboy/ssh-action` ...), or a `run:` command such as
    `kubectl apply`, `helm upgrade`, `aws ecs update-service`, `serverless deploy`,
    `cdk deploy`, `terraform apply`, `flyctl deploy` or `ssh user@host`. Reported once per job,
    at the job's key.

    Not reported: steps that only install a tool (`azure/setup-kubectl`, `azure/setup-helm`)
    or prepare a deploy (`google-github-actions/get-gke-credentials`,
    `aws-actions/amazon-ecs-render-task-definition`); commands in shell comments;
    `vagrant ssh`, `ssh localhost` and `ssh -T git@github.com`; and integration tests: jobs
    that deploy into a cluster or machine they create themselves (kind, minikube, k3d, k3s,
    microk8s, vagrant, localstack, `docker swarm init`, an SSH server container), and jobs
    whose id or name (or else the workflow's file name) says test / e2e / integration / smoke
    but not deploy / release / publish. Jobs that call a reusable workflow
    (`jobs.<id>.uses`) cannot declare an environment and are not reported; declare it on the
    deploy job inside the called workflow.

    ## Why is this bad?
    An environment is where GitHub keeps the controls for a deploy: required reviewers (an
    approval before the job starts), a wait timer, deployment-branch rules (only `main` may
    deploy), and secrets that only jobs naming the environment can read. A deploy job without
    one can be run from any branch by anyone who can push, and must read its cloud or SSH
    credentials from repository secrets, which every workflow on every branch can read. It also
    leaves no deployment history on the repository's Environments page.

    ## Example
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - uses: appleboy/ssh-action@v1
            with:
              host: ${{ secrets.PROD_HOST }}
              key: ${{ secrets.PROD_SSH_KEY }}
              script: cd /srv/app && git pull && pm2 reload all
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: appleboy/ssh-action@v1
            with:
              host: ${{ secrets.PROD_HOST }}
              key: ${{ secrets.PROD_SSH_KEY }}
              script: cd /srv/app && git pull && pm2 reload all
    ```
    Create the environment (Settings → Environments), add required reviewers and a
    deployment-branch rule, move the deploy secrets into it, and name it with `environment:`
    on the job (`environment: {name: production, url: https://example.com}` also records the
    deployed URL).
    """
    for job in ctx.workflow.jobs:
        if job.uses is not None or not is_deploy_job(job):
            continue
        environment = job.node.get("environment")
        if environment is not None and not (isinstance(environment, Scalar) and environment.is_null):
            continue
        steps = deploy_steps(job)
        if not steps:
            continue
        how = describe_deploy_step(steps[0])
        more = f" and {len(steps) - 1} more deploy step{'s' if len(steps) > 2 else ''}" if len(steps) > 1 else ""
        message = (
            f"Add `environment: <name>` for the environment job '{job.id}' deploys to, and protect it "
            f"with required reviewers and a deployment-branch rule. The job deploys with {how}{more} but "
            "names no environment, so nothing can ask for approval first and its credentials must be "
            "repository secrets that every workflow on every branch can read."
        )
        yield Issue(job.key, message)
