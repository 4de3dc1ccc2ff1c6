from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="expression-syntax",
    kinds=("workflow", "action"),
    severity="error",
    summary="A `${{ }}` expression or `if:` condition is not valid expression syntax",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Parses every `${{ }}` expression of a workflow or composite action, and every `if:`
    condition written without `${{ }}`, with GitHub's expression grammar, and reports what
    does not parse: a `${{` that is never closed, an empty `${{ }}`, operators GitHub does
    not have (`=`, `===`, `&`, `|`, `+`, `-`, `? :`), double-quoted or unterminated strings,
    numbers it cannot read (`1.2.3`, `0x`), a property read from a literal (`'abc'.length`),
    missing parentheses or operands, text after the end of the expression, and non-breaking
    spaces or typographic quotes pasted from a document.

    ## Why is this bad?
    GitHub parses the expressions when it reads the workflow: one syntax error and the whole
    workflow is invalid, so none of its jobs run (for a composite action, every job that uses
    it fails). The error only shows up in the Actions tab after the push.

    ## Example
    ```yaml
    jobs:
      deploy:
        if: github.ref = 'refs/heads/main'
        runs-on: ubuntu-latest
        steps:
          - run: echo "${{ github.event.pull_request.title }"
          - run: ./deploy.sh ${{ "production" }}
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        if: github.ref == 'refs/heads/main'
        runs-on: ubuntu-latest
        steps:
          - run: echo "${{ github.event.pull_request.title }}"
          - run: ./deploy.sh ${{ 'production' }}
    ```
    Compare with `==`, join conditions with `&&` and `||`, write strings in single quotes
    (`'it''s'` for a quote inside), and close every `${{` with `}}`.
    """
    return exprcheck.syntax_issues(doc, ctx)
