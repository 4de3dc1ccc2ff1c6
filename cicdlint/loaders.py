"""Finding the files to lint, reading them, and sniffing what each one is.

Discovery: a file named on the command line is always read, whatever its name, and its kind is
sniffed from its content. A walked directory yields `.github/workflows/*.y(a)ml`,
`action.y(a)ml` anywhere, and `*.json` files whose text mentions an ECS field; it skips `.git`,
`node_modules`, virtualenvs and what `.gitignore` files (and `.git/info/exclude`) ignore.

Reading: one `parse-error` (in `Document.errors`) for a file that is not UTF-8 text, not valid
YAML/JSON, or repeats a key; never an exception. A walked file that turns out not to be ours
(package.json, tsconfig.json with comments, a codecov.yml in the workflows folder) is dropped
silently: `load` returns None.
"""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import lazyre
from .rule import Span
from .yamlpos import Composed, Map, ParseError, Positions, Scalar, Seq, compose, compose_json, split_lines

SKIP_DIRS = {
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".terraform", ".direnv", "site-packages",
    "bower_components",
}
MAX_BYTES = 5_000_000
_YAML_SUFFIXES = (".yml", ".yaml")
_BOM = b"\xef\xbb\xbf"
# A walked *.json is read only when its text mentions one of these (package.json never does).
_ECS_HINT = lazyre.compile(rb'"(?:containerDefinitions|taskDefinition|deploymentConfiguration|serviceName|services?)"')
# A walked *.json that does not parse is reported only when it clearly is an ECS file.
_ECS_STRONG = lazyre.compile(rb'"(?:containerDefinitions|deploymentConfiguration)"\s*:|"taskDefinition"\s*:\s*\{')
_SERVICE_NAME = lazyre.compile(rb'"(?:serviceName|service|taskDefinition)"\s*:')
_SERVICE_FIELD = lazyre.compile(rb'"(?:desiredCount|loadBalancers|schedulingStrategy|deploymentController)"\s*:')
_FIRST = Span(1, 1, 1, 2, 0, 1)
_FIRST_CHAR = lazyre.compile(rb"[ \t\r\n]*(.)", re.S)
# Fields of create-service / update-service input that a run-task input does not have...
_SERVICE_FIELDS = (
    "desiredCount", "loadBalancers", "schedulingStrategy", "deploymentController", "serviceRegistries",
    "healthCheckGracePeriodSeconds", "forceNewDeployment", "serviceConnectConfiguration",
)
# ...fields both have...
_SHARED_FIELDS = (
    "cluster", "taskDefinition", "launchType", "networkConfiguration", "capacityProviderStrategy",
    "platformVersion", "placementConstraints", "placementStrategy", "propagateTags", "enableExecuteCommand",
)
# ...and fields only a run-task input has.
_RUN_TASK_FIELDS = ("overrides", "count", "startedBy", "group", "referenceId")


@dataclass
class Document:
    """One file: its text, its node tree and what kind of file it is."""

    path: str  # as shown to the user
    abspath: Path
    text: str = ""  # decoded, BOM removed (so columns on line 1 are as an editor shows them)
    composed: Composed | None = None
    kind: str | None = None  # workflow | action | taskdef | service | None (not ours)
    is_json: bool = False
    errors: list = field(default_factory=list)  # [(message, Span)] parse problems

    @property
    def root(self):
        return self.composed.root if self.composed else None

    @cached_property
    def lines(self) -> list[str]:
        """The lines of the text without line breaks; line N of a Span is lines[N - 1]."""
        return split_lines(self.text)

    def span_of(self, node) -> Span:
        return self.composed.node_span(node)


def looks_like_workflow_path(path: Path) -> bool:
    parts = Path(os.path.abspath(path)).parts  # absolute: `workflows/ci.yml` seen from inside .github
    return (
        len(parts) >= 3
        and parts[-2] == "workflows"
        and parts[-3] == ".github"
        and path.suffix.lower() in _YAML_SUFFIXES
    )


def is_action_path(path: Path) -> bool:
    return path.name in ("action.yml", "action.yaml")


def is_dependabot_path(path: Path) -> bool:
    return path.name in _DEPENDABOT_NAMES and Path(os.path.abspath(path)).parent.name == ".github"


_DEPENDABOT_NAMES = ("dependabot.yml", "dependabot.yaml")


# --- discovery -------------------------------------------------------------------------------


def discover(paths: list[str]) -> list[tuple[Path, bool]]:
    """The files to lint: (path, named) where named means given on the command line."""
    found: dict[str, list] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in _walk(path):
                found.setdefault(_identity(file), [file, False])
        else:
            entry = found.setdefault(_identity(path), [path, True])
            entry[1] = True  # named explicitly, even if a walk found it too
    return [(path, named) for path, named in found.values()]


def _identity(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _walk(top: Path):
    ignores = _GitIgnores(top)
    for dirpath, dirnames, filenames in os.walk(top):
        if "pyvenv.cfg" in filenames or "conda-meta" in dirnames:
            dirnames[:] = []  # a virtualenv (or conda env) under another name than venv/.venv
            continue
        current = Path(dirpath)
        absolute = os.path.abspath(dirpath)
        if ".gitignore" in filenames:
            ignores.load(absolute)
        dirnames[:] = sorted(
            name
            for name in dirnames
            if name not in SKIP_DIRS and not ignores.ignored(os.path.join(absolute, name), is_dir=True)
        )
        in_workflows = os.path.basename(absolute) == "workflows" and os.path.basename(os.path.dirname(absolute)) == ".github"
        in_github = os.path.basename(absolute) == ".github"
        for name in sorted(filenames):
            lower = name.lower()
            if not (
                (in_workflows and lower.endswith(_YAML_SUFFIXES))
                or name in ("action.yml", "action.yaml")
                or (in_github and name in _DEPENDABOT_NAMES)
                or lower.endswith(".json")
            ):
                continue
            if not ignores.ignored(os.path.join(absolute, name), is_dir=False):
                yield current / name


class _GitIgnores:
    """The ignore files that apply to a walk, each to the paths below its own directory.

    As in git, the last pattern that matches a path decides (`!keep.json` re-includes), and a
    deeper .gitignore overrides a shallower one. Above the walked directory, .gitignore files
    apply up to the repository root (and .git/info/exclude), unless they ignore the walked
    directory itself: a directory named on the command line is linted."""

    def __init__(self, top: Path):
        self.rules: list[tuple[str, list]] = []  # (directory + separator, patterns) outer first
        top_abs = os.path.abspath(top)
        chain, directory = [], top_abs
        while True:
            chain.append(directory)
            if os.path.exists(os.path.join(directory, ".git")):
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                chain = []  # not in a git repository: only the walked tree's own .gitignore files
                break
            directory = parent
        if chain:
            repo = chain[-1]
            self._add(repo, os.path.join(repo, ".git", "info", "exclude"))
            for directory in reversed(chain[1:]):  # the walked directory's own is read by the walk
                self.load(directory)
            if self.ignored(top_abs, is_dir=True):
                self.rules = []

    def load(self, directory: str) -> None:
        self._add(directory, os.path.join(directory, ".gitignore"))

    def _add(self, directory: str, ignore_file: str) -> None:
        try:
            with open(ignore_file, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return
        import pathspec

        try:
            patterns = [p for p in pathspec.GitIgnoreSpec.from_lines(lines).patterns if p.include is not None]
        except Exception:  # a pattern pathspec cannot compile: ignore the whole file, as unreadable
            return
        if patterns:
            self.rules.append((os.path.join(directory, ""), patterns))

    def ignored(self, path: str, is_dir: bool) -> bool:
        decision = None
        for base, patterns in self.rules:
            if not path.startswith(base):
                continue
            relative = path[len(base):].replace(os.sep, "/") + ("/" if is_dir else "")
            for pattern in patterns:
                if pattern.match_file(relative):
                    decision = pattern.include
        return bool(decision)


# --- reading and sniffing --------------------------------------------------------------------


def load(path: Path, display: str, named: bool) -> Document | None:
    """Read and parse one file. None when a walked file turns out not to be ours."""
    doc = Document(path=display, abspath=path)
    walked_json = not named and path.suffix.lower() == ".json"
    try:
        info = path.stat()
        if not named and not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > MAX_BYTES:
            if walked_json:
                return None
            limit = MAX_BYTES // 1_000_000
            return _error(doc, f"Lint files under {limit} MB: this one is larger and was not read", _FIRST)
        data = path.read_bytes()
    except OSError as error:
        if walked_json:
            return None
        return _error(doc, f"Make the file readable: {error.strerror or error}", _FIRST)
    if walked_json and not _ECS_HINT.search(data):
        return None  # a walked JSON file that cannot be an ECS file (package.json, tsconfig.json...)
    if data.startswith(_BOM):
        data = data[3:]
    text = _decode(data)
    if not isinstance(text, str):
        if walked_json and not _looks_ecs(data):
            return None
        return _error(doc, *text)
    doc.text = text
    doc.is_json = _is_json(path, data)
    try:
        doc.composed = _parse_json(text) if doc.is_json else compose(text)
    except ParseError as error:
        if walked_json and not _looks_ecs(data):
            return None  # e.g. a tsconfig.json with comments that mentions "services"
        span = Positions(text).point(error.offset) if error.offset is not None else _point(error.line, error.col)
        return _error(doc, _parse_message(error, doc, span), span)
    doc.kind = sniff(doc, path, named)
    if doc.kind is None and not named:
        return None
    for duplicate in doc.composed.duplicates:
        first_line = doc.composed.line_col(duplicate.first.start)[0]
        effect = (
            "JSON readers such as the AWS CLI silently keep only the last value"
            if doc.is_json
            else "GitHub rejects a workflow that repeats a key, and other YAML readers keep only one value"
        )
        doc.errors.append(
            (
                f"Remove the duplicate key {duplicate.key.value!r} (first defined on line {first_line}); {effect}",
                doc.span_of(duplicate.key),
            )
        )
    return doc


def _error(doc: Document, message: str, span: Span) -> Document:
    doc.errors.append((message, span))
    return doc


def _decode(data: bytes) -> str | tuple[str, Span]:
    """The text of BOM-less bytes, or why they are not UTF-8 text and where."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "Save the file as UTF-8: it is UTF-16 text", _FIRST
    nul = data.find(b"\0")
    if nul != -1:
        return "Lint only text files: this file contains a NUL byte (binary data or UTF-16?)", _byte_span(data, nul)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start]
        return f"Save the file as UTF-8 text: byte 0x{bad:02X} here is not UTF-8", _byte_span(data, error.start)


# `${VAR}`, `{{ var }}`, `$$$VAR$$$`, `<VAR>`, `__VAR__`; not GitHub's own `${{ expression }}`.
_PLACEHOLDER = lazyre.compile(r"\$\{(?!\{)|(?<!\$)\{\{|\$\$|<[A-Z][A-Z0-9_]*>|__[A-Z][A-Z0-9_]*__")


def _parse_message(error: ParseError, doc: Document, span: Span) -> str:
    if error.fix:
        return error.fix
    language = "JSON" if doc.is_json else "YAML"
    message = f"Fix the {language} syntax: {error.message}"
    lines = doc.lines
    if 0 < span.start_line <= len(lines) and _PLACEHOLDER.search(lines[span.start_line - 1]):
        message += ". This line holds a template placeholder: lint the rendered file instead"
    return message


def _is_json(path: Path, data: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return True
    if suffix in _YAML_SUFFIXES:
        return False
    first = _FIRST_CHAR.match(data)
    return first is not None and first.group(1) in (b"{", b"[")


def _parse_json(text: str) -> Composed:
    """Strict JSON (what the AWS CLI reads): errors at json.loads' position, then the tree."""
    import json  # only ECS files need it

    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError.at(error.msg, text, error.pos) from None
    except RecursionError:
        raise ParseError("nested too deeply", 1, 1, 0) from None
    except ValueError as error:
        raise ParseError(str(error), 1, 1, 0) from None
    return compose_json(text)


def _looks_ecs(data: bytes) -> bool:
    """Does a JSON text that does not parse look like an ECS task definition or service?"""
    return bool(_ECS_STRONG.search(data) or (_SERVICE_NAME.search(data) and _SERVICE_FIELD.search(data)))


def _point(line: int, col: int) -> Span:
    return Span(line, col, line, col + 1)


def _byte_span(data: bytes, index: int) -> Span:
    """The one-character span of a byte offset, its column counted in code points."""
    prefix = data[:index].decode("utf-8", "replace")
    line, col = Positions(prefix).line_col(len(prefix))
    return Span(line, col, line, col + 1, len(prefix), len(prefix) + 1)


def sniff(doc: Document, path: Path, named: bool = True) -> str | None:
    """What the document is: by its place for a walked file, by its content for a named one."""
    root = doc.root
    if not isinstance(root, Map):
        return None
    if looks_like_workflow_path(path):
        return "workflow" if ("jobs" in root or "on" in root) else None
    if is_action_path(path):
        return "action" if isinstance(root.get("runs"), Map) else None
    if is_dependabot_path(path):
        return "dependabot" if ("updates" in root or "version" in root) else None
    if doc.is_json and not named:
        return sniff_ecs(root)
    if "on" in root and "jobs" in root:  # `on` is the string "on" here, never True
        return "workflow"
    runs = root.get("runs")
    if isinstance(runs, Map) and "using" in runs:
        return "action"
    if "version" in root and isinstance(root.get("updates"), Seq):
        return "dependabot"
    return sniff_ecs(root)


def sniff_ecs(root: Map) -> str | None:
    if isinstance(root.get("containerDefinitions"), Seq):
        return "taskdef"  # RegisterTaskDefinition input
    wrapped = root.get("taskDefinition")
    if isinstance(wrapped, Map) and ("containerDefinitions" in wrapped or "family" in wrapped):
        return "taskdef"  # describe-task-definition output
    services = root.get("services")
    if isinstance(services, Seq) and any(_looks_like_service(item) for item in services.items):
        return "service"  # describe-services output
    wrapped = root.get("service")
    if isinstance(wrapped, Map) and _looks_like_service(wrapped):
        return "service"  # create-service / update-service output
    if _looks_like_service(root):
        return "service"  # create-service / update-service input
    return None


def _looks_like_service(node) -> bool:
    """create-service / update-service input, or one service of describe-services output. The
    name may be missing (the CLI's --service-name flag gives it), so the fields decide."""
    if not isinstance(node, Map):
        return False
    if isinstance(node.get("deploymentConfiguration"), Map):
        return True
    if any(name in node for name in _RUN_TASK_FIELDS):
        return False
    own = sum(name in node for name in _SERVICE_FIELDS)
    shared = sum(name in node for name in _SHARED_FIELDS)
    if "serviceName" in node:  # create-service
        return own + shared >= 1
    if isinstance(node.get("service"), Scalar):  # update-service
        return own + shared >= 2
    return isinstance(node.get("taskDefinition"), Scalar) and own >= 1
