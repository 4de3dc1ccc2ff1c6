from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="undefined-step",
    kinds=("workflow", "action"),
    severity="error",
    summary="`steps.<id>` names no earlier step of the same job or composite action",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks that each `steps.<id>` in an expression names a step with that `id:` that runs
    before it in the same job (or composite action): a typo, a step of another job, a step
    that runs later, or the step itself are reported, with a did-you-mean. Step ids are
    case-insensitive. In a job's `outputs:` and `environment.url` every step of the job counts.

    ## Why is this bad?
    `steps.<id>` of a step that has not run, or does not exist, is empty, and GitHub reports no
    error: an output is silently lost, or a condition such as
    `steps.changes.outputs.any == 'true'` is never true and the step it guards never runs.
    Outputs of another job are read through `needs.<job>.outputs`.

    ## Example
    ```yaml
    jobs:
      build:
        runs-on: ubuntu-latest
        outputs:
          tag: ${{ steps.meta.outputs.tag }}
        steps:
          - id: metadata
            run: echo "tag=v1" >> "$GITHUB_OUTPUT"
          - run: echo "${{ steps.meta.outputs.tag }}"
    ```

    ## Use instead
    ```yaml
    jobs:
      build:
        runs-on: ubuntu-latest
        outputs:
          tag: ${{ steps.meta.outputs.tag }}
        steps:
          - id: meta
            run: echo "tag=v1" >> "$GITHUB_OUTPUT"
          - run: echo "${{ steps.meta.outputs.tag }}"
    ```
    """
    return exprcheck.step_issues(doc, ctx)
