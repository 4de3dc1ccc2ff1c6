"""Run the rules over files.

The flow, one concern per stage:

    paths -> discover -> read (cicdlint/reader.py: the one reader) -> Document
          -> rules per document, with `ctx.repo` for cross-file look-ups (no file I/O in rules)
          -> filter (config, inline ignores) -> fingerprint -> redact (cicdlint/redact.py)
          -> Result, which the formatters write

Each file is linted under a time budget: a file that runs past it becomes a `too-complex`
finding and the run goes on. An exception in a rule becomes an `internal-error` finding.
Task definitions that a linted workflow links are linted too, once."""
from __future__ import annotations

import gc
import os
import sys

from . import lazyre
from .config import Settings
from .loaders import Document, Target, discover, load
from .rule import REGISTRY, SECRET_TAG, Finding, Issue, Location, Rule, Span

PLUGIN_GROUP = "cicdlint.rules"
FILE_TIME_BUDGET = 20.0  # seconds of linting one file may take before it is a `too-complex` finding
_FIRST = Span(1, 1, 1, 2, 0, 1)
_rules_loaded = False
_plugins_enabled = True


# --- the rule pack -------------------------------------------------------------------------------


def rules_dir() -> str:
    """The rule pack: `cicdlint/_rules` in a wheel, `rules/` beside the package in a checkout."""
    package = os.path.dirname(os.path.abspath(__file__))
    bundled = os.path.join(package, "_rules")
    return bundled if os.path.isdir(bundled) else os.path.join(os.path.dirname(package), "rules")


def import_rule_module(path: str) -> None:
    """Import one rule file by path (its decorators register or complete its rules)."""
    import importlib.util

    name = "cicdlint_rules." + os.path.splitext(os.path.basename(path))[0]
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


def load_rules(import_all: bool = False) -> dict[str, Rule]:
    """The registry: the bundled rules' metadata from the rule index (their modules are imported
    when a check or a doc is first needed), then plugins. `import_all` imports every module."""
    global _rules_loaded
    if not _rules_loaded:
        _rules_loaded = True
        from .ruleindex import register_index

        register_index(rules_dir())
        if _plugins_enabled:
            _load_plugins()
    if import_all:
        for rule in list(REGISTRY.values()):
            rule.check  # noqa: B018 - imports the module
    return REGISTRY


def disable_plugins() -> None:
    global _plugins_enabled
    _plugins_enabled = False


def _load_plugins() -> None:
    """Import the modules that installed packages declare in the `cicdlint.rules` entry-point
    group: only from the interpreter's own site-packages, never from the working directory or a
    scanned repository (a committed `*.dist-info/entry_points.txt` must not run code).
    importlib.metadata costs more start-up time than every rule together, so the
    `entry_points.txt` files are read directly and the library is used only when one names us."""
    directories = _site_directories()
    if not _any_plugin_declared(directories):
        return
    from importlib.metadata import distributions

    for distribution in distributions(path=directories):
        for entry in distribution.entry_points:
            if entry.group == PLUGIN_GROUP:
                entry.load()  # importing the module registers its @rule functions


def _site_directories() -> list[str]:
    """The installed environment's package directories: the `site-packages` / `dist-packages`
    entries of `sys.path` (never '' nor the working directory, which Python may put first)."""
    cwd = os.path.abspath(os.getcwd())
    found = []
    for entry in sys.path:
        if not entry or os.path.basename(entry.rstrip(os.sep)) not in ("site-packages", "dist-packages"):
            continue
        absolute = os.path.abspath(entry)
        if absolute != cwd and absolute not in found and os.path.isdir(absolute):
            found.append(absolute)
    return found


def _any_plugin_declared(directories: list[str]) -> bool:
    marker = f"[{PLUGIN_GROUP}]"
    for directory in directories:
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                try:
                    with open(os.path.join(directory, name, "entry_points.txt"), encoding="utf-8") as file:
                        if marker in file.read(1_000_000):
                            return True
                except (OSError, UnicodeDecodeError):
                    continue
    return False


# --- what a check sees ---------------------------------------------------------------------------


class Context:
    """What a check gets besides the document: its options and the shared notions."""

    def __init__(self, doc: Document, rule: Rule, settings: Settings, production, linted: "Linted"):
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
        self._views: dict = {}

    def _view(self, name: str, make):
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = make()
        return view

    @property
    def workflow(self):
        from .model import Workflow

        return self._view("workflow", lambda: Workflow(self.doc))

    @property
    def action(self):
        from .model import Action

        return self._view("action", lambda: Action(self.doc))

    @property
    def taskdef(self):
        from .model import TaskDefinition

        return self._view("taskdef", lambda: TaskDefinition(self.doc))

    @property
    def services(self):
        from .model import services_of

        return self._view("services", lambda: services_of(self.doc))

    @property
    def repo(self):
        return self._view("repo", lambda: repository_view(self.doc))


def repository_view(doc: Document):
    from .repository import Repository, RepositoryView, repository_root

    root = repository_root(doc.abspath)
    scan_root = doc.scan_root if doc.scan_root is not None else str(root)
    return RepositoryView(Repository.of(root, scan_root))


# --- results -------------------------------------------------------------------------------------


class Result:
    def __init__(self, findings: list[Finding], files: int, suppressed: int = 0, warnings: list[str] | None = None):
        self.findings = findings
        self.files = files
        self.suppressed = suppressed
        self.warnings = warnings if warnings is not None else []
        self.empty: list[str] = []  # paths given that hold nothing to lint
        self.baseline = None  # baseline.Applied when a baseline was applied
        self.diff: str | None = None  # the git ref of `--diff`


class FileResult:
    """What linting one file gives: findings, whether it counted as linted, suppressions, and
    the linked files it read (to lint those too, and for the result cache)."""

    __slots__ = ("findings", "counted", "suppressed", "linked", "reads", "warnings", "linted")

    def __init__(self, findings=None, counted: int = 0, suppressed: int = 0, linked=None, reads=None):
        self.warnings: list[str] = []
        self.linted = None  # the views the rules shared (for the redaction stage), not kept
        self.findings = findings if findings is not None else []
        self.counted = counted
        self.suppressed = suppressed
        self.linked = linked if linked is not None else []  # absolute paths of linked task definitions
        self.reads = reads if reads is not None else {}


def display_path(path, cwd: str) -> str:
    """The path as the user sees it: relative to the working directory when inside it (lexical:
    no link is resolved), else as given."""
    absolute = os.path.abspath(str(path))
    base = cwd.rstrip(os.sep) + os.sep
    shown = absolute[len(base):] if absolute.startswith(base) else str(path)
    return shown.replace(os.sep, "/")


def repo_relative(path, root) -> str:
    """The path relative to the repository root with forward slashes; absolute when outside."""
    absolute = os.path.abspath(str(path))
    base = os.path.abspath(str(root)).rstrip(os.sep) + os.sep
    if absolute.startswith(base):
        return absolute[len(base):].replace(os.sep, "/")
    return absolute.replace(os.sep, "/")


def file_uri(path, root) -> str:
    """SARIF's artifact URI: the repository-relative path percent-encoded from its bytes (so a
    file name that is not UTF-8 stays exact), or an absolute `file:` URI outside the root."""
    from urllib.parse import quote

    absolute = os.path.abspath(str(path))
    base = os.path.abspath(str(root)).rstrip(os.sep) + os.sep
    if absolute.startswith(base):
        return quote(os.fsencode(absolute[len(base):].replace(os.sep, "/")), safe="/")
    return "file://" + quote(os.fsencode(absolute.replace(os.sep, "/")), safe="/")


# --- the run -------------------------------------------------------------------------------------


def lint_paths(paths: list[str], settings: Settings, jobs: int | None = None) -> Result:
    load_rules()
    warnings: list[str] = []
    targets, owners, seen = [], {}, set()  # owners: target identity -> the path argument it came from
    for path in paths:
        for target in discover([path], warnings.append, settings.force_exclude):
            identity = os.path.normcase(os.path.abspath(str(target.path)))
            if identity not in seen:
                seen.add(identity)
                targets.append(target)
                owners[identity] = path
    cwd = os.path.abspath(os.getcwd())
    targets.sort(key=lambda target: str(target.path))  # a repository's files together
    workers = _worker_count(len(targets), jobs)
    cache = _open_cache(settings)
    if workers > 1:
        results = _lint_parallel(targets, settings, workers, cwd, cache)
    else:
        results = [lint_target(target, settings, cwd, cache) for target in targets]
    linted = {os.path.abspath(str(target.path)) for target in targets}
    roots = {os.path.abspath(str(target.path)): target.root for target in targets}
    extra = []
    for target, result in zip(targets, results):
        for linked in result.linked:
            if linked not in linted:
                linted.add(linked)
                extra.append(Target(_as_path(linked), True, roots.get(linked, target.root)))
    results += [lint_target(target, settings, cwd, cache) for target in extra]
    if cache is not None:
        cache.save()
    findings, files, suppressed = [], 0, 0
    for result in results:
        warnings.extend(result.warnings)
        findings.extend(result.findings)
        files += result.counted
        suppressed += result.suppressed
    findings.sort(key=Finding.sort_key)
    result = Result(findings, files, suppressed, warnings)
    linted_from = {owners.get(os.path.normcase(os.path.abspath(str(target.path))))
                   for target, file_result in zip(targets, results) if file_result.counted}
    result.empty = [path for path in paths if path not in linted_from]
    return result


def _as_path(path: str):
    from pathlib import Path

    return Path(path)


def _open_cache(settings: Settings):
    if not settings.cache:
        return None
    from .cache import ResultCache
    from .loaders import enable_digests

    enable_digests()
    return ResultCache.open(settings)


def _worker_count(task_count: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, min(jobs, task_count or 1))
    if task_count < 64:  # a process pool costs more than it saves on small runs
        return 1
    return min(os.cpu_count() or 1, 8)


def _lint_parallel(targets: list[Target], settings: Settings, workers: int, cwd: str, cache):
    import multiprocessing

    context = multiprocessing.get_context("fork" if sys.platform not in ("win32", "darwin") else "spawn")
    # Contiguous chunks keep a repository's files in one process (its repository index is
    # built once), and several chunks per worker keep both busy to the end.
    size = max(1, min(64, len(targets) // (workers * 8) or 1))
    chunks = [targets[i : i + size] for i in range(0, len(targets), size)]
    with context.Pool(workers) as pool:
        parts = pool.map(_lint_chunk, [(chunk, settings, cwd, cache) for chunk in chunks], chunksize=1)
    return [result for part in parts for result in part]


def _lint_chunk(arguments):
    chunk, settings, cwd, cache = arguments
    load_rules()
    return [lint_target(target, settings, cwd, cache) for target in chunk]


def lint_file(path, display: str, named: bool, settings: Settings, root: str | None = None):
    """Findings for one file, the number of files linted (0 or 1), and how many were suppressed."""
    result = lint_target(Target(path, named, root), settings, None, None, display)
    return result.findings, result.counted, result.suppressed


def lint_target(target: Target, settings: Settings, cwd: str | None, cache, display: str | None = None) -> FileResult:
    if display is None:
        display = display_path(target.path, cwd or os.path.abspath(os.getcwd()))
    if cache is not None:
        cached = cache.get(target, display)
        if cached is not None:
            return cached
    budget = _Budget(FILE_TIME_BUDGET)
    doc = None
    collecting = gc.isenabled()
    gc.disable()  # a document's views make few cycles, and collecting passes over a big tree add up
    try:
        with budget:
            doc = load(target.path, display, target.named, target.root)
            if doc is None:
                return FileResult()
            result = _lint_document(doc, settings)
            _finish(doc, result, settings)
    except _OutOfTime:
        # What was found before the budget ran out may not be redacted yet: only this finding,
        # whose text holds nothing from the file, is kept.
        result = FileResult(counted=1)
        message = (
            f"Linting this file ran past the {FILE_TIME_BUDGET:g}-second budget and was stopped: it was not fully "
            "checked. Split the file, or report it if it is an ordinary workflow or task definition."
        )
        result.findings.append(_finding(REGISTRY["too-complex"], settings, display, _FIRST, message, None, None, []))
        if doc is None:
            doc = Document(path=display, abspath=target.path)
        _finish(doc, result, settings, redact=False)
    finally:
        if collecting:
            gc.enable()
    if cache is not None:
        cache.put(target, display, doc, result)
    return result


def _lint_document(doc: Document, settings: Settings) -> FileResult:
    if doc.not_read is not None and doc.quiet:
        result = FileResult()
        result.warnings.append(f"skipped {doc.path}: {doc.not_read[0].lower()}{doc.not_read[1:]}")
        return result
    result = FileResult(counted=1)
    raw = result.findings
    if doc.not_read is not None:
        raw.append(_finding(REGISTRY["unreadable-file"], settings, doc.path, _FIRST, doc.not_read, None, None, []))
        return result
    for message, span in doc.errors:
        rule_id = "too-complex" if message.startswith(_TOO_COMPLEX) else "parse-error"
        raw.append(_finding(REGISTRY[rule_id], settings, doc.path, span, message, None, None, []))
    if doc.kind and doc.composed is not None:
        linted = Linted(doc)
        result.linted = linted
        _run_rules(doc, settings, linted, raw)
        if doc.kind == "workflow":
            result.linked = _linked_task_definitions(linted)
        if doc.kind == "taskdef" and raw:
            _add_deploying_workflows(doc, linted, raw)
        repo = linted._views.get("repo")
        if repo is not None:
            result.reads = repo.reads
    return result


_TOO_COMPLEX = "Split this file"


def _linked_task_definitions(linted: Linted) -> list[str]:
    """Absolute paths of the task definitions this workflow renders or deploys, inside the
    scanned root (they are linted too)."""
    from . import links

    found = []
    for ref in links.task_definition_refs(linted.workflow):
        if ref.literal and linted.repo.exists(ref.pattern):
            found.append(os.path.abspath(str(linted.repo.path(ref.pattern))))
    return found


def _add_deploying_workflows(doc: Document, linted: Linted, findings: list[Finding]) -> None:
    """Findings in a task definition point at the workflow steps that deploy it."""
    cwd = os.path.abspath(os.getcwd())
    related = [
        Location(display_path(workflow.abspath, cwd), workflow.span_of(ref.path_node), f"{ref.action}ed by this workflow step")
        for workflow, ref in linted.repo.refs_to(doc)
    ]
    for finding in findings:
        finding.related.extend(related)


def _production(settings: Settings):
    from .notions import production_for

    return production_for(settings.production_patterns)


def _run_rules(doc: Document, settings: Settings, linted: Linted, found: list[Finding]) -> None:
    production = _production(settings)
    lowered = None
    for rule in settings.rules_for(doc.kind, REGISTRY):
        if rule.hints:
            if lowered is None:
                lowered = doc.text.lower()
            if not any(hint in lowered for hint in rule.hints):
                continue
        ctx = Context(doc, rule, settings, production, linted)
        try:
            check = rule.check
            if check is None:
                continue
            for item in check(doc, ctx) or ():
                issue = item if isinstance(item, Issue) else Issue(*item)
                span = issue.node if isinstance(issue.node, Span) else doc.span_of(issue.node)
                finding = _finding(rule, settings, doc.path, span, issue.message, issue.severity, issue.confidence, issue.related)
                if SECRET_TAG in rule.tags:
                    finding.source = issue.node  # the redaction stage masks it (see _finish)
                found.append(finding)
        except _OutOfTime:
            raise
        except RecursionError:
            message = f"rule {rule.id!r} gave up on this file: it is nested too deeply to check"
            found.append(_finding(REGISTRY["too-complex"], settings, doc.path, _FIRST, message, None, None, []))
        except Exception as error:  # a bug in a rule must not stop the run
            message = f"rule {rule.id!r} failed on this file: {type(error).__name__}: {error}"
            found.append(_finding(REGISTRY["internal-error"], settings, doc.path, _FIRST, message, None, None, []))


def _finding(rule: Rule, settings: Settings, path: str, span: Span, message: str, severity, confidence, related) -> Finding:
    chosen = settings.severity_for(rule.id) or severity or rule.severity
    return Finding(rule.id, chosen, message, path, span, confidence or rule.confidence, list(related))


# --- after the rules: filter, fingerprint, redact ------------------------------------------------

_IGNORE = lazyre.compile(r"#\s*cicdlint:\s*ignore(?:\[([^\]]*)\])?", lazyre.IGNORECASE)


class _Ignore:
    """One `# cicdlint: ignore[...]` comment: where it is, the ids it names (None: every rule)
    with their columns, the lines it covers, and the ids it actually hid."""

    __slots__ = ("line", "col", "end_col", "ids", "lines", "used")

    def __init__(self, line: int, col: int, end_col: int, ids, lines):
        self.line, self.col, self.end_col, self.ids, self.lines = line, col, end_col, ids, lines
        self.used: set[str] = set()

    def hides(self, finding: Finding) -> bool:
        if self.ids is None or finding.rule_id in {name for name, _ in self.ids}:
            self.used.add(finding.rule_id if self.ids is not None else "*")
            return True
        return False


def _inline_ignores(doc: Document) -> tuple[list[_Ignore], dict[int, list[_Ignore]]]:
    """The ignore comments, and line -> the comments covering it (a comment-only line also
    covers the next line)."""
    found: list[_Ignore] = []
    by_line: dict[int, list[_Ignore]] = {}
    if doc.is_json or "cicdlint" not in doc.text.lower():
        return found, by_line
    for number, line in enumerate(doc.lines, start=1):
        if "cicdlint" not in line.lower():
            continue
        match = _IGNORE.search(line)
        if not match:
            continue
        ids = None
        if match.group(1) is not None:
            ids, start = [], match.start(1)
            for part in match.group(1).split(","):
                if part.strip():
                    ids.append((part.strip(), start + len(part) - len(part.lstrip()) + 1))
                start += len(part) + 1
        covered = [number, number + 1] if line.lstrip().startswith("#") else [number]
        ignore = _Ignore(number, match.start() + 1, match.end() + 1, ids, covered)
        found.append(ignore)
        for target in covered:
            by_line.setdefault(target, []).append(ignore)
    return found, by_line


def _ignore_findings(doc: Document, ignores: list[_Ignore], settings: Settings) -> list[Finding]:
    """`invalid-ignore` for ids that name no rule; `unused-ignore` (when asked for) for ids that
    hid nothing, among the rules that ran on this file."""
    found = []
    unused_wanted = settings.enabled("unused-ignore") or settings.report_unused_ignores
    for ignore in ignores:
        for name, col in ignore.ids or ():
            span = Span(ignore.line, col, ignore.line, col + len(name))
            if name not in REGISTRY:
                import difflib

                close = difflib.get_close_matches(name, list(REGISTRY), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else " See `cicdlint rules` for the ids."
                message = f"'{name}' is not a cicdlint rule id, so this ignore comment hides nothing.{hint}"
                if settings.enabled("invalid-ignore"):
                    found.append(_finding(REGISTRY["invalid-ignore"], settings, doc.path, span, message, None, None, []))
            elif unused_wanted and name not in ignore.used and _ran(name, doc, settings):
                message = f"Remove '{name}' from this ignore comment: it hides no finding of that rule here."
                found.append(_finding(REGISTRY["unused-ignore"], settings, doc.path, span, message, None, None, []))
        if ignore.ids is None and unused_wanted and not ignore.used and settings.select == ["*"] and not settings.ignore:
            span = Span(ignore.line, ignore.col, ignore.line, ignore.end_col)
            message = "Remove this ignore comment: it hides no finding on the lines it covers."
            found.append(_finding(REGISTRY["unused-ignore"], settings, doc.path, span, message, None, None, []))
    return found


def _ran(rule_id: str, doc: Document, settings: Settings) -> bool:
    rule = REGISTRY.get(rule_id)
    return rule is not None and doc.kind in rule.kinds and settings.enabled(rule_id) and rule.check is not None


def _finish(doc: Document, result: FileResult, settings: Settings, redact: bool = True) -> None:
    """Filter, fingerprint and redact one file's findings in place (without `redact`, no source
    line is shown: for findings whose messages hold nothing from the file)."""
    if not result.findings and not (doc.text and "cicdlint" in doc.text and settings.inline_ignores):
        return  # (an ignore comment can itself be a finding: invalid-ignore, unused-ignore)
    relative = repo_relative(doc.abspath, settings.root)
    if redact:
        redactor = _redactor(doc, result.findings, settings, result.linted)
    else:
        from .redact import Redactor

        redactor = Redactor(Document(path=doc.path, abspath=doc.abspath))
    result.linted = None
    result.findings, result.suppressed = _filter(doc, result.findings, settings, relative)
    _fingerprint(doc, result.findings, relative)
    from .redact import clean_path

    uris: dict[str, tuple[str, str]] = {}
    scopes = _scopes(doc) if doc.composed is not None and doc.kind in ("workflow", "action") else {}
    for finding in result.findings:
        finding.scope = scopes.get(finding.span.start_line)
        finding.message = redactor.message(finding.message)
        finding.source = redactor.line(finding.span.start_line)
        _place(finding, doc.abspath, settings.root, clean_path, uris)
        for location in finding.related:
            location.message = redactor.message(location.message)
            _place(location, doc.abspath if location.path == doc.path else location.path, settings.root, clean_path, uris)


def _scopes(doc: Document) -> dict[int, tuple[int, int]]:
    """First line -> (first, last) lines of each job and step: a finding reported at a job's key
    or a step's first line is about the whole job or step (for `--diff`)."""
    from .model import as_map, as_seq

    found: dict[int, tuple[int, int]] = {}
    composed = doc.composed

    def lines(start_node, end_node) -> tuple[int, int]:
        # node_span trims the white space up to the next token, where a block node's end mark lies
        return composed.line_col(start_node.start)[0], composed.node_span(end_node).end_line

    root = as_map(doc.root)
    jobs = as_map(root.get("jobs")) if root is not None else None
    for _, key, job in (jobs.items() if jobs is not None else []):
        first, last = lines(key, job)
        found.setdefault(first, (first, last))
        for step in as_seq(as_map(job).get("steps")) if as_map(job) is not None else []:
            found.setdefault(lines(step, step)[0], lines(step, step))
    runs = as_map(root.get("runs")) if root is not None else None
    for step in as_seq(runs.get("steps")) if runs is not None else []:
        found.setdefault(lines(step, step)[0], lines(step, step))
    return found


def _place(item, path, root, clean_path, uris) -> None:
    """Display path, repository-relative path and URI of a finding or related location."""
    key = str(path)
    if key not in uris:
        uris[key] = (repo_relative(path, root), file_uri(path, root))
    relative, uri = uris[key]
    item.path = clean_path(item.path)
    item.relative = clean_path(relative)
    item.uri = uri


def _redactor(doc: Document, findings: list[Finding], settings: Settings, linted: "Linted | None"):
    """The file's Redactor, knowing every secret a secret-value rule found in it, whether or not
    those rules were selected: their values must not show in other rules' snippets."""
    from .redact import Redactor

    redactor = Redactor(doc)
    for finding in findings:
        if SECRET_TAG in getattr(REGISTRY.get(finding.rule_id), "tags", ()):
            redactor.add_secret(finding.span, finding.source)
            finding.source = None
    if doc.kind and doc.composed is not None:
        missing = [
            rule for rule in REGISTRY.values()
            if SECRET_TAG in rule.tags and doc.kind in rule.kinds and not settings.enabled(rule.id)
        ]
        if missing:
            linted = linted or Linted(doc)
            quiet = Settings(root=settings.root)
            production = _production(quiet)
            for rule in missing:
                try:
                    for item in rule.check(doc, Context(doc, rule, quiet, production, linted)) or ():
                        issue = item if isinstance(item, Issue) else Issue(*item)
                        span = issue.node if isinstance(issue.node, Span) else doc.span_of(issue.node)
                        redactor.add_secret(span, issue.node)
                except _OutOfTime:
                    raise
                except Exception:  # its own failure is reported when it is selected
                    continue
    return redactor


def _filter(doc: Document, raw: list[Finding], settings: Settings, relative: str):
    ignores, by_line = _inline_ignores(doc) if settings.inline_ignores and doc.text else ([], {})
    kept, seen, suppressed = [], set(), 0
    for finding in raw:
        key = (finding.rule_id, finding.span.start_line, finding.span.start_col, finding.span.end_line, finding.span.end_col)
        if key in seen:  # the same node reached twice, e.g. through a YAML alias
            continue
        seen.add(key)
        if finding.rule_id in ("parse-error", "unreadable-file") and not settings.enabled(finding.rule_id):
            continue  # the rules' findings were filtered before they ran
        if not settings.shown(finding.severity, finding.confidence):
            continue
        hidden = any(ignore.hides(finding) for ignore in by_line.get(finding.span.start_line, ()))
        if hidden or settings.path_ignores(relative, finding.rule_id):
            suppressed += 1
            continue
        kept.append(finding)
    if ignores and doc.composed is not None:
        kept.extend(f for f in _ignore_findings(doc, ignores, settings) if settings.shown(f.severity, f.confidence))
    return kept, suppressed


def _fingerprint(doc: Document, findings: list[Finding], relative: str) -> None:
    """A hash of what the finding is about, not where: the rule, the file, the offending line
    with its white space collapsed and the offending text. It survives lines inserted above and
    re-indentation; identical findings in a file are told apart by their order (`:1`, `:2`)."""
    if not findings:
        return
    from .cache import digest

    text = doc.text or ""
    lines = doc.lines if text else []
    occurrences: dict[str, int] = {}
    for finding in sorted(findings, key=Finding.sort_key):
        span = finding.span
        line = lines[span.start_line - 1] if 0 < span.start_line <= len(lines) else ""
        target = text[span.start_offset : span.end_offset] if span.end_offset > span.start_offset else ""
        basis = "\0".join((finding.rule_id, relative, " ".join(line.split()), " ".join(target.split())[:500]))
        value = digest(basis.encode("utf-8", "replace"))[:32]
        count = occurrences.get(value, 0) + 1
        occurrences[value] = count
        finding.fingerprint = f"{value}:{count}"


def count_by_severity(findings: list[Finding]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "note": 0}
    for finding in findings:
        counts[finding.severity] += 1
    return counts


# --- the time budget -----------------------------------------------------------------------------


class _OutOfTime(BaseException):
    """Raised in the middle of a file's linting when its budget is spent (BaseException, so that a
    rule's `except Exception` cannot swallow it)."""


class _Budget:
    """SIGALRM-based: on platforms without it (Windows) or off the main thread, no budget."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._previous = None
        self._armed = False

    def __enter__(self):
        signal = _signals()
        if self.seconds and hasattr(signal, "setitimer") and _on_main_thread():
            self._previous = signal.signal(signal.SIGALRM, _out_of_time)
            self._armed = True
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc_info):
        if self._armed:
            signal = _signals()
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            self._armed = False
        return False


def _signals():
    """The C signal module: `signal` itself builds enums at import (~1 ms of a one-file run)."""
    try:
        import _signal

        return _signal
    except ImportError:  # pragma: no cover - other Python implementations
        import signal

        return signal


def _on_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _out_of_time(signum, frame):
    raise _OutOfTime()
