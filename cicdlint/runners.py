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

_MATRIX_REF = lazyre.compile(r"\$\{\{\s*matrix\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*)*)\s*\}\}")
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
    """One way the matrix-built part of `runs-on:` can come out: its labels, or unknown (an
    expression we cannot resolve)."""

    __slots__ = ("labels", "unknown")

    def __init__(self, labels: list[Label], unknown: bool = False):
        self.labels = labels
        self.unknown = unknown

    @property
    def self_hosted(self) -> bool:
        return any(label.value.strip().lower() == SELF_HOSTED for label in self.labels)


class RunsOn:
    """A job's `runs-on:`: the labels written out (`fixed`), and for the entries built by
    `${{ matrix.<key> }}` one LabelSet per matrix value (`options`; empty when there is no
    expression). A job runs with the fixed labels plus one option. `group` is True for
    `runs-on: {group: ...}` (a runner group: larger or self-hosted runners). Kept apart so
    that every check is linear: the fixed labels are looked at once, not once per option."""

    __slots__ = ("fixed", "options", "group", "odd")

    def __init__(self, fixed: list[Label], options: list[LabelSet], group: bool = False, odd: bool = False):
        self.fixed = fixed
        self.options = options
        self.group = group
        self.odd = odd  # a shape we do not read (a map entry, a list of lists...)

    @property
    def fixed_self_hosted(self) -> bool:
        return any(label.value.strip().lower() == SELF_HOSTED for label in self.fixed)

    @property
    def any_unknown(self) -> bool:
        return self.odd or any(option.unknown for option in self.options)


def runs_on(job) -> RunsOn | None:
    """The job's `runs-on:` as a RunsOn, or None when it has none (or an odd shape)."""
    node = job.runs_on
    group = False
    if isinstance(node, Map):
        group = node.get("group") is not None
        node = node.get("labels")
        if node is None:
            return RunsOn([], [], group=group, odd=not group)
    entries = [node] if isinstance(node, Scalar) else list(node.items) if isinstance(node, Seq) else None
    if entries is None:
        return None
    fixed: list[Label] = []
    options: list[LabelSet] = []
    for entry in entries:
        if not isinstance(entry, Scalar):
            return RunsOn(fixed, options, group=group, odd=True)
        if "${{" not in entry.value:
            fixed.append(Label(entry.value, entry))
        else:
            options.extend(_resolve(job, entry))
    return RunsOn(fixed, options, group=group)


def _resolve(job, entry: Scalar) -> list[LabelSet]:
    match = _MATRIX_REF.fullmatch(entry.value.strip())
    matrix = matrix_of(job) if match else None
    values = matrix.values_of(match.group(1)) if matrix is not None else None
    if values and match.group(2):  # `matrix.platform.runner`: a property of map values
        values = _properties(values, match.group(2)[1:].split("."))
    if not values:
        return [LabelSet([], unknown=True)]
    found = []
    for value in values:
        if isinstance(value, Scalar) and "${{" not in value.value:
            found.append(LabelSet([Label(value.value, value, from_matrix=True)]))
        elif isinstance(value, Seq) and all(isinstance(item, Scalar) and "${{" not in item.value for item in value.items):
            found.append(LabelSet([Label(item.value, item, from_matrix=True) for item in value.items]))
        else:
            found.append(LabelSet([], unknown=True))
    return found


def _properties(values: list, path: list[str]) -> list | None:
    """The `path` property of each value (maps; keys ignore case), or None when one lacks it."""
    found = []
    for value in values:
        for name in path:
            if not isinstance(value, Map):
                return None
            value = next((item for key, _, item in value.items() if key.lower() == name.lower()), None)
        if value is None:
            return None
        found.append(value)
    return found


def _kind(label: str) -> str | None:
    lowered = label.strip().lower()
    if lowered == "windows" or lowered.startswith("windows-"):
        return "windows"
    if lowered in ("linux", "macos") or lowered.startswith(("ubuntu-", "macos-")):
        return "posix"
    return None


def _kind_of(labels: list[Label], start: str | None) -> str | None | bool:
    """The platform the labels name, `start` if they name none, False when they disagree."""
    kind = start
    for label in labels:
        this = _kind(label.value)
        if this is None:
            continue
        if kind is not None and kind != this:
            return False
        kind = this
    return kind


def platform(job) -> str | None:
    """'windows', 'posix' (Linux or macOS) or None (unknown or mixed) for the job's runner."""
    if job is None:
        return None
    found = runs_on(job)
    if found is None or found.any_unknown:
        return None
    base = _kind_of(found.fixed, None)
    if base is False:
        return None
    if not found.options:
        return base
    kinds = set()
    for option in found.options:
        kind = _kind_of(option.labels, base)
        if kind is False or kind is None:
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
