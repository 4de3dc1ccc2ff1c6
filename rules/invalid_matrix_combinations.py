from cicdlint.matrix import matrix_of
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Scalar, Seq


@rule(
    id="invalid-matrix-combinations",
    kinds=("workflow",),
    severity="error",
    summary="A matrix `include` or `exclude` that is not a list of mappings",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds `strategy.matrix.include` and `strategy.matrix.exclude` values that are not a list
    of mappings (`include: {os: windows-latest}`, `exclude: [windows-latest]`). An expression
    (`include: ${{ fromJSON(needs.setup.outputs.include) }}`) is fine.

    ## Why is this bad?
    GitHub refuses the workflow: each entry of `include` and `exclude` is one combination,
    written as a mapping of matrix keys to values.

    ## Example
    ```yaml
    matrix:
      os: [ubuntu-latest, windows-latest]
      include:
        os: macos-latest
        experimental: true
    ```

    ## Use instead
    ```yaml
    matrix:
      os: [ubuntu-latest, windows-latest]
      include:
        - os: macos-latest
          experimental: true
    ```
    """
    for job in ctx.workflow.jobs:
        matrix = matrix_of(job)
        if matrix is None:
            continue
        for name in ("include", "exclude"):
            value = matrix.node.get(name)
            if value is None or (isinstance(value, Scalar) and (value.is_null or "${{" in value.value)):
                continue
            if isinstance(value, Seq):
                for item in value.items:
                    if isinstance(item, Map) or (isinstance(item, Scalar) and "${{" in item.value):
                        continue
                    yield Issue(item, f"Each entry of `{name}` in the matrix of job '{job.id}' is a combination written as "
                                      "a mapping (`- os: windows-latest`), not a single value or a list.")
                continue
            shape = "a mapping" if isinstance(value, Map) else "a single value"
            fix = " Write it as a list: put `- ` before its first key." if isinstance(value, Map) else ""
            yield Issue(value, f"`{name}` in the matrix of job '{job.id}' is {shape}, but GitHub wants a list of "
                               f"combinations (mappings).{fix}")
