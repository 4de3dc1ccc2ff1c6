"""The command line, config files, suppressions and exit codes."""
from __future__ import annotations

import json
import textwrap

import pytest
from click.testing import CliRunner

from cicdlint.cli import cli

WORKFLOW = textwrap.dedent(
    """\
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - uses: actions/setup-node@main
    """
)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(WORKFLOW)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def findings(*args):
    if "--select" not in args:  # other rules would also report on the sample workflow
        args = ("--select", "unpinned-action", *args)
    code, output = run("check", "--format", "json", *args)
    return code, [(f["rule"], f["line"], f["column"], f["severity"]) for f in json.loads(output)["findings"]]


def test_findings_exit_1_and_exit_zero(repo):
    code, found = findings()
    assert code == 1
    assert found == [
        ("unpinned-action", 6, 15, "warning"),
        ("unpinned-action", 7, 15, "error"),
    ]
    assert run("check", "--select", "unpinned-action", "--exit-zero")[0] == 0


def test_no_findings_exit_0(repo):
    assert run("check", "--select", "unpinned-action,echoed-secret", "--ignore", "unpinned-action")[0] == 0


def test_select_and_ignore_take_globs(repo):
    assert findings("--select", "unpinned-*")[1]
    assert findings("--ignore", "unpinned-*")[1] == []


def test_unknown_rule_id_is_a_usage_error(repo):
    code, output = run("check", "--select", "no-such-rule")
    assert code == 2 and "unknown rule id 'no-such-rule'" in output


def test_min_severity_hides_lower_findings(repo):
    assert [f[3] for f in findings("--min-severity", "error")[1]] == ["error"]


def test_fail_on_error_ignores_warnings(repo):
    (repo / ".cicdlint.yml").write_text("rules:\n  unpinned-action:\n    severity: warning\n")
    code, found = findings("--fail-on", "error")
    assert found and code == 0


def test_config_severity_and_policies(repo):
    (repo / ".cicdlint.yml").write_text(
        "rules:\n  unpinned-action:\n    severity: note\n    policies:\n      'actions/*': tag\n"
    )
    code, found = findings()
    assert found == [("unpinned-action", 7, 15, "note")]  # the tag is allowed, the branch is not


def test_config_found_by_walking_up(repo, monkeypatch):
    (repo / ".cicdlint.yml").write_text("ignore: [unpinned-action]\n")
    monkeypatch.chdir(repo / ".github")
    assert findings()[1] == []
    assert findings("--no-config")[1]


def test_pyproject_config(repo):
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.cicdlint]\nignore = ["unpinned-action"]\n')
    assert findings()[1] == []


def test_explicit_config_file(repo, tmp_path_factory):
    other = tmp_path_factory.mktemp("cfg") / "lint.yml"
    other.write_text("min-severity: error\n")
    assert [f[3] for f in findings("--config", str(other))[1]] == ["error"]


@pytest.mark.parametrize(
    "config, expected",
    [
        ("rules:\n  unpinned-action:\n    severity: fatal\n", ".cicdlint.yml:3: invalid config at 'rules.unpinned-action.severity'"),
        ("selcet: [x]\n", ".cicdlint.yml:1: invalid config at 'selcet': unknown key 'selcet' (did you mean 'select'?)"),
        ("rules:\n  no-such-rule: {}\n", ".cicdlint.yml:2: invalid config at 'rules.no-such-rule'"),
        ("rules:\n  unpinned-action:\n    policies:\n      'a/*': sometimes\n", ".cicdlint.yml:4:"),
        ("ignore: [\n", ".cicdlint.yml:2:"),
        ("production-patterns: ['']\n", ".cicdlint.yml:1: invalid config at 'production-patterns.0'"),
        ("ignore: [unpined-action]\n", ".cicdlint.yml:1: invalid config at 'ignore': unknown rule id 'unpined-action'"),
        ("per-path-ignores:\n  'docs/**': [nope]\n", ".cicdlint.yml:2: invalid config at 'per-path-ignores.docs/**'"),
    ],
)
def test_bad_config_is_a_clear_message_and_exit_2(repo, config, expected):
    (repo / ".cicdlint.yml").write_text(config)
    code, output = run("check")
    assert code == 2
    assert expected in output
    assert "Traceback" not in output


def test_bad_pyproject_config_names_the_line(repo):
    (repo / "pyproject.toml").write_text('[tool.cicdlint]\nselect = ["*"]\nmin-severity = "loud"\n')
    code, output = run("check")
    assert code == 2 and "pyproject.toml:3: invalid config at 'min-severity'" in output


def test_per_path_ignores(repo):
    (repo / ".cicdlint.yml").write_text("per-path-ignores:\n  '.github/workflows/*.yml': [unpinned-action]\n")
    assert findings()[1] == []
    (repo / ".cicdlint.yml").write_text("per-path-ignores:\n  'other/**': [unpinned-action]\n")
    assert findings()[1]


def test_inline_ignore_same_line_and_line_above(repo):
    path = repo / ".github" / "workflows" / "ci.yml"
    text = WORKFLOW.replace("@v4", "@v4 # cicdlint: ignore[unpinned-action] pinned by org policy")
    text = text.replace("      - uses: actions/setup-node@main", "      # cicdlint: ignore[unpinned-action]\n      - uses: actions/setup-node@main")
    path.write_text(text)
    assert findings()[1] == []
    assert len(findings("--no-inline-ignores")[1]) == 2


def test_bare_inline_ignore_hides_every_rule_on_the_line(repo):
    path = repo / ".github" / "workflows" / "ci.yml"
    path.write_text(WORKFLOW.replace("@main", "@main  # cicdlint: ignore"))
    assert [f[1] for f in findings()[1]] == [6]


def test_inline_ignore_for_another_rule_does_not_hide(repo):
    path = repo / ".github" / "workflows" / "ci.yml"
    path.write_text(WORKFLOW.replace("@v4", "@v4 # cicdlint: ignore[echoed-secret]"))
    assert len(findings()[1]) == 2


def test_code_line_ignore_does_not_cover_the_next_line(repo):
    path = repo / ".github" / "workflows" / "ci.yml"
    path.write_text(WORKFLOW.replace("@v4", "@v4 # cicdlint: ignore[unpinned-action]"))
    assert [f[1] for f in findings()[1]] == [7]


def test_missing_path_is_a_usage_error(repo):
    code, output = run("check", "nope/")
    assert code == 2 and "no such file or directory: nope/" in output


def test_output_file(repo):
    code, output = run("check", "--format", "json", "--output", "report.json")
    assert code == 1
    assert json.loads((repo / "report.json").read_text())["findings"]


def test_rule_exception_becomes_internal_error(repo, monkeypatch):
    from cicdlint.engine import load_rules

    rules = load_rules()

    def boom(doc, ctx):
        raise RuntimeError("kaboom")
        yield

    monkeypatch.setattr(rules["unpinned-action"], "check", boom)
    code, found = findings()
    assert code == 1
    assert found == [("internal-error", 1, 1, "error")]


def test_version_and_explain():
    from cicdlint import __version__

    assert __version__ in run("--version")[1]
    code, output = run("explain", "unpinned-action")
    assert code == 0 and "## Why is this bad?" in output
    code, output = run("explain", "unpined-action")
    assert code == 2 and "did you mean 'unpinned-action'" in output


def test_rules_listing_formats():
    assert "unpinned-action" in run("rules")[1]
    assert "| " in run("rules", "--format", "markdown")[1]
    listed = json.loads(run("rules", "--format", "json")[1])
    assert any(item["id"] == "unpinned-action" for item in listed)
