"""`--format github`: GitHub Actions workflow commands, which the runner turns into annotations
on the pull request diff:

    ::error file=.github/workflows/ci.yml,line=12,col=15,endLine=12,endColumn=34,title=cicdlint (unpinned-action)::Pin ...

Paths are relative to the repository root (GitHub resolves them against the workspace).
"""
from __future__ import annotations

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def write(result, rules, settings, stream, color: bool = False) -> None:
    for finding in result.findings:
        span = finding.span
        properties = {
            "file": finding.relative,
            "line": span.start_line,
            "col": span.start_col,
            "endLine": span.end_line,
            "endColumn": span.end_col,
            "title": f"cicdlint ({finding.rule_id})",
        }
        joined = ",".join(f"{name}={escape_property(str(value))}" for name, value in properties.items())
        command = _COMMAND.get(finding.severity, "warning")
        stream.write(f"::{command} {joined}::{escape_data(finding.message)}\n")


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
