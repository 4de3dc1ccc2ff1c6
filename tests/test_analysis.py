"""Context trust levels, triggers and effective token permissions."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cicdlint import permissions, triggers
from cicdlint.contexts import classify, is_safe, is_untrusted, matrix_is_static
from cicdlint.loaders import Document
from cicdlint.model import Workflow
from cicdlint.yamlpos import Map, Scalar, compose


def workflow(text: str) -> Workflow:
    text = textwrap.dedent(text)
    doc = Document(path="ci.yml", abspath=Path("ci.yml"), text=text, composed=compose(text), kind="workflow")
    return Workflow(doc)


# --- contexts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "github.event.issue.title",
        "github.event.issue.body",
        "github.event.pull_request.title",
        "github.event.comment.body",
        "github.event.review.body",
        "github.event.review_comment.body",
        "github.event.pages.*.page_name",
        "github.event.commits.*.message",
        "github.event.commits.*.author.email",
        "github.event.head_commit.message",
        "github.event.head_commit.author.name",
        "github.event.pull_request.head.ref",
        "github.event.pull_request.head.label",
        "github.event.pull_request.head.repo.default_branch",
        "github.head_ref",
        "github.event.workflow_run.head_branch",
        "github.event.workflow_run.head_commit.message",
        "github.event.workflow_run.pull_requests.*.head.ref",
        "github.event.discussion.title",
        "github.Event.Issue.Title",  # contexts are case-insensitive
        "github.event.some_new_thing.body",  # free-text leaf of an unlisted event field
    ],
)
def test_untrusted(path):
    level, reason = classify(path)
    assert level == "untrusted", reason
    assert reason
    assert is_untrusted(path)


@pytest.mark.parametrize(
    "path",
    ["github", "github.event", "github.event.issue", "github.event.pull_request.head", "github.event.*"],
)
def test_objects_holding_untrusted_text_are_untrusted(path):
    level, reason = classify(path)
    assert level == "untrusted"
    assert reason.startswith("an object that contains")


@pytest.mark.parametrize(
    "path",
    [
        "github.sha", "github.run_id", "github.run_number", "github.repository", "github.repository_owner",
        "github.event_name", "github.actor", "github.workspace", "runner.os", "runner.temp",
        "secrets.NPM_TOKEN", "secrets", "vars.REGION", "matrix.node", "job.status", "strategy.job-index",
        "steps.test.outcome", "steps.test.conclusion", "needs.build.result",
        "github.event.pull_request.number", "github.event.pull_request.head.sha", "github.event.issue.number",
        "github.event.pull_request.user.login", "github.event.sender.login", "github.event.repository.full_name",
        "github.event.pull_request.merged", "github.event.workflow_run.id", "github.event.workflow_run.conclusion",
        "github.event.pull_request.head.repo.full_name", "github.event.pull_request.base.ref",
    ],
)
def test_safe(path):
    level, reason = classify(path)
    assert level == "safe", reason
    assert is_safe(path)


@pytest.mark.parametrize(
    "path",
    [
        "inputs.version", "inputs", "github.event.inputs.tag", "github.event.client_payload.sha",
        "steps.meta.outputs.tags", "needs.setup.outputs.matrix", "env.BRANCH", "github.ref_name", "github.ref",
        "github.event.release.body", "github.event.label.name", "github.event.pull_request.labels.*.name",
        "github.event.pull_request.milestone.title", "github.event.issue.labels.*.description",
        "github.event.whatever", "github.something_new", "unknown.context",
    ],
)
def test_unknown(path):
    level, reason = classify(path)
    assert level == "unknown", (level, reason)
    assert reason


def test_matrix_is_static():
    wf = workflow(
        """\
        on: push
        jobs:
          static:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                os: [ubuntu-latest, windows-latest]
                include:
                  - os: macos-latest
          dynamic:
            runs-on: ubuntu-latest
            strategy:
              matrix: ${{ fromJSON(needs.setup.outputs.matrix) }}
          mixed:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                os: [ubuntu-latest]
                target: ${{ fromJSON(inputs.targets) }}
          none:
            runs-on: ubuntu-latest
        """
    )
    static, dynamic, mixed, none = wf.jobs
    assert matrix_is_static(static)
    assert matrix_is_static(static, "os")
    assert not matrix_is_static(dynamic)
    assert not matrix_is_static(dynamic, "os")
    assert matrix_is_static(mixed, "os")
    assert not matrix_is_static(mixed, "target")
    assert not matrix_is_static(mixed)
    assert matrix_is_static(none)


# --- triggers -----------------------------------------------------------------------------------


def test_trigger_forms():
    assert triggers.events(workflow("on: push\njobs: {}\n")) == ["push"]
    assert triggers.events(workflow("on: [push, pull_request]\njobs: {}\n")) == ["push", "pull_request"]
    wf = workflow(
        """\
        on:
          pull_request_target:
            types: [labeled]
          issue_comment:
        jobs: {}
        """
    )
    assert triggers.events(wf) == ["pull_request_target", "issue_comment"]
    assert triggers.activity_types(wf, "pull_request_target") == ["labeled"]
    assert triggers.activity_types(wf, "issue_comment") is None
    key = triggers.trigger_key(wf, "issue_comment")
    assert isinstance(key, Scalar) and key.value == "issue_comment"
    assert triggers.trigger_key(wf, "push") is None


def test_trigger_key_in_string_and_list_forms():
    wf = workflow("on: pull_request_target\njobs: {}\n")
    assert triggers.trigger_key(wf, "pull_request_target").value == "pull_request_target"
    wf = workflow("on: [push, workflow_run]\njobs: {}\n")
    assert triggers.trigger_key(wf, "workflow_run").value == "workflow_run"
    assert triggers.trigger_config(wf, "workflow_run") is None


def test_odd_on_shapes_do_not_raise():
    for text in ("jobs: {}\n", "on:\njobs: {}\n", "on: ${{ x }}\njobs: {}\n", "on: {push: [1]}\njobs: {}\n"):
        wf = workflow(text)
        triggers.privileged_triggers(wf)
        triggers.activity_types(wf, "push")
        triggers.input_type(wf, "x")


@pytest.mark.parametrize(
    "event", ["pull_request_target", "workflow_run", "issue_comment", "issues", "discussion", "discussion_comment"]
)
def test_privileged_events(event):
    assert triggers.is_privileged_trigger(event)
    assert triggers.describe(event)


@pytest.mark.parametrize(
    "event", ["push", "pull_request", "pull_request_review", "workflow_dispatch", "schedule", "workflow_call"]
)
def test_unprivileged_events(event):
    assert not triggers.is_privileged_trigger(event)


def test_fork_and_outsider_triggers():
    wf = workflow("on: [push, pull_request, pull_request_target, issue_comment, schedule]\njobs: {}\n")
    assert triggers.fork_pr_triggers(wf) == ["pull_request", "pull_request_target"]
    assert triggers.privileged_triggers(wf) == ["pull_request_target", "issue_comment"]
    assert triggers.untrusted_code_can_reach(wf) == ["pull_request", "pull_request_target", "issue_comment"]
    assert triggers.untrusted_code_can_reach(workflow("on: [push, workflow_dispatch]\njobs: {}\n")) == []


def test_privilege_of_a_workflow():
    assert triggers.privilege(workflow("on: [push, workflow_run]\njobs: {}\n")) == "privileged"
    assert triggers.privilege(workflow("on: workflow_call\njobs: {}\n")) == "unknown"
    assert triggers.is_reusable(workflow("on: {workflow_call: {inputs: {}}}\njobs: {}\n"))
    assert triggers.privilege(workflow("on: [push, pull_request]\njobs: {}\n")) == "unprivileged"


def test_input_types():
    wf = workflow(
        """\
        on:
          workflow_dispatch:
            inputs:
              environment:
                type: choice
                options: [staging, production]
              tag:
                description: Tag to deploy
          workflow_call:
            inputs:
              dry-run:
                type: boolean
        jobs: {}
        """
    )
    assert triggers.input_type(wf, "environment") == "choice"
    assert triggers.input_type(wf, "tag") == "string"
    assert triggers.input_type(wf, "dry-run") == "boolean"
    assert triggers.input_type(wf, "missing") is None
    assert isinstance(triggers.input_node(wf, "tag"), Map)


# --- permissions --------------------------------------------------------------------------------


PERMISSIONS = """\
    on: push
    permissions:
      contents: read
      pull-requests: write
    jobs:
      inherits:
        runs-on: ubuntu-latest
        steps: [{run: make}]
      overrides:
        runs-on: ubuntu-latest
        permissions:
          id-token: write
          contents: read
        steps: [{run: make}]
      everything:
        runs-on: ubuntu-latest
        permissions: write-all
        steps: [{run: make}]
      reader:
        runs-on: ubuntu-latest
        permissions: read-all
        steps: [{run: make}]
      nothing:
        runs-on: ubuntu-latest
        permissions: {}
        steps: [{run: make}]
      typo:
        runs-on: ubuntu-latest
        permissions:
          content: write
          issues: admin
        steps: [{run: make}]
      odd:
        runs-on: ubuntu-latest
        permissions: read
        steps: [{run: make}]
    """


def test_job_inherits_workflow_permissions():
    wf = workflow(PERMISSIONS)
    perms = permissions.job_permissions(wf, wf.job("inherits"))
    assert perms.declared and perms.source == "workflow" and perms.valid
    assert perms.level("contents") == "read"
    assert perms.level("pull-requests") == "write"
    assert perms.level("issues") == "none"
    assert perms.write_scopes() == ["pull-requests"]
    assert permissions.has_write(perms, "pull-requests")
    assert not permissions.has_write(perms, "contents")
    assert perms.key.value == "permissions"
    assert perms.node_for("pull-requests").value == "write"
    assert perms.node_for("issues") is perms.node  # left out of the map: none, set by the map


def test_job_permissions_replace_the_workflow_ones():
    wf = workflow(PERMISSIONS)
    perms = permissions.job_permissions(wf, wf.job("overrides"))
    assert perms.source == "job"
    assert perms.level("pull-requests") == "none"
    assert permissions.id_token_write(perms)
    assert perms.write_scopes() == ["id-token"]


def test_shorthands_and_empty_map():
    wf = workflow(PERMISSIONS)
    everything = permissions.job_permissions(wf, wf.job("everything"))
    assert everything.shorthand == "write-all"
    assert everything.write_scopes() == list(permissions.SCOPES)
    assert permissions.id_token_write(everything)
    assert everything.node_for("contents") is everything.node
    reader = permissions.job_permissions(wf, wf.job("reader"))
    assert reader.shorthand == "read-all" and reader.write_scopes() == []
    assert reader.level("contents") == "read"
    nothing = permissions.job_permissions(wf, wf.job("nothing"))
    assert nothing.declared and nothing.write_scopes() == []
    assert nothing.level("contents") == "none"


def test_unknown_scopes_and_levels_are_kept_apart():
    wf = workflow(PERMISSIONS)
    perms = permissions.job_permissions(wf, wf.job("typo"))
    assert set(perms.bad_entries) == {"content", "issues"}
    assert perms.level("contents") == "none"
    assert perms.level("issues") == "none"


def test_invalid_permissions_value():
    wf = workflow(PERMISSIONS)
    perms = permissions.job_permissions(wf, wf.job("odd"))
    assert perms.declared and not perms.valid
    assert perms.level("contents") is None
    assert not permissions.has_write(perms, "contents")


def test_undeclared_permissions_use_the_repository_default():
    wf = workflow("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n")
    perms = permissions.job_permissions(wf, wf.job("build"))
    assert not perms.declared
    assert perms.source is None and perms.node is None
    assert perms.level("contents") is None
    assert not permissions.has_write(perms, "contents")
    assert permissions.may_write(perms, "contents")
    assert not permissions.may_write(perms, "id-token")
    assert not permissions.id_token_write(perms)


def test_model_properties():
    wf = workflow(
        """\
        on: push
        permissions: read-all
        jobs:
          build:
            if: github.event_name == 'push'
            runs-on: [self-hosted, linux]
            outputs:
              tag: ${{ steps.meta.outputs.tag }}
            permissions:
              contents: write
            steps:
              - id: meta
                if: success()
                run: echo tag=1 >> "$GITHUB_OUTPUT"
        """
    )
    job = wf.job("build")
    assert wf.permissions_node.value == "read-all"
    assert job.if_.value == "github.event_name == 'push'"
    assert job.runs_on.items[0].value == "self-hosted"
    assert "tag" in job.outputs
    assert isinstance(job.permissions, Map)
    assert job.steps[0].if_.value == "success()"
    assert workflow("on: push\njobs:\n  a:\n    steps: []\n").job("a").if_ is None
