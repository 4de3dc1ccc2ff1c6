from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="invalid-variable-name",
    kinds=("workflow", "action"),
    severity="error",
    summary="`secrets.<name>` or `vars.<name>` is a name no secret or variable can have",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Secret and configuration variable names may only contain letters, digits and `_`, may not
    start with a digit, and may not start with `GITHUB_` (except the automatic
    `secrets.GITHUB_TOKEN`). This rule reports `secrets.<name>` and `vars.<name>` (also in
    bracket form, `secrets['MY-KEY']`) with a name that breaks these rules.

    ## Why is this bad?
    No secret or variable can have such a name, so the expression is always empty: a login
    runs with an empty password, a deploy with an empty target, and GitHub reports nothing. A
    hyphen is the usual cause (`secrets.NPM-TOKEN`).

    ## Example
    ```yaml
    steps:
      - run: npm publish
        env:
          NODE_AUTH_TOKEN: ${{ secrets.NPM-TOKEN }}
          REGION: ${{ vars.GITHUB_REGION }}
    ```

    ## Use instead
    ```yaml
    steps:
      - run: npm publish
        env:
          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}
          REGION: ${{ vars.AWS_REGION }}
    ```
    Rename the secret or variable in the repository settings and in the workflow.
    """
    return exprcheck.name_issues(doc, ctx)
