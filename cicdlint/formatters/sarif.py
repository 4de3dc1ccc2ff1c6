"""`--format sarif`: a SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers.

Built with the `sarif-om` object model (attrs classes) and serialized by `to_json` below, which
writes each attribute under its SARIF name and leaves out unset and default values.

- One run; `tool.driver.rules` lists every enabled rule and every rule with a result, sorted
  by id, and each result points at its rule with `ruleId` and `ruleIndex`.
- Locations are relative to `%SRCROOT%` (the repository root, given in `originalUriBaseIds`);
  a file outside the root gets an absolute `file:` URI and no `uriBaseId`.
- Our columns count code points, so `columnKind` is `unicodeCodePoints` (SARIF's default
  is UTF-16 code units).
- `partialFingerprints["cicdlint/v1"]` is the engine's fingerprint, which survives edits
  elsewhere in the file, so code scanning tracks an alert across commits.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import quote

from .. import __version__

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/cicdlint/cicdlint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "cicdlint/v1"
LEVELS = {"error": "error", "warning": "warning", "note": "note"}
PRECISION = {"high": "high", "medium": "medium", "low": "low"}

# Written even when equal to the SARIF default, so a reader needs no knowledge of the defaults.
_ALWAYS = frozenset({"level"})


def write(result, rules, settings, stream, color: bool = False) -> None:
    json.dump(to_json(build_log(result, rules, settings)), stream, indent=2)
    stream.write("\n")


def build_log(result, rules, settings):
    import sarif_om as om

    root = Path(settings.root).resolve()
    reported = {finding.rule_id for finding in result.findings}
    chosen = sorted(rule_id for rule_id in rules if rule_id in reported or settings.enabled(rule_id))
    chosen += sorted(reported - set(chosen))  # a result whose rule is not registered (should not happen)
    index = {rule_id: position for position, rule_id in enumerate(chosen)}
    descriptors = [_descriptor(om, rules[rule_id], settings) if rule_id in rules else om.ReportingDescriptor(id=rule_id) for rule_id in chosen]
    results = [_result(om, finding, index[finding.rule_id]) for finding in result.findings]
    driver = om.ToolComponent(
        name="cicdlint",
        version=__version__,
        semantic_version=__version__,
        information_uri=INFORMATION_URI,
        rules=descriptors,
    )
    run = om.Run(
        tool=om.Tool(driver=driver),
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=_directory_uri(root))},
        column_kind="unicodeCodePoints",
        results=results,
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def _descriptor(om, rule, settings):
    properties: dict = {"tags": list(rule.tags), "precision": PRECISION.get(rule.confidence, "medium")}
    if rule.security_severity is not None:
        properties["security-severity"] = f"{float(rule.security_severity):.1f}"
    level = LEVELS[settings.severity_for(rule.id) or rule.severity]
    full = _first_paragraph(rule.doc_section("What it does")) or rule.summary
    return om.ReportingDescriptor(
        id=rule.id,
        name=camel_case(rule.id),
        short_description=om.MultiformatMessageString(text=_sentence(rule.summary)),
        full_description=om.MultiformatMessageString(text=full),
        help=om.MultiformatMessageString(text=rule.doc or rule.summary, markdown=rule.doc or rule.summary),
        help_uri=rule.help_uri,
        default_configuration=om.ReportingConfiguration(level=level),
        properties=properties,
    )


def _result(om, finding, rule_index: int):
    related = [
        om.Location(
            id=number,
            physical_location=_physical(om, location),
            message=om.Message(text=location.message) if location.message else None,
        )
        for number, location in enumerate(finding.related, start=1)
    ]
    return om.Result(
        rule_id=finding.rule_id,
        rule_index=rule_index,
        level=LEVELS.get(finding.severity, "warning"),
        message=om.Message(text=finding.message),
        locations=[om.Location(physical_location=_physical(om, finding))],
        partial_fingerprints={FINGERPRINT_KEY: finding.fingerprint} if finding.fingerprint else None,
        related_locations=related or None,
        properties={"confidence": finding.confidence},
    )


def _physical(om, item):
    """A finding's or related location's place: its URI relative to %SRCROOT% (made by the engine
    from the path's bytes, so any file name is exact), or an absolute `file:` URI outside it."""
    span = item.span
    end_line, end_col = span.end_line, span.end_col
    if (end_line, end_col) < (span.start_line, span.start_col):  # never an inverted region
        end_line, end_col = span.start_line, span.start_col
    region = om.Region(start_line=span.start_line, start_column=span.start_col, end_line=end_line, end_column=end_col)
    uri = item.uri or quote(item.relative, safe="/")
    base = None if uri.startswith("file:") else SRCROOT
    return om.PhysicalLocation(artifact_location=om.ArtifactLocation(uri=uri, uri_base_id=base), region=region)


def _directory_uri(root: Path) -> str:
    uri = root.as_uri()
    return uri if uri.endswith("/") else uri + "/"


def camel_case(rule_id: str) -> str:
    """`unpinned-action` -> `UnpinnedAction` (SARIF's friendly rule name)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


def _first_paragraph(text: str) -> str:
    paragraph = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    return " ".join(paragraph.split())


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def to_json(value):
    """An attrs object tree as SARIF JSON data: each field under its schema name, without None
    and without values equal to the field's default (except `_ALWAYS`)."""
    import attr

    if attr.has(type(value)):
        out = {}
        for field in attr.fields(type(value)):
            item = getattr(value, field.name)
            if item is None:
                continue
            default = field.default
            if isinstance(default, attr.Factory):
                default = default.factory()
            if default is not attr.NOTHING and item == default and field.name not in _ALWAYS:
                continue
            out[field.metadata["schema_property_name"]] = to_json(item)
        return out
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value
