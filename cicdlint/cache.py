"""The result cache: a file's findings, kept between runs (like ruff's cache).

An entry is found by the file's path, the settings and cicdlint's own code (its version and the
size and time of every engine and rule file), and served only while the file's content hash is
the same and every file it looked at through `ctx.repo` (a linked task definition, the workflows
that deploy a task definition, a directory listing) is unchanged: the entry records them.

Entries live under the user's cache directory (`$CICDLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/
cicdlint`, `~/Library/Caches/cicdlint` or `%LOCALAPPDATA%\\cicdlint\\Cache`), one small JSON file
each, written to a temporary file and renamed into place, so two runs at once never see half an
entry. A damaged or foreign entry is a miss, never an error. `--no-cache` skips the cache."""
from __future__ import annotations

import os
import sys

from . import __version__
from .rule import Finding, Location, Span

FORMAT = 2


def digest(data: bytes) -> str:
    """A content hash (BLAKE2b, 160 bits). The `_blake2` C module, not hashlib: importing hashlib
    loads OpenSSL, ~5 ms of a one-file run."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - every CPython build has it
        from hashlib import blake2b
    return blake2b(data, digest_size=20).hexdigest()


def cache_directory() -> str:
    configured = os.environ.get("CICDLINT_CACHE_DIR")
    if configured:
        return configured
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~")
        return os.path.join(base, "cicdlint", "Cache")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/cicdlint")
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "cicdlint")


def _code_fingerprint() -> str:
    """Changes whenever cicdlint's own code does (a new version, an edited rule in a checkout)."""
    from .engine import rules_dir

    package = os.path.dirname(os.path.abspath(__file__))
    parts = [__version__, sys.version]
    # data/: the bundled advisory snapshot and schemas change findings too (advisories hook)
    for directory in (package, os.path.join(package, "formatters"), os.path.join(package, "data"), rules_dir()):
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            if name.endswith((".py", ".json")):
                try:
                    info = os.stat(os.path.join(directory, name))
                except OSError:
                    continue
                parts.append(f"{directory}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return digest("\n".join(parts).encode("utf-8", "surrogateescape"))


class ResultCache:
    def __init__(self, directory: str, settings_key: str):
        self.directory = directory
        self.settings_key = settings_key
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, settings) -> "ResultCache | None":
        directory = settings.cache_dir or cache_directory()
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError:
            return None
        key = digest((settings.key() + "\0" + _code_fingerprint() + "\0" + os.getcwd()).encode("utf-8", "surrogateescape"))
        return cls(os.path.join(directory, f"v{FORMAT}-{key[:16]}"), key)

    def _entry_path(self, target, display: str) -> str:
        name = digest(f"{os.path.abspath(str(target.path))}\0{display}\0{target.named}\0{target.root}".encode("utf-8", "surrogateescape"))
        return os.path.join(self.directory, name[:2], name + ".json")

    def get(self, target, display: str):
        import json

        from .reader import read_bytes

        path = self._entry_path(target, display)
        try:
            with open(path, encoding="utf-8") as file:
                entry = json.load(file)
        except (OSError, ValueError):
            self.misses += 1
            return None
        data = read_bytes(str(target.path), target.root)
        current = digest(data) if isinstance(data, bytes) else "unreadable:" + data.message
        try:
            if entry.get("digest") != current or not _reads_unchanged(target, entry.get("reads") or {}):
                self.misses += 1
                return None
            result = _load_result(entry["result"])
        except (KeyError, TypeError, ValueError, AttributeError):
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, target, display: str, doc, result) -> None:
        if doc is None or result.warnings:
            return
        if doc.not_read is not None:
            current = "unreadable:" + doc.not_read
        elif doc.digest:
            current = doc.digest
        else:
            return  # read without a digest (the cache was enabled late): nothing to key on
        import json

        entry = {"digest": current, "reads": result.reads, "result": _dump_result(result)}
        path = self._entry_path(target, display)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            temporary = f"{path}.{os.getpid()}.tmp"
            with open(temporary, "w", encoding="utf-8") as file:
                json.dump(entry, file, separators=(",", ":"))
            os.replace(temporary, path)
        except (OSError, ValueError, TypeError):
            return

    def save(self) -> None:
        """Entries are written as files are linted; nothing is left to do at the end."""


def _reads_unchanged(target, reads: dict) -> bool:
    from .engine import repository_view
    from .loaders import Document
    from .reader import read_bytes

    if not reads:
        return True
    view = repository_view(Document(path="", abspath=target.path, scan_root=target.root))
    repository = view._repository
    for relative, recorded in reads.items():
        if relative.endswith("/"):
            current = "\n".join(repository.listing(relative))
        elif relative == ".git/config":
            current = "slug:" + (repository.slug or "")
        elif recorded == "exists":
            current = "exists" if repository.exists(relative) else ""
        else:
            path = repository.path(relative)
            data = read_bytes(str(path), repository.scan_root) if path is not None else None
            current = digest(data) if isinstance(data, bytes) else ""
            if current and recorded == "":
                return False
        if current != recorded:
            return False
    return True


def _span(values) -> Span:
    return Span(*[int(value) for value in values])


def _span_list(span: Span) -> list:
    return [span.start_line, span.start_col, span.end_line, span.end_col, span.start_offset, span.end_offset]


def _dump_result(result) -> dict:
    return {
        "counted": result.counted,
        "suppressed": result.suppressed,
        "linked": result.linked,
        "findings": [
            [f.rule_id, f.severity, f.message, f.path, _span_list(f.span), f.confidence, f.fingerprint, f.source,
             f.relative, f.uri, f.scope,
             [[loc.path, _span_list(loc.span), loc.message, loc.relative, loc.uri] for loc in f.related]]
            for f in result.findings
        ],
    }


def _load_result(data: dict):
    from .engine import FileResult

    findings = []
    for rule_id, severity, message, path, span, confidence, fingerprint, source, relative, uri, scope, related in data["findings"]:
        finding = Finding(str(rule_id), str(severity), str(message), str(path), _span(span), str(confidence))
        finding.fingerprint, finding.source, finding.relative, finding.uri = fingerprint, source, relative, uri
        finding.scope = tuple(scope) if scope else None
        for loc_path, loc_span, loc_message, loc_relative, loc_uri in related:
            location = Location(str(loc_path), _span(loc_span), str(loc_message))
            location.relative, location.uri = loc_relative, loc_uri
            finding.related.append(location)
        findings.append(finding)
    return FileResult(findings, int(data["counted"]), int(data["suppressed"]), [str(p) for p in data["linked"]])
