from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="undefined-job-output",
    kinds=("workflow",),
    severity="error",
    summary="`needs.<job>.outputs.<name>` or `jobs.<job>.outputs.<name>` is not declared by that job's `outputs:`",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks that each `needs.<job>.outputs.<name>` names an output that the needed job declares
    under `outputs:`, and each `jobs.<job>.outputs.<name>` in `on.workflow_call.outputs` a job
    of the workflow and one of its outputs, with a did-you-mean. Names are case-insensitive.
    A job that calls a reusable workflow gets its outputs from that workflow and is left to
    the rules that read it.

    ## Why is this bad?
    A step output is only visible to other jobs when the job maps it under `outputs:`. An
    output that is not declared (or misspelt) is empty in the jobs that need it, and GitHub
    says nothing: the deploy runs with an empty version or image tag.

    ## Example
    ```yaml
    jobs:
      build:
        runs-on: ubuntu-latest
        outputs:
          image: ${{ steps.push.outputs.image }}
        steps:
          - id: push
            run: echo "image=app:1" >> "$GITHUB_OUTPUT"
      deploy:
        needs: build
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy.sh ${{ needs.build.outputs.image-tag }}
    ```

    ## Use instead
    ```yaml
          - run: ./deploy.sh ${{ needs.build.outputs.image }}
    ```
    Or declare the output in the job that produces it:
    `outputs: {image-tag: ${{ steps.push.outputs.tag }}}`.
    """
    return exprcheck.output_issues(doc, ctx)
