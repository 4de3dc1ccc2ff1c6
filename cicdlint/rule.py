"""Rules, findings and the registry. A rule is a decorated generator function; the decorator
is the registration, so there is no second list to keep in sync."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

SEVERITIES = ("note", "warning", "error")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
CONFIDENCES = ("low", "medium", "high")
KINDS = ("workflow", "action", "taskdef", "service", "dependabot")

DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead")


@dataclass(frozen=True)
class Span:
    """A region of a file: 1-based lines and columns (code points), end column exclusive."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int
    start_offset: int = 0
    end_offset: int = 0


@dataclass
class Location:
    path: str  # path as shown to the user (relative to the working directory when inside it)
    span: Span
    message: str = ""


@dataclass
class Finding:
    rule_id: str
    severity: str
    message: str
    path: str
    span: Span
    confidence: str = "high"
    related: list[Location] = field(default_factory=list)
    fingerprint: str = ""

    def sort_key(self):
        return (self.path, self.span.start_line, self.span.start_col, self.rule_id, self.message)


@dataclass
class Rule:
    id: str
    kinds: tuple[str, ...]
    severity: str
    summary: str
    check: Callable[..., Iterable] | None
    tags: tuple[str, ...] = ()
    security_severity: float | None = None
    confidence: str = "high"
    options: dict = field(default_factory=dict)  # option name -> default value
    options_schema: dict = field(default_factory=dict)  # option name -> JSON schema
    doc: str = ""
    default_enabled: bool = True  # False: opt-in (pedantic), runs only when selected by name

    @property
    def help_uri(self) -> str:
        return f"https://github.com/cicdlint/cicdlint/blob/main/README.md#{self.id}"

    def doc_section(self, heading: str) -> str:
        """The text under one `## heading` of the rule's doc."""
        match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", self.doc, re.S | re.M)
        return match.group(1).strip() if match else ""


@dataclass
class Issue:
    """What a check yields before the engine turns it into a Finding."""

    node: object  # a yamlpos node, or a Span
    message: str
    severity: str | None = None  # None: the rule's (configured) severity
    confidence: str | None = None
    related: list[Location] = field(default_factory=list)


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
):
    """Register the decorated check function as a rule.

    The check is called as `check(doc, ctx)` and yields `(node, message)` pairs or `Issue`s.
    Its docstring is the rule's documentation (sections What it does / Why is this bad? /
    Example / Use instead). `default_enabled=False` makes the rule opt-in: it runs only when
    `select` names it (an id or a glob other than `*`/`ALL`) or `rules.<id>.enabled` is true."""

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
                options=dict(options or {}),
                options_schema=dict(options_schema or {}),
                doc=_dedent_doc(check.__doc__ or ""),
                default_enabled=default_enabled,
            )
        )
        return check

    return decorate


def register(new_rule: Rule) -> None:
    existing = REGISTRY.get(new_rule.id)
    # The same rule module imported again (a test, a plugin loaded twice) replaces itself; two
    # different checks under one id is a packaging bug.
    same_code = getattr(existing and existing.check, "__code__", None) is getattr(new_rule.check, "__code__", 1)
    if existing is not None and existing.check is not new_rule.check and not same_code:
        raise ValueError(f"two rules share the id {new_rule.id!r}")
    REGISTRY[new_rule.id] = new_rule


def _dedent_doc(doc: str) -> str:
    import inspect

    return inspect.cleandoc(doc)


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
