from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="expression-type",
    kinds=("workflow", "action"),
    severity="error",
    summary="An expression uses an object, array or string where it can never give the intended result",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Reports expressions whose types make them useless, where the types are certain (from the
    contexts' shapes and the webhook payloads of the workflow's events):

    - an object or array written into a string (`echo ${{ github.event.pull_request.labels }}`
      prints `Array`, `${{ steps.build.outputs }}` prints `Object`);
    - an object or array compared with `==` / `!=` to a string, number or boolean (always
      false / always true), e.g. `needs.*.result == 'success'`;
    - `contains()` searching an array of objects for a string
      (`contains(github.event.pull_request.labels, 'bug')` is always false);
    - a property or index read from a single value (`github.repository.name`,
      `matrix.version[0]` when every `version` is a string).

    ## Why is this bad?
    GitHub evaluates these without an error, so the workflow runs and silently does the wrong
    thing: a label check that never matches, a log line that says `Array`, a name that is
    always empty.

    ## Example
    ```yaml
    on: pull_request
    jobs:
      triage:
        if: contains(github.event.pull_request.labels, 'deploy')
        runs-on: ubuntu-latest
        steps:
          - run: echo "Labels ${{ github.event.pull_request.labels }}"
          - run: echo "${{ github.repository.name }}"
    ```

    ## Use instead
    ```yaml
    on: pull_request
    jobs:
      triage:
        if: contains(github.event.pull_request.labels.*.name, 'deploy')
        runs-on: ubuntu-latest
        steps:
          - run: echo "Labels ${{ join(github.event.pull_request.labels.*.name, ', ') }}"
          - run: echo "${{ github.event.repository.name }}"
    ```
    Read the property you need (`.*.name`, `.login`), `join()` an array, or `toJSON()` a value
    to print it.
    """
    return exprcheck.type_issues(doc, ctx)
