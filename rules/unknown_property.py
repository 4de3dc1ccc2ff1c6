from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="unknown-property",
    kinds=("workflow", "action"),
    severity="error",
    summary="An expression reads a property that the github, runner, job, strategy, steps or needs context does not have",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks the property names read from the contexts with a fixed shape: `github.<name>`
    (`github.sha`, `github.ref_name`, ...), `runner.<name>`, `job.<name>` (and
    `job.container.*`, `job.services.<id>.*`), `strategy.<name>`, `steps.<id>.<name>`
    (`outputs`, `outcome`, `conclusion`), `needs.<id>.<name>` and `jobs.<id>.<name>`
    (`outputs`, `result`), with a did-you-mean. Names are case-insensitive, as in GitHub.

    ## Why is this bad?
    GitHub does not fail on a property that does not exist: the expression is just empty. So
    `${{ github.ref_nme }}` tags an image with nothing, `steps.cache.cache-hit` (without
    `.outputs`) is never `'true'`, and the step it guards never runs (or always runs), with
    no error anywhere.

    ## Example
    ```yaml
    steps:
      - id: cache
        uses: actions/cache@v4
        with: {path: node_modules, key: "${{ runner.os }}-${{ hashFiles('package-lock.json') }}"}
      - if: steps.cache.cache-hit != 'true'
        run: npm ci
      - run: docker build -t app:${{ github.ref_nme }} .
    ```

    ## Use instead
    ```yaml
    steps:
      - id: cache
        uses: actions/cache@v4
        with: {path: node_modules, key: "${{ runner.os }}-${{ hashFiles('package-lock.json') }}"}
      - if: steps.cache.outputs.cache-hit != 'true'
        run: npm ci
      - run: docker build -t app:${{ github.ref_name }} .
    ```
    """
    return exprcheck.property_issues(doc, ctx)
