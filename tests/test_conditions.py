"""cicdlint.conditions: can an `if:` be true when an outsider starts the workflow from a fork?"""
from __future__ import annotations

import pytest

from cicdlint.conditions import can_run
from cicdlint.yamlpos import Scalar


def _can(condition: str, event: str) -> bool:
    return can_run(Scalar(condition, None, 0, 0), event)


@pytest.mark.parametrize(
    "condition, event, expected",
    [
        ("github.event_name == 'push'", "pull_request", False),
        ("github.event_name != 'pull_request'", "pull_request", False),
        ("${{ github.event_name == 'pull_request' }}", "pull_request", True),
        ("github.ref == 'refs/heads/main'", "pull_request", False),
        ("github.ref == 'refs/heads/main'", "pull_request_target", True),  # the base branch
        ("startsWith(github.ref, 'refs/tags/')", "pull_request_target", False),
        ("github.ref_type == 'tag'", "pull_request", False),
        ("github.event.pull_request.head.repo.full_name == github.repository", "pull_request", False),
        ("github.repository == github.event.pull_request.head.repo.full_name", "pull_request_target", False),
        ("github.event.pull_request.head.repo.full_name == 'org/repo'", "pull_request_target", False),
        ("github.event.pull_request.head.repo.full_name != github.repository", "pull_request", True),
        ("!github.event.pull_request.head.repo.fork", "pull_request_target", False),
        ("github.event.pull_request.head.repo.fork == false", "pull_request_target", False),
        ("github.event.pull_request.merged == true", "pull_request_target", False),
        ("github.event.pull_request.head.repo.full_name == github.repository", "issue_comment", False),
        ("github.event.workflow_run.event == 'push'", "workflow_run", False),
        ("github.event.workflow_run.event == 'pull_request'", "workflow_run", True),
        ("github.event.workflow_run.head_repository.full_name == github.repository", "workflow_run", False),
        ("contains(github.event.pull_request.labels.*.name, 'ok-to-test')", "pull_request_target", True),
        ("contains(fromJSON('[\"push\", \"schedule\"]'), github.event_name)", "pull_request", False),
        ("github.repository == 'org/repo'", "pull_request", True),
        ("always() && github.event_name == 'pull_request'", "pull_request", True),
        ("github.event_name == 'push' || github.event_name == 'pull_request'", "pull_request", True),
        ("false", "pull_request", False),
        ("not an expression (", "pull_request", True),
        ("${{ github.event_name }} == push", "pull_request", True),  # a template string: always truthy
    ],
)
def test_can_run(condition, event, expected):
    assert _can(condition, event) is expected


def test_no_condition_runs():
    assert can_run(None, "pull_request") is True
