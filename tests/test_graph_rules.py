"""The jobs graph, events, matrix, runner label and shell rules: shared logic (globs, cron,
Tarjan), hostile input, scale, and options that the fixtures (default options) cannot show."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from cicdlint import cron, jobgraph
from cicdlint.config import Settings
from cicdlint.engine import lint_file, load_rules
from cicdlint.filter_patterns import filter_match, glob_errors, has_wildcards
from cicdlint.runners import damerau

load_rules()

RULES = (
    "needs-unknown-job", "needs-cycle", "duplicate-needs", "invalid-id", "duplicate-id",
    "unknown-activity-type", "conflicting-filters", "invalid-glob", "invalid-schedule",
    "schedule-too-frequent", "workflow-run-unknown-workflow", "duplicate-matrix-value",
    "unmatched-matrix-exclude", "empty-matrix",
    "unknown-runner-label", "conflicting-runner-labels", "invalid-shell",
)


def _lint(tmp_path: Path, text: str, name: str = "ci.yml", rules=RULES, **settings):
    directory = tmp_path / ".github" / "workflows"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    findings, _, _ = lint_file(path, path.name, True, Settings(select=list(rules), root=tmp_path, **settings))
    return findings


# --- globs ---------------------------------------------------------------------------------------

GLOB_OK = ["a", "abc/def", "[ab]", "[a-z]", "[a-zA-Z_]", "[xA-Zy0-9z]", "[xy][A-Z][yz][0-9][zx]", "*", "**", "*/*",
           "*/**", "a?", "a+", r"\+", "\\\\", r"\!", r"foo\!bar", r"\++\\?", "[a-z]+", "[a-z]?", "*.*.*-**", "!a",
           "a!", "a!+", "a!?", "!*", "feature/*", "feature/**", "releases/mona-the-octcat", "*feature", "v2*",
           "v[12].[0-9]+.[0-9]+", ".foo.txt", "..foo.txt", "[x]"]
PATH_ONLY_OK = ["/foo", "/foo/", "/foo/bar", r"\[\?\*\+\\", "foo bar", "~/foo", "foo:bar", "foo^bar", "*.jsx?",
                "**.js", "docs/**/*.md", "**/docs/**", "**/README.md", "*/*-post.md", "**/migrate-*.sql", "!README.md"]
GLOB_BAD = ["", "!", "?", "*?", "a??", "+", "*+", "a++", "foo\nbar", "foo\rbar", "[]", "[", "[a", "[a-c", "[a-]",
            "[a-", "[b-a]", "!?", "!+"]
REF_BAD = ["/foo", "foo/", "foo.", r"\[\?\*", r"\d", "^foo-", " ", "a b", "a~1", "a:b"]


@pytest.mark.parametrize("pattern", GLOB_OK)
def test_glob_ok(pattern):
    assert glob_errors(pattern, ref=True) == []
    assert glob_errors(pattern, ref=False) == []


@pytest.mark.parametrize("pattern", PATH_ONLY_OK)
def test_glob_path_only_ok(pattern):
    assert glob_errors(pattern, ref=False) == []


@pytest.mark.parametrize("pattern", GLOB_BAD)
def test_glob_bad(pattern):
    assert glob_errors(pattern, ref=True)
    assert glob_errors(pattern, ref=False)


@pytest.mark.parametrize("pattern", REF_BAD)
def test_glob_ref_bad(pattern):
    assert glob_errors(pattern, ref=True)


def test_glob_errors_point_at_the_character():
    offsets = [offset for offset, _ in glob_errors("+?[][a-]*+\n[b", ref=True)]
    assert offsets == [0, 1, 2, 7, 9, 10, 11]
    assert [offset for offset, _ in glob_errors("/v\\d+/", ref=True)] == [0, 2, 5]
    assert glob_errors("./src/**", ref=False)[0][0] == -1


@pytest.mark.parametrize("pattern, text, expected", [
    (r"PR Check - C/C\+\+: x", "PR Check - C/C++: x", True),
    ("Build *", "Build and test", True),
    ("Build *", "Build a/b", False),
    ("Build **", "Build a/b", True),
    ("v[0-9]+.[0-9]+", "v12.3", True),
    ("v[0-9]+.[0-9]+", "v.3", False),
    ("colou?r", "color", True),
    ("colou?r", "colouur", False),
    ("CI", "ci", False),
])
def test_filter_match(pattern, text, expected):
    assert filter_match(pattern, text) is expected


def test_filter_match_is_linear_on_hostile_patterns():
    started = time.perf_counter()
    assert not filter_match("*a" * 40 + "b", "a" * 2000)
    assert not filter_match("a+" * 60 + "b", "a" * 2000)
    assert time.perf_counter() - started < 10
    assert has_wildcards("a*") and not has_wildcards(r"a\*")


# --- cron ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["0 0 * * *", "*/5 * * * *", "0 0 * * SUN-TUE,THU-SAT", "0 0 1 JAN,jul *",
                                  "*/60 * * * *", "0 0/3 * * *", "5 4 ? * *", "0 4 * * *\n", "59 23 31 12 6"])
def test_cron_valid(spec):
    cron.parse(spec)


@pytest.mark.parametrize("spec", ["0 */3 * *", "0 6 * * 7", "@daily", "0 0 0 * *", "60 * * * *", "0 0 * FOO *",
                                  "*/0 * * * *", "0 5-1 * * *", "0 0 * * * *", "0,,1 * * * *", "a * * * *",
                                  "1-/2 * * * *", "0 24 * * *", "0 0 32 * *", "0 0 * 13 *"])
def test_cron_invalid(spec):
    with pytest.raises(cron.CronError):
        cron.parse(spec)


@pytest.mark.parametrize("spec, minutes", [("* * * * *", 1), ("*/4 * * * *", 4), ("*/5 * * * *", 5),
                                           ("0,1 * * * *", 1), ("58,0 * * * *", 2), ("58,0 12 * * *", 58),
                                           ("58,0 23,0 * * *", 2), ("0 * * * *", 60), ("0 0 * * *", 1440),
                                           ("58,0 0,23 * * 1", 58)])
def test_cron_shortest_interval(spec, minutes):
    assert cron.shortest_interval(cron.parse(spec)) == minutes


# --- the needs graph -----------------------------------------------------------------------------


def test_tarjan_finds_each_cycle_once():
    edges = {
        "a": [("b", None)], "b": [("c", None)], "c": [("a", None)],  # a -> b -> c -> a
        "d": [("d", None)],  # self loop
        "e": [("f", None)], "f": [("g", None)], "g": [],  # no cycle
        "h": [("i", None), ("a", None)], "i": [("h", None)],  # h <-> i, leading into a's cycle
    }
    found = jobgraph.cycles(list(edges), edges)
    assert found == [["a", "b", "c"], ["d"], ["h", "i"]]
    assert [job for job, _ in jobgraph.cycle_path(["a", "b", "c"], edges)] == ["a", "b", "c"]


def test_needs_cycle_100k_jobs_linear_and_without_recursion(tmp_path):
    count = 100_000
    lines = ["on: push", "jobs:"]
    for index in range(count):
        lines.append(f"  j{index}: {{needs: j{(index + 1) % count}}}")  # under the 5 MB file limit
    text = "\n".join(lines) + "\n"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # the rules must not recurse per job
    try:
        started = time.perf_counter()
        findings = _lint(tmp_path, text, rules=("needs-cycle", "needs-unknown-job", "duplicate-needs", "invalid-id",
                                                "duplicate-id"))
        elapsed = time.perf_counter() - started
    finally:
        sys.setrecursionlimit(limit)
    assert [f.rule_id for f in findings] == ["needs-cycle"]
    assert "'j0' -> 'j1' -> 'j2'" in findings[0].message
    assert elapsed < 60  # generous: a shared machine; quadratic work would take hours


def test_two_cycles_two_findings(tmp_path):
    text = """on: push
jobs:
  a: {needs: b, runs-on: ubuntu-latest, steps: [{run: x}]}
  b: {needs: a, runs-on: ubuntu-latest, steps: [{run: x}]}
  c: {needs: [d, a], runs-on: ubuntu-latest, steps: [{run: x}]}
  d: {needs: c, runs-on: ubuntu-latest, steps: [{run: x}]}
"""
    findings = _lint(tmp_path, text, rules=("needs-cycle",))
    assert [(f.span.start_line, f.rule_id) for f in findings] == [(3, "needs-cycle"), (5, "needs-cycle")]
    assert "'a' -> 'b' -> 'a'" in findings[0].message and "'c' -> 'd' -> 'c'" in findings[1].message


# --- hostile input -------------------------------------------------------------------------------

HOSTILE = [
    "on: push\njobs: [a, b]\n",
    "on: push\njobs:\n  a: 1\n  b: {needs: {x: 1}, strategy: 3, runs-on: {labels: {a: 1}}}\n",
    "on: [push, {pull_request: 1}]\njobs:\n  a:\n    needs: [[a], {b: c}, 3, null]\n    runs-on: [[x], {y: z}]\n",
    "on:\n  schedule: '0 0 * * *'\n  push: {branches: {a: b}, tags: [[x]], paths: [{y: 1}]}\njobs: {}\n",
    "on:\n  schedule: [1, [2], {cron: [x]}, {cron: {a: b}, timezone: [z]}, {cron: null}]\njobs: {}\n",
    "on:\n  pull_request: {types: {a: b}}\n  workflow_run: {workflows: {a: b}, types: [[x]]}\njobs: {}\n",
    "on: push\njobs:\n  a:\n    strategy: {matrix: [1, 2]}\n    runs-on: ubuntu-latest\n",
    "on: push\njobs:\n  a:\n    strategy:\n      matrix: {os: {a: b}, include: 3, exclude: {x: [1]}}\n    runs-on: ${{ matrix.os }}\n",
    "on: push\njobs:\n  a:\n    strategy:\n      matrix: {os: [[1], {a: b}], include: [[1], 2], exclude: [[1], {os: [1]}]}\n"
    "    runs-on: ['${{ matrix.os }}', '${{ matrix.os }}']\n",
    "on: push\ndefaults: {run: [bash]}\njobs:\n  a:\n    defaults: {run: {shell: [bash]}}\n    steps: {a: b}\n",
    "on: push\njobs:\n  a:\n    steps: [1, [2], {id: [x], run: [y], shell: {z: 1}}, {id: {a: 1}}]\n",
    "on: push\njobs:\n  a: &a\n    needs: b\n    runs-on: ubuntu-latest\n  b: *a\n",
    "[]\n",
    "just a string\n",
    "on: push\njobs:\n  ? [complex, key]\n  : {runs-on: ubuntu-latest}\n  ? {another: key}\n  : 1\n",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_never_raises(tmp_path, text):
    findings = _lint(tmp_path, text)
    assert not [f for f in findings if f.rule_id == "internal-error"], [f.message for f in findings]


# --- options and cross-file ----------------------------------------------------------------------


def test_self_hosted_labels_option(tmp_path):
    text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-20.04\n    steps: [{run: x}]\n  b:\n    runs-on: Ubuntu-Lastest\n    steps: [{run: x}]\n"
    assert len(_lint(tmp_path, text, rules=("unknown-runner-label",))) == 2
    configured = {"unknown-runner-label": {"self-hosted-labels": ["ubuntu-20.*", "UBUNTU-LAST*"]}}
    findings, _, _ = lint_file(
        tmp_path / ".github" / "workflows" / "ci.yml", "ci.yml", True,
        Settings(select=["unknown-runner-label"], root=tmp_path, rules=configured),
    )
    assert findings == []


def test_workflow_run_needs_the_whole_workflows_folder(tmp_path):
    follow = "on:\n  workflow_run:\n    workflows: [Biuld]\n    types: [completed]\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n"
    _lint(tmp_path, "name: Build\non: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{run: x}]\n", name="build.yml")
    findings = _lint(tmp_path, follow, name="follow.yml", rules=("workflow-run-unknown-workflow",))
    assert len(findings) == 1 and "Did you mean 'Build'?" in findings[0].message
    # The same file outside `.github/workflows` cannot see every workflow: nothing is reported.
    loose = tmp_path / "elsewhere" / "follow.yml"
    loose.parent.mkdir()
    loose.write_text(follow, encoding="utf-8")
    findings, _, _ = lint_file(loose, "follow.yml", True, Settings(select=["workflow-run-unknown-workflow"], root=tmp_path))
    assert findings == []


def test_damerau():
    assert damerau("ubuntu-lastest", "ubuntu-latest") == 1
    assert damerau("ubunut-latest", "ubuntu-latest") == 1
    assert damerau("ubuntu-x64", "ubuntu-24.04") == 3


SCRIPT = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo \"${{ github.sha }}\"\n          cd $DIR\n"


@pytest.mark.parametrize("executable, expected", [
    ("shellcheck-not-installed-here", "was not found on PATH"),
    ("./shellcheck", "only a program named shellcheck"),
    ("bash", "only a program named shellcheck"),
])
def test_shellcheck_refuses_or_reports_a_missing_program(tmp_path, executable, expected):
    findings, _, _ = _lint_with(tmp_path, SCRIPT, {"shellcheck": {"executable": executable}})
    assert [(f.rule_id, f.severity) for f in findings] == [("shellcheck", "note")]
    assert expected in findings[0].message


def test_shellcheck_is_off_by_default(tmp_path):
    assert _lint_with(tmp_path, SCRIPT, {})[0] == []


@pytest.mark.skipif(__import__("shutil").which("shellcheck") is None, reason="shellcheck is not installed")
def test_shellcheck_points_into_the_script(tmp_path):
    findings, _, _ = _lint_with(tmp_path, SCRIPT, {"shellcheck": {"executable": "shellcheck", "level": "style"}})
    assert [(f.span.start_line, f.span.start_col, f.message.split(":")[0]) for f in findings] == [
        (8, 14, "ShellCheck SC2086")]


def _lint_with(tmp_path, text, rules):
    directory = tmp_path / ".github" / "workflows"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "ci.yml"
    path.write_text(text, encoding="utf-8")
    return lint_file(path, path.name, True, Settings(select=["shellcheck"], root=tmp_path, rules=rules))


def test_many_unknown_needs_and_excludes_stay_linear(tmp_path):
    count = 10_000
    lines = ["on: push", "jobs:"]
    lines += [f"  j{index}: {{needs: [x{index}], runs-on: ubuntu-latest}}" for index in range(count)]
    lines += ["  m:", "    runs-on: ${{ matrix.os }}", "    strategy:", "      matrix:",
              "        os: [" + ", ".join(f"o{index}" for index in range(count)) + "]",
              "        exclude:"]
    lines += [f"          - os: p{index}" for index in range(count)]
    started = time.perf_counter()
    findings = _lint(tmp_path, "\n".join(lines) + "\n", rules=("needs-unknown-job", "unmatched-matrix-exclude",
                                                               "unknown-runner-label", "duplicate-matrix-value"))
    elapsed = time.perf_counter() - started
    counts = {}
    for finding in findings:
        counts[finding.rule_id] = counts.get(finding.rule_id, 0) + 1
    assert counts == {"needs-unknown-job": count, "unmatched-matrix-exclude": count}
    assert elapsed < 60  # quadratic work (4e8 comparisons) would take many minutes
