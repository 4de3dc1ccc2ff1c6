from __future__ import annotations

from cicdlint.expressions import find_expressions
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.triggers import REUSABLE_EVENT, events, trigger_config
from cicdlint.yamlpos import Map, Scalar, walk

_ALWAYS_AVAILABLE = {"github_token"}  # the job token is not a stored secret
_MAX_NAMES = 5


@rule(
    id="secret-outside-environment",
    kinds=("workflow",),
    severity="warning",
    summary="A job reads secrets but runs in no environment that could scope and protect them",
    tags=("security", "secrets"),
    security_severity=5.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds jobs that read secrets (`${{ secrets.X }}` anywhere in the job, other than
    `secrets.GITHUB_TOKEN`) but declare no `environment:`. One finding per job, at the first
    secret it reads, listing the secrets. Secrets passed to a reusable workflow through a
    `secrets:` mapping count (`secrets: inherit` is left to another rule). A secret whose name
    says production (`PROD_*`, `*_PROD`, `PRODUCTION_*`, `*_LIVE` … following the project's
    production patterns) makes the finding an error, at that secret.

    A workflow-level `env:` that reads secrets is reported once, at the first such secret, when
    some job without an environment receives it. Secrets that a reusable workflow declares under
    `on.workflow_call.secrets` are the caller's to scope and are not reported there when
    `workflow_call` is the workflow's only trigger; in a reusable workflow the other findings have
    medium confidence (which secrets arrive is up to the caller), as do the findings on jobs that
    call a reusable workflow (the environment has to be declared in the called workflow).

    ## Why is this bad?
    A repository or organisation secret can be read by every workflow run in the repository, on
    any branch, started by anyone who can push a branch or trigger a workflow. An environment
    secret is released only to jobs that name the environment, and the environment can demand
    required reviewers, a wait timer and deployment branch rules first. Without `environment:`
    none of that applies, and a change to any workflow on any branch can read the secret.

    ## Example
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: ./deploy.sh
            env:
              PROD_DB_PASSWORD: ${{ secrets.PROD_DB_PASSWORD }}
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: production
        steps:
          - uses: actions/checkout@v4
          - run: ./deploy.sh
            env:
              PROD_DB_PASSWORD: ${{ secrets.PROD_DB_PASSWORD }}
    ```
    Create the environment (Settings → Environments), move the secrets from the repository to
    it, add protection rules (required reviewers, deployment branches), and name it with
    `environment:` on the job. A job that calls a reusable workflow cannot declare an
    environment: declare it on the job inside the called workflow and let that job read the
    environment's secrets.
    """
    workflow = ctx.workflow
    if not isinstance(workflow.node, Map):
        return
    caller_secrets = _declared_caller_secrets(workflow)
    reusable = REUSABLE_EVENT in events(workflow)  # the caller's `secrets:` decide what arrives
    unscoped_jobs = [job for job in workflow.jobs if job.node.get("environment") is None or _null(job.node.get("environment"))]
    if not unscoped_jobs:
        return
    normal_unscoped = [job for job in unscoped_jobs if job.uses is None]
    if normal_unscoped:
        reads = _secret_reads(workflow.node.get("env"), caller_secrets)
        if reads:
            names = ", ".join(f"'{job.id}'" for job in normal_unscoped[:3]) + (" …" if len(normal_unscoped) > 3 else "")
            yield _issue(ctx, reads, f"the workflow `env:` (every job gets it, including {names})", None, reusable)
    for job in unscoped_jobs:
        reads = []
        for name, key, value in job.node.items():
            if name == "environment":
                continue
            reads.extend(_secret_reads(value, caller_secrets))
        if reads:
            yield _issue(ctx, reads, f"job '{job.id}'", job, reusable)


def _null(node) -> bool:
    return isinstance(node, Scalar) and node.is_null


def _declared_caller_secrets(workflow) -> set[str]:
    """Secrets a reusable workflow receives from its caller, when it has no other trigger."""
    if events(workflow) != [REUSABLE_EVENT]:
        return set()
    config = trigger_config(workflow, REUSABLE_EVENT)
    secrets = as_map(config.get("secrets")) if config is not None else None
    return {name.lower() for name, _, _ in secrets.items()} if secrets is not None else set()


def _secret_reads(node, skip: set[str]) -> list[tuple[str, Scalar, object]]:
    """(secret name, scalar, expression) for each secret read under `node`, in file order.
    The name is `*` for a dynamic read (`secrets[name]`, `toJSON(secrets)`)."""
    if node is None:
        return []
    found = []
    for item in walk(node):
        if not isinstance(item, Scalar) or "secrets" not in item.value.lower():
            continue
        for expression in find_expressions(item.value):
            for name in expression.secret_names():
                if name.lower() in _ALWAYS_AVAILABLE or name.lower() in skip:
                    continue
                found.append((name, item, expression))
    return found


def _describe(names: list[str]) -> str:
    unique = list(dict.fromkeys("secrets (the whole context)" if name == "*" else f"secrets.{name}" for name in names))
    shown = ", ".join(unique[:_MAX_NAMES])
    if len(unique) > _MAX_NAMES:
        shown += f" and {len(unique) - _MAX_NAMES} more"
    return shown


def _issue(ctx, reads, where: str, job, reusable: bool) -> Issue:
    names = [name for name, _, _ in reads]
    production = [read for read in reads if read[0] != "*" and ctx.production.matches(read[0])]
    first = production[0] if production else reads[0]
    name, scalar, expression = first
    span = ctx.locate(scalar, expression.start, expression.length)
    listed = _describe(names)
    calls_reusable = job is not None and job.uses is not None
    if calls_reusable:
        fix = (
            f"Move {listed} to an environment and read {'it' if len(set(names)) == 1 and names[0] != '*' else 'them'} "
            "in a job of the called workflow that declares "
            f"`environment:` ({where} calls a reusable workflow and cannot declare one)."
        )
    elif job is None:
        fix = f"Move {listed} from {where} to the `env:` of jobs that declare an `environment:`, and store them as environment secrets."
    else:
        fix = f"Declare an `environment:` on {where} and store {listed} as secrets of that environment."
    if production:
        return Issue(
            span,
            f"{fix} 'secrets.{name}' is a production secret: without an environment, any workflow run on any "
            "branch can read it, with no required reviewers or branch rules.",
            severity="error",
            confidence="medium" if calls_reusable or reusable else "high",
        )
    return Issue(
        span,
        f"{fix} Repository and organisation secrets are readable by any workflow run on any branch; an "
        "environment limits them to this job and can require reviewers and allowed branches.",
        confidence="medium" if calls_reusable or reusable else None,
    )
