from cicdlint.actions import job_workflow, quoted_list
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar


@rule(
    id="missing-workflow-secret",
    kinds=("workflow",),
    severity="error",
    summary="A job leaves out a secret that the reusable workflow it calls requires",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    For a job that calls a reusable workflow of the same repository, reports the secrets that the
    called workflow declares `required: true` under `on.workflow_call.secrets` and that the job does
    not pass under `secrets:`. A job with `secrets: inherit` passes every secret and is not checked.

    ## Why is this bad?
    GitHub refuses to start the run ("Secret x is required, but not provided while calling"),
    so every job of the workflow fails.

    ## Example
    ```yaml
    jobs:
      deploy:
        uses: ./.github/workflows/deploy.yml  # requires the secret `deploy-token`
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        uses: ./.github/workflows/deploy.yml
        secrets:
          deploy-token: ${{ secrets.DEPLOY_TOKEN }}
    ```
    Pass each required secret, or `secrets: inherit` to pass all of the caller's secrets.
    """
    for job in ctx.workflow.jobs:
        called = job_workflow(job, ctx)
        if called is None or job.uses is None:
            continue
        interface, path = called
        node = job.node.get("secrets")
        if interface.secrets is None or isinstance(node, Scalar) and node.value.strip() == "inherit":
            continue
        secrets = as_map(node)
        if node is not None and secrets is None and not (isinstance(node, Scalar) and node.is_null):
            continue  # an odd shape: the schema rule's business
        given = {name.lower() for name, _, _ in secrets.items()} if secrets is not None else set()
        missing = [declared.name for declared in interface.secrets.values() if declared.required and declared.name.lower() not in given]
        if missing:
            plural = "secrets" if len(missing) > 1 else "secret"
            yield Issue(job.uses, f"The reusable workflow {path} requires the {plural} {quoted_list(missing)}, which this job "
                                  "does not pass under `secrets:` (nor `secrets: inherit`). GitHub refuses to start the run.")
