from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="expression-function",
    kinds=("workflow", "action"),
    severity="error",
    summary="An expression calls an unknown function, or a function with the wrong arguments",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks the function calls in expressions: the name must be one of GitHub's functions
    (`contains`, `startsWith`, `endsWith`, `format`, `join`, `toJSON`, `fromJSON`, `case`,
    `hashFiles`, `success`, `always`, `cancelled`, `failure`; names are case-insensitive) and
    the number of arguments must fit. The format string of `format()` must use only `{N}`
    placeholders and the `{{` / `}}` escapes, and refer to arguments that are given (an
    argument it never uses is a warning). A literal string passed to `fromJSON()` must be JSON,
    and `case()` needs an odd number of arguments.

    ## Why is this bad?
    An unknown function or a wrong argument count makes GitHub reject the whole workflow. A
    broken format string or JSON text fails the job or step when it runs, and an unused
    `format()` argument is a value that silently never shows up.

    ## Example
    ```yaml
    steps:
      - run: echo '${{ toJson(github.event) }}' > event.json
      - run: echo "${{ format('{0}-{1}', github.ref_name) }}"
      - if: startswith(github.ref, 'refs/tags/', 'v')
        run: ./release.sh
      - run: echo ${{ fromJSON('{"a": 1,}').a }}
    ```

    ## Use instead
    ```yaml
    steps:
      - run: echo '${{ toJSON(github.event) }}' > event.json
      - run: echo "${{ format('{0}-{1}', github.ref_name, github.run_number) }}"
      - if: startsWith(github.ref, 'refs/tags/v')
        run: ./release.sh
      - run: echo ${{ fromJSON('{"a": 1}').a }}
    ```
    Use `{{` and `}}` for literal braces in a format string. Status functions and
    `hashFiles()` are only allowed in some keys: `expression-context` reports those.
    """
    return exprcheck.function_issues(doc, ctx)
