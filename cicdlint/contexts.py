"""How far to trust the text of a context path (`github.event.issue.title`, `steps.x.outputs.y`).

`classify(path)` answers "untrusted" (anyone who can open an issue, a pull request or a comment
chooses the text), "safe" (a fixed format: SHAs, ids, numbers, names with a restricted
alphabet, or values only admins set) or "unknown" (not constant and not known: workflow inputs,
step and job outputs, env values, fields of the event we have no table for), with a reason.

Paths are the normalised paths of `cicdlint.expressions` (`github.event.commits.*.message`).
In patterns `*` stands for one segment, a final `**` for any number (0 or more). The lists follow GitHub
Security Lab's "untrusted input" list, GitHub's security hardening guide and zizmor's context
capabilities (which marks logins arbitrary; here they are safe: letters, digits and hyphens).
"""
from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from .yamlpos import Map, Scalar, Seq

ANYONE = "text anyone can set by opening an issue, a pull request or a comment"
FORK_BRANCH = "a branch name chosen by whoever opens the pull request"
COMMIT_TEXT = "commit metadata written by whoever pushes the commits"

# Attacker-controlled: set by people without write access to the repository.
UNTRUSTED: list[tuple[str, str]] = [
    ("github.event.issue.title", ANYONE),
    ("github.event.issue.body", ANYONE),
    ("github.event.pull_request.title", ANYONE),
    ("github.event.pull_request.body", ANYONE),
    ("github.event.comment.body", ANYONE),
    ("github.event.review.body", ANYONE),
    ("github.event.review_comment.body", ANYONE),
    ("github.event.discussion.title", ANYONE),
    ("github.event.discussion.body", ANYONE),
    ("github.event.answer.body", ANYONE),
    ("github.event.changes.title.from", ANYONE),
    ("github.event.changes.body.from", ANYONE),
    ("github.event.pages.*.page_name", "a wiki page name anyone with wiki access can set"),
    ("github.event.pages.*.title", "a wiki page title anyone with wiki access can set"),
    ("github.event.commits.*.message", COMMIT_TEXT),
    ("github.event.commits.*.author.email", COMMIT_TEXT),
    ("github.event.commits.*.author.name", COMMIT_TEXT),
    ("github.event.commits.*.committer.email", COMMIT_TEXT),
    ("github.event.commits.*.committer.name", COMMIT_TEXT),
    ("github.event.head_commit.message", COMMIT_TEXT),
    ("github.event.head_commit.author.email", COMMIT_TEXT),
    ("github.event.head_commit.author.name", COMMIT_TEXT),
    ("github.event.head_commit.committer.email", COMMIT_TEXT),
    ("github.event.head_commit.committer.name", COMMIT_TEXT),
    ("github.head_ref", FORK_BRANCH),
    ("github.event.pull_request.head.ref", FORK_BRANCH),
    ("github.event.pull_request.head.label", FORK_BRANCH),
    ("github.event.pull_request.head.repo.default_branch", "the default branch of the fork, chosen by its owner"),
    ("github.event.pull_request.head.repo.description", "the fork's description, chosen by its owner"),
    ("github.event.pull_request.head.repo.homepage", "the fork's homepage, chosen by its owner"),
    ("github.event.workflow_run.head_branch", FORK_BRANCH),
    ("github.event.workflow_run.display_title", "the pull request title or commit message of the triggering run"),
    ("github.event.workflow_run.head_commit.message", COMMIT_TEXT),
    ("github.event.workflow_run.head_commit.author.email", COMMIT_TEXT),
    ("github.event.workflow_run.head_commit.author.name", COMMIT_TEXT),
    ("github.event.workflow_run.head_commit.committer.email", COMMIT_TEXT),
    ("github.event.workflow_run.head_commit.committer.name", COMMIT_TEXT),
    ("github.event.workflow_run.head_repository.description", "the fork's description, chosen by its owner"),
    ("github.event.workflow_run.pull_requests.*.head.ref", FORK_BRANCH),
    ("github.event.check_suite.head_branch", FORK_BRANCH),
    ("github.event.check_suite.head_commit.message", COMMIT_TEXT),
    ("github.event.check_run.check_suite.head_branch", FORK_BRANCH),
    ("github.event.merge_group.head_commit.message", COMMIT_TEXT),
    ("github.event.merge_group.head_commit.author.email", COMMIT_TEXT),
    ("github.event.merge_group.head_commit.author.name", COMMIT_TEXT),
]

# Not constant, trust depends on who can set them (write access) or on code we cannot see.
UNKNOWN: list[tuple[str, str]] = [
    ("inputs.**", "a workflow input: set by whoever dispatches or calls the workflow"),
    ("github.event.inputs.**", "a workflow_dispatch input: set by whoever can run the workflow"),
    ("github.event.client_payload.**", "a repository_dispatch payload: set by whoever holds a token"),
    ("github.ref", "a branch or tag name: set by whoever can push"),
    ("github.ref_name", "a branch or tag name: set by whoever can push"),
    ("github.event.ref", "a branch or tag name: set by whoever can push"),
    ("github.event.release.**", "release text: set by people with write access"),
    ("github.event.milestone.**", "milestone text: set by people with triage access"),
    ("github.event.label.**", "label text: set by people with triage access"),
    ("github.event.*.milestone.**", "milestone text: set by people with triage access"),
    ("github.event.*.labels.**", "label text: set by people with triage access"),
    ("steps.*.outputs.**", "a step output: depends on what the step computed"),
    ("needs.*.outputs.**", "a job output: depends on what the job computed"),
    ("jobs.*.outputs.**", "a job output: depends on what the job computed"),
    ("env.**", "an environment variable: depends on how it was set"),
]

LOGIN = "GitHub logins only contain letters, digits and hyphens"
SAFE: list[tuple[str, str]] = [
    ("secrets.**", "a secret (sensitive, but not attacker text)"),
    ("vars.**", "a configuration variable set by repository admins"),
    ("runner.**", "runner properties"),
    ("strategy.**", "strategy settings"),
    ("job.**", "job properties"),
    ("matrix.**", "matrix values are written in the workflow (unless the matrix comes from fromJSON)"),
    ("steps.*.outcome", "a step result: success, failure, cancelled or skipped"),
    ("steps.*.conclusion", "a step result: success, failure, cancelled or skipped"),
    ("needs.*.result", "a job result: success, failure, cancelled or skipped"),
    ("jobs.*.result", "a job result: success, failure, cancelled or skipped"),
    ("github.sha", "a commit SHA"),
    ("github.run_id", "a number"),
    ("github.run_number", "a number"),
    ("github.run_attempt", "a number"),
    ("github.repository", "repository names only contain letters, digits, '.', '-' and '_'"),
    ("github.repository_owner", LOGIN),
    ("github.repository_id", "a number"),
    ("github.repository_owner_id", "a number"),
    ("github.repositoryurl", "the repository URL"),
    ("github.event_name", "an event name"),
    ("github.actor", LOGIN),
    ("github.actor_id", "a number"),
    ("github.triggering_actor", LOGIN),
    ("github.job", "a job id from the workflow"),
    ("github.workflow", "the workflow's name"),
    ("github.workflow_ref", "the workflow's path and ref"),
    ("github.workflow_sha", "a commit SHA"),
    ("github.base_ref", "a branch of this repository"),
    ("github.ref_type", "'branch' or 'tag'"),
    ("github.ref_protected", "a boolean"),
    ("github.token", "the job's token (sensitive, but not attacker text)"),
    ("github.workspace", "a runner path"),
    ("github.action", "a step id"),
    ("github.action_path", "a runner path"),
    ("github.action_ref", "an action ref"),
    ("github.action_repository", "an action repository"),
    ("github.action_status", "a step result"),
    ("github.server_url", "a GitHub URL"),
    ("github.api_url", "a GitHub URL"),
    ("github.graphql_url", "a GitHub URL"),
    ("github.retention_days", "a number"),
    ("github.secret_source", "'Actions', 'Dependabot' or 'None'"),
    ("github.path", "a runner path"),
    ("github.env", "a runner path"),
    ("github.output", "a runner path"),
    ("github.state", "a runner path"),
    ("github.step_summary", "a runner path"),
    ("github.event.action", "an activity type"),
    ("github.event.repository.**", "properties of this repository, set by its admins"),
    ("github.event.sender.login", LOGIN),
    ("github.event.pull_request.head.repo.full_name", "repository names only contain letters, digits, '.', '-' and '_'"),
    ("github.event.pull_request.head.repo.name", "repository names only contain letters, digits, '.', '-' and '_'"),
    ("github.event.pull_request.head.repo.owner.login", LOGIN),
    ("github.event.pull_request.base.ref", "a branch of this repository"),
    ("github.event.workflow_run.head_repository.full_name", "repository names only contain letters, digits, '.', '-' and '_'"),
    ("github.event.workflow_run.name", "the name of a workflow of this repository"),
    ("github.event.workflow.**", "properties of a workflow of this repository"),
]

# Leaves of `github.event.*` fields not in the tables above.
FREE_TEXT_LEAVES = frozenset(
    ("body", "title", "message", "description", "page_name", "head_branch", "head_ref", "display_title", "email")
)
SAFE_LEAVES = frozenset(
    (
        "id", "node_id", "number", "sha", "before", "after", "url", "draft", "merged", "locked", "state",
        "author_association", "private", "fork", "size", "additions", "deletions", "changed_files",
        "commits", "comments", "run_attempt", "run_number", "conclusion", "status", "type", "site_admin",
        "login", "mergeable", "rebaseable", "forced", "created", "deleted", "ref_type", "prerelease",
    )
)
SAFE_SUFFIXES = ("_at", "_count", "_id", "_url", "_sha")


class Classification(NamedTuple):
    level: str  # "untrusted" | "safe" | "unknown"
    reason: str


def _compile(table: list[tuple[str, str]]) -> list[tuple[tuple[str, ...], bool, str]]:
    compiled = []
    for pattern, reason in table:
        segments = tuple(pattern.lower().split("."))
        deep = segments[-1] == "**"
        compiled.append((segments[:-1] if deep else segments, deep, reason))
    return compiled


_UNTRUSTED = _compile(UNTRUSTED)
_UNKNOWN = _compile(UNKNOWN)
_SAFE = _compile(SAFE)


def _segment_matches(pattern: str, segment: str) -> bool:
    # A `*` in the path is a computed or filtered index: it may be any name.
    return pattern == "*" or segment == "*" or pattern == segment


def _matches(pattern: tuple[str, ...], deep: bool, segments: tuple[str, ...]) -> bool:
    if len(segments) < len(pattern) or (not deep and len(segments) != len(pattern)):
        return False
    return all(_segment_matches(p, s) for p, s in zip(pattern, segments))


def _lookup(table, segments: tuple[str, ...]) -> str | None:
    for pattern, deep, reason in table:
        if _matches(pattern, deep, segments):
            return reason
    return None


def _holds_untrusted(segments: tuple[str, ...]) -> str | None:
    """Is the path an object that contains an untrusted field (`github.event.issue`, `github`)?"""
    for pattern, _, reason in _UNTRUSTED:
        if len(segments) < len(pattern) and all(_segment_matches(p, s) for p, s in zip(pattern, segments)):
            return f"an object that contains {'.'.join(pattern)} ({reason})"
    return None


@lru_cache(maxsize=4096)
def classify(path: str) -> Classification:
    """How far the text of a normalised context path can be trusted."""
    segments = tuple(path.lower().split("."))
    reason = _lookup(_UNTRUSTED, segments) or _holds_untrusted(segments)
    if reason is not None:
        return Classification("untrusted", reason)
    for level, table in (("unknown", _UNKNOWN), ("safe", _SAFE)):
        reason = _lookup(table, segments)
        if reason is not None:
            if level == "unknown" and _fixed_event_leaf(segments):
                return _event_field(segments[-1])
            return Classification(level, reason)
    if segments[:2] == ("github", "event") and len(segments) > 2:
        return _event_field(segments[-1])
    return Classification("unknown", "a context with no known trust level")


def _fixed_event_leaf(segments: tuple[str, ...]) -> bool:
    """A number, boolean, id or URL of an event object whose text fields are only "unknown"
    (`github.event.release.prerelease`, `github.event.label.id`); never a field of a payload
    whose shape the sender chooses (`github.event.inputs.*`, `github.event.client_payload.*`)."""
    if segments[:2] != ("github", "event") or len(segments) < 4 or segments[2] in ("inputs", "client_payload"):
        return False
    leaf = segments[-1]
    return leaf in SAFE_LEAVES or leaf.endswith(SAFE_SUFFIXES)


def _event_field(leaf: str) -> Classification:
    if leaf in FREE_TEXT_LEAVES:
        return Classification("untrusted", "free text in the event payload")
    if leaf in SAFE_LEAVES or leaf.endswith(SAFE_SUFFIXES):
        return Classification("safe", "a number, id, SHA, URL, login or fixed value in the event payload")
    return Classification("unknown", "an event field with no known trust level")


def is_untrusted(path: str) -> bool:
    return classify(path).level == "untrusted"


def is_safe(path: str) -> bool:
    return classify(path).level == "safe"


def matrix_is_static(job, key: str | None = None) -> bool:
    """Are the job's matrix values (or the values of one matrix key) written in the workflow?

    False when the matrix, the key's list or an `include` entry is an expression
    (`matrix: ${{ fromJSON(needs.setup.outputs.matrix) }}`)."""
    strategy = job.node.get("strategy")
    matrix = strategy.get("matrix") if isinstance(strategy, Map) else None
    if matrix is None:
        return True
    if not isinstance(matrix, Map):
        return False
    for name, _, value in matrix.items():
        if key is not None and name not in (key, "include"):
            continue
        if _has_expression(value):
            return False
    return True


def _has_expression(node) -> bool:
    if isinstance(node, Scalar):
        return "${{" in node.value
    if isinstance(node, Seq):
        return any(_has_expression(item) for item in node.items)
    if isinstance(node, Map):
        return any(_has_expression(value) for _, _, value in node.items())
    return False


# Events whose payload holds an untrusted field: a workflow that none of them starts sees the
# field empty.
PR_EVENTS = ("pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment")
_FIELD_EVENTS = (
    ("github.head_ref", PR_EVENTS),
    ("github.event.pull_request.", PR_EVENTS),
    ("github.event.issue.", ("issues", "issue_comment")),
    ("github.event.comment.", ("issue_comment", "pull_request_review_comment", "commit_comment", "discussion_comment")),
    ("github.event.review.", ("pull_request_review",)),
    ("github.event.discussion.", ("discussion", "discussion_comment")),
    ("github.event.answer.", ("discussion",)),
    ("github.event.pages.", ("gollum",)),
    ("github.event.commits.", ("push",)),
    ("github.event.head_commit.", ("push",)),
    ("github.event.workflow_run.", ("workflow_run",)),
)


def events_carrying(path: str) -> tuple[str, ...] | None:
    """The events whose payload has this field; None when any event may (or it is not an
    event field)."""
    for prefix, carriers in _FIELD_EVENTS:
        if path == prefix or path.startswith(prefix):
            return carriers
    return None


def delivered(path: str, triggers) -> bool:
    """Can any of these triggers carry the field? (True when unknown: no triggers, or a
    reusable workflow, whose caller decides.)"""
    if not triggers or "workflow_call" in triggers:
        return True
    carriers = events_carrying(path)
    return carriers is None or any(event in carriers for event in triggers)

