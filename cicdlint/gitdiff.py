"""Pull-request mode: which lines the change since a git ref added or touched.

`changes(ref, root)` runs `git diff --unified=0 REF` (the working tree against REF, so
uncommitted edits count) plus `git ls-files --others` (new files not yet added), in the
repository root, and returns per repository-relative path the lines the diff adds or changes,
and the lines next to which it deleted something. Git is run with a fixed environment (no pager,
no external diff, no colour) and a timeout; its output is parsed, never interpreted by a shell.
An unknown ref, or a directory that is not a git repository, is a `DiffError` (exit code 2)."""
from __future__ import annotations

import os

TIMEOUT = 120  # seconds for one git command


class DiffError(Exception):
    pass


class Changes:
    """Per file: `added` lines (added or changed) and `touched` lines (those plus the places of
    deletions); `whole` files (new, untracked) count as changed everywhere."""

    def __init__(self):
        self.added: dict[str, set[int]] = {}
        self.touched: dict[str, set[int]] = {}
        self.whole: set[str] = set()

    def file_changed(self, path: str) -> bool:
        return path in self.whole or bool(self.touched.get(path))

    def line_added(self, path: str, line: int) -> bool:
        return path in self.whole or line in self.added.get(path, ())

    def range_touched(self, path: str, first: int, last: int) -> bool:
        if path in self.whole:
            return True
        touched = self.touched.get(path)
        if not touched:
            return False
        if last - first < len(touched):
            return any(line in touched for line in range(first, last + 1))
        return any(first <= line <= last for line in touched)


def _git(arguments: list[str], root: str) -> str:
    import subprocess

    environment = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    environment.update({"GIT_PAGER": "cat", "GIT_EXTERNAL_DIFF": "", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    try:
        done = subprocess.run(
            ["git", "-c", "core.quotepath=off", "-c", "diff.noprefix=false", *arguments],
            cwd=root, capture_output=True, timeout=TIMEOUT, env=environment, check=False,
        )
    except FileNotFoundError:
        raise DiffError("--diff needs git, which is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {arguments[0]} took longer than {TIMEOUT} seconds") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DiffError(message[-1] if message else f"git {arguments[0]} failed")
    return done.stdout.decode("utf-8", "surrogateescape")


def repository_root(start: str) -> str:
    try:
        return _git(["rev-parse", "--show-toplevel"], start).strip()
    except DiffError:
        raise DiffError(f"--diff: {start} is not inside a git repository") from None


def changes(ref: str, start: str) -> tuple[Changes, str]:
    """The changes since `ref`, and the repository root they are relative to."""
    if not ref or ref.startswith("-") or "\0" in ref:
        raise DiffError(f"--diff: {ref!r} is not a git ref")
    root = repository_root(start)
    try:
        _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], root)
    except DiffError:
        raise DiffError(
            f"--diff: unknown git ref {ref!r} (in a shallow clone, fetch it first, e.g. "
            f"`git fetch --depth=1 origin {ref.split('/', 1)[-1]}`)"
        ) from None
    found = Changes()
    _parse(_git(["diff", "--unified=0", "--no-color", "--no-ext-diff", "--find-renames", ref, "--"], root), found)
    for name in _git(["ls-files", "--others", "--exclude-standard", "-z"], root).split("\0"):
        if name:
            found.whole.add(name)
    return found, root


def _parse(diff: str, found: Changes) -> None:
    path = None
    for line in diff.split("\n"):
        if line.startswith("+++ "):
            target = line[4:]
            path = None if target == "/dev/null" else _unquote(target)[2:] if _unquote(target).startswith("b/") else _unquote(target)
            if path is not None:
                found.added.setdefault(path, set())
                found.touched.setdefault(path, set())
        elif line.startswith("@@ ") and path is not None:
            new = line.split(" ")[2]  # +start[,count]
            start, _, count = new[1:].partition(",")
            first, length = int(start), int(count) if count else 1
            if length == 0:  # a deletion after line `first`
                found.touched[path].update((first, first + 1))
            else:
                lines = range(first, first + length)
                found.added[path].update(lines)
                found.touched[path].update(lines)
        elif line.startswith("new file mode") and path is None:
            continue


def _unquote(name: str) -> str:
    """A path as git prints it: C-quoted when it has unusual characters."""
    if not (name.startswith('"') and name.endswith('"')):
        return name
    body = name[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return body.encode("latin-1", "replace").decode("utf-8", "surrogateescape")


def keep(findings, changes: Changes, scopes) -> list:
    """The findings the change introduced: on an added or changed line; about a whole file
    (line 1, column 1) of a changed file; about a job or step whose lines the change touched
    (`scopes(finding)` gives its first and last line, or None); or with a related location in
    another changed file (a workflow and the task definition it deploys)."""
    kept = []
    for finding in findings:
        path = finding.relative
        span = finding.span
        if changes.line_added(path, span.start_line) or changes.range_touched(path, span.start_line, span.end_line):
            kept.append(finding)
            continue
        if span.start_line == 1 and span.start_col == 1 and changes.file_changed(path):
            kept.append(finding)
            continue
        scope = scopes(finding)
        if scope is not None and changes.range_touched(path, *scope):
            kept.append(finding)
            continue
        if any(location.relative != path and changes.file_changed(location.relative) for location in finding.related):
            kept.append(finding)
    return kept
