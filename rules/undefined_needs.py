from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="undefined-needs",
    kinds=("workflow",),
    severity="error",
    summary="`needs.<job>` names a job that is not in the job's `needs:`",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    The `needs` context of a job holds only the jobs listed in its own `needs:` (not the jobs
    those need in turn). This rule reports `needs.<job>` for a job that is not listed (with a
    did-you-mean, or "add it to `needs:`" when the workflow has that job), and `needs.*` in a
    job that needs no job. Job ids are case-insensitive.

    ## Why is this bad?
    `needs.<job>.outputs.<name>` and `needs.<job>.result` of a job that is not listed are
    empty, without any error: a deploy gets an empty version, `needs.build.result ==
    'success'` is never true.

    ## Example
    ```yaml
    jobs:
      build:
        runs-on: ubuntu-latest
        outputs:
          version: ${{ steps.v.outputs.version }}
        steps:
          - id: v
            run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"
      test:
        needs: build
        runs-on: ubuntu-latest
        steps: [{run: make test}]
      deploy:
        needs: test
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy.sh ${{ needs.build.outputs.version }}
    ```

    ## Use instead
    ```yaml
      deploy:
        needs: [build, test]
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy.sh ${{ needs.build.outputs.version }}
    ```
    """
    return exprcheck.needs_issues(doc, ctx)
