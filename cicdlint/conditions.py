"""Can a job or step run when an outsider starts the workflow from a fork?

`can_run(condition, event)` evaluates an `if:` condition in that scenario: the workflow was
started by `event` (`pull_request`, `pull_request_target`, `workflow_run`, `issue_comment` ...)
on behalf of someone without write access, whose pull request comes from a fork. It answers
False only when the condition is certainly false then (`github.event_name == 'push'`,
`github.ref == 'refs/heads/main'` for `pull_request`,
`github.event.pull_request.head.repo.full_name == github.repository`,
`github.event.pull_request.merged`), and True when it is true or unknown (a label, an author
association, an input). Three-valued evaluation over the parsed expression; never raises.

`job_can_run(job, event)` also follows `needs:`: a job whose needed job cannot run is skipped,
unless its condition calls a status function (`always()`, `failure()`, `cancelled()`).
"""
from __future__ import annotations

from .expressions import Access, Binary, Call, Context, Literal, Not, ParseError, Star, find_expressions, parse, path_of
from .yamlpos import Scalar

PR_EVENTS = frozenset(("pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"))
STATUS_FUNCTIONS = frozenset(("always", "failure", "cancelled"))


class _Unknown:
    def __repr__(self):
        return "UNKNOWN"


UNKNOWN = _Unknown()


class _Opaque:
    """A value we cannot spell but can compare: a fork's repository against the base's."""

    def __init__(self, kind: str, side: str):
        self.kind, self.side = kind, side  # kind: repo / owner; side: fork / base


class _Prefixed:
    """A string known to start with `prefix` (`github.ref` is `refs/pull/N/merge` for a PR)."""

    def __init__(self, prefix: str):
        self.prefix = prefix


class _OneOf:
    def __init__(self, *values: str):
        self.values = frozenset(values)


def _fork_value(path: str, event: str):
    """The value of a context path in the fork scenario, UNKNOWN, or None (null/absent)."""
    pr_event = event in PR_EVENTS
    if path == "github.event_name":
        return event
    if path == "github.ref_type":
        return "branch"
    if path == "github.ref":
        if event in ("pull_request", "pull_request_review", "pull_request_review_comment"):
            return _Prefixed("refs/pull/")
        return _Prefixed("refs/heads/")  # the base or default branch
    if path == "github.repository":
        return _Opaque("repo", "base")
    if path == "github.repository_owner":
        return _Opaque("owner", "base")
    if path.startswith("github.event.pull_request.") or path == "github.event.pull_request":
        if not pr_event:
            return None
        tail = path[len("github.event.pull_request."):]
        return _FORK_FIELDS.get(tail, UNKNOWN)
    if path.startswith("github.event.workflow_run.") or path == "github.event.workflow_run":
        if event != "workflow_run":
            return None
        tail = path[len("github.event.workflow_run."):]
        return _RUN_FIELDS.get(tail, UNKNOWN)
    if path in ("github.head_ref", "github.base_ref") and not pr_event and event != "workflow_run":
        return ""
    return UNKNOWN


_FORK_FIELDS = {
    "head.repo.fork": True,
    "head.repo.full_name": _Opaque("repo", "fork"),
    "head.repo.owner.login": _Opaque("owner", "fork"),
    "head.user.login": _Opaque("owner", "fork"),
    "merged": False,
    "head.repo.private": False,
}
_RUN_FIELDS = {
    "head_repository.fork": True,
    "head_repository.full_name": _Opaque("repo", "fork"),
    "head_repository.owner.login": _Opaque("owner", "fork"),
    "repository.fork": True,
    "event": _OneOf("pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"),
}


def _truthy(value):
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, (_Opaque, _Prefixed, _OneOf)):
        return True
    if value is None:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and value == value
    return bool(value)


def _equal(left, right):
    """GitHub's `==`: strings compare case-insensitively. UNKNOWN when it cannot tell."""
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if isinstance(left, _Opaque) or isinstance(right, _Opaque):
        if isinstance(left, _Opaque) and isinstance(right, _Opaque):
            if left.kind == right.kind and left.side != right.side:
                return False
            return UNKNOWN
        opaque = left if isinstance(left, _Opaque) else right
        other = right if opaque is left else left
        if opaque.side == "fork" and isinstance(other, str) and other:
            return False  # a fork is not the repository named in the workflow
        if other is None or other == "":
            return False
        return UNKNOWN
    if isinstance(left, _Prefixed) or isinstance(right, _Prefixed):
        prefixed = left if isinstance(left, _Prefixed) else right
        other = right if prefixed is left else left
        if isinstance(other, str) and not other.lower().startswith(prefixed.prefix):
            return False
        return UNKNOWN
    if isinstance(left, _OneOf) or isinstance(right, _OneOf):
        one_of = left if isinstance(left, _OneOf) else right
        other = right if one_of is left else left
        if isinstance(other, str) and other.lower() not in one_of.values:
            return False
        return UNKNOWN
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if left is None or right is None:
        other = right if left is None else left
        if other is None or (isinstance(other, (str, int, float)) and other in ("", 0, False)):
            return True
        return False if isinstance(other, (str, int, float)) else UNKNOWN
    if isinstance(left, bool) or isinstance(right, bool):
        if isinstance(left, bool) and isinstance(right, bool):
            return left == right
        return UNKNOWN
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    return UNKNOWN


def _not(value):
    truth = _truthy(value)
    return UNKNOWN if truth is UNKNOWN else not truth


class _Evaluator:
    def __init__(self, event: str):
        self.event = event

    def eval(self, node):
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, (Context, Access)):
            path = path_of(node)
            if path is None or "*" in path.split("."):
                return UNKNOWN
            return _fork_value(path, self.event)
        if isinstance(node, Not):
            return _not(self.eval(node.operand))
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        return UNKNOWN

    def binary(self, node: Binary):
        if node.op == "&&":
            left = self.eval(node.left)
            truth = _truthy(left)
            if truth is False:
                return left
            right = self.eval(node.right)
            if truth is True:
                return right
            return False if _truthy(right) is False else UNKNOWN
        if node.op == "||":
            left = self.eval(node.left)
            truth = _truthy(left)
            if truth is True:
                return left
            right = self.eval(node.right)
            if truth is False:
                return right
            return True if _truthy(right) is True else UNKNOWN
        left, right = self.eval(node.left), self.eval(node.right)
        if node.op == "==":
            return _equal(left, right)
        if node.op == "!=":
            return _not(_equal(left, right))
        return UNKNOWN

    def call(self, node: Call):
        name, args = node.name, node.args
        if name in ("success", "always"):
            return True
        if name in ("failure", "cancelled"):
            return UNKNOWN
        values = [self.eval(arg) for arg in args]
        if name == "fromjson" and len(values) == 1 and isinstance(values[0], str):
            try:
                import json

                return json.loads(values[0])
            except ValueError:
                return UNKNOWN
        if name in ("startswith", "endswith") and len(values) == 2:
            return _affix(name, values[0], values[1])
        if name == "contains" and len(values) == 2:
            return _contains(values[0], values[1])
        return UNKNOWN


def _affix(name: str, subject, affix):
    if not isinstance(affix, str):
        return UNKNOWN
    affix = affix.lower()
    if isinstance(subject, _Prefixed) and name == "startswith":
        if affix.startswith(subject.prefix) or subject.prefix.startswith(affix):
            return True if subject.prefix.startswith(affix) else UNKNOWN
        return False
    if isinstance(subject, str):
        subject = subject.lower()
        return subject.startswith(affix) if name == "startswith" else subject.endswith(affix)
    if subject is None:
        return affix == ""
    return UNKNOWN


def _contains(haystack, needle):
    if haystack is UNKNOWN or needle is UNKNOWN:
        return UNKNOWN
    if isinstance(haystack, list):
        verdicts = [_equal(item, needle) for item in haystack]
        if True in verdicts:
            return True
        return UNKNOWN if UNKNOWN in verdicts else False
    if isinstance(haystack, str) and isinstance(needle, str):
        return needle.lower() in haystack.lower()
    return UNKNOWN


def condition_body(node) -> str | None:
    """The expression of an `if:` value (with or without `${{ }}`), or None when the value is
    not a single expression (a template string, a mapping ...)."""
    if not isinstance(node, Scalar):
        return None
    value = node.value.strip()
    if "${{" not in value:
        return value or None
    found = find_expressions(value)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(value):
        return found[0].body
    return None


def can_run(condition, event: str) -> bool:
    """Can an `if:` condition (node, or None for no condition) be true when `event` was started
    by an outsider from a fork? False only when it is certainly false."""
    return _may_be_true(condition, lambda: _Evaluator(event))


def _may_be_true(condition, evaluator) -> bool:
    """False only when the condition is certainly false under the evaluator's assumptions."""
    if condition is None:
        return True
    if isinstance(condition, Scalar) and condition.as_bool() is False:
        return False
    body = condition_body(condition)
    if body is None:
        return True
    try:
        return _truthy(evaluator().eval(parse(body))) is not False
    except (ParseError, RecursionError):
        return True


def calls_status_function(condition) -> bool:
    body = condition_body(condition)
    if body is None:
        return False
    try:
        tree = parse(body)
    except (ParseError, RecursionError):
        return False
    return _has_call(tree, STATUS_FUNCTIONS)


def _has_call(node, names) -> bool:
    if isinstance(node, Call):
        if node.name in names:
            return True
        return any(_has_call(arg, names) for arg in node.args)
    if isinstance(node, Access):
        return _has_call(node.target, names) or (not isinstance(node.key, (Literal, Star)) and _has_call(node.key, names))
    if isinstance(node, Not):
        return _has_call(node.operand, names)
    if isinstance(node, Binary):
        return _has_call(node.left, names) or _has_call(node.right, names)
    return False


def job_can_run(job, event: str) -> bool:
    """Can the job run when `event` was started by an outsider from a fork (its `if:` and the
    jobs it needs)?"""
    if job is None:
        return True
    from .model import fold_needs, memo_of

    def combine(current, needed: list) -> bool:
        if not can_run(current.if_, event):
            return False
        return calls_status_function(current.if_) or all(value for _, job, value in needed if job is not None)

    return fold_needs(job, combine, memo_of(job.workflow, ("job_can_run", event)), True)


def step_can_run(step, event: str) -> bool:
    """Can the step run in that scenario (its `if:` and its job's)?"""
    return can_run(step.if_, event) and job_can_run(step.job, event)


# --- Any event, not only a fork's (added for the deploy-practice rules) ---------------------------
# `can_run` assumes an outsider's fork. `can_run_when` asks the plainer question "can this run
# for that event at all?", e.g. for a pull request from a branch of the repository itself, or a
# `workflow_run` whose CI run failed: only the event name, what the event implies, and the
# paths the caller fixes are known; everything else (the author, the fork, labels) is unknown.

_PR_REF_EVENTS = frozenset(("pull_request", "pull_request_review", "pull_request_review_comment"))


def _event_value(path: str, event: str, known: dict):
    if path in known:
        return known[path]
    if path == "github.event_name":
        return event
    if path == "github.ref_type":
        return "branch" if event in PR_EVENTS else UNKNOWN
    if path == "github.ref":
        if event in _PR_REF_EVENTS:
            return _Prefixed("refs/pull/")
        return _Prefixed("refs/heads/") if event == "pull_request_target" else UNKNOWN
    if path == "github.ref_name" and event in _PR_REF_EVENTS:
        return "0/merge"  # `<number>/merge`: never a branch or tag name
    if path.startswith("github.event.pull_request.") or path == "github.event.pull_request":
        if event not in PR_EVENTS:
            return None
        return False if path == "github.event.pull_request.merged" else UNKNOWN
    if path.startswith("github.event.workflow_run.") or path == "github.event.workflow_run":
        return None if event != "workflow_run" else UNKNOWN
    return UNKNOWN


class _EventEvaluator(_Evaluator):
    def __init__(self, event: str, known: dict):
        super().__init__(event)
        self.known = known

    def eval(self, node):
        if isinstance(node, (Context, Access)):
            path = path_of(node)
            if path is None or "*" in path.split("."):
                return UNKNOWN
            return _event_value(path, self.event, self.known)
        return super().eval(node)


def can_run_when(condition, event: str, known: dict | None = None) -> bool:
    """Can an `if:` condition (node, or None) be true when `event` started the workflow?
    `known` fixes context paths (`{"github.event.workflow_run.conclusion": "failure"}`); an
    unmerged pull request is assumed for the pull request events. False only when the condition
    is certainly false."""
    return _may_be_true(condition, lambda: _EventEvaluator(event, dict(known or {})))


def job_can_run_when(job, event: str, known: dict | None = None) -> bool:
    """`can_run_when` for a job: its `if:` and, through `needs:`, the jobs it waits for (a job
    is skipped when a job it needs is skipped, unless its condition calls `always()`,
    `failure()` or `cancelled()`)."""
    if job is None:
        return True
    from .model import fold_needs, memo_of

    def combine(current, needed: list) -> bool:
        if not can_run_when(current.if_, event, known):
            return False
        return calls_status_function(current.if_) or all(value for _, job, value in needed if job is not None)

    key = ("job_can_run_when", event, tuple(sorted((known or {}).items())))
    return fold_needs(job, combine, memo_of(job.workflow, key), True)
