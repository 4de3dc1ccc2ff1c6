"""`--format json`: a documented, versioned report.

The shape is fixed by the JSON Schema in `cicdlint/data/output-v1.schema.json` (`"version": 1`).
Within version 1 fields are only ever added (and the schema updated with them); a change that
removes or redefines a field bumps the version and ships a new schema file.
"""
from __future__ import annotations

import json
from pathlib import Path

from .. import __version__

VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "output-v1.schema.json"


def write(result, rules, settings, stream, color: bool = False) -> None:
    json.dump(report(result, rules, settings), stream, indent=2)
    stream.write("\n")


def report(result, rules, settings) -> dict:
    """The report as plain data (what `write` serializes)."""
    from ..engine import count_by_severity

    findings = []
    for finding in result.findings:
        rule = rules.get(finding.rule_id)
        findings.append(
            {
                "rule": finding.rule_id,
                "severity": finding.severity,
                "confidence": finding.confidence,
                "message": finding.message,
                **_place(finding),
                "fingerprint": finding.fingerprint,
                "help_uri": rule.help_uri if rule is not None else None,
                "related": [
                    {**_place(location), "message": location.message}
                    for location in finding.related
                ],
            }
        )
    return {
        "version": VERSION,
        "tool": {"name": "cicdlint", "version": __version__},
        "findings": findings,
        "summary": {
            "files": result.files,
            "findings": len(result.findings),
            "by_severity": count_by_severity(result.findings),
            "suppressed": result.suppressed,
            **({"baseline": {"hidden": result.baseline.hidden, "stale": result.baseline.stale}}
               if getattr(result, "baseline", None) is not None else {}),
            **({"diff": result.diff} if getattr(result, "diff", None) else {}),
        },
    }


def _place(item) -> dict:
    """Where a finding or related location is: the path as shown, and relative to the repository
    root (`uri`, forward slashes; absolute outside the root)."""
    span = item.span
    return {
        "path": item.path,
        "uri": item.relative,
        "line": span.start_line,
        "column": span.start_col,
        "end_line": span.end_line,
        "end_column": span.end_col,
    }


def schema() -> dict:
    """The JSON Schema of this report."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
