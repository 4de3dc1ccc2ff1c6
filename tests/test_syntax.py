"""The syntax validator (cicdlint/syntax.py) and its generated spec (scripts/gen_workflow_syntax.py)."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time

import pytest

from cicdlint import syntax
from cicdlint.yamlpos import Map, Scalar, compose

from conftest import ROOT

SCRIPTS = ROOT / "scripts"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_workflow_syntax", SCRIPTS / "gen_workflow_syntax.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def problems(text: str, kind: str = "workflow") -> list[tuple[str, int, int, str]]:
    composed = compose(text)
    found = syntax.Validator(kind, composed.root).run()
    return sorted((issue.rule, *composed.line_col(issue.node.start), issue.message) for issue in found)


def rules_of(text: str, kind: str = "workflow") -> list[str]:
    return [rule for rule, *_ in problems(text, kind)]


# --- the generator --------------------------------------------------------------------------


def test_data_files_are_up_to_date():
    """The committed data files are exactly what the generator makes of the vendored schemas."""
    generated = _generator().generate(SCRIPTS / "schemastore")
    for name, text in generated.items():
        assert (ROOT / "cicdlint" / "data" / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run python scripts/gen_workflow_syntax.py"
        )


def test_check_mode_reports_stale_files(tmp_path):
    generator = _generator()
    assert generator.main(["--out", str(tmp_path)]) == 0  # writes
    assert generator.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "action-syntax.json").write_text("{}", encoding="utf-8")
    assert generator.main(["--check", "--out", str(tmp_path)]) == 1


def test_converter_on_a_tiny_schema():
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["jobs"],
        "properties": {
            "name": {"type": "string"},
            "count": {"oneOf": [{"type": "number"}, {"$ref": "#/definitions/expressionSyntax"}]},
            "mode": {"type": "string", "enum": ["a", "b"]},
            "only": {"const": "x"},
            "tags": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "jobs": {"type": "object", "patternProperties": {"^[a-z]+$": {"$ref": "#/definitions/job"}}, "additionalProperties": False},
            "free": {"type": "object"},
            "either": {"anyOf": [{"type": "boolean"}, {"type": "null"}, {}]},
            "first": {"allOf": [{"type": "boolean"}, {"not": {"type": "null"}}]},
        },
        "definitions": {
            "expressionSyntax": {"type": "string", "pattern": "^\\$\\{\\{.*\\}\\}$"},
            "job": {"type": "object", "properties": {"run": {"type": "string"}, "job": {"$ref": "#/definitions/job"}}},
        },
    }
    generator = _generator()
    defs = generator.Converter(schema, {"#": "root", "#/definitions/job": "job"}).convert_root()
    assert defs["root"] == {
        "map": {
            "name": "string",
            "count": {"one-of": ["number"], "expr": True},
            "mode": {"enum": ["a", "b"]},
            "only": {"enum": ["x"]},
            "tags": {"seq": "non-empty-string"},
            "jobs": {"map": {}, "values": "job"},
            "free": {"map": {}, "values": "any"},
            "either": {"one-of": ["any"]} if False else "any",
            "first": "boolean",
        },
        "required": ["jobs"],
    }
    assert defs["job"] == {"map": {"run": "string", "job": "job"}, "values": "any"}  # recursive
    spec = {"about": "x", "root": "root", "defs": generator.reachable(defs, "root")}
    text = generator.dump(spec)
    assert json.loads(text) == spec
    assert generator.dump(json.loads(text)) == text  # deterministic


def test_overlay_fails_loudly_when_the_schema_changes():
    generator = _generator()
    with pytest.raises(AssertionError, match="input schema changed"):
        generator.pick({"step": {"map": {"run": "string"}}}, "step", ["run", "uses"])


def test_generated_spec_is_closed():
    """Every reference names a def or a builtin."""
    generator = _generator()
    for kind in ("workflow", "action"):
        data = syntax.spec(kind)
        assert generator.reachable(data["defs"], data["root"]).keys() == data["defs"].keys()


# --- workflows --------------------------------------------------------------------------------

MINIMAL = """on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
"""


def test_minimal_workflow_is_clean():
    assert problems(MINIMAL) == []


def test_missing_on_and_jobs():
    found = problems("name: x\n")
    assert [(rule, message) for rule, _, _, message in found] == [
        ("missing-required-key", "The workflow has no 'jobs': add at least one job"),
        ("missing-required-key", "The workflow has no 'on': say which events trigger it (e.g. 'on: push'); without 'on' it never runs"),
    ]


def test_messages_read_like_a_person_wrote_them():
    found = problems("""on: push
jobs:
  build:
    runs_on: ubuntu-latest
    steps:
      - run: make
""")
    assert ("unexpected-key", 4, 5, "Unknown key 'runs_on' in job 'build'; did you mean 'runs-on'?") in found
    assert ("missing-required-key", 3, 3,
            "Job 'build' has no 'runs-on': say where it runs (e.g. 'runs-on: ubuntu-latest')") in found


def test_keys_are_case_sensitive():
    found = problems(MINIMAL.replace("runs-on", "Runs-On"))
    assert ("unexpected-key", 4, 5, "Unknown key 'Runs-On' in job 'build'; did you mean 'runs-on'? (keys are case-sensitive)") in found


@pytest.mark.parametrize("line", [
    "timeout-minutes: ${{ inputs.t }}",
    "continue-on-error: ${{ matrix.experimental }}",
    "runs-on: ${{ matrix.os }}",
    "strategy: ${{ fromJSON(inputs.strategy) }}",
    "strategy: {matrix: '${{ fromJSON(inputs.matrix) }}'}",
    "strategy: {matrix: {include: '${{ fromJSON(x) }}'}}",
    "strategy: {fail-fast: '${{ inputs.ff }}', max-parallel: '${{ inputs.n }}'}",
    "container: ${{ inputs.image }}",
    "services: ${{ fromJSON(inputs.services) }}",
    "env: ${{ fromJSON(inputs.env) }}",
    "environment: {name: '${{ inputs.env }}', deployment: '${{ inputs.deploy }}'}",
    "concurrency: {group: g, cancel-in-progress: '${{ github.event_name == ''push'' }}'}",
    "defaults: {run: '${{ fromJSON(inputs.defaults) }}'}",
    "timeout-minutes: 1.5",
    "name: 42",
    "if: false",
])
def test_expressions_and_values_github_accepts(line):
    text = f"on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    {line}\n    steps:\n      - run: make\n"
    if line.startswith("runs-on"):
        text = text.replace("    runs-on: ubuntu-latest\n", "")
    assert problems(text) == []


@pytest.mark.parametrize("line, rule", [
    ("permissions: ${{ inputs.permissions }}", "invalid-value"),
    ("permissions: {contents: '${{ inputs.level }}'}", "invalid-value"),
    ("timeout-minutes: abc", "invalid-value"),
    ("timeout-minutes: '10'", "invalid-value"),
    ("timeout-minutes: -1", "invalid-value"),
    ("continue-on-error: maybe", "invalid-value"),
    ("continue-on-error: 'true'", "invalid-value"),
    ("strategy: {fail-fast: 'no'}", "invalid-value"),
    ("steps: ${{ fromJSON(inputs.steps) }}", "invalid-value"),
    ("outputs: [a]", "invalid-value"),
    ("secrets: inherit", "unexpected-key"),
    ("concurrency: {cancel-in-progress: true}", "missing-required-key"),
])
def test_values_github_refuses(line, rule):
    text = f"on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    {line}\n    steps:\n      - run: make\n"
    if line.startswith("steps"):
        text = text.replace("    steps:\n      - run: make\n", "")
    assert rule in rules_of(text)


def test_quoted_number_says_remove_the_quotes():
    found = problems(MINIMAL.replace("    steps:", "    timeout-minutes: \"30\"\n    steps:"))
    assert found == [("invalid-value", 5, 22, "'timeout-minutes' in job 'build' must be a number of minutes "
                      "(or a ${{ }} expression), not the string '30' (remove the quotes)")]


def test_reusable_workflow_job_takes_only_its_keys():
    found = problems("""on: push
jobs:
  call:
    uses: ./.github/workflows/x.yml
    with: {a: 1}
    secrets: inherit
    strategy: {matrix: {n: [1, 2]}}
    concurrency: x
    permissions: {}
    timeout-minutes: 5
""")
    assert [(rule, line) for rule, line, _, _ in found] == [("unexpected-key", 10)]
    assert "not available in a job that calls a reusable workflow" in found[0][3]


def test_misspelt_uses_is_one_finding():
    found = problems("on: push\njobs:\n  call:\n    use: ./.github/workflows/x.yml\n    with: {a: 1}\n")
    assert found == [("unexpected-key", 4, 5, "Unknown key 'use' in job 'call'; did you mean 'uses'?")]


def test_on_forms():
    assert problems(MINIMAL) == []
    assert problems(MINIMAL.replace("on: push", "on: [push, pull_request]")) == []
    assert problems(MINIMAL.replace("on: push", "on:\n  push:\n  workflow_dispatch: {}")) == []
    assert rules_of(MINIMAL.replace("on: push", "on: pushh")) == ["unknown-event"]
    assert rules_of(MINIMAL.replace("on: push", "on: [push, pushh]")) == ["unknown-event"]
    assert rules_of(MINIMAL.replace("on: push", "on:")) == ["invalid-value"]
    assert rules_of(MINIMAL.replace("on: push", "on: 5")) == ["unknown-event"]


def test_event_filters():
    def filters(event_block: str):
        return problems(MINIMAL.replace("on: push", "on:\n" + event_block))

    assert filters("  push:\n    branches: main\n    paths: ['src/**']") == []
    found = filters("  pull_request:\n    tags: [v1]")
    assert [(rule, message) for rule, _, _, message in found] == [
        ("unexpected-key", "Unexpected key 'tags' in the 'pull_request' event: this event takes no 'tags' filter "
                           "(only push does), so GitHub ignores it"),
    ]
    assert rules_of("on:\n  workflow_run:\n    types: [completed]\njobs:\n  a: {uses: ./x.yml}\n") == ["missing-required-key"]


def test_inputs():
    dispatch = """on:
  workflow_dispatch:
    inputs:
      level: {type: choice, options: [low, high], default: low}
      other: {type: choice, options: [a], default: b}
      flag: {type: boolean, default: "false"}
      bad-flag: {type: boolean, default: nope}
      n: {type: number, default: "3"}
      bad-n: {type: number, default: three}
      text: {default: 7}
      opts: {type: string, options: [a]}
      choice: {type: choice}
jobs:
  a: {uses: ./x.yml}
"""
    found = problems(dispatch)
    assert [(rule, line) for rule, line, _, _ in found] == [
        ("invalid-value", 5), ("invalid-value", 7), ("invalid-value", 9),
        ("missing-required-key", 12), ("unexpected-key", 11),
    ]


def test_too_many_dispatch_inputs():
    inputs = "".join(f"      i{n}: {{}}\n" for n in range(26))
    text = f"on:\n  workflow_dispatch:\n    inputs:\n{inputs}jobs:\n  a: {{uses: ./x.yml}}\n"
    assert rules_of(text) == ["invalid-value"]


def test_anchors_aliases_merge_keys_and_redefined_anchors():
    text = """on:
  push:
    paths: &paths ["src/**"]
  pull_request:
    paths: *paths
jobs:
  a: &job
    runs-on: &runner ubuntu-latest
    steps: [{run: make}]
  b:
    <<: *job
    timeout-minutes: 5
  c:
    runs-on: &runner windows-latest
    env: {OS: *runner}
    steps: [{run: make}]
"""
    assert problems(text) == []
    composed = compose(text)
    c = composed.root.get("jobs").get("c")
    assert c.get("env").get("OS").value == "windows-latest"  # the latest definition


def test_problems_in_an_alias_are_reported_once():
    text = "on: push\njobs:\n  a: &j\n    runs-on: x\n    timeout: 5\n    steps: [{run: make}]\n  b: *j\n  c: *j\n"
    assert rules_of(text) == ["unexpected-key"]


# --- actions ----------------------------------------------------------------------------------


def test_actions():
    assert problems("name: a\ndescription: b\nruns:\n  using: node20\n  main: index.js\n", "action") == []
    assert rules_of("name: a\ndescription: b\nruns:\n  main: index.js\n", "action") == ["missing-required-key"]
    found = problems("name: a\ndescription: b\nruns:\n  using: node14\n  main: index.js\n", "action")
    assert found[0][0] == "invalid-value" and "not 'node14'" in found[0][3]
    assert rules_of("runs:\n  using: composite\n  steps:\n    - run: make\n", "action") == [
        "missing-required-key", "missing-required-key", "missing-required-key"]  # name, description, shell
    severities = [issue.severity for issue in syntax.Validator("action", compose("runs: {using: docker, image: x}").root).run()]
    assert severities == ["warning", "warning"]


# --- hostile input ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "- a\n- b\n",
    "just a string\n",
    "on: {push: [1, 2]}\njobs: [a, b]\n",
    "on: push\njobs:\n  a: [runs-on, steps]\n  b: 5\n  c:\n    runs-on: {labels: {x: 1}}\n    steps: {run: x}\n",
    "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - [run, make]\n      - run: [a]\n      - uses: {a: 1}\n",
    "on: {workflow_dispatch: {inputs: [a]}, workflow_call: {inputs: {a: [1]}, outputs: 5}}\njobs: {}\n",
    "on: push\njobs:\n  a:\n    runs-on: x\n    strategy: {matrix: [1], fail-fast: {}}\n    steps: [{run: x}]\n",
    "? [complex, key]\n: value\non: push\njobs: {a: {uses: x}}\n",
    "on: push\njobs:\n  a:\n    runs-on: x\n    permissions: [contents]\n    environment: [a]\n    container: [a]\n    services: [a]\n    steps: [{run: x}]\n",
])
def test_hostile_shapes_never_raise(text):
    for kind in ("workflow", "action"):
        syntax.Validator(kind, compose(text).root).run()


def test_deep_nesting_never_raises():
    depth = 300  # libyaml refuses more than 1000 levels of flow nesting
    step = "{run: x}"
    for _ in range(depth):
        step = "{parallel: [" + step + "]}"
    text = f"on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{step}]\n"
    assert problems(text) == []
    deep = "on: push\njobs:\n  a:\n    runs-on: x\n    strategy: {matrix: {include: [{x: " + "[" * 900 + "]" * 900 + "}]}}\n    steps: [{run: x}]\n"
    assert problems(deep) == []


def test_linear_on_many_jobs():
    jobs = "".join(f"  j{n}:\n    runs-on: ubuntu-latest\n    timeout-minutes: x\n    steps:\n      - run: make\n" for n in range(20000))
    root = compose("on: push\njobs:\n" + jobs).root
    start = time.perf_counter()
    found = syntax.Validator("workflow", root).run()
    elapsed = time.perf_counter() - start
    assert len(found) == 20000
    assert elapsed < 10  # about 1 s on a loaded 2-core machine; quadratic would be hours


# --- cost -----------------------------------------------------------------------------------


def test_import_is_cheap_and_the_spec_is_lazy():
    code = (
        "import re, inspect, pathlib, cicdlint.yamlpos, cicdlint.rule\n"  # what the engine has loaded anyway
        "def boom(*a, **k): raise AssertionError('re.compile at import time')\n"
        "re.compile = boom\n"
        "import cicdlint.syntax as s, rules.unexpected_key, rules.missing_required_key, rules.invalid_value, rules.unknown_event\n"
        "assert s.spec.cache_info().currsize == 0\n"
        "import sys; assert 'jsonschema' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_one_validation_shared_by_the_rules(tmp_path):
    from cicdlint.config import Settings
    from cicdlint.engine import lint_file, load_rules

    load_rules()
    calls = []
    original = syntax.Validator.run

    def counting(self):
        calls.append(1)
        return original(self)

    path = tmp_path / "wf.yml"
    path.write_text(MINIMAL.replace("runs-on", "runs_on"), encoding="utf-8")
    settings = Settings(select=["unexpected-key", "missing-required-key", "invalid-value", "unknown-event"], root=tmp_path)
    syntax.Validator.run = counting
    try:
        findings, _, _ = lint_file(path, path.name, True, settings)
    finally:
        syntax.Validator.run = original
    assert len(calls) == 1
    assert sorted(finding.rule_id for finding in findings) == ["missing-required-key", "unexpected-key"]


def test_is_expression():
    assert syntax.is_expression(Scalar("${{ x }}", None, 0, 0))
    assert not syntax.is_expression(Map([], 0, 0))
