"""Rules that read other files of the repository (local actions, reusable workflows), against
fixture trees: `tests/fixtures/<rule-id>/<bad|good>-<name>/` is laid out like a repository.

Each tree is copied to a temporary folder that is made a checkout (an empty `.git`, with an
`origin` remote when the tree has an `ORIGIN` file naming its URL), then each of its workflows
and actions is linted with the rule alone, and the findings are compared with the tree's
`# expect:` comments exactly as `test_fixtures.py` does for single files."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from cicdlint.config import Settings
from cicdlint.engine import lint_file, load_rules
from cicdlint.rule import REGISTRY

from conftest import FIXTURES
from fixture_expect import expectations

load_rules()
TREES = sorted(path for path in FIXTURES.glob("*/*") if path.is_dir() and path.name.startswith(("bad", "good")))


def make_checkout(tree: Path, into: Path) -> Path:
    root = into / "repo"
    shutil.copytree(tree, root)
    (root / ".git").mkdir()
    origin = root / "ORIGIN"
    if origin.exists():
        url = origin.read_text(encoding="utf-8").strip()
        (root / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {url}\n', encoding="utf-8")
    return root


def _documents(root: Path) -> list[Path]:
    found = sorted((root / ".github" / "workflows").glob("*.y*ml"))
    found += sorted(path for path in root.rglob("action.y*ml") if ".git" not in path.relative_to(root).parts[:1])
    return found


@pytest.mark.parametrize("tree", TREES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_tree(tree: Path, tmp_path: Path):
    rule_id = tree.parent.name
    assert rule_id in REGISTRY, f"fixture directory {rule_id!r} names no rule"
    assert tree.name.startswith(("bad", "good")), "fixture trees are named bad* or good*"
    root = make_checkout(tree, tmp_path)
    settings = Settings(select=[rule_id], root=root)
    expected_any = False
    for path in _documents(root):
        expected = [e for e in expectations(path) if e.rule == rule_id]
        expected_any = expected_any or bool(expected)
        if tree.name.startswith("good"):
            assert not expected, f"{path.name}: a good tree expects nothing"
        findings, _, _ = lint_file(path, path.relative_to(root).as_posix(), True, settings)
        findings = [f for f in findings if f.rule_id == rule_id]
        actual = Counter((f.span.start_line, f.rule_id) for f in findings)
        assert actual == Counter((e.line, e.rule) for e in expected), "\n".join(
            f"{path.relative_to(root)}:{f.span.start_line}:{f.span.start_col}: {f.message}" for f in findings
        )
        for want in expected:
            at_line = [f for f in findings if f.span.start_line == want.line]
            if want.col is not None:
                assert want.col in [f.span.start_col for f in at_line], (path.name, want, [(f.span.start_col, f.message) for f in at_line])
            if want.severity is not None:
                assert want.severity in [f.severity for f in at_line], (path.name, want)
    if tree.name.startswith("bad"):
        assert expected_any, "a bad tree must say what it expects"
