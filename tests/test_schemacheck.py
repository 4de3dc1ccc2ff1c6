"""cicdlint/schemacheck.py gives jsonschema's errors on the schemas cicdlint ships: the same
(path, keyword) pairs, on valid documents and on documents broken in every way at once."""
from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import jsonschema
import pytest

from cicdlint.config import schema as config_schema
from cicdlint.engine import load_rules
from cicdlint.schemacheck import Validator, supports

DATA = Path(__file__).resolve().parent.parent / "cicdlint" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
load_rules(import_all=True)


def _inline(schema, defs):
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref[len("#/$defs/"):]], defs)
        return {key: value if key == "enum" else _inline(value, defs) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inline(item, defs) for item in schema]
    return schema


def _pairs(errors):
    return sorted((tuple(str(part) for part in error.absolute_path), error.validator) for error in errors)


def _mutants(document, rng: random.Random, count: int):
    """Copies with values swapped for wrong types, unknown keys added and keys removed."""
    strange = ["x", 5, -3, 2.5, True, None, [], {}, [1, "a"], {"unknownKey": 1}, 10**12]
    for _ in range(count):
        mutant = copy.deepcopy(document)
        nodes = [mutant]
        stack = [mutant]
        while stack:
            node = stack.pop()
            children = list(node.values()) if isinstance(node, dict) else node if isinstance(node, list) else []
            for child in children:
                if isinstance(child, (dict, list)):
                    nodes.append(child)
                    stack.append(child)
        for node in rng.sample(nodes, min(len(nodes), 4)):
            if isinstance(node, dict) and node:
                key = rng.choice(list(node))
                action = rng.random()
                if action < 0.5:
                    node[key] = rng.choice(strange)
                elif action < 0.75:
                    del node[key]
                else:
                    node[key + "X"] = rng.choice(strange)
            elif isinstance(node, list) and node:
                node[rng.randrange(len(node))] = rng.choice(strange)
        yield mutant


ECS_DOCUMENTS = sorted(
    path for path in FIXTURES.rglob("*.json") if path.name.startswith(("bad", "good"))
)


@pytest.mark.parametrize("name, shape", [
    ("ecs-taskdef.schema.json", "TaskDefinition"),
    ("ecs-taskdef.schema.json", "DescribeTaskDefinitionOutput"),
    ("ecs-service.schema.json", "ServiceInput"),
    ("ecs-service.schema.json", "DescribeServicesOutput"),
])
def test_ecs_schemas_match_jsonschema(name, shape):
    root = json.loads((DATA / name).read_text(encoding="utf-8"))
    schema = _inline(root["$defs"][shape], root["$defs"])
    assert supports(schema)
    ours, theirs = Validator(schema), jsonschema.Draft202012Validator(schema)
    rng = random.Random(shape)
    compared = 0
    for path in ECS_DOCUMENTS:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        for instance in [document, *_mutants(document, rng, 15)]:
            assert _pairs(ours.iter_errors(instance)) == _pairs(theirs.iter_errors(instance)), path.name
            compared += 1
    assert compared > 100


def test_config_schema_matches_jsonschema():
    schema = config_schema()
    assert supports(schema)
    document = {
        "select": ["*"], "ignore": ["unpinned-action"], "min-severity": "warning", "fail-on": "error",
        "production-patterns": ["prod*"], "per-path-ignores": {"docs/**": ["*"]},
        "rules": {"unpinned-action": {"severity": "note", "policies": {"actions/*": "tag"}}},
    }
    ours, theirs = Validator(schema), jsonschema.Draft202012Validator(schema)
    rng = random.Random(7)
    for instance in [document, *_mutants(document, rng, 300)]:
        assert _pairs(ours.iter_errors(instance)) == _pairs(theirs.iter_errors(instance)), instance


def test_deep_instances_do_not_exhaust_the_stack():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    errors = list(Validator({"type": "array", "items": {"type": "array", "maxItems": 0}}).iter_errors(deep))
    assert len(errors) == 1
