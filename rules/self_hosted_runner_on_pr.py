from __future__ import annotations

import json
import re

from cicdlint.conditions import job_can_run
from cicdlint.expressions import Access, Binary, Call, Literal, Not, find_expressions
from cicdlint.model import as_map, as_seq
from cicdlint.rule import Issue, rule
from cicdlint.triggers import fork_pr_triggers
from cicdlint.yamlpos import Map, Scalar, Seq

SELF_HOSTED = "self-hosted"


@rule(
    id="self-hosted-runner-on-pr",
    kinds=("workflow",),
    severity="warning",
    summary="A job that pull requests from forks can start runs on a self-hosted runner",
    tags=("security", "runner"),
    security_severity=8.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds jobs that run on a self-hosted runner in a workflow that pull requests from forks can
    start (`pull_request`, `pull_request_review`, `pull_request_review_comment`,
    `pull_request_target`):

    - `runs-on: self-hosted`, a label list containing `self-hosted`
      (`runs-on: [self-hosted, linux, x64]`), or `runs-on: {labels: [self-hosted, ...]}`;
    - `runs-on: ${{ matrix.runner }}` where the matrix (values or `include:` entries) names
      `self-hosted`;
    - with medium confidence, an expression that can yield `self-hosted`
      (`${{ github.repository == 'org/repo' && 'self-hosted' || 'ubuntu-latest' }}`) and
      runner groups (`runs-on: {group: gpu-runners}`, or `group: ${{ matrix.runner }}` with the
      group names written in the matrix), which usually hold self-hosted runners but may hold
      GitHub's larger runners.

    Under `pull_request_target` it is an error (the job has the repository's secrets on that
    machine), under the other events a warning. Other custom labels (`runs-on: gpu-box`) are
    not reported: nothing in the file says whether they are self-hosted or GitHub's larger
    runners. Jobs whose `if:` keeps fork pull requests out
    (`github.event.pull_request.head.repo.full_name == github.repository`,
    `github.event_name == 'push'`, `github.ref == 'refs/heads/main'`), or that need such a job,
    are not reported; jobs that wait for a maintainer (an `author_association` or label
    condition) get low confidence. Runner groups named like GitHub's larger runners
    ("Default Larger Runners") and expressions that switch on `github.repository` (a private
    copy of the repository uses self-hosted runners) are not reported.

    ## Why is this bad?
    In a public repository anyone can open a pull request from a fork, and `pull_request`
    workflows run the fork's code, on your runner. A self-hosted runner is not a fresh
    virtual machine: the attacker's code can install a backdoor that stays for later jobs
    (which may deploy or hold secrets), read credentials left on the machine, or reach the
    internal network it sits in. GitHub advises against self-hosted runners for public
    repositories unless they are ephemeral and isolated.

    ## Example
    ```yaml
    on: pull_request
    jobs:
      test:
        runs-on: [self-hosted, linux, gpu]
        steps:
          - uses: actions/checkout@v4
          - run: make test-gpu
    ```

    ## Use instead
    ```yaml
    on: pull_request
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: make test
      test-gpu:
        # only for branches of this repository, never for forks
        if: github.event.pull_request.head.repo.full_name == github.repository
        runs-on: [self-hosted, linux, gpu]
        steps:
          - uses: actions/checkout@v4
          - run: make test-gpu
    ```
    Run fork pull requests on GitHub-hosted runners. If they need special hardware, use
    ephemeral runners (a new, isolated machine per job, e.g. actions-runner-controller or
    just-in-time runners), require approval for all outside contributors, and keep runners
    that deploy or hold credentials in a separate runner group that pull request jobs cannot use.
    """
    workflow = ctx.workflow
    events = fork_pr_triggers(workflow)
    if not events:
        return
    for job in workflow.jobs:
        if job.uses is not None:
            continue
        found = _self_hosted(job)
        if found is None:
            continue
        node, how, confidence = found
        reachable = [event for event in events if job_can_run(job, event)]
        if not reachable:
            continue
        if "pull_request_target" in reachable:
            event, severity = "pull_request_target", "error"
            risk = (
                "runs with the repository's secrets and a write token on that machine for pull "
                "requests from forks, so anything the pull request gets to run there can steal them "
                "and stay on the runner"
            )
        else:
            event, severity = reachable[0], "warning"
            risk = (
                "runs the fork's code on that machine; in a public repository anyone can open such a "
                "pull request, and their code can stay on the runner to attack later jobs"
            )
        message = (
            f"Run job '{job.id}' on a GitHub-hosted runner, or on ephemeral, isolated self-hosted "
            f"runners, when a fork's pull request can start it. It runs on {how}, and under {event} "
            f"it {risk}."
        )
        condition = job.if_.value if isinstance(job.if_, Scalar) else ""
        if any(gate in condition for gate in ("author_association", ".labels", "github.event.label.name")):
            message += " (The job waits for a maintainer's comment or label, which lowers the risk.)"
            confidence = "low"
        yield Issue(node, message, severity=severity, confidence=confidence)


def _self_hosted(job):
    """(node, description, confidence) when the job runs on a self-hosted runner, else None."""
    runs_on = job.runs_on
    if isinstance(runs_on, Scalar):
        return _from_scalar(job, runs_on)
    if isinstance(runs_on, Seq):
        for item in runs_on.items:
            if isinstance(item, Scalar):
                found = _from_scalar(job, item)
                if found is not None:
                    return found
        return None
    if isinstance(runs_on, Map):
        labels = runs_on.get("labels")
        for item in ([labels] if isinstance(labels, Scalar) else as_seq(labels)):
            if isinstance(item, Scalar):
                found = _from_scalar(job, item)
                if found is not None:
                    return found
        group = runs_on.get("group")
        if isinstance(group, Scalar) and group.value.strip():
            found = _from_scalar(job, group, group=True)
            if found is not None:
                return found
            if "${{" not in group.value and "larger" not in group.value.lower():
                return group, f"the runner group '{group.value}' (runner groups usually hold self-hosted runners)", "medium"
            names = _matrix_groups(job, group.value)
            if names:
                return group, f"the runner groups {names} of the matrix (runner groups usually hold self-hosted runners)", "medium"
    return None


def _matrix_groups(job, value: str) -> str | None:
    """`group: ${{ matrix.<key> }}`: the group names the matrix writes, when all are literal and
    some is not one of GitHub's larger runner groups."""
    match = re.fullmatch(r"\$\{\{\s*matrix\.([\w.-]+)\s*\}\}", value.strip())
    strategy = as_map(job.node.get("strategy")) if match else None
    matrix = as_map(strategy.get("matrix")) if strategy else None
    if matrix is None:
        return None
    parts = match.group(1).split(".")
    values = list(as_seq(matrix.get(parts[0]))) if isinstance(matrix.get(parts[0]), Seq) else []
    for entry in as_seq(matrix.get("include")):
        if isinstance(entry, Map) and entry.get(parts[0]) is not None:
            values.append(entry.get(parts[0]))
    leaves = [leaf for value in values for leaf in _follow(value, parts[1:])]
    if not leaves or not all(isinstance(leaf, Scalar) and "${{" not in leaf.value for leaf in leaves):
        return None
    names = sorted({leaf.value.strip() for leaf in leaves if "larger" not in leaf.value.lower() and leaf.value.strip()})
    return ", ".join(f"'{name}'" for name in names) if names else None


def _from_scalar(job, node: Scalar, group: bool = False):
    value = node.value.strip()
    if value.lower() == SELF_HOSTED and not group:
        return node, "a self-hosted runner (`self-hosted`)", "high"
    if "${{" not in value:
        return None
    for expression in find_expressions(value):
        for path in expression.flowing_contexts():
            if path.startswith("matrix."):
                label = _matrix_self_hosted(job, path.split(".", 1)[1])
                if label is not None:
                    return node, f"a self-hosted runner (the matrix value {label})", "high"
        if any(path in ("github.repository", "github.repository_owner") for path in expression.contexts()):
            continue  # a switch between this repository and a private copy of it
        if any(_literal_names_self_hosted(literal) for literal in _literals(expression.tree)):
            return node, "a self-hosted runner when the expression yields 'self-hosted'", "medium"
    return None


def _literal_names_self_hosted(literal: str) -> bool:
    """'self-hosted', or a JSON list for fromJSON() that contains it."""
    if literal == SELF_HOSTED:
        return True
    if literal.startswith("["):
        try:
            labels = json.loads(literal)
        except ValueError:
            return False
        return isinstance(labels, list) and any(str(label).strip().lower() == SELF_HOSTED for label in labels)
    return False


def _literals(tree) -> list[str]:
    found = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Literal) and isinstance(node.value, str):
            found.append(node.value.strip().lower())
        elif isinstance(node, Binary):
            stack.extend((node.left, node.right))
        elif isinstance(node, Call):
            stack.extend(node.args)
        elif isinstance(node, Not):
            stack.append(node.operand)
        elif isinstance(node, Access):
            stack.append(node.target)
    return found


def _matrix_self_hosted(job, key: str) -> str | None:
    """How the matrix names `self-hosted` for `matrix.<key>` (`runner: [self-hosted, ...]`,
    an `include:` entry, or a nested field such as `matrix.config.runner`), or None."""
    strategy = as_map(job.node.get("strategy"))
    matrix = as_map(strategy.get("matrix")) if strategy else None
    if matrix is None:
        return None
    parts = key.split(".")
    values = []
    dimension = matrix.get(parts[0])
    values.extend(as_seq(dimension) if isinstance(dimension, Seq) else [])
    for entry in as_seq(matrix.get("include")):
        if isinstance(entry, Map) and entry.get(parts[0]) is not None:
            values.append(entry.get(parts[0]))
    for value in values:
        for leaf in _follow(value, parts[1:]):
            if _names_self_hosted(leaf):
                return f"`{key}: {SELF_HOSTED}`"
    return None


def _follow(node, parts):
    for part in parts:
        node = node.get(part) if isinstance(node, Map) else None
        if node is None:
            return []
    return [node]


def _names_self_hosted(node) -> bool:
    if isinstance(node, Scalar):
        return node.value.strip().lower() == SELF_HOSTED
    if isinstance(node, Seq):
        return any(isinstance(item, Scalar) and item.value.strip().lower() == SELF_HOSTED for item in node.items)
    if isinstance(node, Map):
        labels = node.get("labels")
        return _names_self_hosted(labels) if labels is not None else False
    return False

