"""What starts a workflow, and what that means for trust.

Privileged events run in the base repository's context, with its secrets and a token that can
write (unless `permissions:` says otherwise), yet someone without write access can cause them:
pull_request_target, workflow_run, issue_comment, issues, discussion, discussion_comment,
fork and watch.

Fork pull request events start a run for a pull request from a fork. `pull_request`,
`pull_request_review` and `pull_request_review_comment` then run the fork's code with a
read-only token and no secrets; `pull_request_target` runs the base branch's code with secrets
(checking out the pull request's head is what makes it dangerous).

`workflow_call` (a reusable workflow) inherits its caller's event: its trust is unknown here.
"""
from __future__ import annotations

from .yamlpos import Map, Scalar, Seq

PRIVILEGED_EVENTS: dict[str, str] = {
    "pull_request_target": "runs with the base repository's secrets and a write token, also for pull requests from forks",
    "workflow_run": "runs with the repository's secrets after another workflow, which a fork pull request may have started",
    "issue_comment": "runs with the repository's secrets for comments anyone can write on issues and pull requests",
    "issues": "runs with the repository's secrets for issues anyone can open or edit",
    "discussion": "runs with the repository's secrets for discussions anyone can start or edit",
    "discussion_comment": "runs with the repository's secrets for discussion comments anyone can write",
    "fork": "runs with the repository's secrets whenever anyone forks the repository",
    "watch": "runs with the repository's secrets whenever anyone stars the repository",
}

FORK_PR_EVENTS: dict[str, str] = {
    "pull_request": "runs the code of pull requests from forks, with a read-only token and no secrets",
    "pull_request_review": "runs for reviews on pull requests from forks, with a read-only token and no secrets",
    "pull_request_review_comment": "runs for review comments on pull requests from forks, with a read-only token and no secrets",
    "pull_request_target": PRIVILEGED_EVENTS["pull_request_target"],
}

REUSABLE_EVENT = "workflow_call"


def events(workflow) -> list[str]:
    """The events that start the workflow, in file order (`on:` as a string, list or map)."""
    return list(workflow.triggers)


def trigger_key(workflow, event: str) -> Scalar | None:
    """The node naming the event: the `on:` value, a list item or a map key (for positions)."""
    node = workflow.node.get("on")
    if isinstance(node, Scalar):
        return node if node.value == event else None
    if isinstance(node, Seq):
        return next((item for item in node.items if isinstance(item, Scalar) and item.value == event), None)
    if isinstance(node, Map):
        return node.key(event)
    return None


def trigger_config(workflow, event: str) -> Map | None:
    """The event's settings (`types:`, `branches:`, `inputs:` ...) in the map form, or None."""
    node = workflow.node.get("on")
    if isinstance(node, Map):
        config = node.get(event)
        return config if isinstance(config, Map) else None
    return None


def activity_types(workflow, event: str) -> list[str] | None:
    """The event's `types:` filter, or None when every activity type starts the workflow."""
    config = trigger_config(workflow, event)
    types = config.get("types") if config is not None else None
    if isinstance(types, Scalar):
        return [types.value]
    if isinstance(types, Seq):
        return [item.value for item in types.items if isinstance(item, Scalar)]
    return None


def is_privileged_trigger(event: str) -> bool:
    """Does the event run with the base repository's secrets when an outsider causes it?"""
    return event in PRIVILEGED_EVENTS


def privileged_triggers(workflow) -> list[str]:
    return [event for event in events(workflow) if event in PRIVILEGED_EVENTS]


def fork_pr_triggers(workflow) -> list[str]:
    """Events through which a pull request from a fork starts the workflow."""
    return [event for event in events(workflow) if event in FORK_PR_EVENTS]


def untrusted_code_can_reach(workflow) -> list[str]:
    """Events through which someone without write access can start the workflow with text or
    code they control (privileged events and fork pull request events). Empty: none."""
    return [event for event in events(workflow) if event in PRIVILEGED_EVENTS or event in FORK_PR_EVENTS]


def is_reusable(workflow) -> bool:
    """Can other workflows call this one (`on: workflow_call`)?"""
    return REUSABLE_EVENT in events(workflow)


def privilege(workflow) -> str:
    """"privileged" (a privileged trigger), "unknown" (a reusable workflow, run with its
    caller's event) or "unprivileged"."""
    if privileged_triggers(workflow):
        return "privileged"
    if is_reusable(workflow):
        return "unknown"
    return "unprivileged"


def describe(event: str) -> str | None:
    """One sentence on what the event means for trust, for messages."""
    return PRIVILEGED_EVENTS.get(event) or FORK_PR_EVENTS.get(event)


def input_node(workflow, name: str) -> Map | None:
    """The definition of an input under `workflow_dispatch` or `workflow_call` (dispatch first)."""
    for event in ("workflow_dispatch", REUSABLE_EVENT):
        config = trigger_config(workflow, event)
        inputs = config.get("inputs") if config is not None else None
        if isinstance(inputs, Map):
            definition = inputs.get(name)
            if isinstance(definition, Map):
                return definition
    return None


def input_type(workflow, name: str) -> str | None:
    """An input's type ("string", "boolean", "number", "choice", "environment"), or None when
    the workflow does not define it. An input without `type:` is a string."""
    definition = input_node(workflow, name)
    if definition is None:
        return None
    kind = definition.get("type")
    return kind.value if isinstance(kind, Scalar) else "string"

