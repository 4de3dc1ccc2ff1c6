"""Expected findings written in the fixtures themselves.

YAML: a comment on the offending line, `# expect: RULE[@COL][=SEVERITY], ...`.
JSON (no comments): a sidecar `FILE.expect` with one `LINE RULE[@COL][=SEVERITY]` per line.
A fixture named `good*` expects nothing from its rule."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_MARKER = re.compile(r"#\s*expect:\s*(.+?)\s*$")
_ITEM = re.compile(r"^([a-z][a-z0-9-]*)(?:@(\d+))?(?:=(error|warning|note))?$")


@dataclass(frozen=True)
class Expected:
    line: int
    rule: str
    col: int | None = None
    severity: str | None = None


def _parse_item(line: int, item: str) -> Expected:
    match = _ITEM.match(item.strip())
    if not match:
        raise ValueError(f"bad expectation {item!r} on line {line}")
    return Expected(line, match.group(1), int(match.group(2)) if match.group(2) else None, match.group(3))


def expectations(path: Path) -> list[Expected]:
    sidecar = path.with_name(path.name + ".expect")
    found = []
    if sidecar.exists():
        for raw in sidecar.read_text(encoding="utf-8").splitlines():
            raw = raw.strip()
            if raw and not raw.startswith("#"):
                line, item = raw.split(None, 1)
                found.append(_parse_item(int(line), item))
        return found
    text = path.read_bytes().decode("utf-8", "replace")
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARKER.search(line)
        if match:
            found.extend(_parse_item(number, item) for item in match.group(1).split(","))
    return found
