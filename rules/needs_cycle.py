from cicdlint.jobgraph import cycle_path, cycles, graph
from cicdlint.rule import Issue, rule


@rule(
    id="needs-cycle",
    kinds=("workflow",),
    severity="error",
    summary="Jobs need each other in a cycle, so none of them can start",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds jobs whose `needs:` form a cycle (`a` needs `b`, `b` needs `a`; or a job that needs
    itself). Each cycle is reported once, at the `needs` entry of its first job, naming the
    whole cycle.

    ## Why is this bad?
    A job starts only after every job it needs has finished, so jobs in a cycle wait for each
    other forever: GitHub rejects the workflow ("The workflow is not valid ... contains a
    circular dependency") and nothing runs.

    ## Example
    ```yaml
    jobs:
      build:
        needs: release
        runs-on: ubuntu-latest
        steps:
          - run: make
      release:
        needs: build
        runs-on: ubuntu-latest
        steps:
          - run: make release
    ```

    ## Use instead
    ```yaml
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: make
      release:
        needs: build
        runs-on: ubuntu-latest
        steps:
          - run: make release
    ```
    Remove the `needs` entry that points back up the chain: dependencies must run one way.
    """
    jobs, edges = graph(ctx.workflow)
    if not any(edges.values()):
        return
    order = [job.id.lower() for job in jobs]
    names = {job.id.lower(): job.id for job in jobs}
    for component in cycles(order, edges):
        path = cycle_path(component, edges)
        if not path:
            continue
        chain = " -> ".join(f"'{names[job]}'" for job, _ in path) + f" -> '{names[path[0][0]]}'"
        first, entry = path[0]
        if len(path) == 1:
            message = f"Job '{names[first]}' needs itself, so it can never start and GitHub refuses the workflow. Remove '{entry.value}' from its `needs`."
        else:
            extra = len(component) - len(path)
            more = f" ({extra} more jobs are caught in the same knot)" if extra > 0 else ""
            message = (f"These jobs need each other in a cycle: {chain}{more}. None of them can start, so GitHub "
                       "refuses the workflow. Remove one of these `needs` entries.")
        yield Issue(entry, message)
