"""Rules, findings and the registry. A rule is a decorated generator function; the decorator
is the registration, so there is no second list to keep in sync."""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

SEVERITIES = ("note", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
CONFIDENCES = ("low", "medium", "high")
KINDS = ("workflow", "action", "taskdef", "service", "dependabot")
# A rule with this tag reports a span whose text IS a secret (a hard-coded key, a password): the
# redaction stage masks that text in every snippet and message of the file.
SECRET_TAG = "secret-value"

DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


class Span:
    """A region of a file: 1-based lines and columns (code points), end column exclusive."""

    __slots__ = ("start_line", "start_col", "end_line", "end_col", "start_offset", "end_offset")

    def __init__(self, start_line: int, start_col: int, end_line: int, end_col: int, start_offset: int = 0,
                 end_offset: int = 0):
        self.start_line = start_line
        self.start_col = start_col
        self.end_line = end_line
        self.end_col = end_col
        self.start_offset = start_offset
        self.end_offset = end_offset

    def _key(self):
        return (self.start_line, self.start_col, self.end_line, self.end_col, self.start_offset, self.end_offset)

    def __eq__(self, other):
        return isinstance(other, Span) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return "Span({}, {}, {}, {}, {}, {})".format(*self._key())


class Location:
    """A place in a file: the path as shown to the user (relative to the working directory when
    inside it), the span, and what is there. The engine fills in `relative` (to the repository
    root, for SARIF and annotations) and `uri`."""

    __slots__ = ("path", "span", "message", "relative", "uri")

    def __init__(self, path: str, span: Span, message: str = ""):
        self.path = path
        self.span = span
        self.message = message
        self.relative = path
        self.uri = None  # percent-encoded repository-relative path, or an absolute file: URI

    def __eq__(self, other):
        return isinstance(other, Location) and (self.path, self.span, self.message) == (other.path, other.span, other.message)

    def __repr__(self):
        return f"Location({self.path!r}, {self.span!r}, {self.message!r})"


class Finding:
    __slots__ = ("rule_id", "severity", "message", "path", "span", "confidence", "related", "fingerprint", "source",
                 "relative", "uri", "scope")

    def __init__(self, rule_id: str, severity: str, message: str, path: str, span: Span, confidence: str = "high",
                 related: list | None = None, fingerprint: str = ""):
        self.rule_id = rule_id
        self.severity = severity
        self.message = message
        self.path = path
        self.span = span
        self.confidence = confidence
        self.related = related if related is not None else []
        self.fingerprint = fingerprint
        self.source = None  # the redacted source line of span.start_line (None: no snippet)
        self.relative = path  # relative to the repository root, forward slashes
        self.uri = None
        self.scope = None  # (first, last) lines of the job or step a finding at its key is about

    def sort_key(self):
        return (self.path, self.span.start_line, self.span.start_col, self.rule_id, self.message)

    def __repr__(self):
        return f"Finding({self.rule_id!r}, {self.severity!r}, {self.path!r}:{self.span.start_line}:{self.span.start_col})"


class Rule:
    """A rule's metadata, and its check and docs, imported from its module on first use (the
    metadata of the bundled rules comes from the generated rule index, without an import)."""

    __slots__ = ("id", "kinds", "severity", "summary", "tags", "security_severity", "confidence", "options",
                 "options_schema", "default_enabled", "hints", "module", "_check", "_doc")

    def __init__(self, id: str, kinds: tuple, severity: str, summary: str, check=None, tags: tuple = (),
                 security_severity: float | None = None, confidence: str = "high", options: dict | None = None,
                 options_schema: dict | None = None, doc: str = "", default_enabled: bool = True,
                 hints: tuple = (), module: str | None = None):
        self.id = id
        self.kinds = tuple(kinds)
        self.severity = severity
        self.summary = summary
        self.tags = tuple(tags)
        self.security_severity = security_severity
        self.confidence = confidence
        self.options = dict(options or {})  # option name -> default value
        self.options_schema = dict(options_schema or {})  # option name -> JSON schema
        self.default_enabled = default_enabled  # False: only when selected by id (pedantic rules)
        # The rule can only find something in a document whose text, lower-cased, contains one of
        # these: a document without any of them skips the rule (and importing it). () = always run.
        self.hints = tuple(hint.lower() for hint in hints)
        self.module = module  # the rule file to import for the check (None: already imported)
        self._check = check
        self._doc = doc

    def _import(self) -> None:
        if self.module is not None:
            module, self.module = self.module, None
            from .engine import import_rule_module

            import_rule_module(module)

    @property
    def check(self):
        if self._check is None:
            self._import()
        return self._check

    @check.setter
    def check(self, function) -> None:
        self._check = function
        self.module = None

    @property
    def doc(self) -> str:
        if not self._doc:
            self._import()
        return self._doc

    @property
    def help_uri(self) -> str:
        return f"https://github.com/cicdlint/cicdlint/blob/main/docs/rules/{self.id}.md"

    def doc_section(self, heading: str) -> str:
        """The text under one `## heading` of the rule's doc."""
        import re

        match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", self.doc, re.S | re.M)
        return match.group(1).strip() if match else ""

    def metadata(self) -> dict:
        """What the rule index stores: everything but the check and the docs."""
        return {
            "id": self.id, "kinds": list(self.kinds), "severity": self.severity, "summary": self.summary,
            "tags": list(self.tags), "security_severity": self.security_severity, "confidence": self.confidence,
            "options": self.options, "options_schema": self.options_schema, "default_enabled": self.default_enabled,
            "hints": list(self.hints),
        }


class Issue:
    """What a check yields before the engine turns it into a Finding."""

    __slots__ = ("node", "message", "severity", "confidence", "related")

    def __init__(self, node, message: str, severity: str | None = None, confidence: str | None = None,
                 related: list | None = None):
        self.node = node  # a yamlpos node, or a Span
        self.message = message
        self.severity = severity  # None: the rule's (configured) severity
        self.confidence = confidence
        self.related = related if related is not None else []


REGISTRY: dict[str, Rule] = {}


def rule(
    *,
    id: str,
    kinds: Iterable[str],
    severity: str,
    summary: str,
    tags: Iterable[str] = (),
    security_severity: float | None = None,
    confidence: str = "high",
    options: dict | None = None,
    options_schema: dict | None = None,
    default_enabled: bool = True,
    hints: Iterable[str] = (),
):
    """Register the decorated check function as a rule.

    The check is called as `check(doc, ctx)` and yields `(node, message)` pairs or `Issue`s.
    Its docstring is the rule's documentation (sections What it does / Why is this bad? /
    Example / Use instead). Every argument must be a literal: the rule index is generated by
    reading the decorators of the rule files without importing them."""

    assert severity in SEVERITIES, severity
    kinds = tuple(kinds)
    assert all(kind in KINDS for kind in kinds), kinds

    def decorate(check: Callable[..., Iterator]):
        register(
            Rule(
                id=id,
                kinds=kinds,
                severity=severity,
                summary=summary,
                check=check,
                tags=tuple(tags),
                security_severity=security_severity,
                confidence=confidence,
                options=options,
                options_schema=options_schema,
                doc=_dedent_doc(check.__doc__ or ""),
                default_enabled=default_enabled,
                hints=tuple(hints),
            )
        )
        return check

    return decorate


def register(new_rule: Rule) -> None:
    existing = REGISTRY.get(new_rule.id)
    if existing is None:
        REGISTRY[new_rule.id] = new_rule
        return
    if existing._check is None and existing.id not in BUILTIN_IDS:
        # The index's entry for a rule whose module is being imported: the decorator fills it in
        # (in place, so that lists of rules made from the index see the check).
        for name in Rule.__slots__:
            setattr(existing, name, getattr(new_rule, name))
        return
    # The same rule module imported again (a test, a plugin loaded twice) replaces itself; two
    # different checks under one id is a packaging bug.
    same_code = getattr(existing._check, "__code__", None) is getattr(new_rule._check, "__code__", 1)
    if existing._check is not new_rule._check and not same_code:
        raise ValueError(f"two rules share the id {new_rule.id!r}")
    REGISTRY[new_rule.id] = new_rule


def _dedent_doc(doc: str) -> str:
    import inspect

    return inspect.cleandoc(doc)


BUILTIN_IDS = ("parse-error", "internal-error", "unreadable-file", "too-complex", "invalid-ignore", "unused-ignore")

# Built-in rules that the engine itself reports; they have no check function.
register(
    Rule(
        id="parse-error",
        kinds=KINDS,
        severity="error",
        summary="File is not valid YAML or JSON, is not text, or has duplicate keys",
        check=None,
        doc="""## What it does
Reports a file that cannot be read as YAML or JSON: a syntax error, bytes that are not UTF-8
text, or a mapping that repeats a key. It points at the exact line and column where the parser
stopped.

## Why is this bad?
GitHub refuses a workflow that does not parse (and one with duplicate keys), and the AWS CLI
refuses such a task definition; nothing in the file runs until it is fixed. Duplicate keys are
worse than a typo: many YAML and JSON readers silently keep the last value, so the file means
something other than what the first key says.

## Example
```yaml
jobs:
  build:
    runs-on: ubuntu-latest
    runs-on: windows-latest
```

## Use instead
```yaml
jobs:
  build:
    runs-on: ubuntu-latest
```
Fix the syntax at the reported position, or remove the repeated key.""",
    )
)

register(
    Rule(
        id="internal-error",
        kinds=KINDS,
        severity="error",
        summary="A rule failed on this file (a bug in cicdlint or a plugin)",
        check=None,
        doc="""## What it does
Reports that a rule raised an exception on this file. The other rules and files still run.

## Why is this bad?
The file was not fully checked, so a real problem may be hidden. It is a bug in cicdlint (or in
the plugin that provides the rule), not in your file.

## Example
Any file on which a rule crashes.

## Use instead
Upgrade cicdlint, or report the bug with the file (or a reduced copy) attached. Meanwhile
`--ignore RULE` skips the failing rule.""",
    )
)

register(
    Rule(
        id="unreadable-file",
        kinds=KINDS,
        severity="error",
        summary="A file to lint could not be read safely (outside the scanned root, not a regular file, too large)",
        check=None,
        doc="""## What it does
Reports a file that cicdlint was asked to lint, or that a workflow links, but did not read: a
symbolic link (or a `..` path) that leads outside the scanned directory, a named pipe, device or
socket, a loop of symbolic links, a file over the size limit (5 MB), or one it has no permission
to read.

## Why is this bad?
cicdlint runs on pull requests, whose author controls the files: a link under
`.github/workflows/` to `~/.aws/credentials`, or to `/dev/zero`, must not make the linter read
the runner's secrets or hang. The file was not checked, so a real problem may be hidden in it,
and GitHub itself cannot use a workflow that is a link out of the repository.

## Example
```console
$ ln -s ~/.aws/credentials .github/workflows/deploy.yml
```

## Use instead
Commit the file itself, inside the repository, as a regular UTF-8 text file under 5 MB.""",
    )
)

register(
    Rule(
        id="too-complex",
        kinds=KINDS,
        severity="error",
        summary="A file took longer than the per-file time budget to lint and was not fully checked",
        check=None,
        doc="""## What it does
Reports a file whose linting ran past the per-file time budget (20 seconds), or whose tree is
too large to check (more than a million nodes). cicdlint stops working on it and goes on with
the other files.

## Why is this bad?
The file was not fully checked, so a real problem may be hidden. A workflow or task definition
that takes this long is almost always generated or hostile (a file built to slow linters down);
real ones lint in milliseconds.

## Example
A 5 MB workflow with hundreds of thousands of jobs.

## Use instead
Split the file, or lint the source it is generated from. If a real file hits the budget, report
it: every rule is meant to be linear in the size of its input.""",
    )
)

register(
    Rule(
        id="invalid-ignore",
        kinds=KINDS,
        severity="warning",
        summary="An inline ignore comment names a rule id that does not exist",
        check=None,
        doc="""## What it does
Reports an id in a `# cicdlint: ignore[...]` comment that is not a cicdlint rule, with the id
it most likely means.

## Why is this bad?
A misspelt id hides nothing: the finding it was meant to silence is still reported, or worse,
the author believes a finding is acknowledged when the comment does nothing at all. It also
keeps ids that were renamed or removed from being noticed.

## Example
```yaml
    - uses: actions/checkout@v4  # cicdlint: ignore[unpined-action]
```

## Use instead
```yaml
    - uses: actions/checkout@v4  # cicdlint: ignore[unpinned-action]
```
Spell the id as `cicdlint rules` lists it.""",
    )
)

register(
    Rule(
        id="unused-ignore",
        kinds=KINDS,
        severity="note",
        summary="An inline ignore comment hides no finding (reported with --report-unused-ignores)",
        check=None,
        default_enabled=False,
        doc="""## What it does
With `--report-unused-ignores` (or when selected), reports ids of a `# cicdlint: ignore[...]`
comment, and bare `# cicdlint: ignore` comments, that hide no finding on the lines they
cover. Only rules that ran on the file are judged, so a narrower `--select` does not make
every other ignore look unused.

## Why is this bad?
A stale suppression outlives the problem it acknowledged: once the line changes again, it
silently hides a new finding of the same rule that nobody has looked at.

## Example
```yaml
    - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683  # cicdlint: ignore[unpinned-action]
```

## Use instead
```yaml
    - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
```
Remove the comment, or the ids in it that no longer hide anything.""",
    )
)
