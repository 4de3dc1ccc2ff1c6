from __future__ import annotations

from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar


@rule(
    id="secrets-inherit",
    kinds=("workflow",),
    severity="warning",
    summary="A reusable workflow call passes every secret with `secrets: inherit`",
    tags=("security", "secrets"),
    security_severity=5.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds jobs that call a reusable workflow (`uses: owner/repo/.github/workflows/x.yml@ref`
    or `uses: ./.github/workflows/x.yml`) with `secrets: inherit`, reported at `inherit`. The
    message says whether the called workflow is in this repository or in another one.

    ## Why is this bad?
    `secrets: inherit` hands the called workflow every secret the caller can see: repository,
    environment and organisation secrets, not only the ones it uses. Anything in the called
    workflow, including the third-party actions it runs and workflows it calls in turn, can
    then read all of them, and a later change to the called workflow (or to the ref it is
    called at) silently gains access too. Least privilege means passing only what is needed,
    which also documents which secrets each workflow depends on.

    ## Example
    ```yaml
    jobs:
      deploy:
        uses: my-org/shared-workflows/.github/workflows/deploy.yml@v2
        secrets: inherit
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        uses: my-org/shared-workflows/.github/workflows/deploy.yml@v2
        secrets:
          AWS_ROLE_ARN: ${{ secrets.AWS_ROLE_ARN }}
          SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}
    ```
    List the secrets the called workflow declares under `on.workflow_call.secrets` and pass
    each one explicitly.
    """
    for job in ctx.workflow.jobs:
        secrets = job.node.get("secrets")
        if not isinstance(secrets, Scalar) or secrets.value.strip() != "inherit":
            continue
        uses = job.uses
        if uses is None:
            continue
        target = uses.value.strip()
        if target.startswith("./"):
            where = f"the workflow '{target}' of this repository"
        elif "@" not in target or target.split("@", 1)[0].count("/") < 2:
            where = f"the workflow '{target}'"
        else:
            repository = "/".join(target.split("@", 1)[0].split("/")[:2])
            where = (
                f"the workflow '{target}' from {repository}: whoever can change it at that ref "
                f"gets them all"
            )
        message = (
            f"Pass only the secrets job '{job.id}' needs (`secrets: {{NAME: ${{{{ secrets.NAME }}}}}}`) "
            f"instead of `secrets: inherit`. It hands every repository, environment and organisation "
            f"secret to {where}."
        )
        yield Issue(secrets, message)
