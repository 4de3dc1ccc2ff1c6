from __future__ import annotations

import re

from cicdlint import lazyre
from cicdlint.conditions import can_run_when, job_can_run_when
from cicdlint.model import text
from cicdlint.notions import deploy_steps, describe_deploy_step, environment_is_deploy_target, name_words
from cicdlint.rule import Issue, Location, rule
from cicdlint.triggers import activity_types, events, trigger_key
from cicdlint.yamlpos import Scalar

PR_EVENTS = ("pull_request", "pull_request_target")

# Environment (and job) names that say the deploy is a preview, expected on pull requests.
_PREVIEW_ENVIRONMENT_WORDS = frozenset((
    "preview", "previews", "pr", "review", "review-app", "staging", "stage", "stg", "dev", "develop",
    "development", "test", "testing", "qa", "uat", "sandbox", "ephemeral", "feature", "demo",
))
_PREVIEW_JOB_WORDS = frozenset(("preview", "previews", "pr", "review", "staging", "stage", "stg", "dev", "ephemeral"))
# Actions and CLIs whose deploys are previews unless told to deploy to production.
_PREVIEW_ACTIONS = (
    "amondnet/vercel-action",
    "nwtgck/actions-netlify",
    "netlify/actions/cli",
    "afc163/surge-preview",
    "rossjrw/pr-preview-action",
    "firebaseextended/action-hosting-deploy",
    "cloudflare/pages-action",
    "cloudflare/wrangler-action",
)
_PRODUCTION_FLAG = lazyre.compile(r"--prod\b|--production\b|production-deploy:\s*true|channelId:\s*live", re.I)
_PREVIEW_CLI = lazyre.compile(r"(?:^|[\s;&|(])(?:vercel|netlify(?:-cli)?(?:@\S+)?\s+deploy|surge|wrangler\s+pages\s+deploy)\b(?![^\n]*--prod)")
_MAINTAINER_GATE = lazyre.compile(r"labels|label\.name|author_association", re.I)


@rule(
    id="deploy-from-pull-request",
    kinds=("workflow",),
    severity="warning",
    summary="A deploy job can run for a pull request, deploying code that was not reviewed or merged",
    tags=("deployment", "security"),
    security_severity=7.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds deploy jobs in workflows that `pull_request` or `pull_request_target` starts, when
    nothing keeps the deploy from running for a pull request. A deploy job has a deploy step
    (an ECS / EKS / Cloud Run / App Service / Serverless / SSH deploy action, `kubectl apply`,
    `helm upgrade`, `aws ecs update-service`, `terraform apply`, `ssh user@host` ...), or
    names a production `environment:`. Reported at the job's key, as an error when the job
    deploys to production (its environment, or else the workflow's file name, says
    production) and as a warning otherwise; the related location is the trigger.

    A deploy is guarded, and not reported, when for every pull request event:

    - the job's `if:` is false for a pull request: it checks the event
      (`github.event_name == 'push'`, `github.event_name != 'pull_request'`), the ref
      (`github.ref == 'refs/heads/main'`, `startsWith(github.ref, 'refs/tags/')`,
      `github.ref_name == 'main'`) or that the pull request was merged
      (`github.event.pull_request.merged == true`, the "deploy on merge" pattern with
      `types: [closed]`);
    - or a job it needs, directly or through other jobs, has such an `if:` (GitHub skips a job
      when a job it needs was skipped, unless its `if:` calls `always()`, `failure()` or
      `cancelled()`);
    - or every deploy step has such a step-level `if:` (the Terraform pattern: `plan` on pull
      requests, `apply` only on push).

    Under `pull_request_target`, `github.ref` is the base branch, so a ref check guards
    nothing there. A condition that only keeps out forks
    (`github.event.pull_request.head.repo.full_name == github.repository`) still lets every
    branch of the repository deploy, and is reported. A label or author-association condition
    (a maintainer chooses to deploy) lowers the confidence.

    Preview deploys are what pull requests are for and are not reported: an environment named
    preview / pr / review / staging / dev / test / qa / sandbox (`environment: pr-${{
    github.event.number }}`), a job named preview / pr / review / staging, and preview deploys
    with Vercel, Netlify, Surge, Firebase Hosting channels or Cloudflare Pages (unless told
    `--prod`). Jobs that rehearse a deploy on a throwaway cluster (kind, minikube, k3d) are
    integration tests, not deploys, and a job that calls a reusable workflow
    (`jobs.<id>.uses`) is not checked: what the called workflow deploys cannot be seen here.

    ## Why is this bad?
    A pull request's code has not been reviewed or merged yet. A deploy job that runs for
    pull requests ships every branch pushed for review to the environment, in whatever state
    it is in, and the last pull request to be updated wins. With `pull_request_target` the job
    also runs with the repository's secrets for pull requests from forks. It also gives anyone
    who can open a pull request from a branch (and, for `pull_request_target`, anyone at all) a
    way to deploy without an approval.

    ## Example
    ```yaml
    on:
      push:
        branches: [main]
      pull_request:
        branches: [main]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: npm ci && npm test
      deploy:
        needs: [test]
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: actions/checkout@v4
          - run: ./scripts/deploy.sh
    ```

    ## Use instead
    ```yaml
    on:
      push:
        branches: [main]
      pull_request:
        branches: [main]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: npm ci && npm test
      deploy:
        needs: [test]
        if: github.event_name == 'push' && github.ref == 'refs/heads/main'
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: actions/checkout@v4
          - run: ./scripts/deploy.sh
    ```
    Guard the deploy job with an `if:` that is false for pull requests, or move it into a
    workflow that only `push` (or a release) starts. For review deploys, deploy to a preview
    environment instead (`environment: pr-${{ github.event.number }}`), and add a deployment
    branch rule to the production environment so only `main` can deploy there.
    """
    workflow = ctx.workflow
    pr_events = [event for event in events(workflow) if event in PR_EVENTS]
    if not pr_events:
        return
    for job in workflow.jobs:
        if job.uses is not None:
            continue
        steps = deploy_steps(job)
        production = bool(ctx.production.job(job))
        if not steps and not (production and job.environment_name and environment_is_deploy_target(job, ctx.production)):
            continue
        if _is_preview(job, steps):
            continue
        reachable = [event for event in pr_events if _deploys_for(job, steps, event)]
        if not reachable:
            continue
        event = "pull_request_target" if "pull_request_target" in reachable else reachable[0]
        where = f" to environment '{job.environment_name}'" if job.environment_name else " to production" if production else ""
        how = f" with {describe_deploy_step(steps[0])}" if steps else ""
        closed_only = activity_types(workflow, event) == ["closed"]
        if closed_only:
            fix = f"Deploy only merged pull requests: guard job '{job.id}' with `if: github.event.pull_request.merged == true`"
        else:
            fix = (
                f"Keep pull requests from deploying: guard job '{job.id}' with "
                "`if: github.event_name == 'push' && github.ref == 'refs/heads/main'`, or move it to a workflow "
                "that pull requests do not start"
            )
        if event == "pull_request_target":
            outcome = (
                "so closing any pull request, merged or not, starts a deploy with the repository's secrets"
                if closed_only
                else "so any pull request, including one from a fork, starts a deploy with the repository's secrets"
            )
        else:
            outcome = (
                "so closing a pull request without merging it deploys its code"
                if closed_only
                else "so code that was not reviewed or merged gets deployed"
            )
        message = (
            f"{fix}. `{event}` starts this workflow and nothing stops the job from deploying{where}{how}, {outcome}."
        )
        confidence = None
        condition = job.if_
        if isinstance(condition, Scalar) and _MAINTAINER_GATE.search(condition.value):
            confidence = "medium"
        key = trigger_key(workflow, event)
        related = [Location(doc.path, ctx.span(key), f"`{event}` starts this workflow")] if key is not None else []
        yield Issue(job.key, message, severity="error" if production else "warning", confidence=confidence, related=related)


def _deploys_for(job, steps, event: str) -> bool:
    """Can the job deploy when `event` (a pull request, not merged) started the workflow?"""
    if not job_can_run_when(job, event):
        return False
    if steps and not any(can_run_when(step.if_, event) for step in steps):
        return False
    return True


def _is_preview(job, steps) -> bool:
    name = job.environment_name
    if name and name_words(name) & _PREVIEW_ENVIRONMENT_WORDS:
        return True
    if (name_words(job.id) | name_words(text(job.node.get("name")))) & _PREVIEW_JOB_WORDS:
        return True
    for step in job.steps:
        if step.uses_action(*_PREVIEW_ACTIONS):
            inputs = step.with_
            flags = " ".join(
                f"{key}: {value.value}" for key, _, value in (inputs.items() if inputs is not None else ()) if isinstance(value, Scalar)
            )
            if not _PRODUCTION_FLAG.search(flags):
                return True
        run = step.run
        if run is not None and _PREVIEW_CLI.search(run.value):
            return True
    return False
