"""The baseline: accept the findings a repository has today, fail only on new ones.

A baseline file lists, per file, how many findings of each fingerprint were accepted. The
fingerprint (see `engine._fingerprint`) is a hash of the rule, the file's repository-relative
path, the offending line with white space collapsed and the offending text: it survives lines
inserted above, re-indentation and edits elsewhere; moving the file (`git mv`) or editing the
offending line itself makes the finding new. Findings are counted, not merged: with two
identical findings accepted and three present, one is reported.

The file is JSON, sorted, without timestamps, one entry per line, so that its diffs read well:

    {
      "version": 1,
      "tool": "cicdlint",
      "findings": [
        {"path": ".github/workflows/ci.yml", "rule": "unpinned-action", "fingerprint": "3f2a...", "count": 2},
        ...
      ]
    }
"""
from __future__ import annotations

import json

VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read: a clear message, exit code 2."""


def fingerprint_key(finding) -> tuple[str, str, str]:
    """(path, rule, fingerprint without the occurrence number)."""
    return finding.relative, finding.rule_id, finding.fingerprint.rsplit(":", 1)[0]


def counts(findings) -> dict[tuple[str, str, str], int]:
    found: dict[tuple[str, str, str], int] = {}
    for finding in findings:
        key = fingerprint_key(finding)
        found[key] = found.get(key, 0) + 1
    return found


def render(findings) -> str:
    entries = sorted(counts(findings).items())
    lines = [
        json.dumps({"path": path, "rule": rule, "fingerprint": digest, "count": count}, ensure_ascii=False)
        for (path, rule, digest), count in entries
    ]
    body = ",\n    ".join(lines)
    return (
        '{\n  "version": 1,\n  "tool": "cicdlint",\n  "findings": [\n'
        + (f"    {body}\n" if lines else "")
        + "  ]\n}\n"
    )


def read(path: str) -> dict[tuple[str, str, str], int]:
    from .reader import read_text

    text = read_text(path, None)
    if not isinstance(text, str):
        raise BaselineError(f"{path}: cannot read the baseline: {text.message}")
    try:
        data = json.loads(text)
    except ValueError as error:
        raise BaselineError(f"{path}: not a cicdlint baseline (invalid JSON: {error})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a cicdlint baseline (version {VERSION} with a list of findings)")
    accepted: dict[tuple[str, str, str], int] = {}
    for entry in data["findings"]:
        try:
            key = (str(entry["path"]), str(entry["rule"]), str(entry["fingerprint"]))
            count = int(entry.get("count", 1))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BaselineError(f"{path}: a baseline entry lacks path, rule or fingerprint: {str(entry)[:200]}") from None
        accepted[key] = accepted.get(key, 0) + max(count, 0)
    return accepted


class Applied:
    """The findings a baseline does not accept, how many it hid, and its stale entries."""

    def __init__(self, kept: list, hidden: int, stale: int):
        self.kept = kept
        self.hidden = hidden
        self.stale = stale  # accepted findings that are gone (fixed, or their line changed)


def apply(findings, accepted: dict[tuple[str, str, str], int]) -> Applied:
    remaining = dict(accepted)
    kept, hidden = [], 0
    for finding in sorted(findings, key=lambda f: (f.relative, f.fingerprint)):
        key = fingerprint_key(finding)
        if remaining.get(key, 0) > 0:
            remaining[key] -= 1
            hidden += 1
        else:
            kept.append(finding)
    kept.sort(key=lambda f: f.sort_key())
    return Applied(kept, hidden, sum(remaining.values()))


def prune(findings, accepted: dict[tuple[str, str, str], int]) -> list:
    """The findings to write back when pruning: those that the baseline accepts and still exist."""
    remaining = dict(accepted)
    kept = []
    for finding in findings:
        key = fingerprint_key(finding)
        if remaining.get(key, 0) > 0:
            remaining[key] -= 1
            kept.append(finding)
    return kept
