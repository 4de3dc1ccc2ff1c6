from __future__ import annotations

from cicdlint import syntax
from cicdlint.rule import Issue, rule


@rule(
    id="invalid-value",
    kinds=("workflow", "action"),
    severity="error",
    summary="Workflow or action value has the wrong type or is not one GitHub accepts",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Reports, at the value, a value GitHub does not accept where it is written:

    - a wrong type: `timeout-minutes: abc` or `"30"` (a number of minutes, greater than 0),
      `continue-on-error: maybe` (true or false), `fail-fast: "false"`, `max-parallel: two`,
      `env:` or `with:` as a list or a string, a step written as a string (`- actions/checkout@v4`),
      a matrix variable that is not a list, `steps:` that is not a list;
    - a value outside its set: a permission level other than `read`, `write` or `none` (and
      `id-token` only `write` or `none`), `permissions: read` instead of `read-all`,
      `secrets:` other than `inherit` or a map, an input `type` other than `string`,
      `boolean`, `number` (and `choice` or `environment` for `workflow_dispatch`), a
      `concurrency.queue` other than `single` or `max`, an action's `runs.using` other than
      `composite`, `docker` or `node12`-`node24`, a `branding` color or icon GitHub lacks;
    - an input default of the wrong type (`default: maybe` for a boolean input, a default that
      is not a number for a number input), a `choice` default that is not among its options,
      more than 25 `workflow_dispatch` inputs;
    - an empty `on:` (nothing triggers the workflow), a bare `on: schedule` (no times), an
      empty value where GitHub wants a map or a list (`env:` with nothing after it), an event
      written as a list (`push: [main]`);
    - a job whose `uses:` names an action rather than a reusable workflow (`uses:
      actions/checkout@v4` at job level), and a step whose `uses:` names a reusable workflow
      (`./.github/workflows/deploy.yml`): a step can only run an action, so it fails when it
      runs.

    A `${{ }}` expression is accepted wherever GitHub evaluates one (`timeout-minutes: ${{
    inputs.timeout }}`, `runs-on: ${{ matrix.os }}`, `strategy.matrix: ${{ fromJSON(...) }}`,
    `continue-on-error: ${{ matrix.experimental }}`), and reported where it does not
    (`permissions`, `on`, `runs.using`). Numbers and booleans where GitHub wants a string are
    fine (GitHub turns them into strings).

    ## Why is this bad?
    GitHub refuses the whole workflow ("Unexpected value 'maybe'"), so none of its jobs run,
    and the error shows up only after the push; a bad input default breaks every manual run or
    call that relies on it.

    ## Example
    ```yaml
    jobs:
      build:
        runs-on: ubuntu-latest
        timeout-minutes: "30"
        continue-on-error: maybe
        permissions:
          contents: readonly
        steps:
          - actions/checkout@v4
    ```

    ## Use instead
    ```yaml
    jobs:
      build:
        runs-on: ubuntu-latest
        timeout-minutes: 30
        continue-on-error: ${{ matrix.experimental }}
        permissions:
          contents: read
        steps:
          - uses: actions/checkout@v4
    ```
    Write numbers and booleans without quotes, and pick values from the set the message lists.
    """
    view = ctx.workflow if doc.kind == "workflow" else ctx.action
    for issue in syntax.issues(doc, view):
        if issue.rule == "invalid-value":
            yield Issue(issue.node, issue.message, severity=issue.severity)
