"""The report formatters (text, json, sarif, github) and `cicdlint rules` output.

Two test rules are registered for the duration of each test (and removed after), so the
expected positions do not depend on the real rule pack."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cicdlint.cli import cli
from cicdlint.config import Settings
from cicdlint.engine import Result, lint_paths, load_rules
from cicdlint.formatters import get_formatter
from cicdlint.rule import REGISTRY, Finding, Issue, Location, Span, rule

WORKFLOW = textwrap.dedent(
    """\
    name: ci
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        env:
          API_PASSWORD: hunter2-very-secret-value
        steps:
          - uses: actions/checkout@v4
          - run: make test
    """
)
SECRET = "hunter2-very-secret-value"
USES_LINE, USES_COL, USES_END = 9, 15, 34  # `actions/checkout@v4` on `      - uses: actions/checkout@v4`
SECRET_LINE, SECRET_COL, SECRET_END = 7, 21, 46
RUNS_ON_LINE, RUNS_ON_COL, RUNS_ON_END = 5, 14, 27


def _check_uses(doc, ctx):
    """## What it does
    Reports every `uses:` of a job step (a formatter test rule), so the reports
    have something to show.

    A second paragraph that is not part of the full description.

    ## Why is this bad?
    It is not; this rule exists for the tests.

    ## Example
    ```yaml
    - uses: actions/checkout@v4
    ```

    ## Use instead
    ```yaml
    - run: true
    ```
    """
    for job in ctx.workflow.jobs:
        runs_on = job.node.get("runs-on")
        for step in job.steps:
            if step.uses is not None:
                related = [Location(doc.path, ctx.span(runs_on), "The job runs here.")] if runs_on is not None else []
                yield Issue(step.uses, f"Pin '{step.uses.value}' to a commit SHA. It is a test finding.", related=related)


def _check_secret(doc, ctx):
    """## What it does
    Reports `env` values of variables named `*_PASSWORD` (a formatter test rule).
    """
    for job in ctx.workflow.jobs:
        for name, var in job.env.items():
            if name.endswith("_PASSWORD"):
                yield var.value, f"Move '{name}' to a secret. Its value is written in the workflow."


TEST_RULES = {
    "fmt-uses": dict(
        kinds=("workflow",),
        severity="warning",
        summary="Test rule: a step uses an action",
        tags=("security", "supply-chain"),
        security_severity=6.5,
        confidence="medium",
    ),
    "fmt-secret": dict(kinds=("workflow",), severity="error", summary="Test rule: a password in env", tags=("secret-value",)),
}


@pytest.fixture
def test_rules():
    load_rules()
    checks = {"fmt-uses": _check_uses, "fmt-secret": _check_secret}
    for rule_id, spec in TEST_RULES.items():
        rule(id=rule_id, **spec)(checks[rule_id])
    yield
    for rule_id in TEST_RULES:
        REGISTRY.pop(rule_id, None)


@pytest.fixture
def repo(tmp_path, monkeypatch, test_rules):
    (tmp_path / ".git").mkdir()
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _settings(root: Path) -> Settings:
    return Settings(select=["fmt-*"], root=root)


def _lint(root: Path, paths=(".",)):
    settings = _settings(root)
    return lint_paths(list(paths), settings, jobs=1), settings


def _render(name: str, result, settings, color: bool = False) -> str:
    stream = io.StringIO()
    get_formatter(name)(result, REGISTRY, settings, stream, color=color)
    return stream.getvalue()


# --- text ----------------------------------------------------------------------------------------


def test_text_report(repo):
    result, settings = _lint(repo)
    assert _render("text", result, settings) == textwrap.dedent(
        """\
        .github/workflows/ci.yml:7:21: error[fmt-secret] Move 'API_PASSWORD' to a secret. Its value is written in the workflow.
          |
        7 |       API_PASSWORD: hunt*********************
          |                     ^^^^^^^^^^^^^^^^^^^^^^^^^
          = help: run `cicdlint explain fmt-secret`

        .github/workflows/ci.yml:9:15: warning[fmt-uses] Pin 'actions/checkout@v4' to a commit SHA. It is a test finding.
          |
        9 |       - uses: actions/checkout@v4
          |               ^^^^^^^^^^^^^^^^^^^
          = help: run `cicdlint explain fmt-uses`

        Checked 1 file: 1 error, 1 warning, 0 notes
        """
    )


def test_text_color_only_when_asked(repo):
    result, settings = _lint(repo)
    plain = _render("text", result, settings, color=False)
    colored = _render("text", result, settings, color=True)
    assert "\033" not in plain
    assert "\033[" in colored
    assert "\033[1;31merror[fmt-secret]\033[0m" in colored
    import re

    assert re.sub(r"\033\[[0-9;]*m", "", colored) == plain


def test_text_cli_has_no_color_when_not_a_tty(repo):
    output = CliRunner().invoke(cli, ["check", "--no-config", "--select", "fmt-*"]).output
    assert "\033" not in output
    assert output.startswith(".github/workflows/ci.yml:7:21: error[fmt-secret] ")
    assert SECRET not in output


def _finding(path: str, line: int, col: int, end_line: int, end_col: int, rule_id="fmt-uses", severity="warning"):
    """A finding as the engine makes it: with its source line (the engine redacts and cleans it;
    here the file's raw line, so the formatter's own cleaning is what is tested)."""
    finding = Finding(rule_id, severity, "Fix it. Something is wrong.", path, Span(line, col, end_line, end_col))
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        finding.source = lines[line - 1] if 0 < line <= len(lines) else None
    except OSError:
        finding.source = None
    return finding


def test_text_tabs_wide_characters_and_multiline_spans(tmp_path, monkeypatch, test_rules):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f.yml").write_text("a: 1\n\tkey: 日本 value\nlong: |\n  more\n", encoding="utf-8")
    findings = [
        _finding("f.yml", 2, 10, 2, 15),  # `value`, after a tab and two wide characters
        _finding("f.yml", 3, 7, 4, 7),  # a block scalar: underline to the end of the first line
        _finding("missing.yml", 1, 1, 1, 2, severity="note"),  # unreadable: no snippet
    ]
    out = _render("text", Result(findings, 2, 3), _settings(tmp_path))
    assert out == (
        "f.yml:2:10: warning[fmt-uses] Fix it. Something is wrong.\n"
        "  |\n"
        "2 |         key: 日本 value\n"
        "  |                   ^^^^^\n"
        "  = help: run `cicdlint explain fmt-uses`\n"
        "\n"
        "f.yml:3:7: warning[fmt-uses] Fix it. Something is wrong.\n"
        "  |\n"
        "3 | long: |\n"
        "  |       ^\n"
        "  = help: run `cicdlint explain fmt-uses`\n"
        "\n"
        "missing.yml:1:1: note[fmt-uses] Fix it. Something is wrong.\n"
        "  = help: run `cicdlint explain fmt-uses`\n"
        "\n"
        "Checked 2 files: 0 errors, 2 warnings, 1 note (3 suppressed)\n"
    )


def test_text_control_characters_are_not_printed_raw(tmp_path, monkeypatch, test_rules):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "f.yml").write_text("a: \"\x1b[31mred\"\n", encoding="utf-8")
    finding = _finding("f.yml", 1, 4, 1, 13)
    finding.message = "Fix it. Found '\x1b[2J'."
    out = _render("text", Result([finding], 1), _settings(tmp_path))
    assert "\x1b" not in out
    assert '1 | a: "\ufffd[31mred"\n  |    ^^^^^^^^^\n' in out


def test_text_long_lines_are_cut_around_the_span(tmp_path, monkeypatch, test_rules):
    monkeypatch.chdir(tmp_path)
    line = '{"a": "' + "x" * 500 + '", "image": "nginx:latest", "b": "' + "y" * 500 + '"}'
    (tmp_path / "task.json").write_text(line + "\n", encoding="utf-8")
    col = line.index("nginx:latest") + 1
    out = _render("text", Result([_finding("task.json", 1, col, 1, col + 12)], 1), _settings(tmp_path))
    source, marker = out.splitlines()[2], out.splitlines()[3]
    assert len(source) < 200 and source.startswith("1 | ...") and source.endswith("...")
    assert source[marker.index("^") : marker.index("^") + 12] == "nginx:latest"
    assert marker.count("^") == 12


def test_text_summary_without_findings(tmp_path, monkeypatch, test_rules):
    monkeypatch.chdir(tmp_path)
    assert _render("text", Result([], 12), _settings(tmp_path)) == "Checked 12 files: no findings\n"
    assert _render("text", Result([], 1, 2), _settings(tmp_path)) == "Checked 1 file: no findings (2 suppressed)\n"


# --- json ----------------------------------------------------------------------------------------


def _validate_json(report: dict) -> None:
    import jsonschema

    from cicdlint.formatters.json_format import schema

    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker()).validate(report)


def test_json_report(repo):
    result, settings = _lint(repo)
    report = json.loads(_render("json", result, settings))
    _validate_json(report)
    assert report["version"] == 1
    assert report["tool"]["name"] == "cicdlint"
    secret, uses = report["findings"]
    assert uses == {
        "rule": "fmt-uses",
        "severity": "warning",
        "confidence": "medium",
        "message": "Pin 'actions/checkout@v4' to a commit SHA. It is a test finding.",
        "path": ".github/workflows/ci.yml",
        "uri": ".github/workflows/ci.yml",
        "line": USES_LINE,
        "column": USES_COL,
        "end_line": USES_LINE,
        "end_column": USES_END,
        "fingerprint": result.findings[1].fingerprint,
        "help_uri": REGISTRY["fmt-uses"].help_uri,
        "related": [
            {
                "path": ".github/workflows/ci.yml",
                "uri": ".github/workflows/ci.yml",
                "line": RUNS_ON_LINE,
                "column": RUNS_ON_COL,
                "end_line": RUNS_ON_LINE,
                "end_column": RUNS_ON_END,
                "message": "The job runs here.",
            }
        ],
    }
    assert (secret["rule"], secret["line"], secret["column"], secret["end_column"]) == ("fmt-secret", SECRET_LINE, SECRET_COL, SECRET_END)
    assert report["summary"] == {"files": 1, "findings": 2, "by_severity": {"error": 1, "warning": 1, "note": 0}, "suppressed": 0}
    assert SECRET not in json.dumps(report)


def test_json_uri_is_relative_to_the_root_not_the_working_directory(repo, monkeypatch):
    monkeypatch.chdir(repo / ".github")
    result, settings = _lint(repo, ["workflows/ci.yml"])
    report = json.loads(_render("json", result, settings))
    _validate_json(report)
    assert {(f["path"], f["uri"]) for f in report["findings"]} == {("workflows/ci.yml", ".github/workflows/ci.yml")}


def test_json_empty_report_validates(tmp_path, monkeypatch, test_rules):
    monkeypatch.chdir(tmp_path)
    report = json.loads(_render("json", Result([], 0), _settings(tmp_path)))
    _validate_json(report)
    assert report["findings"] == [] and report["summary"]["findings"] == 0


def test_json_schema_rejects_a_wrong_report(repo):
    import jsonschema

    result, settings = _lint(repo)
    report = json.loads(_render("json", result, settings))
    report["findings"][0]["colum"] = 3
    with pytest.raises(jsonschema.ValidationError):
        _validate_json(report)


def test_json_schema_ships_inside_the_package():
    import cicdlint

    path = Path(cicdlint.__file__).parent / "data" / "output-v1.schema.json"
    assert json.loads(path.read_text(encoding="utf-8"))["properties"]["version"]["const"] == 1


# --- sarif ---------------------------------------------------------------------------------------


def _sarif(result, settings) -> dict:
    return json.loads(_render("sarif", result, settings))


def test_sarif_log(repo):
    result, settings = _lint(repo)
    log = _sarif(result, settings)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    driver = run["tool"]["driver"]
    assert driver["name"] == "cicdlint" and driver["version"] and driver["informationUri"].startswith("https://")
    ids = [descriptor["id"] for descriptor in driver["rules"]]
    assert ids == ["fmt-secret", "fmt-uses"]  # the enabled rules (--select fmt-*), sorted

    uses_rule = driver["rules"][1]
    assert uses_rule == {
        "id": "fmt-uses",
        "name": "FmtUses",
        "shortDescription": {"text": "Test rule: a step uses an action."},
        "fullDescription": {"text": "Reports every `uses:` of a job step (a formatter test rule), so the reports have something to show."},
        "help": {"text": REGISTRY["fmt-uses"].doc, "markdown": REGISTRY["fmt-uses"].doc},
        "helpUri": REGISTRY["fmt-uses"].help_uri,
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["security", "supply-chain"], "security-severity": "6.5", "precision": "medium"},
    }
    assert "security-severity" not in driver["rules"][0]["properties"]
    assert driver["rules"][0]["defaultConfiguration"] == {"level": "error"}

    secret, uses = run["results"]
    assert uses == {
        "ruleId": "fmt-uses",
        "ruleIndex": 1,
        "level": "warning",
        "message": {"text": "Pin 'actions/checkout@v4' to a commit SHA. It is a test finding."},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": ".github/workflows/ci.yml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": USES_LINE, "startColumn": USES_COL, "endLine": USES_LINE, "endColumn": USES_END},
                }
            }
        ],
        "partialFingerprints": {"cicdlint/v1": result.findings[1].fingerprint},
        "relatedLocations": [
            {
                "id": 1,
                "message": {"text": "The job runs here."},
                "physicalLocation": {
                    "artifactLocation": {"uri": ".github/workflows/ci.yml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": RUNS_ON_LINE, "startColumn": RUNS_ON_COL, "endLine": RUNS_ON_LINE, "endColumn": RUNS_ON_END},
                },
            }
        ],
        "properties": {"confidence": "medium"},
    }
    assert (secret["ruleId"], secret["ruleIndex"], secret["level"]) == ("fmt-secret", 0, "error")
    assert SECRET not in json.dumps(log)


def test_sarif_fingerprints_survive_edits_elsewhere(repo):
    result, settings = _lint(repo)
    before = _sarif(result, settings)["runs"][0]["results"]
    workflow = repo / ".github" / "workflows" / "ci.yml"
    edited = WORKFLOW.replace("on: push\n", "# Build and test.\non:\n  push:\n    branches: [main]\n")
    workflow.write_text(edited, encoding="utf-8")
    result, settings = _lint(repo)
    after = _sarif(result, settings)["runs"][0]["results"]
    for old, new in zip(before, after):
        old_line = old["locations"][0]["physicalLocation"]["region"]["startLine"]
        new_line = new["locations"][0]["physicalLocation"]["region"]["startLine"]
        assert new_line == old_line + 3
        assert new["partialFingerprints"] == old["partialFingerprints"]
    assert len({r["partialFingerprints"]["cicdlint/v1"] for r in after}) == 2


def test_sarif_file_outside_the_root_gets_an_absolute_uri(tmp_path, monkeypatch, test_rules):
    root = tmp_path / "repo"
    root.mkdir()
    outside = tmp_path / "other dir" / "ci.yml"
    outside.parent.mkdir()
    outside.write_text(WORKFLOW, encoding="utf-8")
    monkeypatch.chdir(root)
    result, settings = _lint(root, [str(outside)])
    results = _sarif(result, settings)["runs"][0]["results"]
    location = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.resolve().as_uri()}
    assert "%20" in location["uri"]
    report = json.loads(_render("json", result, settings))
    assert report["findings"][0]["uri"] == outside.resolve().as_posix()


def test_sarif_empty_run_is_a_valid_log(tmp_path, monkeypatch, test_rules):
    monkeypatch.chdir(tmp_path)
    log = _sarif(Result([], 0), _settings(tmp_path))
    (run,) = log["runs"]
    assert run["results"] == []
    assert [descriptor["id"] for descriptor in run["tool"]["driver"]["rules"]] == ["fmt-secret", "fmt-uses"]


def test_sarif_lists_rules_with_results_even_when_not_selected(tmp_path, monkeypatch, test_rules):
    monkeypatch.chdir(tmp_path)
    finding = _finding("f.yml", 1, 1, 1, 2, rule_id="parse-error", severity="error")
    run = _sarif(Result([finding], 1), _settings(tmp_path))["runs"][0]
    ids = [descriptor["id"] for descriptor in run["tool"]["driver"]["rules"]]
    assert ids == ["fmt-secret", "fmt-uses", "parse-error"]
    assert run["results"][0]["ruleIndex"] == 2
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "f.yml", "uriBaseId": "%SRCROOT%"}
    assert "partialFingerprints" not in run["results"][0]  # the hand-made finding has none


def test_sarif_serializer_omits_defaults():
    import sarif_om as om

    from cicdlint.formatters.sarif import camel_case, to_json

    region = om.Region(start_line=3, start_column=1)
    assert to_json(region) == {"startLine": 3, "startColumn": 1}
    assert to_json(om.Result(message=om.Message(text="x."), level="warning")) == {"message": {"text": "x."}, "level": "warning"}
    assert camel_case("unpinned-action") == "UnpinnedAction"
    assert camel_case("ecs-cpu-2x") == "EcsCpu2x"


# --- github --------------------------------------------------------------------------------------


def test_github_workflow_commands(repo):
    result, settings = _lint(repo)
    assert _render("github", result, settings).splitlines() == [
        f"::error file=.github/workflows/ci.yml,line={SECRET_LINE},col={SECRET_COL},endLine={SECRET_LINE},"
        f"endColumn={SECRET_END},title=cicdlint (fmt-secret)::Move 'API_PASSWORD' to a secret. Its value is written in the workflow.",
        f"::warning file=.github/workflows/ci.yml,line={USES_LINE},col={USES_COL},endLine={USES_LINE},"
        f"endColumn={USES_END},title=cicdlint (fmt-uses)::Pin 'actions/checkout@v4' to a commit SHA. It is a test finding.",
    ]


def test_github_escaping_and_notice_level(tmp_path, monkeypatch, test_rules):
    monkeypatch.chdir(tmp_path)
    finding = _finding("a,b:c%d.yml", 1, 2, 3, 4, severity="note")
    finding.message = "Fix 100%.\r\nNext: line, here"
    out = _render("github", Result([finding], 1), _settings(tmp_path))
    assert out == (
        "::notice file=a%2Cb%3Ac%25d.yml,line=1,col=2,endLine=3,endColumn=4,title=cicdlint (fmt-uses)"
        "::Fix 100%25.%0D%0ANext: line, here\n"
    )


# --- cicdlint rules ------------------------------------------------------------------------------


def _rules_output(fmt: str) -> str:
    from cicdlint.formatters.rules_table import write_rules

    stream = io.StringIO()
    write_rules(REGISTRY, fmt, stream)
    return stream.getvalue()


def test_rules_markdown_is_sorted_and_deterministic(test_rules):
    out = _rules_output("markdown")
    lines = out.splitlines()
    assert lines[:2] == ["| Rule | Severity | Tags | Summary |", "| --- | --- | --- | --- |"]
    table_rows = lines[2 : lines.index("")]
    ids = [line.split("`")[1] for line in table_rows]
    assert ids == sorted(REGISTRY) and "parse-error" in ids and "internal-error" in ids
    headings = [line[len("#### "):] for line in lines if line.startswith("#### ")]
    assert headings == sorted(REGISTRY)  # the anchors that helpUri points to
    assert "| [`fmt-uses`](#fmt-uses) | warning | security, supply-chain | Test rule: a step uses an action |" in lines
    assert "| [`fmt-secret`](#fmt-secret) | error | secret-value | Test rule: a password in env |" in lines
    assert out == _rules_output("markdown")


def test_rules_table_is_aligned(test_rules):
    lines = _rules_output("table").splitlines()
    assert lines[0].split() == ["RULE", "SEVERITY", "TAGS", "SUMMARY"]
    column = lines[0].index("SEVERITY")
    assert all(line[column - 2 : column] == "  " and line[column] != " " for line in lines)
    assert any(line.startswith("fmt-uses ") and "security, supply-chain" in line for line in lines)
    assert all(line == line.rstrip() for line in lines)


def test_rules_json(test_rules):
    data = json.loads(_rules_output("json"))
    assert [item["id"] for item in data] == sorted(REGISTRY)
    uses = next(item for item in data if item["id"] == "fmt-uses")
    assert {key: uses[key] for key in ("severity", "summary", "tags", "kinds", "security_severity", "options")} == {
        "severity": "warning",
        "summary": "Test rule: a step uses an action",
        "tags": ["security", "supply-chain"],
        "kinds": ["workflow"],
        "security_severity": 6.5,
        "options": {},
    }
    assert uses["doc"].startswith("## What it does")


def test_rules_cli_markdown(test_rules):
    output = CliRunner().invoke(cli, ["rules", "--format", "markdown"]).output
    assert output == _rules_output("markdown")


# --- lazy imports --------------------------------------------------------------------------------


def test_text_json_and_github_do_not_import_sarif_om_or_jsonschema(tmp_path):
    code = textwrap.dedent(
        """\
        import io, sys
        from cicdlint.config import Settings
        from cicdlint.engine import Result
        from cicdlint.formatters import get_formatter
        from cicdlint.rule import REGISTRY, Finding, Span
        result = Result([Finding("parse-error", "error", "Fix it.", "x.yml", Span(1, 1, 1, 2))], 1)
        for name in ("text", "json", "github"):
            get_formatter(name)(result, REGISTRY, Settings(), io.StringIO())
        assert "sarif_om" not in sys.modules, "sarif_om"
        assert "jsonschema" not in sys.modules, "jsonschema"
        """
    )
    import os

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path, env=env)
