"""Rewrite the part of a report between `<!-- generated:start -->` and `<!-- generated:end -->`,
keeping the hand-written text around it."""
from __future__ import annotations

import re
from pathlib import Path

_EMPTY = "<!-- generated:start -->\n<!-- generated:end -->\n"


def write_generated(report: Path, generated: str) -> None:
    text = report.read_text(encoding="utf-8") if report.exists() else _EMPTY
    text = re.sub(
        r"(<!-- generated:start -->\n).*?(<!-- generated:end -->)",
        lambda match: match.group(1) + generated + match.group(2),
        text,
        flags=re.S,
    )
    report.write_text(text, encoding="utf-8")


def replace_section(document: Path, name: str, generated: str) -> None:
    """Rewrite the part of a document between `<!-- NAME:start -->` and `<!-- NAME:end -->`."""
    text = document.read_text(encoding="utf-8")
    pattern = rf"(<!-- {re.escape(name)}:start -->\n).*?(<!-- {re.escape(name)}:end -->)"
    if not re.search(pattern, text, flags=re.S):
        raise SystemExit(f"{document} has no <!-- {name}:start --> ... <!-- {name}:end --> markers")
    text = re.sub(pattern, lambda match: match.group(1) + generated + match.group(2), text, flags=re.S)
    document.write_text(text, encoding="utf-8")
