from cicdlint.actions import close_matches, job_workflow, quoted_list
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule


@rule(
    id="unknown-workflow-input",
    kinds=("workflow",),
    severity="error",
    summary="A job passes an input that the reusable workflow it calls does not declare",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    For a job that calls a reusable workflow of the same repository
    (`uses: ./.github/workflows/build.yml`, or `owner/repo/.github/workflows/build.yml@ref` naming
    this repository), checks each `with:` key against the inputs that the called workflow declares
    under `on.workflow_call.inputs`. Names are compared case-insensitively.

    ## Why is this bad?
    GitHub refuses to start the run: "Invalid input, x is not defined in the referenced workflow".
    Every job of the workflow fails, not only the caller, and nothing in the file shows it until
    it is pushed.

    ## Example
    ```yaml
    jobs:
      build:
        uses: ./.github/workflows/build.yml
        with:
          node_version: 20  # the workflow declares `node-version`
    ```

    ## Use instead
    ```yaml
    jobs:
      build:
        uses: ./.github/workflows/build.yml
        with:
          node-version: 20
    ```
    Use an input name that the called workflow declares, or declare the input there.
    """
    for job in ctx.workflow.jobs:
        called = job_workflow(job, ctx)
        with_ = as_map(job.node.get("with"))
        if called is None or with_ is None:
            continue
        interface, path = called
        if interface.inputs is None:
            continue
        for name, key, _ in with_.items():
            if name.lower() in interface.inputs:
                continue
            declared = [declared.name for declared in interface.inputs.values()]
            hints = close_matches(name, declared)
            if hints:
                advice = f"Did you mean '{hints[0]}'?"
            elif declared:
                advice = f"Its inputs are {quoted_list(sorted(declared, key=str.lower))}."
            else:
                advice = "It declares no inputs."
            yield Issue(key, f"'{name}' is not an input of the reusable workflow {path}. {advice} "
                             "GitHub refuses to start a run that passes an undeclared input.")
