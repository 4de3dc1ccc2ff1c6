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
from pathlib import Path

from . import lazyre
from .reader import Refusal, decode, read_bytes
from .rule import Span
from .yamlpos import Composed, Map, ParseError, Positions, Scalar, Seq, compose, compose_json, split_lines

SKIP_DIRS = {
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".terraform", ".direnv", "site-packages",
    "bower_components",
}
_YAML_SUFFIXES = (".yml", ".yaml")
# A walked *.json is read only when its text mentions one of these (package.json never does).
_ECS_HINT = lazyre.compile(rb'"(?:containerDefinitions|taskDefinition|deploymentConfiguration|serviceName|services?)"')
# A walked *.json that does not parse is reported only when it clearly is an ECS file.
_ECS_STRONG = lazyre.compile(rb'"(?:containerDefinitions|deploymentConfiguration)"\s*:|"taskDefinition"\s*:\s*\{')
_SERVICE_NAME = lazyre.compile(rb'"(?:serviceName|service|taskDefinition)"\s*:')
_SERVICE_FIELD = lazyre.compile(rb'"(?:desiredCount|loadBalancers|schedulingStrategy|deploymentController)"\s*:')
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


class Document:
    """One file: its text, its node tree and what kind of file it is."""

    def __init__(self, path: str, abspath: Path, text: str = "", composed: Composed | None = None,
                 kind: str | None = None, is_json: bool = False, errors: list | None = None, scan_root: str | None = None):
        self.path = path  # as shown to the user
        self.abspath = abspath
        self.text = text  # decoded, BOM removed (so columns on line 1 are as an editor shows them)
        self.composed = composed
        self.kind = kind  # workflow | action | taskdef | service | dependabot | None (not ours)
        self.is_json = is_json
        self.errors = errors if errors is not None else []  # [(message, Span, rule id)] read and parse problems
        self.scan_root = scan_root  # the scanned root the file was read under (None: not checked)
        self.digest = ""  # content hash, for the result cache
        self.not_read: str | None = None  # why the reader refused the file (an `unreadable-file` finding)
        self.quiet = False  # refused, but reported as a warning only (a walked *.json)
        self._lines = None

    @property
    def root(self):
        """The root node of the tree (None when the file did not parse)."""
        return self.composed.root if self.composed else None

    @property
    def lines(self) -> list[str]:
        """The lines of the text without line breaks; line N of a Span is lines[N - 1]."""
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines

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


class Target:
    """A file to lint: its path, whether it was named on the command line, and the scanned
    root it must stay inside."""

    __slots__ = ("path", "named", "root")

    def __init__(self, path: Path, named: bool, root: str):
        self.path, self.named, self.root = path, named, root

    def __repr__(self):
        return f"Target({str(self.path)!r}, named={self.named})"


def scan_root(path: str) -> str:
    """The directory a path is linted within: the repository (nearest folder with `.git`)
    holding it; outside a repository, the folder holding its `.github`, else the directory
    itself (or a named file's folder). Links and walked files must stay inside it."""
    absolute = os.path.abspath(path)
    directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    candidate = directory
    while True:
        if os.path.exists(os.path.join(candidate, ".git")):
            return candidate
        parent = os.path.dirname(candidate)
        if parent == candidate:
            break
        candidate = parent
    parts = directory.split(os.sep)
    if ".github" in parts:
        return os.sep.join(parts[: len(parts) - 1 - parts[::-1].index(".github")]) or os.sep
    return directory


def discover(paths: list[str], warn=None, force_exclude: bool = False) -> list[Target]:
    """The files to lint under `paths`; `warn(message)` hears of directories that cannot be read.
    With `force_exclude` (pre-commit), a named file is linted only when a directory walk would
    lint it, and is read as a walked file: a `tsconfig.json` is skipped silently."""
    found: dict[str, Target] = {}
    ignores: dict = {}
    for raw in paths:
        path = Path(raw)
        root = scan_root(raw)
        if path.is_dir():
            for file in _walk(path, warn):
                found.setdefault(_identity(file), Target(file, False, root))
        elif force_exclude:
            if _walked_like(path, ignores):
                found.setdefault(_identity(path), Target(path, False, root))
        else:
            target = found.setdefault(_identity(path), Target(path, True, root))
            target.named = True  # named explicitly, even if a walk found it too
    return list(found.values())


def _identity(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def _walk(top: Path, warn=None):
    ignores = _GitIgnores(top)

    def unreadable(error: OSError) -> None:
        if warn is not None:
            warn(f"skipped directory {error.filename}: {error.strerror or error}")

    for dirpath, dirnames, filenames in os.walk(top, onerror=unreadable):
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
        for name in sorted(filenames):
            if walk_candidate(absolute, name) and not ignores.ignored(os.path.join(absolute, name), is_dir=False):
                yield current / name


def walk_candidate(directory: str, name: str) -> bool:
    """Would a directory walk look at this file: `.github/workflows/*.y(a)ml`, `action.y(a)ml`,
    `.github/dependabot.y(a)ml`, or a `*.json` (read only when it mentions an ECS field)?"""
    lower = name.lower()
    parent = os.path.basename(directory)
    return (
        (parent == "workflows" and os.path.basename(os.path.dirname(directory)) == ".github" and lower.endswith(_YAML_SUFFIXES))
        or name in ("action.yml", "action.yaml")
        or (parent == ".github" and name in _DEPENDABOT_NAMES)
        or lower.endswith(".json")
    )


def _walked_like(path: Path, ignores: dict) -> bool:
    """`--force-exclude`: is a named file one that a walk of its repository would lint (its kind
    of name, outside skipped and git-ignored directories)?"""
    absolute = os.path.abspath(str(path))
    directory, name = os.path.split(absolute)
    if not walk_candidate(directory, name) or any(part in SKIP_DIRS for part in absolute.split(os.sep)[:-1]):
        return False
    if directory not in ignores:
        ignores[directory] = _GitIgnores(Path(directory))
    return not ignores[directory].ignored(absolute, is_dir=False)


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


def load(path: Path, display: str, named: bool, root: str | None = None) -> Document | None:
    """Read and parse one file through the reader. None when a walked file turns out not to be
    ours (or, for a walked JSON file, cannot be read: it may not be an ECS file at all)."""
    doc = Document(path=display, abspath=path, scan_root=root)
    walked_json = not named and path.suffix.lower() == ".json"
    data = read_bytes(str(path), root)
    if isinstance(data, Refusal):
        doc.not_read = data.message
        doc.quiet = walked_json  # it may not be an ECS file at all: a warning, not a finding
        return doc
    if walked_json and not _ECS_HINT.search(data):
        return None  # a walked JSON file that cannot be an ECS file (package.json, tsconfig.json...)
    parse(doc, data, named)
    if doc.kind is None and not named and (doc.composed is not None or (walked_json and not _looks_ecs(data))):
        return None  # e.g. a tsconfig.json with comments that mentions "services"
    return doc


def parse(doc: Document, data: bytes, named: bool = True) -> None:
    """Decode and parse the bytes into `doc`: its text, tree and kind, or its parse errors."""
    if _digest is not None:
        doc.digest = _digest(data)
    text = decode(data)
    if isinstance(text, Refusal):
        doc.errors.append((text.message, text.span))
        return
    doc.text = text
    path = doc.abspath
    doc.is_json = _is_json(path, data)
    try:
        doc.composed = _parse_json(text) if doc.is_json else compose(text)
    except ParseError as error:
        span = Positions(text).point(error.offset) if error.offset is not None else _point(error.line, error.col)
        doc.errors.append((_parse_message(error, doc, span), span))
        return
    doc.kind = sniff(doc, path, named)
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


_digest = None


def enable_digests() -> None:
    """Hash every loaded file's bytes into `Document.digest` (the result cache needs them)."""
    global _digest
    from .cache import digest

    _digest = digest


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
