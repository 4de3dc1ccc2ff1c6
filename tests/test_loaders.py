"""The loading layer: discovery, sniffing, parsing, positions and the YAML/JSON traps.

Positions are checked against the text itself (`where()` finds a needle and counts code points
with plain Python), parse errors against what PyYAML and json.loads report on their own."""
from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from cicdlint import loaders
from cicdlint.config import Settings
from cicdlint.engine import lint_file, lint_paths, load_rules
from cicdlint.loaders import discover, load
from cicdlint.model import TaskDefinition, Workflow, services_of
from cicdlint.rule import REGISTRY, rule
from cicdlint.yamlpos import Map, ParseError, Scalar, Seq, compose, compose_json, to_python, walk

load_rules(import_all=True)

TASKDEF = {
    "family": "billing-api",
    "networkMode": "awsvpc",
    "containerDefinitions": [{"name": "api", "image": "billing-api:1.4.2", "essential": True}],
}
SERVICE = {
    "serviceName": "billing",
    "cluster": "prod",
    "taskDefinition": "billing-api:7",
    "desiredCount": 2,
    "deploymentConfiguration": {"minimumHealthyPercent": 100, "maximumPercent": 200},
}
WORKFLOW = """\
name: CI
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
"""


def where(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """1-based line and code-point column of the n-th `needle` in `text`, counted naively."""
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(needle, index + 1)
    before = text[:index].replace("\r\n", "\n")
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def at(span) -> tuple[int, int]:
    return span.start_line, span.start_col


def write(path: Path, content) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def load_named(path: Path):
    return load(path, path.name, True)


def parse_errors(path: Path, named: bool = True):
    findings, _, _ = lint_file(path, path.name, named, Settings(select=["parse-error"], root=path.parent))
    return [(f.span.start_line, f.span.start_col, f.message) for f in findings if f.rule_id == "parse-error"]


def run_paths(paths, root: Path, select=("parse-error",)):
    return lint_paths([str(p) for p in paths], Settings(select=list(select), root=root), jobs=1)


@pytest.fixture
def env_rule():
    """A test-local rule: every env value a job runs with (workflow-level values once per job)."""

    @rule(id="test-loader-env", kinds=("workflow",), severity="warning", summary="Test rule for the loader tests")
    def check(doc, ctx):
        """## What it does\nx\n## Why is this bad?\nx\n## Example\nx\n## Use instead\nx"""
        for job in ctx.workflow.jobs:
            for var in job.env.values():
                yield var.value, f"{var.name} is set"

    yield "test-loader-env"
    REGISTRY.pop("test-loader-env", None)


# --- positions -------------------------------------------------------------------------------


def test_columns_count_code_points_after_non_ascii_text(tmp_path, env_rule):
    text = textwrap.dedent(
        """\
        on: push
        env: {TITLE: "déploiement ✓ 🚀", REGION: eu-west-1}
        jobs:
          deploy:
            runs-on: ubuntu-latest
            steps:
              - run: ./deploy.sh
        """
    )
    path = write(tmp_path / ".github" / "workflows" / "deploy.yml", text)
    result = run_paths([path], tmp_path, select=[env_rule])
    found = {f.message.split()[0]: (f.span.start_line, f.span.start_col, f.span.end_col) for f in result.findings}
    line, col = where(text, "eu-west-1")
    assert found["REGION"] == (line, col, col + len("eu-west-1"))  # byte columns would be 5 more
    line, col = where(text, '"déploiement')
    assert found["TITLE"] == (line, col, col + len('"déploiement ✓ 🚀"'))


def test_positions_are_one_based(tmp_path):
    doc = load_named(write(tmp_path / "ci.yml", WORKFLOW))
    first_key = doc.root.pairs[0][0]
    span = doc.span_of(first_key)
    assert (span.start_line, span.start_col, span.end_line, span.end_col) == (1, 1, 1, 5)


def test_every_node_has_a_position(tmp_path):
    doc = load_named(write(tmp_path / "ci.yml", WORKFLOW))
    for node in walk(doc.root):
        span = doc.span_of(node)
        assert span.start_line >= 1 and span.start_col >= 1
        if isinstance(node, Scalar) and node.value:
            assert doc.lines[span.start_line - 1][span.start_col - 1 :].startswith(node.value.split("\n")[0])


def test_bom_leaves_line_one_columns_unchanged(tmp_path):
    text = 'on: {push: {branches: [main]}}\njobs: {build: {runs-on: ubuntu-latest, steps: [{run: "make"}]}}\n'
    plain = load_named(write(tmp_path / "a.yml", text))
    bom = load_named(write(tmp_path / "b.yml", b"\xef\xbb\xbf" + text.encode()))
    assert bom.kind == plain.kind == "workflow"
    for node_a, node_b in zip(walk(plain.root), walk(bom.root)):
        assert plain.span_of(node_a) == bom.span_of(node_b)
    main = plain.root.get("on").get("push").get("branches").items[0]
    assert at(plain.span_of(main)) == where(text, "main")


def test_bom_in_json(tmp_path):
    text = json.dumps(TASKDEF, indent=2)
    doc = load(write(tmp_path / "td.json", b"\xef\xbb\xbf" + text.encode()), "td.json", False)
    assert doc.kind == "taskdef" and not doc.errors
    family = doc.root.get("family")
    assert at(doc.span_of(family)) == where(text, '"billing-api"')


def test_crlf_positions_and_spans(tmp_path, env_rule):
    text = (
        "on: push\r\n"
        "env:\r\n"
        "  REGION: eu-west-1\r\n"
        "jobs:\r\n"
        "  build:\r\n"
        "    runs-on: ubuntu-latest\r\n"
        "    steps:\r\n"
        "      - run: |\r\n"
        "          make build\r\n"
        "          make test\r\n"
        "\r\n"
        "      - run: echo done\r\n"
    )
    path = write(tmp_path / ".github" / "workflows" / "ci.yml", text)
    doc = load(path, "ci.yml", False)
    assert doc.kind == "workflow" and not doc.errors
    region = doc.root.get("env").get("REGION")
    span = doc.span_of(region)
    assert (span.start_line, span.start_col, span.end_line, span.end_col) == (3, 11, 3, 20)
    assert text[span.start_offset : span.end_offset] == "eu-west-1"
    # A block scalar ends on its last content line, without the CR or the blank line.
    step = Workflow(doc).jobs[0].steps[0]
    span = doc.span_of(step.run)
    assert (span.start_line, span.end_line) == (8, 10)
    assert span.end_col == len("          make test") + 1
    # A part of the script is found on its own line.
    part = doc.composed.locate(step.run, step.run.value.index("make test"), len("make test"))
    assert (part.start_line, part.start_col, part.end_col) == (10, 11, 20)
    assert doc.lines[2] == "  REGION: eu-west-1"  # lines carry no CR
    result = run_paths([path], tmp_path, select=[env_rule])
    assert [(f.span.start_line, f.span.start_col) for f in result.findings] == [(3, 11)]


def test_crlf_parse_error_column(tmp_path):
    text = "on: push\r\njobs:\r\n  build:\r\n    runs-on: [ubuntu-latest\r\n"
    assert parse_errors(write(tmp_path / "ci.yml", text))[0][:2] == _yaml_mark(text)


def test_lone_cr_line_breaks_count_as_lines(tmp_path):
    text = "on: push\rjobs:\r  build:\r    runs-on: ubuntu-latest\r    steps: [{run: make}]\r"
    doc = load_named(write(tmp_path / "ci.yml", text))
    assert doc.kind == "workflow"
    runs_on = doc.root.get("jobs").get("build").get("runs-on")
    assert at(doc.span_of(runs_on)) == (4, 14)
    assert doc.lines[3] == "    runs-on: ubuntu-latest"


def test_unicode_line_separator_is_not_a_line_break(tmp_path):
    # libyaml counts U+2028 as a line break; editors and GitHub do not. Positions follow LF.
    text = 'on: push\nenv:\n  NOTE: "a\u2028b"\n  REGION: eu-west-1\njobs: {x: {runs-on: ubuntu-latest, steps: [{run: make}]}}\n'
    doc = load_named(write(tmp_path / "ci.yml", text))
    region = doc.root.get("env").get("REGION")
    assert at(doc.span_of(region)) == (4, 11)


# --- kinds -----------------------------------------------------------------------------------


def test_workflow_reusable_and_caller(tmp_path):
    workflows = tmp_path / ".github" / "workflows"
    reusable = write(
        workflows / "deploy.yml",
        "on:\n  workflow_call:\n    inputs:\n      environment: {type: string, required: true}\n"
        "jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: ${{ inputs.environment }}\n"
        "    steps:\n      - run: ./deploy.sh\n",
    )
    caller = write(
        workflows / "release.yaml",
        "on:\n  push:\n    tags: ['v*']\njobs:\n  production:\n"
        "    uses: ./.github/workflows/deploy.yml\n    with: {environment: production}\n    secrets: inherit\n",
    )
    docs = {t.path.name: load(t.path, t.path.name, t.named) for t in discover([str(tmp_path)])}
    assert docs["deploy.yml"].kind == docs["release.yaml"].kind == "workflow"
    assert Workflow(docs["deploy.yml"]).triggers == ["workflow_call"]
    job = Workflow(docs["release.yaml"]).jobs[0]
    assert job.uses.value == "./.github/workflows/deploy.yml" and job.steps == []
    assert reusable.exists() and caller.exists()


def test_on_key_stays_the_string_on(tmp_path):
    doc = load_named(write(tmp_path / "ci.yml", "on:\n  push:\n  pull_request:\njobs: {}\n"))
    assert "on" in doc.root and doc.root.key("on").value == "on"
    assert Workflow(doc).triggers == ["push", "pull_request"]
    assert to_python(doc.root)["on"] == {"push": None, "pull_request": None}


def test_plain_scalars_are_typed_by_yaml_1_2(tmp_path):
    doc = load_named(write(tmp_path / "x.yml", "a: true\nb: 'true'\nc: yes\nd: 42\ne: on\n"))
    assert [doc.root.get(k).as_bool() for k in "abce"] == [True, None, None, None]
    assert doc.root.get("d").as_int() == 42 and doc.root.get("d").plain
    td = load_named(write(tmp_path / "td.json", json.dumps(TASKDEF)))
    assert td.root.get("containerDefinitions").items[0].get("essential").as_bool() is True


@pytest.mark.parametrize("name", ["action.yml", "action.yaml"])
def test_action_metadata_anywhere_in_the_tree(tmp_path, name):
    write(
        tmp_path / "actions" / "deploy" / name,
        "name: Deploy\ndescription: Deploy to ECS\nruns:\n  using: composite\n  steps:\n"
        "    - run: ./deploy.sh\n      shell: bash\n",
    )
    write(tmp_path / "docs" / "action.yml", "title: not an action\n")  # no `runs`: not ours
    found = [(t.path, load(t.path, t.path.name, t.named)) for t in discover([str(tmp_path)])]
    kinds = {path.relative_to(tmp_path).as_posix(): doc.kind for path, doc in found if doc is not None}
    assert kinds == {f"actions/deploy/{name}": "action"}


@pytest.mark.parametrize(
    "data, kind",
    [
        (TASKDEF, "taskdef"),  # RegisterTaskDefinition input
        ({"taskDefinition": {**TASKDEF, "revision": 3, "status": "ACTIVE"}, "tags": []}, "taskdef"),  # describe output
        (SERVICE, "service"),  # create-service input
        ({"services": [{**SERVICE, "serviceArn": "arn:aws:ecs:..."}], "failures": []}, "service"),  # describe-services
        ({"service": {**SERVICE, "status": "ACTIVE"}}, "service"),  # create-service output
        ({"cluster": "prod", "service": "billing", "forceNewDeployment": True}, "service"),  # update-service input
        ({"cluster": "prod", "taskDefinition": "web:3", "desiredCount": 2, "launchType": "FARGATE"}, "service"),
        ({"cluster": "prod", "taskDefinition": "job:3", "count": 1, "launchType": "FARGATE"}, None),  # run-task
        ({"name": "my-package", "version": "1.0.0", "services": {"db": {}}}, None),
        ([{"name": "api", "image": "api:1"}], None),  # a bare containerDefinitions array
    ],
)
def test_ecs_kinds_sniffed_from_content(tmp_path, data, kind):
    path = write(tmp_path / "config.json", json.dumps(data, indent=2))
    doc = load(path, "config.json", False)
    assert (doc.kind if doc else None) == kind
    if kind == "taskdef":
        assert [c.name for c in TaskDefinition(doc).containers] == ["api"]
    if kind == "service":
        assert services_of(doc)


def test_named_file_is_linted_whatever_its_name(tmp_path):
    pipeline = load_named(write(tmp_path / "my-pipeline.yaml", WORKFLOW))
    taskdef = load_named(write(tmp_path / "td.txt", json.dumps(TASKDEF)))
    service = load_named(write(tmp_path / "svc", "\n\n  " + json.dumps(SERVICE)))
    action = load_named(write(tmp_path / "composite.yml", "runs:\n  using: composite\n  steps: []\n"))
    assert (pipeline.kind, taskdef.kind, service.kind, action.kind) == ("workflow", "taskdef", "service", "action")
    assert taskdef.is_json and not pipeline.is_json
    # A named JSON-looking file is held to JSON: YAML would take this trailing comma.
    broken = write(tmp_path / "td2.txt", '{"family": "x", "containerDefinitions": [],}')
    assert parse_errors(broken)[0][:2] == (1, 44)


def test_yaml_like_ci_files_of_other_tools_are_not_workflows(tmp_path):
    # Azure Pipelines and CircleCI have `jobs` too, but no `on`.
    azure = load_named(write(tmp_path / "azure-pipelines.yml", "name: build\ntrigger: [main]\njobs:\n  - job: a\n"))
    circle = load_named(write(tmp_path / "config.yml", "version: 2.1\njobs:\n  build: {docker: []}\nworkflows: {}\n"))
    assert azure.kind is None and circle.kind is None


# --- YAML traps --------------------------------------------------------------------------------


def test_alias_finding_reported_once_at_the_anchor(tmp_path, env_rule):
    text = textwrap.dedent(
        """\
        on: push
        env: &common
          AWS_REGION: eu-west-1
          CLUSTER: prod
        jobs:
          build:
            runs-on: ubuntu-latest
            env: *common
            steps: [{run: make}]
          deploy:
            runs-on: ubuntu-latest
            env: *common
            steps: [{run: ./deploy.sh}]
        """
    )
    path = write(tmp_path / ".github" / "workflows" / "ci.yml", text)
    result = run_paths([path], tmp_path, select=[env_rule])
    # Four (job, variable) pairs reach two nodes: two findings, at the anchored lines.
    assert sorted((f.span.start_line, f.span.start_col, f.message) for f in result.findings) == [
        (*where(text, "eu-west-1"), "AWS_REGION is set"),
        (*where(text, "prod"), "CLUSTER is set"),
    ]


def test_merge_keys_are_flattened_and_explicit_keys_win(tmp_path):
    text = textwrap.dedent(
        """\
        x-defaults: &defaults
          runs-on: ubuntu-latest
          timeout-minutes: 10
        x-linux: &linux
          runs-on: ubuntu-22.04
          container: node:20
        on: push
        jobs:
          test:
            <<: *defaults
            timeout-minutes: 30
            steps: [{run: make test}]
          build:
            <<: [*linux, *defaults]
            steps: [{run: make}]
        """
    )
    doc = load_named(write(tmp_path / "ci.yml", text))
    assert doc.kind == "workflow" and not doc.errors
    test, build = Workflow(doc).jobs
    assert test.node.get("timeout-minutes").value == "30"  # explicit wins over merged
    assert test.node.get("runs-on").value == "ubuntu-latest"
    assert at(doc.span_of(test.node.get("runs-on"))) == where(text, "ubuntu-latest")  # at the anchor
    assert "<<" not in test.node and [name for name, _, _ in test.node.items()][0] == "timeout-minutes"
    assert build.node.get("runs-on").value == "ubuntu-22.04"  # earlier source wins
    assert build.node.get("timeout-minutes").value == "10" and build.node.get("container").value == "node:20"


def test_merge_of_a_map_that_merges(tmp_path):
    doc = load_named(write(tmp_path / "x.yml", "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n"))
    assert to_python(doc.root.get("c")) == {"z": 3, "y": 2, "x": 1}


def test_duplicate_key_is_a_parse_error_at_the_second_key(tmp_path):
    text = WORKFLOW + "    runs-on: macos-latest\n"
    path = write(tmp_path / "ci.yml", text)
    errors = parse_errors(path)
    assert [e[:2] for e in errors] == [where(text, "runs-on", 1)]
    assert "runs-on" in errors[0][2] and "line 5" in errors[0][2]
    doc = load_named(path)
    assert doc.kind == "workflow" and doc.root.get("jobs").get("test").get("runs-on").value == "ubuntu-latest"


def test_duplicate_json_key_keeps_the_last_value_like_json_loads(tmp_path):
    text = '{"family": "a", "containerDefinitions": [], "family": "b"}'
    doc = load_named(write(tmp_path / "td.json", text))
    assert doc.root.get("family").value == json.loads(text)["family"] == "b"
    assert [at(span) for _, span in doc.errors] == [(1, 45)]


def test_alias_bomb_is_fast_and_refused(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefghij", "bcdefghijk"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    path = write(tmp_path / "lol.yml", "\n".join(lines) + "\n")
    start = time.perf_counter()
    errors = parse_errors(path)
    assert time.perf_counter() - start < 1.0
    assert len(errors) == 1 and "alias" in errors[0][2]
    assert errors[0][0] in range(2, len(lines) + 1)


def test_moderate_aliases_are_fine(tmp_path):
    steps = "steps: &steps [" + ", ".join(f"{{run: step{i}}}" for i in range(50)) + "]\n"
    jobs = "".join(f"  job{i}: {{runs-on: ubuntu-latest, steps: *steps}}\n" for i in range(100))
    doc = load_named(write(tmp_path / "ci.yml", "x-" + steps + "on: push\njobs:\n" + jobs))
    assert doc.kind == "workflow" and not doc.errors
    assert len(Workflow(doc).steps()) == 5000


def test_deep_nesting_does_not_crash(tmp_path):
    deep = load_named(write(tmp_path / "deep.yml", "a: " + "[" * 900 + "]" * 900 + "\n"))
    assert not deep.errors
    assert parse_errors(write(tmp_path / "deeper.yml", "a: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert parse_errors(write(tmp_path / "deeper.json", "[" * 100_000 + "]" * 100_000))


# --- not text, invalid YAML, invalid JSON --------------------------------------------------------


def test_nul_byte_at_its_line_and_code_point_column(tmp_path):
    data = "on: push\nname: Déploiement ✓ ".encode() + b"\x00rest\n"
    assert parse_errors(write(tmp_path / "ci.yml", data))[0][:2] == (2, 21)


def test_invalid_utf8_at_its_line_and_code_point_column(tmp_path):
    data = b'{\n  "family": "M\xc3\xbcnchen caf\xe9"\n}\n'
    assert parse_errors(write(tmp_path / "td.json", data))[0][:2] == (2, 25)


def test_utf16_file_is_reported(tmp_path):
    errors = parse_errors(write(tmp_path / "td.json", "\ufeff{}".encode("utf-16-le")))
    assert len(errors) == 1 and "UTF-16" in errors[0][2]


def _yaml_mark(text):
    try:
        yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        return mark.line + 1, mark.column + 1
    raise AssertionError("the text parses")


@pytest.mark.parametrize(
    "text",
    [
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n   steps: []\n",
        "on: push\njobs:\n  build:\n    steps:\n      - run: echo ${{ github.sha }\n        shell: bash\n    x: [\n",
        'name: "déploiement ✓" {\non: push\n',
        "on: push\njobs:\n\tbuild: {}\n",
        "env:\n  A: *missing\n",
    ],
)
def test_invalid_yaml_at_the_position_the_parser_reports(tmp_path, text):
    errors = parse_errors(write(tmp_path / "ci.yml", text))
    assert len(errors) == 1 and errors[0][:2] == _yaml_mark(text)
    assert errors[0][2].startswith("Fix the YAML syntax: ") and "placeholder" not in errors[0][2]


@pytest.mark.parametrize(
    "text",
    [
        '{"family": "web", "containerDefinitions": [],}',  # trailing comma
        '{\n  // the web service\n  "family": "web",\n  "containerDefinitions": []\n}',  # comment
        "{'family': 'web', \"containerDefinitions\": []}",  # single quotes
        '{"family": "web", "containerDefinitions": [{"name": "é", "cpu": 0x10}]}',
        '{"family": "web"}\n{"family": "api"}\n',  # two documents
        '{"family": "web", "containerDefinitions": [\n\t\t{"name": "a" "image": "b"}]}',  # tabs
    ],
)
def test_invalid_json_at_json_loads_position(tmp_path, text):
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        expected = (error.lineno, error.colno)
    errors = parse_errors(write(tmp_path / "td.json", text))
    assert len(errors) == 1 and errors[0][:2] == expected


def test_valid_json_that_libyaml_refuses_still_loads(tmp_path):
    text = (
        '{\n\t"family": "web",\n\t"containerDefinitions": [{\n\t\t"name": "web",\n'
        '\t\t"environment": [{"name": "GREETING", "value": "hi \\ud83d\\ude80 \\u00e9 \x7f"}],\n'
        f'\t\t"{"k" * 1100}": 1,\n'
        '\t\t"image"\n\t\t\t: "nginx:1.27"\n\t}]\n}\n'
    )
    doc = load_named(write(tmp_path / "td.json", text))
    assert not doc.errors and doc.kind == "taskdef"
    container = doc.root.get("containerDefinitions").items[0]
    value = container.get("environment").items[0].get("value")
    assert value.value == json.loads(text)["containerDefinitions"][0]["environment"][0]["value"]
    assert at(doc.span_of(container.get("image"))) == where(text, '"nginx:1.27"')
    assert at(doc.span_of(container.get("name"))) == (4, 11)  # after two tabs


def test_compose_json_matches_json_loads():
    text = json.dumps({"a": [1, -2.5e3, True, False, None, "x\n\"y"], "b": {}, "c": [], "d": {"e": [[], {}]}})
    assert to_python(compose_json(text).root) == {
        "a": [1, -2500.0, True, False, None, 'x\n"y'],
        "b": {},
        "c": [],
        "d": {"e": [[], {}]},
    }
    with pytest.raises(ParseError):
        compose_json('{"a": 1,}')


def test_control_character_in_yaml(tmp_path):
    text = 'on: push\nname: "état ✓\x07"\n'
    errors = parse_errors(write(tmp_path / "ci.yml", text))
    assert [e[:2] for e in errors] == [where(text, "\x07")]


# --- odd but valid files ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    ["", "\n\n", "# only a comment\n# and another\n", "---\n", "- a\n- b\n", "just a scalar\n", "42", "null\n"],
)
def test_empty_comment_only_and_non_map_roots(tmp_path, content):
    named = write(tmp_path / "x.yml", content)
    doc = load_named(named)
    assert doc.kind is None and not doc.errors
    walked = write(tmp_path / ".github" / "workflows" / "ci.yml", content)
    assert load(walked, "ci.yml", False) is None
    result = run_paths([tmp_path], tmp_path, select=["*"])
    assert result.findings == [] and result.files == 0


def test_json_roots_that_are_not_objects(tmp_path):
    for content in ("[]", '"text"', "3", "null", "[1, {}]"):
        doc = load_named(write(tmp_path / "x.json", content))
        assert doc.kind is None and not doc.errors


def test_multi_document_yaml_is_a_parse_error_at_the_second_document(tmp_path):
    text = "on: push\njobs: {}\n---\non: pull_request\n"
    assert [e[:2] for e in parse_errors(write(tmp_path / "ci.yml", text))] == [(3, 1)]
    # One document that starts with `---` and ends with `...` is fine.
    assert not parse_errors(write(tmp_path / "ok.yml", "---\non: push\njobs: {}\n...\n"))


# --- discovery ---------------------------------------------------------------------------------


def _relative(tmp_path, files):
    return sorted(target.path.relative_to(tmp_path).as_posix() for target in files)


def test_directory_walk_finds_ours_and_skips_the_rest(tmp_path):
    write(tmp_path / ".github" / "workflows" / "ci.yml", WORKFLOW)
    write(tmp_path / ".github" / "workflows" / "release.YAML", WORKFLOW)
    write(tmp_path / ".github" / "workflows" / "README.md", "# docs\n")
    write(tmp_path / ".github" / "workflows" / "old" / "ci.yml", WORKFLOW)  # GitHub reads no subfolders
    write(tmp_path / ".github" / "dependabot.yml", "version: 2\n")
    write(tmp_path / "deploy" / "task-definition.json", json.dumps(TASKDEF))
    write(tmp_path / "deploy" / "pipeline.yml", WORKFLOW)  # a YAML outside workflows: named only
    write(tmp_path / "env" / "prod" / "service.json", json.dumps(SERVICE))  # `env` is not a virtualenv
    for skipped in (".git", "node_modules/pkg", ".venv", "venv", "build/.tox"):
        write(tmp_path / skipped / ".github" / "workflows" / "ci.yml", WORKFLOW)
        write(tmp_path / skipped / "td.json", json.dumps(TASKDEF))
    write(tmp_path / "tools" / "pyenv311" / "pyvenv.cfg", "home = /usr/bin\n")  # a virtualenv, any name
    write(tmp_path / "tools" / "pyenv311" / "lib" / "td.json", json.dumps(TASKDEF))
    assert _relative(tmp_path, discover([str(tmp_path)])) == [
        ".github/dependabot.yml",
        ".github/workflows/ci.yml",
        ".github/workflows/release.YAML",
        "deploy/task-definition.json",
        "env/prod/service.json",
    ]


def test_walked_non_ecs_json_is_skipped_silently(tmp_path):
    write(tmp_path / "package.json", '{"name": "app", "version": "1.0.0", "dependencies": {}}')
    write(tmp_path / "tsconfig.json", '{\n  // compiler options\n  "compilerOptions": {"strict": true,},\n}\n')
    # Mentions "services" and still does not parse: not an ECS file, so no parse-error.
    write(tmp_path / "web" / "tsconfig.json", '{\n  "paths": {"services": ["src/services"]}, // aliases\n}\n')
    write(tmp_path / "compose.json", '{"services": {"db": {"image": "postgres"}}, "services": {}}')  # duplicate key
    write(tmp_path / "big.json", '{"services": [' + "1," * 3_000_000 + "1]}")
    write(tmp_path / "binary.json", b'"services"\x00\x01\xff')
    write(tmp_path / "not-utf8.json", b'{"services": "caf\xe9",}')
    result = run_paths([tmp_path], tmp_path, select=["*"])
    assert result.findings == [] and result.files == 0


def test_walked_ecs_json_that_does_not_parse_is_reported(tmp_path):
    text = '{\n  "family": "api",\n  "containerDefinitions": [\n    {"name": "api", "memory": ${MEMORY}}\n  ]\n}\n'
    path = write(tmp_path / "ecs" / "task-definition.json", text)
    write(tmp_path / "ecs" / "service.json", '{"serviceName": "api", "cluster": "prod", "desiredCount": {{COUNT}}}')
    result = run_paths([tmp_path], tmp_path)
    assert [(Path(f.path).name, f.span.start_line, f.span.start_col) for f in result.findings] == [
        ("service.json", 1, 60),
        (path.name, 4, 31),
    ]
    assert "template placeholder" in result.findings[0].message


def test_gitignore_root_nested_and_negation(tmp_path):
    (tmp_path / ".git" / "info").mkdir(parents=True)
    write(tmp_path / ".git" / "info" / "exclude", "scratch/\n")
    write(tmp_path / ".gitignore", "generated/\n*.json\n!keep.json\n/rendered-*.json\n")
    write(tmp_path / "generated" / "td.json", json.dumps(TASKDEF))
    write(tmp_path / "scratch" / "td.json", json.dumps(TASKDEF))
    write(tmp_path / "deploy" / "td.json", json.dumps(TASKDEF))
    write(tmp_path / "deploy" / "keep.json", json.dumps(TASKDEF))
    write(tmp_path / "deploy" / "ecs" / ".gitignore", "!*.json\nold.json\n")  # nested: re-include, then ignore
    write(tmp_path / "deploy" / "ecs" / "td.json", json.dumps(TASKDEF))
    write(tmp_path / "deploy" / "ecs" / "old.json", json.dumps(TASKDEF))
    write(tmp_path / "rendered-prod.json", json.dumps(TASKDEF))
    write(tmp_path / "sub" / "rendered-prod.json", json.dumps(TASKDEF))  # ignored by *.json, then re-included
    write(tmp_path / "sub" / ".gitignore", "!rendered-prod.json\n")
    write(tmp_path / ".github" / "workflows" / "ci.yml", WORKFLOW)
    write(tmp_path / ".github" / "workflows" / ".gitignore", "local-*.yml\n")
    write(tmp_path / ".github" / "workflows" / "local-test.yml", WORKFLOW)
    assert _relative(tmp_path, discover([str(tmp_path)])) == [
        ".github/workflows/ci.yml",
        "deploy/ecs/td.json",
        "deploy/keep.json",
        "sub/rendered-prod.json",
    ]
    # Walking a subdirectory still applies the .gitignore files above it, up to the repository.
    assert _relative(tmp_path, discover([str(tmp_path / "deploy")])) == ["deploy/ecs/td.json", "deploy/keep.json"]
    # A directory that is itself ignored is linted when named on the command line.
    assert _relative(tmp_path, discover([str(tmp_path / "generated")])) == ["generated/td.json"]


def test_gitignore_outside_a_repository_only_applies_below_the_walk(tmp_path):
    write(tmp_path / ".gitignore", "*.json\n")  # above the walked directory, and no .git: not applied
    write(tmp_path / "project" / "td.json", json.dumps(TASKDEF))
    write(tmp_path / "project" / "sub" / ".gitignore", "*.json\n")
    write(tmp_path / "project" / "sub" / "td.json", json.dumps(TASKDEF))
    assert _relative(tmp_path, discover([str(tmp_path / "project")])) == ["project/td.json"]


def test_walk_from_inside_dot_github(tmp_path, monkeypatch):
    write(tmp_path / ".github" / "workflows" / "ci.yml", WORKFLOW)
    monkeypatch.chdir(tmp_path / ".github")
    files = discover(["."])
    assert [t.path.as_posix() for t in files] == ["workflows/ci.yml"]
    assert load(files[0].path, "workflows/ci.yml", False).kind == "workflow"


def test_named_and_walked_file_is_linted_once(tmp_path):
    path = write(tmp_path / ".github" / "workflows" / "ci.yml", WORKFLOW)
    files = discover([str(tmp_path), str(path), os.path.relpath(path)])
    assert [(t.path, t.named) for t in files] == [(path, True)]


def test_one_broken_file_does_not_stop_the_run(tmp_path):
    write(tmp_path / ".github" / "workflows" / "broken.yml", "on: push\njobs:\n  x: [\n")
    write(tmp_path / ".github" / "workflows" / "good.yml", WORKFLOW.replace("@v4", "@main"))
    write(tmp_path / "ecs" / "td.json", json.dumps(TASKDEF))
    result = run_paths([tmp_path], tmp_path, select=["*"])
    assert result.files == 3
    errors = [f for f in result.findings if f.rule_id == "parse-error"]
    assert [(Path(f.path).name, f.span.start_line) for f in errors] == [("broken.yml", 4)]
    assert not [f for f in result.findings if f.rule_id == "internal-error"]


def test_unreadable_and_missing_files(tmp_path):
    assert "no such file" in load_named(tmp_path / "missing.yml").not_read
    assert load(tmp_path / "missing.json", "missing.json", False).quiet  # walked JSON: a warning


def test_oversized_files(tmp_path, monkeypatch):
    from cicdlint import reader

    monkeypatch.setattr(reader, "MAX_BYTES", 100)
    big = json.dumps({**TASKDEF, "padding": "x" * 200})
    assert load(write(tmp_path / "td.json", big), "td.json", False).quiet  # walked: a warning
    assert "MB" in load_named(tmp_path / "td.json").not_read  # named: reported


def test_model_shapes_never_crash_on_odd_roots(tmp_path):
    for content in ("[]", "x", "{on: push, jobs: [1, 2]}", "{on: push, jobs: {a: 1, b: [], c: {steps: 3}}}"):
        doc = load_named(write(tmp_path / "odd.yml", content))
        if doc.kind == "workflow":
            assert Workflow(doc).steps() == []


def test_seq_and_map_helpers():
    composed = compose("a: [1, 2]\nb: {c: d}\n")
    assert isinstance(composed.root, Map) and isinstance(composed.root.get("a"), Seq)
    assert composed.root.item("missing") == (None, None)
    assert [s.value for s in composed.root.get("a")] == ["1", "2"]
