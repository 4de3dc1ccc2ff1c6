from __future__ import annotations

from cicdlint.model import as_map, as_scalar, as_seq, text
from cicdlint.rule import Issue, rule

_SEMVER_KEYS = ("semver-major-days", "semver-minor-days", "semver-patch-days")


@rule(
    id="dependabot-cooldown",
    kinds=("dependabot",),
    severity="warning",
    summary="Dependabot proposes new releases without a cooldown of at least a few days",
    tags=("security", "supply-chain"),
    security_severity=4.0,
    confidence="high",
    options={"min-days": 7},
    options_schema={
        "min-days": {
            "type": "integer",
            "minimum": 1,
            "maximum": 90,
            "description": "the shortest acceptable `cooldown.default-days`",
        }
    },
)
def check(doc, ctx):
    """## What it does
    Finds `updates:` entries of `.github/dependabot.yml` without a `cooldown:`, with a
    `cooldown:` that has no `default-days`, or whose `default-days` is below the minimum
    (7 days unless the `min-days` option says otherwise). A `cooldown:` without
    `default-days` is fine when `semver-major-days`, `semver-minor-days` and
    `semver-patch-days` are all at least the minimum. Entries with
    `open-pull-requests-limit: 0` (security updates only, which cooldown never delays) are
    skipped. Every entry is checked, not just the first.

    ## Why is this bad?
    Without a cooldown, Dependabot proposes a release the day it is published. Compromised
    releases of popular packages and actions (event-stream, ua-parser-js, tj-actions/changed-files,
    the "Shai-Hulud" npm worm) were typically found and pulled within hours or days; a
    project that waits a week rarely ever sees them, while one that merges Dependabot's pull
    requests quickly installs them. Security updates are not delayed by a cooldown.

    ## Example
    ```yaml
    version: 2
    updates:
      - package-ecosystem: npm
        directory: /
        schedule:
          interval: daily
      - package-ecosystem: github-actions
        directory: /
        schedule:
          interval: weekly
        cooldown:
          default-days: 1
    ```

    ## Use instead
    ```yaml
    version: 2
    updates:
      - package-ecosystem: npm
        directory: /
        schedule:
          interval: daily
        cooldown:
          default-days: 7
      - package-ecosystem: github-actions
        directory: /
        schedule:
          interval: weekly
        cooldown:
          default-days: 7
    ```
    Add `cooldown: {default-days: 7}` to each entry (Dependabot accepts 1 to 90 days). To set
    another minimum: `rules: {dependabot-cooldown: {min-days: 3}}`.
    """
    root = as_map(doc.root)
    if root is None:
        return
    minimum = ctx.options.get("min-days", 7)
    for item in as_seq(root.get("updates")):
        update = as_map(item)
        if update is None:
            continue
        limit = as_scalar(update.get("open-pull-requests-limit"))
        if limit is not None and limit.value.strip() == "0":
            continue
        ecosystem = text(update.get("package-ecosystem"))
        label = f"the '{ecosystem}' updates" if ecosystem else "these updates"
        anchor = update.get("package-ecosystem") or (update.pairs[0][0] if update.pairs else update)
        key, cooldown = update.item("cooldown")
        if key is None:
            yield Issue(
                anchor,
                f"Add `cooldown: {{default-days: {minimum}}}` to {label}. Without a cooldown Dependabot proposes a "
                "release the day it is published, before a compromised release is usually found and pulled.",
            )
            continue
        cooldown_map = as_map(cooldown)
        if cooldown_map is None:
            yield Issue(key, f"Write `cooldown:` as a mapping (`cooldown: {{default-days: {minimum}}}`) for {label}.")
            continue
        days_node = cooldown_map.get("default-days")
        if days_node is None:
            if all(_days(cooldown_map.get(name)) is not None and _days(cooldown_map.get(name)) >= minimum for name in _SEMVER_KEYS):
                continue
            yield Issue(
                key,
                f"Add `default-days: {minimum}` to the `cooldown:` of {label}. Without it, releases that the "
                "`semver-*-days` settings do not cover are proposed the day they are published.",
            )
            continue
        days = _days(days_node)
        if days is None:
            yield Issue(days_node, f"Set `default-days` to a whole number of days (1 to 90), e.g. {minimum}; "
                                   f"'{text(days_node) or 'that value'}' is not one, so Dependabot rejects the file.")
        elif days < minimum:
            yield Issue(
                days_node,
                f"Raise `default-days` to at least {minimum} for {label}: {days} day{'s' if days != 1 else ''} is "
                "shorter than it usually takes to find and pull a compromised release.",
            )


def _days(node) -> int | None:
    scalar = as_scalar(node)
    if scalar is None:
        return None
    value = scalar.value.strip()
    return int(value) if value.isdigit() else None
