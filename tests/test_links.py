"""Cross-file links: a workflow that renders or deploys a task definition by path."""
from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

from cicdlint.cli import cli

WORKFLOW = textwrap.dedent(
    """\
    on:
      push:
        branches: [main]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        environment: production
        steps:
          - id: render
            uses: aws-actions/amazon-ecs-render-task-definition@v1
            with:
              task-definition: deploy/task-definition.json
              container-name: web
              image: ${{ needs.build.outputs.image }}
    """
)
TASK_DEFINITION = {
    "family": "web-production",
    "containerDefinitions": [
        {"name": "web", "image": "nginx:1.27", "essential": True, "healthCheck": {"command": ["CMD", "true"]}},
    ],
}


def _repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "deploy.yml").write_text(WORKFLOW)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "task-definition.json").write_text(json.dumps(TASK_DEFINITION, indent=2))
    monkeypatch.chdir(tmp_path)


def _sarif(*args):
    result = CliRunner().invoke(cli, ["check", "--format", "sarif", "--exit-zero", *args], catch_exceptions=False)
    return json.loads(result.output)["runs"][0]["results"]


def test_linked_task_definition_is_linted_when_only_the_workflow_is_named(tmp_path, monkeypatch):
    _repo(tmp_path, monkeypatch)
    results = _sarif(".github/workflows/deploy.yml", "--select", "missing-health-retries")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "deploy/task-definition.json" in uris


def test_findings_in_a_task_definition_point_at_the_deploying_workflow(tmp_path, monkeypatch):
    _repo(tmp_path, monkeypatch)
    results = _sarif("deploy/task-definition.json", "--select", "missing-health-retries")
    assert results
    related = results[0]["relatedLocations"][0]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == ".github/workflows/deploy.yml"
    assert related["physicalLocation"]["region"]["startLine"] == 12
    assert "rendered by" in related["message"]["text"]


def test_unlinked_task_definition_has_no_related_locations(tmp_path, monkeypatch):
    _repo(tmp_path, monkeypatch)
    (tmp_path / ".github" / "workflows" / "deploy.yml").write_text(WORKFLOW.replace("deploy/task-definition.json", "other.json"))
    results = _sarif("deploy/task-definition.json", "--select", "missing-health-retries")
    assert results and "relatedLocations" not in results[0]
