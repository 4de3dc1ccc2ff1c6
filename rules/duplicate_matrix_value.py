from cicdlint.matrix import canonical, has_expression, matrix_of
from cicdlint.rule import Issue, rule


@rule(
    id="duplicate-matrix-value",
    kinds=("workflow",),
    severity="warning",
    summary="A matrix row lists the same value twice",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds a value repeated in one row of `strategy.matrix` (`node: [18, 20, 20]`). Values are
    compared as GitHub reads them: `20` and `'20'` differ, maps compare key by key. Rows and
    values built by expressions are left alone.

    ## Why is this bad?
    Each repeat runs every combination once more: the same jobs twice, the minutes billed
    twice, and often a typo for the value that was meant (`[18, 20, 20]` for `[18, 20, 22]`).

    ## Example
    ```yaml
    strategy:
      matrix:
        node: [18, 20, 20]
    ```

    ## Use instead
    ```yaml
    strategy:
      matrix:
        node: [18, 20, 22]
    ```
    """
    for job in ctx.workflow.jobs:
        matrix = matrix_of(job)
        if matrix is None:
            continue
        for name, (_, values) in matrix.rows.items():
            seen: dict[str, object] = {}
            for value in values.items:
                if has_expression(value):
                    continue
                key = canonical(value)
                if key in seen:
                    shown = key if len(key) <= 60 else key[:57] + "..."
                    yield Issue(value, f"The matrix row '{name}' of job '{job.id}' already has the value {shown}, so its "
                                       "combinations run twice. Remove the repeat, or write the value that was meant.")
                else:
                    seen[key] = value
