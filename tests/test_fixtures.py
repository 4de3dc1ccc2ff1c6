"""Every rule against its fixtures: the findings must be exactly the ones the fixture expects."""
from __future__ import annotations

import functools
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from cicdlint.config import Settings
from cicdlint.engine import lint_file, load_rules
from cicdlint.rule import DOC_SECTIONS, REGISTRY

from conftest import FIXTURES
from fixture_expect import expectations

load_rules(import_all=True)
FIXTURE_FILES = sorted(
    path for path in FIXTURES.glob("*/*") if path.is_file() and not path.name.endswith((".expect", ".options"))
)


def _fixture_settings(path: Path) -> dict:
    """`FILE.options` beside a fixture: JSON `{"rules": {rule: {option: value}}, "requires": program,
    "also_select": [rule, ...]}` for a rule that is off unless configured or judges other rules'
    findings; the fixture is skipped when `requires` is not on PATH."""
    sidecar = path.with_name(path.name + ".options")
    if not sidecar.exists():
        return {}
    settings = json.loads(sidecar.read_text(encoding="utf-8"))
    required = settings.pop("requires", None)
    if required and shutil.which(required) is None:
        pytest.skip(f"{required} is not installed")
    return settings


def _rule_of(path: Path) -> str:
    return path.parent.name


def _lint(path: Path, rule_id: str, also_select=(), **settings):
    result = Settings(select=[rule_id, *also_select], root=FIXTURES.parent.parent, **settings)
    findings, _, _ = lint_file(path, path.name, True, result)
    return findings


@pytest.fixture
def online_rules(monkeypatch, tmp_path):
    """Rules tagged `online` run their fixtures with `--online` against the stand-in GitHub API
    of tests/fake_github.py (a server on 127.0.0.1, no network)."""
    from fake_github import serve

    with serve(monkeypatch, tmp_path) as fake:
        yield fake


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture(path: Path, request):
    rule_id = _rule_of(path)
    if rule_id in REGISTRY and "online" in REGISTRY[rule_id].tags:
        request.getfixturevalue("online_rules")
        _lint_online = functools.partial(_lint, online=True)
    else:
        _lint_online = _lint
    assert rule_id in REGISTRY, f"fixture directory {rule_id!r} names no rule"
    expected = expectations(path)
    if path.name.startswith("good"):
        assert not [e for e in expected if e.rule == rule_id], "a good fixture expects nothing"
    else:
        assert path.name.startswith("bad"), "fixtures are named bad* or good*"
        assert expected, "a bad fixture must say what it expects"
    settings = _fixture_settings(path)
    findings = [f for f in _lint_online(path, rule_id, **settings) if f.rule_id == rule_id or rule_id in ("parse-error",)]
    actual_lines = Counter((f.span.start_line, f.rule_id) for f in findings)
    expected_lines = Counter((e.line, e.rule) for e in expected)
    assert actual_lines == expected_lines, "\n".join(
        f"{path.name}:{f.span.start_line}:{f.span.start_col}: {f.rule_id} {f.severity}: {f.message}" for f in findings
    )
    for want in expected:
        at_line = [f for f in findings if f.span.start_line == want.line and f.rule_id == want.rule]
        if want.col is not None:
            assert want.col in [f.span.start_col for f in at_line], (want, [(f.span.start_col, f.message) for f in at_line])
        if want.severity is not None:
            assert want.severity in [f.severity for f in at_line], (want, [(f.severity, f.message) for f in at_line])


# The engine's file-system and time conditions cannot be written as fixture files: tests/test_hardening.py
# reproduces them (symlinks, FIFOs, budgets) instead.
@pytest.mark.parametrize("rule_id", sorted(set(REGISTRY) - {"internal-error", "unreadable-file", "too-complex"}))
def test_rule_has_fixtures(rule_id):
    directory = FIXTURES / rule_id
    assert list(directory.glob("bad*")), f"{rule_id} has no bad* fixture"
    assert list(directory.glob("good*")) or rule_id == "parse-error", f"{rule_id} has no good* fixture"


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_rule_has_docs(rule_id):
    rule = REGISTRY[rule_id]
    for section in DOC_SECTIONS:
        assert section in rule.doc, f"{rule_id} doc lacks {section!r}"
    assert rule.summary and not rule.summary.endswith(".")
    if "security" in rule.tags:
        assert rule.security_severity is not None, f"{rule_id} is tagged security but has no security_severity"
