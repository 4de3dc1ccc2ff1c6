"""The default report: one header line per finding, the source line with the span underlined,
a help line, and a summary at the end.

    .github/workflows/ci.yml:12:15: warning[unpinned-action] Pin 'actions/checkout@v4' to ...
       |
    12 |       - uses: actions/checkout@v4
       |               ^^^^^^^^^^^^^^^^^^^
       = help: run `cicdlint explain unpinned-action`

Columns in findings are code points; the underline is placed by display width (tabs expanded
to the next multiple of 8, wide East Asian characters take two cells, combining marks none)
so that it lines up in a terminal.
"""
from __future__ import annotations

import unicodedata

from ..redact import clean

TAB_SIZE = 8
MAX_LINE = 160  # code points of a source line shown around the span

_RESET = "\033[0m"
_BOLD = "\033[1m"
_SEVERITY_STYLE = {"error": "\033[1;31m", "warning": "\033[1;33m", "note": "\033[1;36m"}
_GUTTER_STYLE = "\033[1;34m"

def write(result, rules, settings, stream, color: bool = False) -> None:
    """The engine has already redacted and cleaned each finding's message and source line
    (cicdlint/redact.py); this only lays them out."""
    paint = _painter(color)
    for finding in result.findings:
        stream.write(_header(finding, paint) + "\n")
        stream.write("".join(line + "\n" for line in _snippet(finding, finding.source, paint)))
        stream.write("\n")
    stream.write(paint(_summary(result), _BOLD) + "\n")


def _painter(color: bool):
    if not color:
        return lambda text, style: text
    return lambda text, style: f"{style}{text}{_RESET}" if text else text


def _header(finding, paint) -> str:
    span = finding.span
    location = paint(f"{clean(finding.path)}:{span.start_line}:{span.start_col}:", _BOLD)
    style = _SEVERITY_STYLE.get(finding.severity, _BOLD)
    label = paint(f"{finding.severity}[{finding.rule_id}]", style)
    return f"{location} {label} {clean(finding.message)}"


def _snippet(finding, source: str | None, paint) -> list[str]:
    span = finding.span
    number = str(span.start_line)
    pad = " " * (len(number) + 1)
    gutter = paint(pad + "|", _GUTTER_STYLE)
    help_line = paint(pad + "=", _GUTTER_STYLE) + f" help: run `cicdlint explain {finding.rule_id}`"
    if source is None:
        return [help_line]
    start = max(span.start_col - 1, 0)
    end = span.end_col - 1 if span.end_line == span.start_line else len(source)
    start = min(start, len(source))
    end = min(max(end, start), len(source))
    if len(source) > MAX_LINE:  # e.g. a one-line JSON file: show a window around the span
        first = max(0, start - MAX_LINE // 3)
        last = min(len(source), first + MAX_LINE)
        prefix, suffix = ("..." if first else ""), ("..." if last < len(source) else "")
        source = prefix + source[first:last] + suffix
        start, end = start - first + len(prefix), min(end, last) - first + len(prefix)
    shown, before, width = _display(clean(source), start, end)
    marker = "^" * max(width, 1)
    style = _SEVERITY_STYLE.get(finding.severity, _BOLD)
    return [
        gutter,
        paint(number + " |", _GUTTER_STYLE) + (" " + shown if shown else ""),
        gutter + " " + " " * before + paint(marker, style),
        help_line,
    ]


def _display(line: str, start: int, end: int) -> tuple[str, int, int]:
    """The line with tabs expanded, and the display offset and width of [start, end)."""
    out: list[str] = []
    column = 0
    before = width = None
    for index, char in enumerate(line):
        if index == start:
            before = column
        if index == end:
            width = column - before
        if char == "\t":
            spaces = TAB_SIZE - column % TAB_SIZE
            out.append(" " * spaces)
            column += spaces
        else:
            out.append(char)
            column += _width(char)
    if before is None:
        before = column
    if width is None:
        width = column - before
    return "".join(out).rstrip(), before, width


def _width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _summary(result) -> str:
    files = f"{result.files} file" + ("" if result.files == 1 else "s")
    notes = [f"{result.suppressed} suppressed"] if result.suppressed else []
    baseline = getattr(result, "baseline", None)
    if baseline is not None:
        notes.append(f"{baseline.hidden} hidden by the baseline")
        if baseline.stale:
            notes.append(f"{baseline.stale} baseline entries fixed: prune them with `cicdlint baseline --prune`")
    if getattr(result, "diff", None):
        notes.append(f"only what changed since {result.diff}")
    suppressed = f" ({'; '.join(notes)})" if notes else ""
    if not result.findings:
        return f"Checked {files}: no findings{suppressed}"
    counts = {"error": 0, "warning": 0, "note": 0}
    for finding in result.findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    parts = ", ".join(f"{count} {name}" + ("" if count == 1 else "s") for name, count in counts.items())
    return f"Checked {files}: {parts}{suppressed}"
