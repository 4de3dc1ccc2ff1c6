"""The expression index and the checks the expression rules share: GitHub's lexer rules, node
positions, where contexts are available, payload paths, and odd shapes that must not raise."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cicdlint import exprcheck
from cicdlint.config import Settings
from cicdlint.engine import Linted, lint_file, load_rules
from cicdlint.expressions import Access, Call, Literal, analyse, located, parse, ParseError
from cicdlint.loaders import load

RULES = (
    "expression-syntax", "expression-function", "expression-context", "unknown-property", "unknown-event-property",
    "undefined-step", "undefined-needs", "undefined-job-output", "undefined-matrix-key", "undefined-input",
    "invalid-variable-name", "expression-type",
)


def _write(tmp_path: Path, text: str, name: str = ".github/workflows/ci.yml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _findings(path: Path, *rules: str):
    load_rules()
    settings = Settings(select=list(rules or RULES), root=path.parent)
    findings, _, _ = lint_file(path, path.name, True, settings)
    return findings


class _Ctx:
    def __init__(self, doc):
        linted = Linted(doc)
        self.workflow, self.action = linted.workflow, linted.action


def _index(path: Path):
    doc = load(path, str(path), True)
    return exprcheck.index(doc, _Ctx(doc))


# --- GitHub's lexer -----------------------------------------------------------------------------


@pytest.mark.parametrize("body, value", [
    ("1.", 1.0), (".5", 0.5), ("+2", 2), ("-Infinity", float("-inf")), ("0b101", 5), ("0o17", 15), ("0x1F", 31),
])
def test_numbers_javascript_accepts(body, value):
    assert parse(body) == Literal(value)


@pytest.mark.parametrize("body, offset, length", [
    ("a = 1", 2, 1), ("a & b", 2, 1), ("a + b", 2, 1), ("'abc'.length", 5, 1), ("1.2.3", 0, 5),
    ('"x"', 0, 3), ("'open", 0, 5), ("a.", 2, 0), ("a ? b : c", 2, 1), ("github.event.commits.0.x", 21, 3),
])
def test_errors_carry_their_position(body, offset, length):
    error = located(body).error
    assert isinstance(error, ParseError)
    assert (error.offset, error.length) == (offset, length)


def test_node_positions():
    body = "contains(github.event.pull_request.labels.*.name, 'bug')"
    parsed = located(body)
    call = parsed.tree
    assert isinstance(call, Call)
    assert parsed.key_span(call) == (0, 8)
    access = call.args[0]
    assert isinstance(access, Access)
    start, end = parsed.key_span(access)
    assert body[start:end] == "name"
    assert body[slice(*parsed.span(access))] == "github.event.pull_request.labels.*.name"


def test_analysis_shares_the_located_tree():
    body = "github.event.issue.title || inputs.x"
    assert analyse(body).tree is located(body).tree


# --- format strings ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, indexes", [
    ("{0}", {0}), ("{{0}}", set()), ("{{{0}}}", {0}), ("{0}}}", {0}), ("a {1} {0} {1}", {0, 1}), ("none", set()),
])
def test_format_placeholders(text, indexes):
    assert exprcheck.format_placeholders(text) == (indexes, None)


@pytest.mark.parametrize("text", ["{", "}", "{}", "{a}", "{0:x}", "x } y"])
def test_invalid_format_strings(text):
    found, why = exprcheck.format_placeholders(text)
    assert found is None and why


# --- the index -----------------------------------------------------------------------------------


def test_sites_know_their_key_job_step_and_contexts(tmp_path):
    path = _write(tmp_path, """\
        on: push
        jobs:
          build:
            if: github.ref == 'refs/heads/main'
            runs-on: ${{ matrix.os }}
            steps:
              - run: echo ${{ github.sha }}
              - if: success()
                with: {a: "${{ env.X }}"}
        """)
    sites = {site.key: site for site in _index(path).sites}
    assert set(sites) == {"jobs.<job_id>.if", "jobs.<job_id>.runs-on", "jobs.<job_id>.steps.run",
                          "jobs.<job_id>.steps.if", "jobs.<job_id>.steps.with"}
    job_if = sites["jobs.<job_id>.if"]
    assert job_if.condition and job_if.job.id == "build" and job_if.step is None
    assert job_if.allowed.names == {"github", "inputs", "vars", "needs"}
    assert set(job_if.allowed.functions) == {"always", "failure", "cancelled", "success"}
    assert job_if.pieces[0].body == "github.ref == 'refs/heads/main'"
    assert sites["jobs.<job_id>.steps.if"].step_index == 1
    assert "hashfiles" in sites["jobs.<job_id>.steps.run"].allowed.functions
    assert "secrets" not in sites["jobs.<job_id>.steps.if"].allowed.names


def test_keys_are_never_expressions(tmp_path):
    path = _write(tmp_path, """\
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            env:
              "${{ 'KEY' }}": value
            steps: [{run: echo}]
        """)
    assert _index(path).sites == []


def test_an_alias_is_checked_in_each_job_that_uses_it(tmp_path):
    path = _write(tmp_path, """\
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            strategy: {matrix: {os: [x]}}
            steps:
              - &step {run: "echo ${{ matrix.os }}"}
          b:
            runs-on: ubuntu-latest
            steps:
              - *step
        """)
    findings = _findings(path, "undefined-matrix-key")
    assert len(findings) == 1 and "job 'b'" in findings[0].message


def test_tables_load_lazily_and_once():
    exprcheck._table.cache_clear()
    first = exprcheck._table("expression-contexts.json")
    assert exprcheck._table("expression-contexts.json") is first
    assert "workflow" in first and "action" in first


# --- payloads ------------------------------------------------------------------------------------


def test_a_path_in_one_of_the_events_is_accepted(tmp_path):
    path = _write(tmp_path, """\
        on: [push, release]
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo ${{ github.event.release.tag_name }} ${{ github.event.head_commit.id }}
        """)
    assert _findings(path, "unknown-event-property") == []


def test_a_path_in_none_of_the_events_is_reported_at_the_wrong_segment(tmp_path):
    path = _write(tmp_path, """\
        on: [push, release]
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo ${{ github.event.release.tag_nam }}
        """)
    (finding,) = _findings(path, "unknown-event-property")
    assert (finding.span.start_line, finding.span.start_col) == (6, 44)
    assert "`github.event.release.tag_name`" in finding.message


# --- hostile input -------------------------------------------------------------------------------

ODD = [
    "on: 5\njobs: [1, 2]\n",
    "on: {push: [1]}\njobs: {a: 1, b: [x], c: {steps: 'run'}}\n",
    "on: push\njobs:\n  a:\n    needs: {x: 1}\n    strategy: [1]\n    steps: [1, [2], {run: '${{ needs.x.y }}'}]\n",
    "on: push\njobs:\n  a:\n    strategy: {matrix: [1]}\n    outputs: [1]\n    runs-on: '${{ matrix.os }}'\n"
    "    steps:\n      - id: [x]\n        run: '${{ steps.x.outputs.y }}'\n",
    "on:\n  workflow_dispatch: {inputs: [1]}\n  workflow_call: 3\njobs:\n  a:\n    steps:\n"
    "      - run: '${{ inputs.x }} ${{ github.event.inputs.y }}'\n",
    "jobs:\n  a:\n    steps:\n      - run: '${{ ' + '(' * 3000 + ' }}'\n",
    "on: push\njobs:\n  a:\n    steps:\n      - run: '" + "${{ github.sha }}" * 2000 + "'\n",
    "on: push\njobs:\n  a:\n    steps:\n      - {parallel: [1, {id: 3}], run: '${{ steps.x.y }}'}\n",
]


@pytest.mark.parametrize("text", ODD)
def test_odd_shapes_never_raise(tmp_path, text):
    path = tmp_path / ".github" / "workflows" / "odd.yml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    assert not [f for f in _findings(path) if f.rule_id == "internal-error"]


def test_odd_action_never_raises(tmp_path):
    path = tmp_path / "action.yml"
    path.write_text("name: x\ninputs: 3\nruns:\n  using: composite\n  steps: '${{ inputs.x }}'\n", encoding="utf-8")
    assert not [f for f in _findings(path) if f.rule_id == "internal-error"]


def test_many_jobs_stay_linear(tmp_path):
    jobs = "".join(
        f"  job{i}:\n    needs: [job{i - 1}]\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - run: echo ${{{{ needs.job{i - 1}.outputs.x }}}} ${{{{ steps.s.outputs.y }}}}\n"
        for i in range(1, 1500)
    )
    path = _write(tmp_path, "on: push\njobs:\n  job0:\n    runs-on: ubuntu-latest\n    steps: [{run: echo}]\n" + jobs)
    findings = _findings(path, "undefined-step", "undefined-job-output")
    assert len(findings) == 2 * 1499
