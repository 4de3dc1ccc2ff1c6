"""Run the rules over files: views, shared notions, inline and config suppressions, dedupe,
fingerprints, and the `internal-error` capture that keeps one bad rule from stopping a run."""
from __future__ import annotations

import importlib.util
import os
import re
import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from . import lazyre
from .config import Settings
from .loaders import Document, discover, load
from .notions import DEFAULT_PRODUCTION_PATTERNS, Production
from .rule import REGISTRY, Finding, Issue, Location, Rule, Span

PLUGIN_GROUP = "cicdlint.rules"
_rules_loaded = False


def rules_dir() -> Path:
    """The rule pack: `cicdlint/_rules` in a wheel, `rules/` beside the package in a checkout."""
    package = Path(__file__).resolve().parent
    bundled = package / "_rules"
    return bundled if bundled.is_dir() else package.parent / "rules"


def load_rules() -> dict[str, Rule]:
    """Import the rule pack by path, then plugins from installed packages' entry points."""
    global _rules_loaded
    if _rules_loaded:
        return REGISTRY
    _rules_loaded = True
    for path in sorted(rules_dir().glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = f"cicdlint_rules.{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    _load_plugins()
    return REGISTRY


def _load_plugins() -> None:
    """Import the modules that installed packages declare in the `cicdlint.rules` entry-point
    group. importlib.metadata costs more start-up time than every rule together, so the
    `entry_points.txt` files are read directly and the library is used only when one names us."""
    if not _any_plugin_declared():
        return
    from importlib.metadata import entry_points

    for entry in entry_points(group=PLUGIN_GROUP):
        entry.load()  # importing the module registers its @rule functions


def _any_plugin_declared() -> bool:
    marker = f"[{PLUGIN_GROUP}]"
    for directory in sys.path:
        try:
            names = os.listdir(directory or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(directory or ".", name, "entry_points.txt"), encoding="utf-8") as file:
                        if marker in file.read():
                            return True
                except OSError:
                    continue
    return False


class Context:
    """What a check gets besides the document: its options and the shared notions."""

    def __init__(self, doc: Document, rule: Rule, settings: Settings, production: Production, linted: "Linted"):
        self.doc = doc
        self.rule = rule
        self.settings = settings  # advisories hook: rules read `ctx.settings.online`
        self.options = settings.options_for(rule)
        self.production = production
        self._linted = linted

    @property
    def workflow(self):
        return self._linted.workflow

    @property
    def action(self):
        return self._linted.action

    @property
    def taskdef(self):
        return self._linted.taskdef

    @property
    def services(self):
        return self._linted.services

    @property
    def repo(self):
        """The document's repository, for cross-file look-ups (`ctx.repo.document(path)`)."""
        return self._linted.repo

    def steps(self):
        """Every step of a workflow's jobs or of a composite action."""
        if self.doc.kind == "workflow":
            return self.workflow.steps()
        if self.doc.kind == "action":
            return self.action.steps()
        return []

    def span(self, node) -> Span:
        return node if isinstance(node, Span) else self.doc.span_of(node)

    def locate(self, scalar, offset: int, length: int) -> Span:
        """The span of part of a scalar's value (e.g. one command inside a `run:` script)."""
        return self.doc.composed.locate(scalar, offset, length)


class Linted:
    """Views of one document, built once and shared by every rule."""

    def __init__(self, doc: Document):
        self.doc = doc

    @cached_property
    def workflow(self):
        from .model import Workflow

        return Workflow(self.doc)

    @cached_property
    def action(self):
        from .model import Action

        return Action(self.doc)

    @cached_property
    def taskdef(self):
        from .model import TaskDefinition

        return TaskDefinition(self.doc)

    @cached_property
    def services(self):
        from .model import services_of

        return services_of(self.doc)

    @cached_property
    def repo(self):
        from . import links
        from .repository import Repository

        root = links.workflow_repository_root(self.doc.abspath) if self.doc.kind == "workflow" else None
        root = root or links.repository_root(self.doc.abspath) or self.doc.abspath.resolve().parent
        return Repository.of(root)


@dataclass
class Result:
    findings: list[Finding]
    files: int
    suppressed: int = 0


def _resolved(path: str) -> Path:
    return _resolve_in(os.getcwd(), path)


@lru_cache(maxsize=None)
def _resolve_in(cwd: str, path: str) -> Path:
    return (Path(cwd) / path).resolve()


def display_path(path: Path, cwd: Path) -> str:
    try:
        return _resolved(str(path)).relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def repo_relative(path: Path, root: Path) -> str:
    absolute = _resolved(str(path))
    try:
        return absolute.relative_to(_resolved(str(root))).as_posix()
    except ValueError:
        return absolute.as_posix()


def lint_paths(paths: list[str], settings: Settings, jobs: int | None = None) -> Result:
    load_rules()
    files = discover(paths)
    cwd = Path.cwd().resolve()
    tasks = [(path, display_path(path, cwd), named) for path, named in files]
    workers = _worker_count(len(tasks), jobs)
    if workers > 1:
        results = _lint_parallel(tasks, settings, workers)
    else:
        results = [lint_file(path, display, named, settings) for path, display, named in tasks]
    linked = _linked_task_definitions([path for path, _, _ in tasks], {path.resolve() for path, _ in files})
    results += [lint_file(path, display_path(path, cwd), True, settings) for path in linked]
    findings, files_linted, suppressed = [], 0, 0
    for file_findings, counted, file_suppressed in results:
        findings.extend(file_findings)
        files_linted += counted
        suppressed += file_suppressed
    findings.sort(key=Finding.sort_key)
    return Result(findings, files_linted, suppressed)


def _linked_task_definitions(paths: list[Path], already: set[Path]) -> list[Path]:
    """Task definitions that the linted workflows render or deploy by path, not linted yet."""
    workflows = {path.resolve() for path in paths if path.suffix in (".yml", ".yaml") and path.parent.name == "workflows"}
    if not workflows:
        return []
    from . import links

    found: list[Path] = []
    roots = {links.workflow_repository_root(path) for path in workflows}
    for root in filter(None, roots):
        for workflow_path, _, ref in links.refs_in_repository(root):
            target = links.target_path(root, ref)
            if workflow_path.resolve() in workflows and target is not None and target.is_file():
                if target.resolve() not in already:
                    already.add(target.resolve())
                    found.append(target)
    return found


def _worker_count(task_count: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    if task_count < 200:  # a process pool costs more than it saves on small runs
        return 1
    return min(os.cpu_count() or 1, 8)


def _lint_parallel(tasks, settings: Settings, workers: int):
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    chunks = [tasks[i::workers] for i in range(workers)]
    with context.Pool(workers) as pool:
        parts = pool.starmap(_lint_chunk, [(chunk, settings) for chunk in chunks])
    return [result for part in parts for result in part]


def _lint_chunk(tasks, settings: Settings):
    load_rules()
    return [lint_file(path, display, named, settings) for path, display, named in tasks]


_production_cache: dict[tuple, Production] = {}


def _production(settings: Settings) -> Production:
    patterns = tuple(settings.production_patterns or DEFAULT_PRODUCTION_PATTERNS)
    if patterns not in _production_cache:
        _production_cache[patterns] = Production(patterns)
    return _production_cache[patterns]


def lint_file(path: Path, display: str, named: bool, settings: Settings) -> tuple[list[Finding], int, int]:
    """Findings for one file, the number of files linted (0 or 1), and how many were suppressed."""
    doc = load(path, display, named)
    if doc is None:
        return [], 0, 0
    raw: list[Finding] = []
    for message, span in doc.errors:
        raw.append(_finding(REGISTRY["parse-error"], settings, display, span, message, None, None, []))
    if doc.kind and doc.composed is not None:
        raw.extend(_run_rules(doc, settings))
    if doc.kind == "taskdef" and raw:
        _add_deploying_workflows(path, raw)
    return _filter(doc, raw, settings, repo_relative(path, settings.root))


def _add_deploying_workflows(path: Path, findings: list[Finding]) -> None:
    """Findings in a task definition point at the workflow steps that deploy it."""
    from . import links

    cwd = Path.cwd().resolve()
    related = [
        Location(display_path(workflow, cwd), span, f"{ref.action}ed by this workflow step")
        for workflow, span, ref in links.refs_to(path)
    ]
    for finding in findings:
        finding.related.extend(related)


def _run_rules(doc: Document, settings: Settings) -> list[Finding]:
    production = _production(settings)
    linted = Linted(doc)
    found = []
    for rule in REGISTRY.values():
        if rule.check is None or doc.kind not in rule.kinds or not settings.enabled(rule.id):
            continue
        ctx = Context(doc, rule, settings, production, linted)
        try:
            for item in rule.check(doc, ctx) or ():
                issue = item if isinstance(item, Issue) else Issue(*item)
                span = issue.node if isinstance(issue.node, Span) else doc.span_of(issue.node)
                found.append(
                    _finding(rule, settings, doc.path, span, issue.message, issue.severity, issue.confidence, issue.related)
                )
        except Exception as error:  # a bug in a rule must not stop the run
            message = f"rule {rule.id!r} failed on this file: {type(error).__name__}: {error}"
            found.append(_finding(REGISTRY["internal-error"], settings, doc.path, Span(1, 1, 1, 2), message, None, None, []))
    return found


def _finding(rule: Rule, settings: Settings, path: str, span: Span, message: str, severity, confidence, related) -> Finding:
    chosen = settings.severity_for(rule.id) or severity or rule.severity
    return Finding(rule.id, chosen, message, path, span, confidence or rule.confidence, list(related))


_IGNORE = lazyre.compile(r"#\s*cicdlint:\s*ignore(?:\[([^\]]*)\])?", re.I)


def _inline_ignores(doc: Document) -> dict[int, set[str] | None]:
    """Line -> ids ignored on it (None: all rules). A comment-only line also covers the next."""
    ignores: dict[int, set[str] | None] = {}
    if doc.is_json or "cicdlint" not in doc.text:
        return ignores
    for number, line in enumerate(doc.lines, start=1):
        match = _IGNORE.search(line)
        if not match:
            continue
        ids = None if match.group(1) is None else {part.strip() for part in match.group(1).split(",") if part.strip()}
        targets = [number, number + 1] if line.lstrip().startswith("#") else [number]
        for target in targets:
            earlier = ignores.get(target, set())
            ignores[target] = None if ids is None or earlier is None else earlier | ids
    return ignores


def _filter(doc: Document, raw: list[Finding], settings: Settings, relative: str):
    ignores = _inline_ignores(doc) if settings.inline_ignores else {}
    kept, seen, suppressed = [], set(), 0
    for finding in raw:
        key = (finding.rule_id, finding.span.start_line, finding.span.start_col, finding.span.end_line, finding.span.end_col)
        if key in seen:  # the same node reached twice, e.g. through a YAML alias
            continue
        seen.add(key)
        if finding.rule_id == "parse-error" and not settings.enabled("parse-error"):
            continue  # the rules' findings were filtered before they ran
        if not settings.shown(finding.severity, finding.confidence):
            continue
        ignored = ignores.get(finding.span.start_line, False)
        if ignored is None or (ignored and finding.rule_id in ignored) or settings.path_ignores(relative, finding.rule_id):
            suppressed += 1
            continue
        kept.append(finding)
    _fingerprint(doc, kept, relative)
    return kept, 1, suppressed


def _fingerprint(doc: Document, findings: list[Finding], relative: str) -> None:
    """A hash of what the finding is about, not where: it survives edits elsewhere in the file."""
    if not findings:
        return
    import hashlib

    lines = doc.lines
    occurrences: dict[str, int] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        line = lines[finding.span.start_line - 1] if 0 < finding.span.start_line <= len(lines) else ""
        basis = "\0".join((finding.rule_id, relative, " ".join(line.split()), str(finding.span.start_col)))
        digest = hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:32]
        count = occurrences.get(digest, 0) + 1
        occurrences[digest] = count
        finding.fingerprint = f"{digest}:{count}"


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "note": 0}
    for finding in findings:
        counts[finding.severity] += 1
    return counts

