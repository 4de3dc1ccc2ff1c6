from cicdlint.matrix import matrix_of
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Seq


@rule(
    id="empty-matrix",
    kinds=("workflow",),
    severity="error",
    summary="A matrix, or one of its rows, has no values",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds `strategy.matrix` with no combinations: an empty mapping, only `exclude`, an empty
    `include` and no rows, or a row with an empty list (`os: []`). Matrices and rows built by
    expressions are left alone (and a `matrix:` with no value at all, or include/exclude that
    are not lists of maps, are the schema rules' findings).

    ## Why is this bad?
    GitHub refuses the workflow ("Matrix must define at least one vector", "Matrix vector
    'os' does not contain any values"): there is no combination to run the job with.

    ## Example
    ```yaml
    strategy:
      matrix:
        os: []
        node: [20]
    ```

    ## Use instead
    ```yaml
    strategy:
      matrix:
        os: [ubuntu-latest]
        node: [20]
    ```
    Give every row at least one value, or remove the row (or the whole `strategy`).
    """
    for job in ctx.workflow.jobs:
        strategy = as_map(job.node.get("strategy"))
        matrix = matrix_of(job)  # `matrix:` with nothing after it is the schema rules' finding
        if matrix is None:
            continue
        for name, (key, values) in matrix.rows.items():
            if not values.items:
                yield Issue(values, f"The matrix row '{name}' of job '{job.id}' has no values, so GitHub refuses the "
                                    "workflow. Give it at least one value, or remove the row.")
        if matrix.rows or matrix.dynamic_rows:
            continue
        include = matrix.include
        if include is not None and not (isinstance(include, Seq) and not include.items):
            continue  # include alone makes combinations (or is an expression)
        anchor = strategy.key("matrix")
        what = "has only `exclude`" if matrix.exclude is not None and include is None else "has no rows and no `include` entries"
        yield Issue(anchor, f"The matrix of job '{job.id}' {what}, so it makes no combination and GitHub refuses the "
                            "workflow. Add a row (`os: [ubuntu-latest]`) or `include` entries, or remove `strategy.matrix`.")
