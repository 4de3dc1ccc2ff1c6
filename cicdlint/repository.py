"""The repository a document belongs to, for cross-file look-ups.

Rules never open files: a rule that needs another file of the repository (the task definition a
workflow deploys, a local action, a called reusable workflow) asks `ctx.repo`, which reads it
through the loader once per process, only inside the repository root, and returns its parsed
Document or None (missing, outside the root, unreadable, not a file cicdlint understands)."""
from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path

from . import lazyre

# `url = git@github.com:owner/name.git`, `https://github.com/owner/name`, in .git/config's origin.
_ORIGIN_URL = lazyre.compile(
    r'\[remote "origin"\][^\[]*?\burl\s*=\s*\S*?github\.com[:/]+([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?\s*$',
    lazyre.MULTILINE,
)

_REPOSITORIES: dict[str, "Repository"] = {}


class Repository:
    def __init__(self, root: Path):
        self.root = root
        self._documents: dict[str, object] = {}
        self._workflows = None

    @classmethod
    def of(cls, root: Path) -> "Repository":
        key = str(root)
        if key not in _REPOSITORIES:
            _REPOSITORIES[key] = cls(root)
        return _REPOSITORIES[key]

    def path(self, relative: str) -> Path | None:
        """The absolute path of a repository-relative path, or None when it leaves the root."""
        relative = _normalise(relative)
        if not relative or relative.startswith("/") or "\0" in relative:
            return None
        candidate = self.root / relative
        try:
            resolved = candidate.resolve()
            resolved.relative_to(self.root.resolve())
        except (OSError, RuntimeError, ValueError):
            return None
        return candidate

    @cached_property
    def slug(self) -> str | None:
        """`owner/name` of the repository on GitHub, from the origin remote in `.git/config`."""
        config = self.root / ".git" / "config"
        try:
            if not config.is_file() or config.stat().st_size > 1_000_000:
                return None
            match = _ORIGIN_URL.search(config.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return None
        return match.group(1).lower() if match else None

    def exists(self, relative: str) -> bool:
        path = self.path(relative)
        try:
            return path is not None and path.exists()
        except OSError:
            return False

    def document(self, relative: str):
        """The parsed Document at a repository-relative path, or None."""
        relative = _normalise(relative)
        if relative in self._documents:
            return self._documents[relative]
        doc = None
        path = self.path(relative)
        if path is not None:
            from .loaders import load

            try:
                doc = load(path, path.as_posix(), True)
            except OSError:
                doc = None
            if doc is not None and (doc.composed is None or doc.kind is None):
                doc = None
        self._documents[relative] = doc
        return doc

    def workflows(self) -> list:
        """Every workflow under `.github/workflows/`, parsed, in file-name order."""
        if self._workflows is None:
            directory = self.root / ".github" / "workflows"
            try:
                names = sorted(os.listdir(directory))
            except OSError:
                names = []
            found = []
            for name in names:
                if name.lower().endswith((".yml", ".yaml")):
                    doc = self.document(f".github/workflows/{name}")
                    if doc is not None and doc.kind == "workflow":
                        found.append(doc)
            self._workflows = found
        return self._workflows


def _normalise(relative: str) -> str:
    relative = relative.strip()
    while relative.startswith("./"):
        relative = relative[2:]
    return relative
