from cicdlint import lazyre
from cicdlint.actions import job_workflow
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

_BOOLEANS = ("true", "false")
_NUMBER = lazyre.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|0[xX][0-9a-fA-F]+|0[oO][0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


@rule(
    id="workflow-input-type",
    kinds=("workflow",),
    severity="error",
    summary="A job passes a value of the wrong type to a reusable workflow's input",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    For a job that calls a reusable workflow of the same repository, checks each literal `with:`
    value against the `type` that the called workflow declares for the input: a `boolean` input
    takes `true` or `false`, a `number` input a number. Values computed by an expression
    (`${{ inputs.dry-run }}`) are left alone; a string with an expression inside
    (`v${{ env.MAJOR }}`) is a string.

    ## Why is this bad?
    GitHub refuses to start the run ("Unexpected value 'yes'"): the whole workflow fails before
    any job starts.

    ## Example
    ```yaml
    jobs:
      release:
        uses: ./.github/workflows/release.yml  # dry-run: {type: boolean}
        with:
          dry-run: "yes"
    ```

    ## Use instead
    ```yaml
    jobs:
      release:
        uses: ./.github/workflows/release.yml
        with:
          dry-run: true
    ```
    Write the value in the declared type, or change the input's `type` in the called workflow.
    """
    for job in ctx.workflow.jobs:
        called = job_workflow(job, ctx)
        with_ = as_map(job.node.get("with"))
        if called is None or with_ is None:
            continue
        interface, path = called
        for name, _, value in with_.items():
            declared = interface.inputs.get(name.lower()) if interface.inputs else None
            if declared is None or declared.type not in ("boolean", "number") or not isinstance(value, Scalar):
                continue
            problem = _mismatch(value, declared.type)
            if problem:
                yield Issue(value, f"The reusable workflow {path} declares '{declared.name}' as a {declared.type}, "
                                   f"but {problem}. GitHub refuses to start the run.")


def _mismatch(value: Scalar, kind: str) -> str | None:
    text = value.value.strip()
    if value.is_null:
        return None
    if text.startswith("${{") and text.endswith("}}") and text.count("${{") == 1:
        return None  # an expression: its type is known only at run time
    if "${{" in text:
        return f"'{text}' is a string with an expression in it"
    if kind == "boolean" and text.lower() not in _BOOLEANS:
        return f"'{text}' is not true or false"
    if kind == "number" and not _NUMBER.fullmatch(text):
        return f"'{text}' is not a number"
    return None
