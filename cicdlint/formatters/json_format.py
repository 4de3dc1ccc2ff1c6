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

    root = Path(settings.root)
    uris: dict[str, str] = {}
    findings = []
    for finding in result.findings:
        rule = rules.get(finding.rule_id)
        findings.append(
            {
                "rule": finding.rule_id,
                "severity": finding.severity,
                "confidence": finding.confidence,
                "message": finding.message,
                **_place(finding.path, finding.span, root, uris),
                "fingerprint": finding.fingerprint,
                "help_uri": rule.help_uri if rule is not None else None,
                "related": [
                    {**_place(location.path, location.span, root, uris), "message": location.message}
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
        },
    }


def _place(path: str, span, root: Path, uris: dict[str, str]) -> dict:
    if path not in uris:
        uris[path] = repo_path(path, root)
    return {
        "path": path,
        "uri": uris[path],
        "line": span.start_line,
        "column": span.start_col,
        "end_line": span.end_line,
        "end_column": span.end_col,
    }


def repo_path(path: str, root: Path) -> str:
    """A reported path (relative to the working directory) made relative to the repository root,
    with forward slashes; the absolute path when the file is outside the root."""
    from ..engine import repo_relative

    return repo_relative(Path(path), root)


def schema() -> dict:
    """The JSON Schema of this report."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
