"""Runner labels: GitHub's hosted labels, retired ones, the preset self-hosted labels, and the
labels a job's `runs-on:` can take, with `${{ matrix.<key> }}` resolved against static matrix
values. The table is `data/runner-labels.json`, read once, only when a rule asks."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import lazyre
from .matrix import matrix_of
from .yamlpos import Map, Node, Scalar, Seq

_MATRIX_REF = lazyre.compile(r"\$\{\{\s*matrix\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")
_HOSTED_SHAPE = lazyre.compile(
    r"(ubuntu|windows|macos)-(\d+(?:\.\d+)?)((?:-(?:arm|arm64|intel|large|xlarge|xl|vs\d+))*)", lazyre.IGNORECASE
)
SELF_HOSTED = "self-hosted"


@lru_cache(maxsize=1)
def table() -> dict:
    path = Path(__file__).resolve().parent / "data" / "runner-labels.json"
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    data["hosted_images"] = {label: frozenset(images) for label, images in data["hosted"].items()}
    os_images: dict[str, set] = {}
    for label, images in data["hosted"].items():
        os_images.setdefault(label.split("-", 1)[0], set()).update(images)
    data["os_images"] = {os_label: frozenset(os_images[family]) for os_label, family in data["self_hosted_os"].items()}
    return data


def hosted_images(label: str) -> frozenset | None:
    """The images a GitHub-hosted label (any case) or a preset OS label (`linux`) can run on."""
    data = table()
    lowered = label.strip().lower()
    return data["hosted_images"].get(lowered) or data["os_images"].get(lowered)


def is_hosted(label: str) -> bool:
    return label.strip().lower() in table()["hosted_images"]


def is_preset(label: str) -> bool:
    data = table()
    lowered = label.strip().lower()
    return lowered in data["self_hosted_os"] or lowered in data["self_hosted_other"]


def retired(label: str) -> tuple[str, str] | None:
    """(date, replacement) for a label GitHub no longer runs, else None."""
    found = table()["retired"].get(label.strip().lower())
    return (found[0], found[1]) if found else None


def hosted_shape(label: str) -> tuple[str, float] | None:
    """(os, version) for a label written like a versioned hosted label (`ubuntu-23.04`,
    `macos-16-large`), else None."""
    match = _HOSTED_SHAPE.fullmatch(label.strip())
    if not match:
        return None
    return match.group(1).lower(), float(match.group(2))


def newest_version(os_name: str) -> float:
    return float(table()["newest"].get(os_name, 0))


class Label:
    """One label a job may run with: its text and the node to report (the `runs-on:` entry, or
    the matrix value it came from)."""

    __slots__ = ("value", "node", "from_matrix")

    def __init__(self, value: str, node: Node, from_matrix: bool = False):
        self.value = value
        self.node = node
        self.from_matrix = from_matrix


class LabelSet:
    """One way `runs-on:` can come out: its labels, or unknown (an expression we cannot resolve).
    `group` is True for `runs-on: {group: ...}` (a runner group: larger or self-hosted runners)."""

    __slots__ = ("labels", "unknown", "group")

    def __init__(self, labels: list[Label], unknown: bool = False, group: bool = False):
        self.labels = labels
        self.unknown = unknown
        self.group = group

    @property
    def self_hosted(self) -> bool:
        return any(label.value.strip().lower() == SELF_HOSTED for label in self.labels)


def label_sets(job) -> list[LabelSet]:
    """Every label set the job's `runs-on:` can take: one for a static value, one per matrix
    value for `${{ matrix.os }}` (lists of labels in the matrix included), and an unknown set
    when an expression cannot be resolved."""
    node = job.runs_on
    group = False
    if isinstance(node, Map):
        group = node.get("group") is not None
        node = node.get("labels")
        if node is None:
            return [LabelSet([], unknown=not group, group=group)]
    entries = [node] if isinstance(node, Scalar) else list(node.items) if isinstance(node, Seq) else None
    if entries is None:
        return []
    fixed: list[Label] = []
    variable: list[list[LabelSet]] = []
    for entry in entries:
        if not isinstance(entry, Scalar):
            return [LabelSet([], unknown=True, group=group)]
        if "${{" not in entry.value:
            fixed.append(Label(entry.value, entry))
            continue
        variable.append(_resolve(job, entry, group))
    if not variable:
        return [LabelSet(fixed, group=group)]
    if len(variable) > 1:
        # Two matrix-built labels: their combinations are a product; check the fixed ones and
        # each matrix value against them, not the product.
        return [LabelSet(fixed + option.labels, unknown=option.unknown, group=group) for options in variable for option in options]
    return [LabelSet(fixed + option.labels, unknown=option.unknown, group=group) for option in variable[0]]


def _resolve(job, entry: Scalar, group: bool) -> list[LabelSet]:
    match = _MATRIX_REF.fullmatch(entry.value.strip())
    matrix = matrix_of(job) if match else None
    values = matrix.values_of(match.group(1)) if matrix is not None else None
    if not values:
        return [LabelSet([], unknown=True, group=group)]
    found = []
    for value in values:
        if isinstance(value, Scalar) and "${{" not in value.value:
            found.append(LabelSet([Label(value.value, value, from_matrix=True)], group=group))
        elif isinstance(value, Seq) and all(isinstance(item, Scalar) and "${{" not in item.value for item in value.items):
            found.append(LabelSet([Label(item.value, item, from_matrix=True) for item in value.items], group=group))
        else:
            found.append(LabelSet([], unknown=True, group=group))
    return found


def platform(job) -> str | None:
    """'windows', 'posix' (Linux or macOS) or None (unknown or mixed) for the job's runner."""
    if job is None:
        return None
    kinds = set()
    for label_set in label_sets(job):
        if label_set.unknown:
            return None
        kind = None
        for label in label_set.labels:
            lowered = label.value.strip().lower()
            if lowered == "windows" or lowered.startswith("windows-"):
                kind = kind or "windows"
                if kind != "windows":
                    return None
            elif lowered in ("linux", "macos") or lowered.startswith(("ubuntu-", "macos-")):
                kind = kind or "posix"
                if kind != "posix":
                    return None
        if kind is None:
            return None
        kinds.add(kind)
    return kinds.pop() if len(kinds) == 1 else None


def damerau(a: str, b: str, limit: int = 3) -> int:
    """Optimal-string-alignment distance between two short strings, capped at `limit`."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) >= limit:
            return limit
        previous2, previous = previous, current
    return min(previous[-1], limit)


def extends_known(label: str) -> bool:
    """Is the label a known (or retired) hosted label followed by `-`/`_` and more, as the
    names of larger runners are (`ubuntu-24.04-16core`, `ubuntu-latest_8-core`)?"""
    data = table()
    lowered = label.strip().lower()
    for known in (*data["hosted"], *data["retired"]):
        if len(lowered) > len(known) + 1 and lowered.startswith(known) and lowered[len(known)] in "-_.":
            return True
    return False


def closest_known(label: str) -> str | None:
    """A hosted label (or `self-hosted`) within two edits of `label`, for a typo; else None."""
    data = table()
    lowered = label.strip().lower()
    if len(lowered) < 6:
        return None
    best, best_distance = None, 3
    for known in (*data["hosted"], *data["retired"], SELF_HOSTED):
        distance = damerau(lowered, known)
        if distance < best_distance:
            best, best_distance = known, distance
    if best is None:
        return None
    if best in data["retired"]:
        return retired(best)[1].split(" ", 1)[0].strip("'") if best_distance > 0 else None
    return best
