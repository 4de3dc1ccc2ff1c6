from cicdlint.actions import job_workflow, quoted_list
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule


@rule(
    id="missing-workflow-input",
    kinds=("workflow",),
    severity="error",
    summary="A job leaves out an input that the reusable workflow it calls requires",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    For a job that calls a reusable workflow of the same repository, reports the inputs that the
    called workflow declares `required: true` (without a `default`) under
    `on.workflow_call.inputs` and that the job does not pass under `with:`.

    ## Why is this bad?
    GitHub refuses to start the run ("Input x is required, but not provided while calling"):
    the whole workflow fails before any job starts.

    ## Example
    ```yaml
    jobs:
      deploy:
        uses: ./.github/workflows/deploy.yml  # requires `environment`
        with:
          image: ghcr.io/acme/app:1.2.3
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        uses: ./.github/workflows/deploy.yml
        with:
          image: ghcr.io/acme/app:1.2.3
          environment: production
    ```
    Pass every required input, or give the input a `default` in the called workflow.
    """
    for job in ctx.workflow.jobs:
        called = job_workflow(job, ctx)
        if called is None or job.uses is None:
            continue
        interface, path = called
        node = job.node.get("with")
        with_ = as_map(node)
        if interface.inputs is None or (node is not None and with_ is None):
            continue
        given = {name.lower() for name, _, _ in with_.items()} if with_ is not None else set()
        missing = [declared.name for declared in interface.inputs.values() if declared.required and declared.name.lower() not in given]
        if missing:
            plural = "inputs" if len(missing) > 1 else "input"
            yield Issue(job.uses, f"The reusable workflow {path} requires the {plural} {quoted_list(missing)}, which this job "
                                  "does not pass under `with:`. GitHub refuses to start the run.")
