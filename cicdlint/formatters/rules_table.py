"""`cicdlint rules --format table|markdown|json`: the rule list, sorted by id so the output is
deterministic (the markdown table is pasted into README.md, and a test checks it is current)."""
from __future__ import annotations

import json
import re


def write_rules(rules: dict, fmt: str, stream) -> None:
    ordered = [rules[rule_id] for rule_id in sorted(rules)]
    if fmt == "json":
        json.dump([_as_data(rule) for rule in ordered], stream, indent=2, default=_jsonable)
        stream.write("\n")
    elif fmt == "markdown":
        stream.write(markdown(ordered))
    elif fmt == "table":
        stream.write(table(ordered))
    else:
        raise ValueError(f"unknown rules format {fmt!r}")


def table(ordered) -> str:
    rows = [("RULE", "SEVERITY", "TAGS", "SUMMARY")]
    rows += [(rule.id, rule.severity, ", ".join(rule.tags) or "-", rule.summary) for rule in ordered]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths)) + "  " + row[3] + "\n" for row in rows
    )


def markdown(ordered) -> str:
    lines = ["| Rule | Severity | Tags | Summary |", "| --- | --- | --- | --- |"]
    for rule in ordered:
        tags = ", ".join(rule.tags) or "-"
        lines.append(f"| [`{rule.id}`](#{rule.id}) | {rule.severity} | {_cell(tags)} | {_cell(rule.summary)} |")
    lines += ["", "### Rule reference"]
    for rule in ordered:  # one heading per rule: the anchor that SARIF's helpUri points to
        lines += ["", f"#### {rule.id}", "", f"{rule.summary}. Default severity: {rule.severity}.", ""]
        lines.append(re.sub(r"^## ", "##### ", rule.doc, flags=re.M))
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _as_data(rule) -> dict:
    return {
        "id": rule.id,
        "severity": rule.severity,
        "confidence": rule.confidence,
        "summary": rule.summary,
        "tags": list(rule.tags),
        "kinds": list(rule.kinds),
        "security_severity": rule.security_severity,
        "options": rule.options,
        "help_uri": rule.help_uri,
        "doc": rule.doc,
    }


def _jsonable(value):
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, tuple):
        return list(value)
    return str(value)
