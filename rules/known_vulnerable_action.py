from cicdlint.rule import Issue, rule

_SEVERITY = {"critical": "error", "high": "error", "moderate": "warning", "low": "note"}
_RANK = {"note": 0, "warning": 1, "error": 2}


@rule(
    id="known-vulnerable-action",
    kinds=("workflow", "action"),
    severity="error",
    summary="Action or reusable workflow version has a known security advisory",
    tags=("security", "supply-chain"),
    security_severity=7.5,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Looks up every `uses:` of an action or reusable workflow (workflow steps, composite action
    steps, jobs that call a reusable workflow) in a bundled snapshot of GitHub's reviewed security
    advisories for the GitHub Actions ecosystem, and reports the ones whose version falls in an
    affected range. It names the advisory (GHSA and CVE ids), its summary and the first fixed
    release. The snapshot ships with cicdlint (`cicdlint --version` prints its date); nothing is
    fetched from the network.

    How the version is read:
    - an exact tag (`@v1.2.3`, `@1.2.3`) is compared with the affected ranges;
    - a moving tag (`@v35`, `@v4.1`) follows its series, so it is judged as the newest release of
      that series: it is reported when the whole series is affected (the fix is in a later major,
      or there is none), and not when a fixed release exists inside the series (`@v4` of
      `actions/download-artifact` now points at a fixed 4.x). A moving tag the advisory names
      itself (`reviewdog/action-setup@v1`) is reported;
    - a commit SHA is judged by the version in its trailing comment (`@<sha> # v44.5.1`). With a
      moving-tag comment (`# v4`) the commit may be any release of that series up to the day it
      was pinned: it is reported when the whole series is affected, not when only part of it is;
    - a branch (`@main`), a SHA without a version comment and an expression are not judged
      offline. With `--online`, a SHA without a version comment (or with a moving-tag comment)
      is judged as the release whose tag points at it.

    ## Why is this bad?
    A published advisory means the flaw is public: attackers know which workflows to look for.
    Advisories for actions are mostly injection bugs an attacker triggers with a crafted branch
    name, title or file name, secrets written to logs, caches or artifacts, and compromised
    releases (tj-actions/changed-files, CVE-2025-30066, and reviewdog/action-setup,
    CVE-2025-30154, printed the secrets of every workflow that ran them).

    ## Example
    ```yaml
    steps:
      - uses: tj-actions/changed-files@v35
      - uses: actions/download-artifact@7a1cd3216ca9260cd8022db641d960b1db4d1be4 # v4.0.0
    ```

    ## Use instead
    ```yaml
    steps:
      - uses: tj-actions/changed-files@ed68ef82c095e0d48ec87eccea555d944a631a4c # v46.0.5
      - uses: actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16 # v4.1.8
    ```
    Upgrade to the fixed release the finding names (or any later one), pinned to its commit SHA.
    If the advisory is about a compromised release, also rotate the secrets of every workflow
    that ran it. The snapshot is rebuilt with `scripts/gen_advisories.py` (from a checkout of
    `github/advisory-database` or from the GitHub REST API).
    """
    from cicdlint import advisories
    from cicdlint.actionrefs import action_refs

    for uses in action_refs(doc, ctx):
        if not advisories.known_package(uses.target):
            continue
        version = uses.comment_version if uses.is_sha else uses.ref
        parsed = advisories.parse_version(version) if version else None
        if uses.is_sha and (parsed is None or parsed.moving):
            resolved = _online_version(ctx, uses)  # with --online, the release the commit is tagged as
            version = resolved or version
        if version is None:
            continue
        pinned_sha = uses.is_sha
        matches = [m for m in advisories.judge(uses.target, version, pinned_sha=pinned_sha) if not m.partial]
        # `<sha> # v4` where only some of 4.x is affected is not decidable offline: not reported
        if matches:
            yield Issue(
                uses.node,
                _message(uses.target, uses.ref, version, pinned_sha, matches),
                severity=max((_SEVERITY.get(m.advisory.get("severity"), "warning") for m in matches), key=_RANK.get),
                confidence="high" if any(not m.supplement for m in matches) else "medium",
            )


def _online_version(ctx, uses):
    """With `--online`: the longest tag that points at the pinned commit (`v4.1.2` rather than
    `v4`), or None (offline, or the API could not say)."""
    settings = getattr(ctx, "settings", None)
    if not getattr(settings, "online", False):
        return None
    from cicdlint import online

    return online.tag_for_commit(uses.owner, uses.repo, uses.ref)


def _message(target, ref, version, pinned_sha, matches) -> str:
    from cicdlint.advisories import parse_version

    if pinned_sha:
        what = f"'{target}' pinned at a commit of {version} (per its comment)"
    else:
        what = f"'{target}@{ref}'"
    described = []
    for match in matches:
        advisory = match.advisory
        ids = ", ".join([match.advisory_id] + list(advisory.get("aliases") or []))
        summary = (advisory.get("summary") or "").rstrip(". ")
        named = " (named in its description)" if match.supplement else ""
        described.append(f"{ids} ({advisory.get('severity') or 'unknown'}{named}): {summary}")
    head = f"{what} is affected by " + "; and by ".join(described) + "."
    ranged = [m for m in matches if not m.listed]
    if not pinned_sha and ranged and version.count(".") < 2 and version.lstrip("vV")[:1].isdigit():
        head += f" The moving tag '{ref}' follows its series, and no release of it is fixed."
    fixes = [m.fixed for m in matches if m.fixed]
    if fixes and len(fixes) == len(matches):
        best = max(fixes, key=lambda v: parse_version(v).key() if parse_version(v) else ((0,), 0, ()))
        return head + f" Upgrade to {best} or later (pinned to its commit SHA)."
    if any(m.listed for m in matches):
        return head + (" The tag was moved back to safe code since, but every run that used it while it"
                       " was affected is exposed: pin a reviewed commit SHA and check the advisory's time window.")
    return head + " No fixed release is named in the advisory: replace the action or pin a reviewed commit."
