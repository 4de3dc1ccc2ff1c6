"""The ecs-schema rule: its schema data, lazy loading and the messages' details."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cicdlint.config import Settings
from cicdlint.engine import lint_file, load_rules

load_rules(import_all=True)
ecs_schema = sys.modules["cicdlint_rules.ecs_schema"]
DATA = Path(ecs_schema.__file__).resolve().parent.parent / "cicdlint" / "data"
if not DATA.is_dir():  # installed: the rule pack lives in cicdlint/_rules
    DATA = Path(ecs_schema.__file__).resolve().parent.parent / "data"


def _lint(tmp_path: Path, data, name="task-definition.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=2) if not isinstance(data, str) else data, encoding="utf-8")
    findings, _, _ = lint_file(path, name, True, Settings(select=["ecs-schema"], root=tmp_path))
    return [finding for finding in findings if finding.rule_id == "ecs-schema"]


@pytest.mark.parametrize("name", ["ecs-taskdef.schema.json", "ecs-service.schema.json"])
def test_schema_files_are_valid_draft_2020_12(name):
    import jsonschema

    schema = json.loads((DATA / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for definition in schema["$defs"].values():
        if definition.get("additionalProperties") is False:
            assert definition.get("x-noun"), definition  # every closed object can be named in messages


def test_validator_is_compiled_once():
    first = ecs_schema._validator("taskdef", "TaskDefinition")
    assert ecs_schema._validator("taskdef", "TaskDefinition") is first


def test_jsonschema_is_never_imported_by_a_lint(tmp_path):
    """cicdlint/schemacheck.py validates the shipped schemas: jsonschema costs ~50 ms to import."""
    workflow = tmp_path / ".github" / "workflows" / "ci.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n")
    taskdef = tmp_path / "task-definition.json"
    taskdef.write_text(json.dumps({"family": "a", "containerDefinitions": [{"name": "a", "image": "b"}]}))
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from cicdlint.config import Settings\n"
        "from cicdlint.engine import lint_file, load_rules\n"
        "load_rules()\n"
        "path = Path(sys.argv[1])\n"
        "findings, _, _ = lint_file(path, path.name, True, Settings(root=path.parent))\n"
        "assert not [f for f in findings if f.rule_id == 'internal-error'], findings\n"
        "print('JSONSCHEMA=%s' % ('jsonschema' in sys.modules))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                                       os.environ.get("PYTHONPATH", "")]))
    imported = {}
    for label, target in (("workflow", workflow), ("taskdef", taskdef)):
        result = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True,
                                cwd=tmp_path, env=env, check=True)
        imported[label] = "JSONSCHEMA=True" in result.stdout
    assert imported == {"workflow": False, "taskdef": False}


def test_placeholders_are_not_values():
    for text in ("${CPU}", "{{ port }}", "#{Port}", "<IMAGE>", "%PORT%", "__PORT__", "$$$MODE$$$", "@PORT@", "$PORT"):
        assert ecs_schema._is_placeholder(text), text
    for text in ("aws-vpc", "TCP", "512", "100%", "a <b", "awsvpc"):
        assert not ecs_schema._is_placeholder(text), text


def test_one_finding_per_unknown_key_at_the_key(tmp_path):
    findings = _lint(tmp_path, '{\n  "family": "a",\n  "containerDefinitions": [\n    {"name": "a", "image": "b",'
                               ' "memoryReservaton": 1, "cpus": 2}\n  ]\n}\n')
    assert [(f.span.start_line, f.span.start_col, f.severity) for f in findings] == [
        (4, 33, "warning"),
        (4, 56, "warning"),
    ]
    assert findings[0].message.startswith("Rename 'memoryReservaton' in container 'a' to 'memoryReservation'.")
    assert findings[1].message.startswith("Rename 'cpus' in container 'a' to 'cpu'.")


def test_bare_describe_services_entry_and_boto3_metadata(tmp_path):
    service = {
        "serviceArn": "arn:aws:ecs:eu-west-1:123456789012:service/prod/api",
        "serviceName": "api",
        "clusterArn": "arn:aws:ecs:eu-west-1:123456789012:cluster/prod",
        "status": "ACTIVE",
        "desiredCount": 2,
        "runningCount": 2,
        "pendingCount": 0,
        "taskDefinition": "arn:aws:ecs:eu-west-1:123456789012:task-definition/api:3",
        "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
        "deployments": [{"id": "ecs-svc/1", "status": "PRIMARY", "someNewField": 1}],
        "events": [],
        "createdAt": 1700000000.0,
    }
    assert _lint(tmp_path, service, "service.json") == []
    described = {"services": [service], "failures": [], "ResponseMetadata": {"HTTPStatusCode": 200}}
    assert _lint(tmp_path, described, "services.json") == []


def test_skeleton_task_definition_is_skipped(tmp_path):
    skeleton = {
        "family": "",
        "containerDefinitions": [{"name": "", "image": "", "healthCheck": {"command": [""], "interval": 0}}],
        "ephemeralStorage": {"sizeInGiB": 0},
    }
    assert _lint(tmp_path, skeleton) == []
    skeleton["family"] = "filled-in"
    assert [f.message.split(".")[0] for f in _lint(tmp_path, skeleton)] == [
        "Set 'ephemeralStorage",  # the health check's timings are invalid-health-check's
    ]
