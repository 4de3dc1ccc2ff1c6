"""The repository a document belongs to, for cross-file look-ups.

Rules never open files: a rule that needs another file of the repository (the task definition a
workflow deploys, a local action, a called reusable workflow) asks `ctx.repo`, which reads it
through the one reader (regular files only, inside the scanned root, size-limited), parses it
once per process and returns its Document, or None (missing, outside the root, unreadable, not
a file cicdlint understands, or over the limit of linked files).

`ctx.repo` is a `RepositoryView`: the same repository, recording what the linted document
looked at (paths and their content hashes, directory listings), so a cached result can be
served only while none of those changed."""
from __future__ import annotations

import os
from pathlib import Path

from . import lazyre

MAX_LINKED_DOCUMENTS = 500  # documents one process reads through links, per repository

# `url = git@github.com:owner/name.git`, `https://github.com/owner/name`, in .git/config's origin.
_ORIGIN_URL = lazyre.compile(
    r'\[remote "origin"\][^\[]*?\burl\s*=\s*\S*?github\.com[:/]+([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?\s*$',
    lazyre.MULTILINE,
)
_MISSING = object()
_REPOSITORIES: dict[tuple[str, str | None], "Repository"] = {}


class Repository:
    def __init__(self, root: Path, scan_root: str | None = None):
        self.root = root
        self.scan_root = scan_root if scan_root is not None else str(root)
        self._documents: dict[str, object] = {}
        self._listings: dict[str, list[str]] = {}
        self._refs = None
        self._slug = _MISSING
        self.loaded = 0
        self.over_limit = False

    @classmethod
    def of(cls, root: Path, scan_root: str | None = None) -> "Repository":
        key = (str(root), scan_root)
        if key not in _REPOSITORIES:
            _REPOSITORIES[key] = cls(root, scan_root)
        return _REPOSITORIES[key]

    @property
    def slug(self) -> str | None:
        """`owner/name` of the repository on GitHub, from the origin remote in `.git/config`."""
        if self._slug is _MISSING:
            from .reader import read_text

            text = read_text(os.path.join(str(self.root), ".git", "config"), self.scan_root)
            match = _ORIGIN_URL.search(text) if isinstance(text, str) else None
            self._slug = match.group(1).lower() if match else None
        return self._slug

    def path(self, relative: str) -> Path | None:
        """The absolute path of a repository-relative path, or None when it leaves the scanned root."""
        from .reader import inside

        relative = _normalise(relative)
        if not relative or relative.startswith("/") or "\0" in relative or len(relative) > 1024:
            return None
        candidate = self.root / relative
        return candidate if inside(str(candidate), self.scan_root) else None

    def exists(self, relative: str) -> bool:
        path = self.path(relative)
        try:
            return path is not None and path.exists()
        except (OSError, ValueError):
            return False

    def cached(self, relative: str):
        return self._documents.get(_normalise(relative))

    def document(self, relative: str):
        """The parsed Document at a repository-relative path, or None."""
        relative = _normalise(relative)
        if relative in self._documents:
            return self._documents[relative]
        doc = None
        path = self.path(relative)
        if path is not None and self.loaded < MAX_LINKED_DOCUMENTS:
            from .loaders import load

            self.loaded += 1
            doc = load(path, path.as_posix(), True, self.scan_root)
            if doc is not None and (doc.composed is None or doc.kind is None):
                doc = None
        elif path is not None:
            self.over_limit = True
        self._documents[relative] = doc
        return doc

    def listing(self, directory: str) -> list[str]:
        """File names in a repository directory (inside the scanned root), sorted."""
        directory = _normalise(directory).rstrip("/")
        if directory not in self._listings:
            names: list[str] = []
            path = self.path(directory) if directory else self.root
            if path is not None:
                try:
                    names = sorted(os.listdir(path))
                except (OSError, ValueError):
                    names = []
            self._listings[directory] = names
        return self._listings[directory]

    def workflow_paths(self) -> list[str]:
        return [
            f".github/workflows/{name}" for name in self.listing(".github/workflows") if name.lower().endswith((".yml", ".yaml"))
        ]

    def workflows(self) -> list:
        """Every workflow under `.github/workflows/`, parsed, in file-name order."""
        found = []
        for relative in self.workflow_paths():
            doc = self.document(relative)
            if doc is not None and doc.kind == "workflow":
                found.append(doc)
        return found

    def task_definition_refs(self) -> list:
        """(workflow Document, TaskDefinitionRef) for every render or deploy step of the
        repository's workflows, found once per process."""
        if self._refs is None:
            from . import links
            from .model import Workflow

            self._refs = []
            for doc in self.workflows():
                if links.RENDER_ACTION in doc.text or links.DEPLOY_ACTION in doc.text:
                    self._refs.extend((doc, ref) for ref in links.task_definition_refs(Workflow(doc)))
        return self._refs

    def relative(self, path: Path) -> str | None:
        """A path's repository-relative form (lexical: no link is followed), or None if outside."""
        absolute = os.path.abspath(str(path))
        base = os.path.abspath(str(self.root))
        if absolute == base or not absolute.startswith(base.rstrip(os.sep) + os.sep):
            return None
        return absolute[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")


class RepositoryView:
    """`ctx.repo`: a Repository that records what one linted document looked at."""

    def __init__(self, repository: Repository):
        self._repository = repository
        self.reads: dict[str, str] = {}  # relative path -> content digest ("" missing), "dir/" -> names

    @property
    def root(self) -> Path:
        return self._repository.root

    @property
    def slug(self) -> str | None:
        self.reads[".git/config"] = "slug:" + (self._repository.slug or "")
        return self._repository.slug

    def path(self, relative: str) -> Path | None:
        return self._repository.path(relative)

    def exists(self, relative: str) -> bool:
        found = self._repository.exists(relative)
        self.reads.setdefault(_normalise(relative), "exists" if found else "")
        return found

    def document(self, relative: str):
        doc = self._repository.document(relative)
        self.reads[_normalise(relative)] = doc.digest if doc is not None else ""
        return doc

    def listing(self, directory: str) -> list[str]:
        names = self._repository.listing(directory)
        self.reads[_normalise(directory).rstrip("/") + "/"] = "\n".join(names)
        return names

    def workflows(self) -> list:
        self.listing(".github/workflows")
        docs = self._repository.workflows()
        for relative in self._repository.workflow_paths():
            doc = self._repository.cached(relative)
            self.reads[relative] = doc.digest if doc is not None else ""
        return docs

    def task_definition_refs(self) -> list:
        self.workflows()
        return self._repository.task_definition_refs()

    def refs_to(self, doc) -> list:
        """(workflow Document, ref) for each render or deploy step that names this document's file."""
        import fnmatch

        relative = self._repository.relative(doc.abspath)
        if relative is None:
            return []
        return [(workflow, ref) for workflow, ref in self.task_definition_refs() if fnmatch.fnmatchcase(relative, ref.pattern)]

    def rendered_containers(self, doc) -> list[str]:
        """Container names (fnmatch patterns) whose image a render step of the repository's
        workflows replaces in this task definition: the image written in it is a placeholder."""
        return [
            ref.container
            for _, ref in self.refs_to(doc)
            if ref.action == "render" and ref.container and ref.step.input("image") is not None
        ]


def repository_root(path: Path) -> Path:
    """The repository a file belongs to: the folder holding its `.github` (for a file under
    `.github/`), else the nearest folder above it with a `.github` folder or a `.git` entry,
    else its own folder. Lexical: no link is followed."""
    absolute = os.path.abspath(str(path))
    parts = absolute.split(os.sep)
    if ".github" in parts[:-1]:
        index = len(parts) - 1 - parts[:-1][::-1].index(".github") - 1
        return Path(os.sep.join(parts[:index]) or os.sep)
    directory = os.path.dirname(absolute)
    candidate = directory
    while True:
        if os.path.isdir(os.path.join(candidate, ".github")) or os.path.exists(os.path.join(candidate, ".git")):
            return Path(candidate)
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return Path(directory)
        candidate = parent


def _normalise(relative: str) -> str:
    relative = relative.strip().replace("\\", "/")
    while relative.startswith("./"):
        relative = relative[2:]
    return relative
