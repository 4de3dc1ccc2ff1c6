from __future__ import annotations

from cicdlint import syntax
from cicdlint.rule import Issue, rule


@rule(
    id="unknown-event",
    kinds=("workflow",),
    severity="error",
    summary="Workflow is triggered by an event GitHub does not have",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks the event names under `on:` (a string, a list or a map) against the events that
    trigger workflows, and reports an unknown one with the event it most likely means
    (`pull-request` -> `pull_request`, `pust` -> `push`, `workflow-dispatch` ->
    `workflow_dispatch`). A filter written where an event belongs (`on: {branches: [main]}`)
    is reported with where it goes. Activity types and filters of known events are checked
    by other rules.

    ## Why is this bad?
    GitHub refuses the workflow, or never triggers it on the misspelt event: the job you meant
    to run on every pull request silently never runs.

    ## Example
    ```yaml
    on:
      pull-request:
        branches: [main]
      workflow-dispatch:
    ```

    ## Use instead
    ```yaml
    on:
      pull_request:
        branches: [main]
      workflow_dispatch:
    ```
    Event names are lower case with underscores; see GitHub's "Events that trigger workflows".
    """
    for issue in syntax.issues(doc, ctx.workflow):
        if issue.rule == "unknown-event":
            yield Issue(issue.node, issue.message, severity=issue.severity)
