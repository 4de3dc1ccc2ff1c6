from __future__ import annotations

from cicdlint import syntax
from cicdlint.rule import Issue, rule


@rule(
    id="unexpected-key",
    kinds=("workflow", "action"),
    severity="error",
    summary="Workflow or action has a key GitHub does not know, or one that does not belong where it is",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks every key of a workflow file and of an `action.yml` against the keys GitHub accepts
    at that place (a schema generated from SchemaStore's, corrected to match GitHub's own
    parser), and reports at the key:

    - a typo, with the key it most likely means (`runs_on` -> `runs-on`, `timeout_minutes`
      -> `timeout-minutes`, `branch` -> `branches`). Keys are case-sensitive: `Runs-On` is
      unknown;
    - a key in the wrong place: `with:` on a `run:` step, `shell:` on a `uses:` step, `run:`
      and `uses:` in one step, `runs-on:` or `steps:` in a job that calls a reusable workflow
      (such a job takes only `name`, `uses`, `with`, `secrets`, `needs`, `if`, `permissions`,
      `strategy` and `concurrency`), `with:` or `secrets:` in a job without `uses:`, a job key
      in a step, `matrix:` beside `strategy:` instead of under it;
    - an unknown permission scope (`content: read`), an unknown key in `concurrency`,
      `environment`, `container`, `services`, `defaults`, `strategy`, `runs-on`, in a
      `workflow_call` / `workflow_dispatch` input, output or secret;
    - a filter an event does not take (`tags:` under `pull_request:`, anything under
      `create:`, `paths:` under `workflow_run:`), as a warning: GitHub ignores it, so the
      workflow runs on more than it says;
    - in an `action.yml`: an unknown top-level key, an unknown key in an input (`type:` and
      `options:` do nothing in actions; warnings, as the runner ignores them), in `runs:` (for
      its `using:`) or in a composite step (which takes no `timeout-minutes`);
    - two keys of one map that differ only in case (`FOO` and `foo` in `env:`, jobs `build`
      and `Build`): GitHub compares keys without case;
    - a YAML merge key (`<<: *defaults`): GitHub supports anchors and aliases but not merge
      keys, and reads `<<` as an unknown key.

    Anything goes under `with:`, `env:`, `secrets:`, `outputs:` and `matrix:`: their names are
    the author's. A key that is a `${{ }}` expression, where GitHub allows one, is accepted.

    ## Why is this bad?
    GitHub refuses a workflow with an unknown key ("Unexpected value 'runs_on'") or a key
    repeated in another case ("'foo' is already defined"), so nothing in the file runs, and
    the error only shows up after the push. Where GitHub ignores a key
    instead (an event filter it does not take, an action input's `type:`), the setting silently
    does nothing: a `tags:` filter on `pull_request` does not restrict anything.

    ## Example
    ```yaml
    on:
      pull_request:
        tags: [v*]
    jobs:
      build:
        runs_on: ubuntu-latest
        steps:
          - run: make
            with:
              target: all
    ```

    ## Use instead
    ```yaml
    on:
      push:
        tags: [v*]
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: make
            env:
              TARGET: all
    ```
    Spell keys as GitHub's workflow syntax documentation does (lower case, `-` not `_`) and
    put each one where it applies; the message names the right key or place.
    """
    view = ctx.workflow if doc.kind == "workflow" else ctx.action
    for issue in syntax.issues(doc, view):
        if issue.rule == "unexpected-key":
            yield Issue(issue.node, issue.message, severity=issue.severity)
