from __future__ import annotations

from cicdlint.rule import Issue, Location, rule
from cicdlint.triggers import REUSABLE_EVENT, events, is_privileged_trigger, trigger_key
from cicdlint.yamlpos import Map, Scalar

DEFAULT_EVENTS = ["pull_request_target", "workflow_run"]


@rule(
    id="concurrency-limits",
    kinds=("workflow",),
    severity="warning",
    summary="A workflow that outsiders can start with secrets has no concurrency limit",
    tags=("security",),
    security_severity=3.5,
    confidence="high",
    options={"events": ["pull_request_target", "workflow_run"]},
    options_schema={
        "events": {
            "type": "array",
            "items": {"type": "string"},
            "description": "triggers that need a concurrency limit; [\"*\"] for every workflow (zizmor's pedantic audit)",
        }
    },
)
def check(doc, ctx):
    """## What it does
    Finds workflows started by `pull_request_target` or `workflow_run` (the `events` option
    changes the list; `["*"]` checks every workflow, like zizmor's pedantic
    `concurrency-limits`) that limit concurrency neither for the workflow nor for every job:

    - no workflow-level `concurrency:` and some jobs without one: reported at `on:`, naming
      the jobs;
    - `concurrency:` given only as a group name (`concurrency: ci-${{ github.ref }}`), with no
      `cancel-in-progress`, at the workflow level or on jobs when the workflow has none: a
      note (medium confidence), since a new run then waits instead of replacing the old one.

    The mapping form is accepted as a decision, also with `cancel-in-progress: false` or
    without it. Jobs that call a reusable workflow are
    not counted (the called workflow's jobs run under its own settings), and a workflow that
    can only be called (`on: workflow_call`) is skipped: its caller sets the concurrency.
    Triggers outside the privileged ones (only checked with `events: ["*"]`) give notes.

    ## Why is this bad?
    Anyone who can open a pull request can start a `pull_request_target` run, each update of
    the pull request starts another, and `workflow_run` follows whatever started the upstream
    workflow. Without a limit, all of them run at once, each with the repository's secrets and
    a write token: an outsider can fan out privileged runs at will (on billed or self-hosted
    runners this costs money and capacity), superseded runs keep going with the old head of
    the pull request, and runs that look artifacts or caches up by name race each other. A
    concurrency group with `cancel-in-progress: true` keeps one run per pull request.

    ## Example
    ```yaml
    on:
      pull_request_target:
        types: [labeled]
    jobs:
      preview:
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy-preview.sh
    ```

    ## Use instead
    ```yaml
    on:
      pull_request_target:
        types: [labeled]
    concurrency:
      group: ${{ github.workflow }}-${{ github.event.pull_request.number }}
      cancel-in-progress: true
    jobs:
      preview:
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy-preview.sh
    ```
    Key the group by pull request (`github.event.pull_request.number`; `github.ref` is the
    base branch for `pull_request_target`, the same for every pull request) or by
    `github.event.workflow_run.head_branch` for `workflow_run`.
    """
    workflow = ctx.workflow
    triggers = [event for event in events(workflow) if event and event.strip()]  # `on:` left empty runs nothing
    if not triggers or all(event == REUSABLE_EVENT for event in triggers):
        return
    wanted = ctx.options.get("events") or DEFAULT_EVENTS
    matched = [event for event in triggers if "*" in wanted or event in wanted]
    if not matched:
        return
    privileged = [event for event in matched if is_privileged_trigger(event)]
    event = (privileged or matched)[0]
    severity = None if privileged else "note"
    started = f"`{event}`" + (f" ({_why(event)})" if privileged else "")
    on_key = workflow.node.key("on") or trigger_key(workflow, event)
    anchor = on_key if on_key is not None else workflow.node
    node = workflow.node.get("concurrency")
    if node is not None and not _null(node):
        if _bare(node):
            yield Issue(
                node,
                f"Write `concurrency: {{group: {_group_text(node)}, cancel-in-progress: true}}`. This workflow is started by "
                f"{started}; with only a group name, new runs wait behind the running one instead of replacing it.",
                severity="note",
                confidence="medium",
            )
        return
    missing, bare = [], []
    for job in workflow.jobs:
        if job.uses is not None:
            continue
        job_node = job.node.get("concurrency")
        if job_node is None or _null(job_node):
            missing.append(job)
        elif _bare(job_node):
            bare.append((job, job_node))
    if missing:
        names = ", ".join(f"'{job.id}'" for job in missing[:5]) + (" ..." if len(missing) > 5 else "")
        group = _suggested_group(event)
        yield Issue(
            anchor,
            f"Add a workflow-level `concurrency: {{group: {group}, cancel-in-progress: true}}`. This workflow is started by "
            f"{started}, and job{'s' if len(missing) > 1 else ''} {names} ha{'ve' if len(missing) > 1 else 's'} no "
            "concurrency limit, so any number of runs can go at once.",
            severity=severity,
            related=[Location(doc.path, ctx.span(job.key), "no concurrency limit") for job in missing[:20]],
        )
    for job, job_node in bare:
        yield Issue(
            job_node,
            f"Add `cancel-in-progress: true` to the concurrency of job '{job.id}' "
            f"(`concurrency: {{group: {_group_text(job_node)}, cancel-in-progress: true}}`): the workflow is started by {started}.",
            severity="note",
            confidence="medium",
        )


def _why(event: str) -> str:
    return {
        "pull_request_target": "anyone who opens a pull request can start it, with the repository's secrets",
        "workflow_run": "it follows runs that a pull request may have started, with the repository's secrets",
    }.get(event, "outsiders can start it, with the repository's secrets")


def _null(node) -> bool:
    return isinstance(node, Scalar) and (node.is_null or not node.value.strip())


def _bare(node) -> bool:
    """`concurrency: <group>` (a mapping is a decision, with or without `cancel-in-progress`)."""
    return isinstance(node, Scalar)


def _group_text(node) -> str:
    group = node.get("group") if isinstance(node, Map) else node
    value = group.value.strip() if isinstance(group, Scalar) else "..."
    return value if not any(char in value for char in ",{}[]") else f"'{value}'"


def _suggested_group(event: str) -> str:
    if event == "pull_request_target":
        return "${{ github.workflow }}-${{ github.event.pull_request.number }}"
    if event == "workflow_run":
        return "${{ github.workflow }}-${{ github.event.workflow_run.head_branch }}"
    return "${{ github.workflow }}-${{ github.ref }}"
