from cicdlint.actions import close_matches, job_workflow, output_refs, quoted_list
from cicdlint.rule import Issue, rule


@rule(
    id="unknown-workflow-output",
    kinds=("workflow",),
    severity="error",
    summary="An expression reads an output that the called reusable workflow does not declare",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks `needs.<job>.outputs.<name>` (in `${{ }}` expressions and bare `if:` conditions) when
    `<job>` calls a reusable workflow of the same repository: the name must be one of the outputs
    that the called workflow declares under `on.workflow_call.outputs` (compared
    case-insensitively). Outputs of ordinary jobs are another rule's business.

    ## Why is this bad?
    An output that the called workflow does not declare reads as an empty string: the deploy job
    gets no image tag, the condition on it is never true, and nothing says why.

    ## Example
    ```yaml
    jobs:
      build:
        uses: ./.github/workflows/build.yml  # declares outputs: {image: ...}
      deploy:
        needs: build
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy.sh "${{ needs.build.outputs.image-tag }}"
    ```

    ## Use instead
    ```yaml
          - run: ./deploy.sh "${{ needs.build.outputs.image }}"
    ```
    Read an output that the called workflow declares, or declare it there (`on.workflow_call.outputs`,
    with a `value` taken from one of its jobs' outputs).
    """
    refs = [ref for ref in output_refs(ctx) if ref.context == "needs"]
    if not refs:
        return
    jobs = {job.id.lower(): job for job in reversed(ctx.workflow.jobs)}
    for ref in refs:
        job = jobs.get(ref.target.lower())
        called = job_workflow(job, ctx) if job is not None else None
        if called is None:
            continue
        interface, path = called
        if interface.outputs is None or ref.name.lower() in interface.outputs:
            continue
        declared = sorted(interface.outputs.values(), key=str.lower)
        hints = close_matches(ref.name, declared)
        if hints:
            advice = f"Did you mean '{hints[0]}'?"
        elif declared:
            advice = f"Its outputs are {quoted_list(declared)}."
        else:
            advice = "It declares no outputs."
        yield Issue(ctx.locate(ref.scalar, ref.offset, ref.length),
                    f"'{ref.name}' is not an output of the reusable workflow {path}, which job '{ref.target}' calls. "
                    f"{advice} An undeclared output reads as an empty string.")
