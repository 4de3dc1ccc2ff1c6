from cicdlint.actions import close_matches, job_workflow, quoted_list
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule


@rule(
    id="unknown-workflow-secret",
    kinds=("workflow",),
    severity="error",
    summary="A job passes a secret that the reusable workflow it calls does not declare",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    For a job that calls a reusable workflow of the same repository, checks each `secrets:` key
    against the secrets that the called workflow declares under `on.workflow_call.secrets`
    (case-insensitively). `secrets: inherit` passes them all and is not checked.

    ## Why is this bad?
    GitHub refuses to start the run: "Invalid secret, x is not defined in the referenced
    workflow". A misspelt name also means that the secret the workflow does declare is empty.

    ## Example
    ```yaml
    jobs:
      deploy:
        uses: ./.github/workflows/deploy.yml  # declares secrets: {deploy-token: ...}
        secrets:
          deploy_token: ${{ secrets.DEPLOY_TOKEN }}
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        uses: ./.github/workflows/deploy.yml
        secrets:
          deploy-token: ${{ secrets.DEPLOY_TOKEN }}
    ```
    Use the secret names that the called workflow declares, or declare the secret there.
    """
    for job in ctx.workflow.jobs:
        called = job_workflow(job, ctx)
        secrets = as_map(job.node.get("secrets"))
        if called is None or secrets is None:
            continue
        interface, path = called
        if interface.secrets is None:
            continue
        for name, key, _ in secrets.items():
            if name.lower() in interface.secrets:
                continue
            declared = sorted((declared.name for declared in interface.secrets.values()), key=str.lower)
            hints = close_matches(name, declared)
            if hints:
                advice = f"Did you mean '{hints[0]}'?"
            elif declared:
                advice = f"Its secrets are {quoted_list(declared)}."
            else:
                advice = "It declares no secrets (use `secrets: inherit` to pass all of yours)."
            yield Issue(key, f"'{name}' is not a secret of the reusable workflow {path}. {advice} "
                             "GitHub refuses to start a run that passes an undeclared secret.")
