from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="undefined-matrix-key",
    kinds=("workflow",),
    severity="error",
    summary="`matrix.<key>` is not a key of the job's matrix (or the job has no matrix)",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks that each `matrix.<key>` in a job names a key of that job's `strategy.matrix`,
    counting the keys that `include:` entries add, with a did-you-mean; and reports
    `matrix.<key>` in a job without a matrix (copied from another job). Matrices built by an
    expression (`matrix: ${{ fromJSON(...) }}`, `include: ${{ ... }}`) are left alone.

    ## Why is this bad?
    A key that is not in the matrix is empty: `runs-on: ${{ matrix.platform }}` with a matrix
    of `os` asks for a runner with no label, `--python ${{ matrix.pyhton }}` runs with the
    default version while the job name says otherwise. GitHub reports no error.

    ## Example
    ```yaml
    jobs:
      test:
        strategy:
          matrix:
            os: [ubuntu-latest, windows-latest]
            python: ["3.12", "3.13"]
        runs-on: ${{ matrix.platform }}
        steps:
          - run: tox -e py${{ matrix.pyhton }}
    ```

    ## Use instead
    ```yaml
    jobs:
      test:
        strategy:
          matrix:
            os: [ubuntu-latest, windows-latest]
            python: ["3.12", "3.13"]
        runs-on: ${{ matrix.os }}
        steps:
          - run: tox -e py${{ matrix.python }}
    ```
    """
    return exprcheck.matrix_issues(doc, ctx)
