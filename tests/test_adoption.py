"""Adopting cicdlint on an existing repository: the baseline, pull-request mode (`--diff`),
configuration found from each linted path, and clear exits when there is nothing to lint."""
from __future__ import annotations

import json
import os
import subprocess
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
          - uses: actions/setup-node@v4
    """
)


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def findings(*args):
    code, out, err = run("check", "--format", "json", "--no-cache", "--select", "unpinned-action,missing-job-timeout", *args)
    report = json.loads(out)
    return code, [(f["uri"], f["rule"], f["line"]) for f in report["findings"]], report["summary"]


def git(root, *args):
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


@pytest.fixture
def repo(tmp_path, monkeypatch):
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(WORKFLOW)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- baseline ------------------------------------------------------------------------------------


def test_baseline_hides_todays_findings_and_survives_lines_inserted_above(repo):
    assert run("baseline", ".", "-o", "baseline.json", "--no-cache", "--select", "unpinned-action")[0] == 0
    data = json.loads((repo / "baseline.json").read_text())
    assert data["version"] == 1 and len(data["findings"]) == 2
    assert run("baseline", ".", "-o", "again.json", "--no-cache", "--select", "unpinned-action")[0] == 0
    assert (repo / "again.json").read_text() == (repo / "baseline.json").read_text()  # stable, no timestamps
    code, found, summary = findings("--baseline", "baseline.json", "--select", "unpinned-action")
    assert (code, found, summary["baseline"]) == (0, [], {"hidden": 2, "stale": 0})
    ci = repo / ".github" / "workflows" / "ci.yml"
    ci.write_text("# a comment\nname: CI\n" + WORKFLOW.replace("    steps:", "    # reindented\n    steps:"))
    code, found, summary = findings("--baseline", "baseline.json", "--select", "unpinned-action")
    assert (code, found) == (0, [])


def test_a_new_identical_finding_is_reported_and_a_fixed_one_is_counted(repo):
    run("baseline", ".", "-o", "baseline.json", "--no-cache", "--select", "unpinned-action")
    ci = repo / ".github" / "workflows" / "ci.yml"
    ci.write_text(WORKFLOW + "      - uses: actions/checkout@v4\n")
    code, found, summary = findings("--baseline", "baseline.json", "--select", "unpinned-action")
    assert code == 1 and found == [(".github/workflows/ci.yml", "unpinned-action", 8)]
    ci.write_text(WORKFLOW.replace("      - uses: actions/setup-node@v4\n", ""))
    code, found, summary = findings("--baseline", "baseline.json", "--select", "unpinned-action")
    assert (code, found, summary["baseline"]) == (0, [], {"hidden": 1, "stale": 1})
    assert "1 baseline entries fixed" in run("check", "--no-cache", "--select", "unpinned-action", "--baseline", "baseline.json")[1]
    run("baseline", ".", "-o", "baseline.json", "--prune", "--no-cache", "--select", "unpinned-action")
    assert len(json.loads((repo / "baseline.json").read_text())["findings"]) == 1


def test_a_bad_baseline_file_is_exit_2(repo):
    (repo / "baseline.json").write_text("{not json")
    code, _, err = run("check", "--no-cache", "--baseline", "baseline.json")
    assert code == 2 and "not a cicdlint baseline" in err


# --- pull-request mode ---------------------------------------------------------------------------


def test_diff_reports_only_what_the_change_introduced(repo):
    ci = repo / ".github" / "workflows" / "ci.yml"
    ci.write_text(WORKFLOW + "      - uses: actions/cache@v4\n")
    code, found, summary = findings("--diff", "main", "--select", "unpinned-action")
    assert found == [(".github/workflows/ci.yml", "unpinned-action", 8)] and summary["diff"] == "main"


def test_diff_counts_a_finding_about_a_job_the_change_touched(repo):
    deploy = repo / ".github" / "workflows" / "deploy.yml"
    deploy.write_text(textwrap.dedent(
        """\
        on: push
        jobs:
          deploy:
            runs-on: ubuntu-latest
            environment: production
            steps:
              - run: kubectl apply -f k8s/
        """
    ))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "deploy")
    assert findings("--diff", "main")[1] == []
    deploy.write_text(deploy.read_text().replace("kubectl apply -f k8s/", "kubectl apply -f k8s/app/"))
    assert (".github/workflows/deploy.yml", "missing-job-timeout", 3) in findings("--diff", "main")[1]


def test_diff_counts_new_untracked_files(repo):
    (repo / ".github" / "workflows" / "new.yml").write_text(WORKFLOW)
    found = findings("--diff", "main", "--select", "unpinned-action")[1]
    assert {uri for uri, _, _ in found} == {".github/workflows/new.yml"}


def test_diff_with_an_unknown_ref_is_exit_2(repo):
    code, _, err = run("check", "--no-cache", "--diff", "no-such-branch")
    assert code == 2 and "unknown git ref 'no-such-branch'" in err and "Traceback" not in err


def test_diff_outside_a_git_repository_is_exit_2(tmp_path, monkeypatch):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    monkeypatch.chdir(tmp_path)
    code, _, err = run("check", "--no-cache", "--diff", "main")
    assert code == 2 and "not inside a git repository" in err


def test_diff_counts_a_task_definition_finding_when_the_deploying_workflow_changed(repo):
    deploy = textwrap.dedent(
        """\
        on: push
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - uses: aws-actions/amazon-ecs-deploy-task-definition@v2
                with:
                  task-definition: ecs/td.json
        """
    )
    (repo / "ecs").mkdir()
    (repo / "ecs" / "td.json").write_text(json.dumps(
        {"family": "api", "containerDefinitions": [{"name": "api", "image": "api:1", "essential": True,
                                                    "healthCheck": {"command": ["CMD", "true"]}}]}, indent=2))
    (repo / ".github" / "workflows" / "deploy.yml").write_text(deploy)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "deploy")
    select = ("--select", "missing-health-retries")
    assert json.loads(run("check", "--format", "json", "--no-cache", *select, "--diff", "main")[1])["findings"] == []
    (repo / ".github" / "workflows" / "deploy.yml").write_text(deploy.replace("deploy:\n", "deploy:\n    name: Deploy\n"))
    report = json.loads(run("check", "--format", "json", "--no-cache", *select, "--diff", "main")[1])
    assert [f["uri"] for f in report["findings"]] == ["ecs/td.json"]


# --- configuration from the linted path ----------------------------------------------------------


def test_config_is_found_from_the_linted_path_not_the_working_directory(repo, tmp_path_factory, monkeypatch):
    (repo / ".cicdlint.yml").write_text("ignore: [unpinned-action]\n")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.chdir(elsewhere)
    code, found, _ = findings(str(repo), "--select", "unpinned-action")
    assert (code, found) == (0, [])
    (repo / ".cicdlint.yml").write_text("selcet: [x]\n")
    code, _, err = run("check", str(repo), "--no-cache")
    assert code == 2 and "unknown key 'selcet'" in err


def test_the_config_search_stops_at_the_repository_root(repo):
    (repo.parent / ".cicdlint.yml").write_text("ignore: [unpinned-action]\n")
    try:
        assert findings("--select", "unpinned-action")[1]
    finally:
        (repo.parent / ".cicdlint.yml").unlink()


def test_the_config_schema_is_published_and_current():
    from pathlib import Path

    from cicdlint.config import schema
    from cicdlint.engine import load_rules

    load_rules(import_all=True)
    root = Path(__file__).resolve().parent.parent
    expected = json.dumps(schema(), indent=2, sort_keys=True) + "\n"
    for path in (root / "cicdlint" / "data" / "config.schema.json", root / "docs" / "config.schema.json"):
        assert path.read_text(encoding="utf-8") == expected, f"{path} is stale: run `cicdlint config-schema -o {path}`"


# --- nothing to lint -----------------------------------------------------------------------------


def test_an_explicit_path_with_nothing_to_lint_is_exit_2(repo):
    (repo / "docs").mkdir()
    (repo / "docs" / "notes.md").write_text("# notes\n")
    code, _, err = run("check", "--no-cache", "docs")
    assert code == 2 and "nothing to lint under docs" in err


def test_pre_commit_with_nothing_lintable_passes(repo):
    (repo / "tsconfig.json").write_text('{\n  // comments\n  "compilerOptions": {},\n}\n')
    code, out, err = run("check", "--no-cache", "--force-exclude", "tsconfig.json")
    assert code == 0 and "no file to lint" in err and "parse-error" not in out


def test_an_empty_working_directory_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run("check", "--no-cache")
    assert code == 0 and "no file to lint under ." in err


# --- inline ignores ------------------------------------------------------------------------------


def test_unknown_ids_in_ignores_and_unused_ignores(repo):
    ci = repo / ".github" / "workflows" / "ci.yml"
    ci.write_text(WORKFLOW.replace("actions/checkout@v4", "actions/checkout@v4  # cicdlint: ignore[unpined-action]")
                  + "      - run: echo  # cicdlint: ignore[unpinned-action]\n")
    code, out, _ = run("check", "--no-cache", "--format", "json", "--select", "unpinned-action,invalid-ignore")
    rules = [(f["rule"], f["line"]) for f in json.loads(out)["findings"]]
    assert ("invalid-ignore", 6) in rules and ("unpinned-action", 6) in rules
    assert "did you mean 'unpinned-action'" in out.lower()
    code, out, _ = run("check", "--no-cache", "--format", "json", "--select", "unpinned-action", "--report-unused-ignores")
    assert ("unused-ignore", 8) in [(f["rule"], f["line"]) for f in json.loads(out)["findings"]]
