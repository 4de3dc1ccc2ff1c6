"""The bundled snapshot of GitHub's reviewed security advisories for GitHub Actions, and how a
`uses:` reference is judged against it.

The data file (`data/actions-advisories.json`, rebuilt by `scripts/gen_advisories.py`) is read
once, on first use: only when a document has a `uses:` whose `owner/repo` is named in it, or when
`cicdlint --version` asks for the snapshot date.

How a ref is judged:
- an exact version (`@v1.2.3`, `@1.2.3`, `@v2.0.0-beta.1`, or a commit SHA whose trailing comment
  says `# v1.2.3`) is affected when it lies in an affected range or is a listed version;
- a moving tag (`@v35`, `@v4.1`) follows its series: it is judged as the newest release of that
  series, so it is affected only when no fixed release exists inside the series (the advisory's
  fix is a later major or there is none). `actions/download-artifact@v4` is fine (v4 now points at
  4.1.7 or later), `tj-actions/changed-files@v35` is not (the fix is 46.0.1). A moving tag the
  advisory lists itself (`reviewdog/action-setup` version `1`) is affected;
- a commit SHA with a moving-tag comment (`@<sha> # v4`) may be any release of the series up to
  the day it was pinned: affected when the whole series is, possibly (low confidence) when only
  part of it is;
- a branch (`@main`), a SHA without a version comment, or an expression is not judged offline.
"""
from __future__ import annotations

import functools

from . import lazyre

_VERSION = lazyre.compile(r"[vV]?(\d{1,9}(?:\.\d{1,9}){0,5})(?:[-+]([0-9A-Za-z.+-]{0,100}))?")
# `# v4`, `# v4.1.2`, `# 4.1.2`, `# tag=v1.2.3`, `# renovate: tag=v2.0.0-beta.1`; a bare number
# without `v` (`# 2024`) is not taken for a version
_COMMENT_VERSION = lazyre.compile(
    r"(?:^|[\s=:@,(#])([vV]\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.]+)?|\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z.]+)?)(?=$|[\s,;)])"
)
# upper bounds of a range: `fixed` (exclusive, a fix exists), `last_affected` (inclusive), and
# `until` / `through` (exclusive / inclusive, from `last_known_affected_version_range`: no fix named)
_UPPER = (("fixed", False), ("last_affected", True), ("until", False), ("through", True))
_INF = 10**9  # the newest release of a series: larger than any component of a real version


@functools.lru_cache(maxsize=1)
def load() -> dict:
    """The snapshot: {"snapshot", "source", "advisories": {id: {...}}, "packages": {name: [...]}}."""
    try:
        from .datafiles import load as load_data

        data = load_data("actions-advisories.json")
    except (OSError, ValueError):
        return {"snapshot": "", "advisories": {}, "packages": {}}
    return data if isinstance(data, dict) else {"snapshot": "", "advisories": {}, "packages": {}}


def snapshot_date() -> str:
    return load().get("snapshot") or "unknown"


class Version:
    """A parsed release number. `moving` is True for a partial version (`v4`, `v4.1`), which
    stands for the newest release of that series."""

    __slots__ = ("parts", "pre", "moving", "text")

    def __init__(self, parts: tuple[int, ...], pre: str, moving: bool, text: str):
        self.parts = parts
        self.pre = pre
        self.moving = moving
        self.text = text

    def key(self, top: bool = True) -> tuple:
        """Sort key. A moving version stands for the newest release of its series (`top`) or,
        with `top=False`, for the first one (N.0.0)."""
        if self.moving:
            if top:
                return (self.parts + (_INF,) * (4 - len(self.parts)), 1, ())
            return (self.parts + (0,) * (4 - len(self.parts)), 1, ())
        # a pre-release sorts before its release
        return (self.parts + (0,) * (4 - len(self.parts)), 0 if self.pre else 1, _pre_key(self.pre))


def _pre_key(pre: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ()


def parse_version(text: str, *, exact_only: bool = False) -> Version | None:
    if not isinstance(text, str):
        return None
    match = _VERSION.fullmatch(text.strip())
    if not match:
        return None
    parts = tuple(int(p) for p in match.group(1).split("."))
    pre = match.group(2) or ""
    moving = len(parts) < 3 and not pre
    if moving and exact_only:
        return None
    return Version(parts, pre, moving, text.strip())


def _bound(text: str) -> tuple | None:
    version = parse_version(text)
    if version is None:
        return None
    if version.moving:  # a bound "3" means 3.0.0
        version = Version(version.parts + (0,) * (3 - len(version.parts)), "", False, text)
    return version.key()


def _in_range(key: tuple, rng: dict) -> bool | None:
    low = _bound(rng.get("introduced", "0"))
    if low is None:
        return None
    if key < low:
        return False
    for name, inclusive in _UPPER:
        if name in rng:
            high = _bound(rng[name])
            return None if high is None else (key <= high if inclusive else key < high)
    return True


def _intersects(rng: dict, bottom: tuple, top: tuple) -> bool:
    low = _bound(rng.get("introduced", "0"))
    if low is None or low > top:
        return False
    for name, inclusive in _UPPER:
        if name in rng:
            high = _bound(rng[name])
            return high is not None and (high >= bottom if inclusive else high > bottom)
    return True


def _same_version(a: str, b: str) -> bool:
    return a.strip().lstrip("vV") == b.strip().lstrip("vV")


class Match:
    __slots__ = ("advisory_id", "advisory", "fixed", "partial", "supplement", "listed")

    def __init__(self, advisory_id, advisory, fixed, partial, supplement, listed=False):
        self.advisory_id = advisory_id
        self.advisory = advisory
        self.fixed = fixed  # first fixed release of the matched range, or None
        self.partial = partial  # only some releases of a pinned series are affected
        self.supplement = supplement  # the package is named in the advisory's text only
        self.listed = listed  # the version is one the advisory lists by name


def entries_for(target: str) -> list[dict]:
    """Advisory entries for `owner/repo[/path]` (case-insensitive). An entry for `owner/repo`
    covers every path inside it; an entry with a path covers that path only."""
    packages = load().get("packages") or {}
    target = target.strip("/").lower()
    parts = target.split("/")
    if len(parts) < 2:
        return []
    repo = "/".join(parts[:2])
    found = list(packages.get(repo) or [])
    if target != repo:
        found += packages.get(target) or []
    return found


def known_package(target: str) -> bool:
    """Cheap pre-check without loading the data for names that cannot be in it."""
    return bool(entries_for(target))


def judge(target: str, version_text: str, *, pinned_sha: bool = False) -> list[Match]:
    """The advisories whose affected releases include `version_text` of `target`."""
    entries = entries_for(target)
    if not entries:
        return []
    version = parse_version(version_text)
    if version is None:
        return []
    advisories = load().get("advisories") or {}
    seen: dict[str, Match] = {}
    for entry in entries:
        advisory = advisories.get(entry.get("id"))
        if advisory is None:
            continue
        result = _judge_entry(entry, version, pinned_sha)
        if result is None:
            continue
        fixed, partial, listed = result
        if fixed is None and not listed:
            fixed = _later_fix(entries, entry["id"], version)  # e.g. v2 has no fix, but 3.28.3 is fixed
        previous = seen.get(entry["id"])
        if previous is not None and (previous.partial <= partial):
            continue  # one finding per advisory: keep the surest match
        seen[entry["id"]] = Match(entry["id"], advisory, fixed, partial, bool(entry.get("supplement")), listed)
    return list(seen.values())


def _later_fix(entries: list, advisory_id: str, version: Version) -> str | None:
    """The lowest `fixed` release above the version among the advisory's ranges, or None."""
    top = version.key(top=True)
    candidates = []
    for entry in entries:
        if entry.get("id") != advisory_id:
            continue
        for rng in entry.get("ranges") or []:
            bound = _bound(rng.get("fixed", "")) if isinstance(rng, dict) and rng.get("fixed") else None
            if bound is not None and bound > top:
                candidates.append((bound, rng["fixed"]))
    return min(candidates)[1] if candidates else None


def _judge_entry(entry: dict, version: Version, pinned_sha: bool):
    """(first fixed release or None, partial, listed) when affected, else None."""
    if any(_same_version(version.text, listed) for listed in entry.get("versions") or []):
        return (None, False, True)
    for rng in entry.get("ranges") or []:
        if not isinstance(rng, dict):
            continue
        fixed = rng.get("fixed")
        if not version.moving:
            if _in_range(version.key(), rng):
                return (fixed, False, False)
            continue
        newest = _in_range(version.key(top=True), rng)
        if newest:
            return (fixed, False, False)  # the whole series up to its newest release is affected
        if pinned_sha and _intersects(rng, version.key(top=False), version.key(top=True)):
            return (fixed, True, False)  # a SHA pinned at some release of the series: maybe affected
    return None


def comment_version(line_rest: str) -> str | None:
    """The version a trailing `# v1.2.3` comment names, from the text after a `uses:` value."""
    if not line_rest:
        return None
    index = line_rest.find("#")
    if index < 0 or line_rest[:index].strip():
        return None
    match = _COMMENT_VERSION.search(line_rest[index + 1:])
    return match.group(1) if match else None
