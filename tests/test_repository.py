"""ctx.repo: cross-file look-ups stay inside the repository and parse each file once."""
from __future__ import annotations

import os

from cicdlint.repository import Repository

WORKFLOW = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n"


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_document_is_parsed_once_and_paths_are_normalised(tmp_path):
    _write(tmp_path / ".github" / "workflows" / "ci.yml", WORKFLOW)
    repo = Repository(tmp_path)
    doc = repo.document("./.github/workflows/ci.yml")
    assert doc is not None and doc.kind == "workflow"
    assert repo.document(".github/workflows/ci.yml") is doc
    assert [d.abspath.name for d in repo.workflows()] == ["ci.yml"]


def test_paths_outside_the_root_are_refused(tmp_path):
    root = tmp_path / "repo"
    _write(tmp_path / "secret.yml", WORKFLOW)
    _write(root / "x.txt", "")
    os.symlink(tmp_path / "secret.yml", root / "link.yml")
    repo = Repository(root)
    for relative in ("../secret.yml", "/etc/passwd", "link.yml", "a\0b"):
        assert repo.path(relative) is None, relative
        assert repo.document(relative) is None
    assert not repo.exists("../secret.yml")
    assert repo.exists("x.txt")


def test_slug_from_the_origin_remote(tmp_path):
    _write(tmp_path / ".git" / "config", '[remote "upstream"]\n\turl = https://github.com/other/x\n'
           '[remote "origin"]\n\turl = https://github.com/Owner/Name.git\n')
    assert Repository(tmp_path).slug == "owner/name"
    assert Repository(tmp_path / "none").slug is None
