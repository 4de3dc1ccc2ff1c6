from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="expression-context",
    kinds=("workflow", "action"),
    severity="error",
    summary="An expression reads a context or calls a function that is not available where it is used",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    GitHub allows each context and special function only at some workflow keys (its
    "context availability" table): `secrets` is not available in `jobs.<job_id>.if`,
    `matrix` and `env` not in a job's `if:` or `runs-on`, `steps`, `job` and `runner` only
    within a job's steps, `jobs` only in `on.workflow_call.outputs`, `hashFiles()` only in
    steps, `success()`, `always()`, `cancelled()` and `failure()` only in `if:` conditions. A
    composite action cannot read `secrets` or `vars` at all. This rule checks each context
    and special function against GitHub's own workflow and action schemas (the ones its
    parser uses), reports named values GitHub does not know (`secret.TOKEN`, `True`,
    `always` without parentheses) with a suggestion, and `${{ }}` in keys where GitHub
    evaluates no expression at all (`uses:`, a step `id:`, `on:` filters, the workflow
    `name:`).

    ## Why is this bad?
    GitHub rejects the workflow ("Unrecognized named-value: 'secrets'"), or, for a composite
    action, fails every job that uses it when the action is loaded. The docs' table is easy to
    misread, and the mistake only shows up after the push.

    ## Example
    ```yaml
    jobs:
      deploy:
        if: secrets.DEPLOY_KEY != '' && matrix.os == 'ubuntu-latest'
        runs-on: ${{ env.RUNNER }}
        steps:
          - run: ./deploy.sh
            env:
              CACHE_KEY: ${{ hashFiles('**/lock') }}
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        runs-on: ubuntu-latest
        env:
          DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}
        steps:
          - if: env.DEPLOY_KEY != ''
            run: ./deploy.sh
            env:
              CACHE_KEY: ${{ hashFiles('**/lock') }}
    ```
    Move the test to where the context exists (a step's `if:`), or pass the value on through
    `env:`, an input or an output.
    """
    return exprcheck.context_issues(doc, ctx)
