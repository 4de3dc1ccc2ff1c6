from __future__ import annotations

from cicdlint import syntax
from cicdlint.rule import Issue, rule


@rule(
    id="missing-required-key",
    kinds=("workflow", "action"),
    severity="error",
    summary="Workflow, job, step or action lacks a key GitHub requires",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Reports a key that GitHub requires and the file leaves out, at the job, step or key that
    lacks it:

    - a workflow without `on` or `jobs`; a job without `runs-on` or `steps` (unless it calls a
      reusable workflow with `uses:`); a step with neither `run` nor `uses` (with a hint when
      it is a `with:` split off the step above it by indentation; a misspelt `use:` or `Run:`
      is reported as such by unexpected-key instead);
    - `group` in a `concurrency` map, `name` in an `environment` map, `image` in a
      `container` or service map, `cron` in a `schedule` entry, `workflows` for
      `workflow_run` (without it the event never fires; also for a bare `on: workflow_run`),
      `pre` when `pre-if` is set (`post` for `post-if`) in a JavaScript action;
    - `type` of a `workflow_call` input, `value` of a `workflow_call` output, `options` of a
      `choice` input of `workflow_dispatch`;
    - in an `action.yml`: `runs`, `runs.using`, and what each kind of action needs (`main`
      for a JavaScript action, `image` for a Docker action, `steps` for a composite action),
      `shell` on every `run:` step of a composite action, `value` on every output of a
      composite action. A missing `name` or `description` is a warning: the runner does not
      need them, but the Marketplace and every tool that lists actions does.

    ## Why is this bad?
    GitHub refuses the workflow ("Required property is missing: runs-on"), or the part that
    lacks the key never does anything: a composite step without `shell` fails the action, a
    composite output without `value` is always empty, a `workflow_run` trigger without
    `workflows` never fires.

    ## Example
    ```yaml
    on: push
    jobs:
      build:
        steps:
          - name: Build
    ```

    ## Use instead
    ```yaml
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - name: Build
            run: make
    ```
    Add the key; the message says what it takes.
    """
    view = ctx.workflow if doc.kind == "workflow" else ctx.action
    for issue in syntax.issues(doc, view):
        if issue.rule == "missing-required-key":
            yield Issue(issue.node, issue.message, severity=issue.severity)
