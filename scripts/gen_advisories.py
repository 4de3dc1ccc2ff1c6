#!/usr/bin/env python3
"""Rebuild `cicdlint/data/actions-advisories.json`, the bundled snapshot of GitHub's reviewed
security advisories for the GitHub Actions ecosystem that the `known-vulnerable-action` rule reads.

Two sources, same output:

    # a local checkout (or a partial copy) of https://github.com/github/advisory-database
    python scripts/gen_advisories.py --checkout ~/src/advisory-database

    # the GitHub REST API (GET /advisories?ecosystem=actions&type=reviewed), needs a token in
    # GH_TOKEN or GITHUB_TOKEN and network access; CICDLINT_GITHUB_API_URL overrides the base URL
    python scripts/gen_advisories.py --api

The checkout mode reads `advisories/github-reviewed/**/GHSA-*.json` (OSV 1.4 records) and keeps
the affected entries whose ecosystem is "GitHub Actions"; withdrawn advisories are dropped. The
snapshot date written into the file is the newest `modified` (or `updated_at`) among the records
kept, so the same input always gives the same file. `--date` overrides it.

Matching is done by `cicdlint/advisories.py`; this script only normalises: package names are
lower-cased `owner/repo[/path]` (a leading `https://github.com/` is dropped), each affected range
becomes `{"introduced": v, "fixed": v}` / `{"introduced": v, "last_affected": v}` /
`{"introduced": v}` (open-ended), and `versions` keeps the explicit versions an entry lists. An
open-ended range whose entry says `last_known_affected_version_range: "< v"` (or `"<= v"`) gets
`"until": v` (or `"through": v`): the affected releases end there, but no fix is named.

SUPPLEMENT below adds packages an advisory's own text names as affected but its `affected` list
does not carry (GHSA-qmg3-hpqr-gqvc: the reviewdog actions that ran `reviewdog/action-setup@v1`
during the compromise). Each supplement entry is marked `"supplement": true` in the output.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "cicdlint" / "data" / "actions-advisories.json"
SEVERITIES = ("low", "moderate", "high", "critical")

SUPPLEMENT = {
    # The advisory's details: "Other reviewdog actions that use reviewdog/action-setup@v1 would
    # also be compromised, regardless of version or pinning method". They are listed with the
    # same affected version as action-setup itself (the v1 tag).
    "GHSA-qmg3-hpqr-gqvc": [
        {"package": name, "ranges": [], "versions": ["1"]}
        for name in (
            "reviewdog/action-shellcheck",
            "reviewdog/action-composite-template",
            "reviewdog/action-staticcheck",
            "reviewdog/action-ast-grep",
            "reviewdog/action-typos",
        )
    ],
}


def package_name(name: str) -> str:
    name = name.strip()
    name = re.sub(r"^https?://github\.com/", "", name, flags=re.I)
    return name.strip("/").lower()


_LAST_KNOWN = re.compile(r"^(<=?)\s*v?([0-9A-Za-z.+-]+)$")


def ranges_from_events(events: list[dict]) -> list[dict]:
    """OSV `events` (introduced / fixed / last_affected, in order) as closed intervals."""
    out, current = [], None
    for event in events:
        if "introduced" in event:
            if current is not None:
                out.append(current)
            current = {"introduced": str(event["introduced"])}
        elif "fixed" in event or "last_affected" in event:
            key = "fixed" if "fixed" in event else "last_affected"
            if current is None:
                current = {"introduced": "0"}
            current[key] = str(event[key])
            out.append(current)
            current = None
    if current is not None:
        out.append(current)
    return out


def severity_of(label: str | None) -> str:
    label = (label or "").strip().lower()
    if label == "medium":
        label = "moderate"
    return label if label in SEVERITIES else "moderate"


def from_osv(record: dict) -> dict | None:
    if record.get("withdrawn"):
        return None
    affected = []
    for entry in record.get("affected") or []:
        package = entry.get("package") or {}
        if package.get("ecosystem") != "GitHub Actions" or not package.get("name"):
            continue
        ranges = []
        for rng in entry.get("ranges") or []:
            if rng.get("type") in ("ECOSYSTEM", "SEMVER"):
                ranges.extend(ranges_from_events(rng.get("events") or []))
        # An open-ended range (no fix known) is bounded by what the advisory says was last seen
        # affected, e.g. `"last_known_affected_version_range": "< 3.0.0"`: the REST API and
        # Dependabot show the same bound.
        known = ((entry.get("database_specific") or {}).get("last_known_affected_version_range") or "").strip()
        bound = _LAST_KNOWN.match(known)
        if bound:
            for rng in ranges:
                if "fixed" not in rng and "last_affected" not in rng:
                    rng["until" if bound.group(1) == "<" else "through"] = bound.group(2)
        affected.append({
            "package": package_name(package["name"]),
            "ranges": ranges,
            "versions": [str(v) for v in entry.get("versions") or []],
        })
    if not affected:
        return None
    specific = record.get("database_specific") or {}
    return {
        "id": record["id"],
        "aliases": sorted(a for a in record.get("aliases") or [] if a.startswith("CVE-")),
        "summary": " ".join((record.get("summary") or "").split()),
        "severity": severity_of(specific.get("severity")),
        "published": (record.get("published") or "")[:10],
        "modified": (record.get("modified") or "")[:10],
        "affected": affected,
    }


def read_checkout(path: Path) -> list[dict]:
    base = path / "advisories" / "github-reviewed"
    if not base.is_dir():
        raise SystemExit(f"{path}: no advisories/github-reviewed directory (is it a checkout of github/advisory-database?)")
    records = []
    for file in sorted(base.rglob("GHSA-*.json")):
        try:
            record = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            print(f"warning: skipping {file}: {error}", file=sys.stderr)
            continue
        converted = from_osv(record)
        if converted:
            records.append(converted)
    return records


# --- REST API ------------------------------------------------------------------------------

_CONSTRAINT = re.compile(r"^\s*(>=|<=|>|<|=)?\s*v?([0-9A-Za-z.+-]+)\s*$")


def ranges_from_rest(spec: str) -> tuple[list[dict], list[str]]:
    """`>= 4.0.0, < 4.1.7` / `< 2.2.0` / `<= 45.0.7` / `= 1` as (ranges, versions)."""
    lower, upper, versions = "0", None, []
    for part in (spec or "").split(","):
        match = _CONSTRAINT.match(part)
        if not match:
            continue
        op, version = match.group(1) or "=", match.group(2)
        if op in (">=", ">"):
            lower = version  # `>` is rare in GitHub data; treated as >=
        elif op == "<":
            upper = ("fixed", version)
        elif op == "<=":
            upper = ("last_affected", version)
        elif op == "=":
            versions.append(version)
    if versions and upper is None and lower == "0":
        return [], versions
    rng = {"introduced": lower}
    if upper:
        rng[upper[0]] = upper[1]
    return [rng], versions


def from_rest(advisory: dict) -> dict | None:
    if advisory.get("withdrawn_at"):
        return None
    affected = []
    for vuln in advisory.get("vulnerabilities") or []:
        package = vuln.get("package") or {}
        if package.get("ecosystem") != "actions" or not package.get("name"):
            continue
        ranges, versions = ranges_from_rest(vuln.get("vulnerable_version_range") or "")
        patched = vuln.get("first_patched_version")
        if isinstance(patched, dict):
            patched = patched.get("identifier")
        if patched and ranges and "fixed" not in ranges[0]:
            ranges[0].pop("last_affected", None)
            ranges[0]["fixed"] = str(patched)
        affected.append({"package": package_name(package["name"]), "ranges": ranges, "versions": versions})
    if not affected:
        return None
    cve = advisory.get("cve_id")
    return {
        "id": advisory["ghsa_id"],
        "aliases": [cve] if cve else [],
        "summary": " ".join((advisory.get("summary") or "").split()),
        "severity": severity_of(advisory.get("severity")),
        "published": (advisory.get("published_at") or "")[:10],
        "modified": (advisory.get("updated_at") or "")[:10],
        "affected": affected,
    }


def read_api(base_url: str, token: str) -> list[dict]:
    url = f"{base_url.rstrip('/')}/advisories?ecosystem=actions&type=reviewed&per_page=100"
    records = []
    while url:
        request = urllib.request.Request(url, headers={
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "cicdlint-gen-advisories",
        })
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                page = json.loads(response.read().decode("utf-8"))
                link = response.headers.get("Link") or ""
        except urllib.error.HTTPError as error:
            raise SystemExit(f"GitHub API: HTTP {error.code} for {url}") from None
        except (urllib.error.URLError, OSError) as error:
            raise SystemExit(f"GitHub API: cannot reach {url}: {error}") from None
        for advisory in page if isinstance(page, list) else []:
            converted = from_rest(advisory)
            if converted:
                records.append(converted)
        match = re.search(r'<([^>]+)>;\s*rel="next"', link)
        url = match.group(1) if match else None
    return records


# --- output --------------------------------------------------------------------------------

def build(records: list[dict], source: str, date: str | None) -> dict:
    by_id = {}
    for record in records:
        by_id[record["id"]] = record  # a later duplicate (same id) wins
    for ghsa, extra in SUPPLEMENT.items():
        if ghsa in by_id:
            known = {a["package"] for a in by_id[ghsa]["affected"]}
            by_id[ghsa]["affected"] += [dict(e, supplement=True) for e in extra if e["package"] not in known]
    advisories, packages = {}, {}
    for ghsa in sorted(by_id):
        record = by_id[ghsa]
        advisories[ghsa] = {
            "aliases": record["aliases"],
            "summary": record["summary"],
            "severity": record["severity"],
            "published": record["published"],
        }
        for entry in record["affected"]:
            item = {"id": ghsa, "ranges": entry["ranges"], "versions": entry["versions"]}
            if entry.get("supplement"):
                item["supplement"] = True
            packages.setdefault(entry["package"], []).append(item)
    snapshot = date or max((r["modified"] or r["published"] for r in by_id.values()), default="")
    return {
        "snapshot": snapshot,
        "source": source,
        "advisory_count": len(advisories),
        "advisories": advisories,
        "packages": {name: packages[name] for name in sorted(packages)},
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--checkout", type=Path, help="path to a checkout of github/advisory-database")
    group.add_argument("--api", action="store_true", help="read the GitHub REST API (needs GH_TOKEN or GITHUB_TOKEN)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--date", help="snapshot date to record (default: newest `modified` among the records)")
    parser.add_argument("--source", help="source description to record")
    args = parser.parse_args(argv)

    if args.checkout:
        records = read_checkout(args.checkout)
        source = args.source or "github/advisory-database advisories/github-reviewed (OSV), ecosystem GitHub Actions"
    else:
        token = os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN")
        if not token:
            raise SystemExit("--api needs a token in GH_TOKEN or GITHUB_TOKEN")
        base = os.environ.get("CICDLINT_GITHUB_API_URL", "https://api.github.com")
        records = read_api(base, token)
        source = args.source or "GitHub REST API GET /advisories?ecosystem=actions&type=reviewed"
    data = build(records, source, args.date)
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output}: {data['advisory_count']} advisories, {len(data['packages'])} packages, snapshot {data['snapshot']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
