from cicdlint.rule import Issue, rule


@rule(
    id="ref-version-mismatch",
    kinds=("workflow", "action"),
    severity="warning",
    summary="The version comment of a SHA pin names a tag that points at another commit (online)",
    tags=("security", "supply-chain", "online"),
    security_severity=4.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    With `cicdlint check --online` (and a token in `GH_TOKEN` or `GITHUB_TOKEN`), compares each
    `uses: owner/repo@<sha> # v1.2.3` with the repository's tags and reports the pin when tag
    `v1.2.3` (or `1.2.3`) points at another commit, or when no such tag exists. A moving-tag
    comment (`# v4`) is taken as "some release of v4": it is reported only when the commit is
    tagged, but by tags outside that series only. Off by default; when the API cannot answer
    nothing is reported and a warning is printed.

    ## Why is this bad?
    Reviewers, Dependabot and Renovate read the comment, not the SHA. A comment that does not
    match hides what really runs: an old release with known bugs or advisories (checked
    against the comment's version, the pin looks fixed), or a commit that was never released.
    A pull request that changes the SHA and keeps the comment is a classic way to slip code in.

    ## Example
    ```yaml
    steps:
      # the commit of v4.1.0, labelled v4.2.2
      - uses: actions/checkout@8ade135a41bc03ea155e62e844d188df1ea18608 # v4.2.2
    ```

    ## Use instead
    ```yaml
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
    ```
    Pin the commit the tag points at (`git ls-remote https://github.com/owner/repo
    refs/tags/v4.2.2`), or correct the comment to the release the commit is.
    """
    if not getattr(ctx.settings, "online", False):
        return  # an opt-in check: `cicdlint check --online`
    from cicdlint import online
    from cicdlint.actionrefs import action_refs
    from cicdlint.advisories import parse_version

    if not online.enabled(ctx):
        return
    for uses in action_refs(doc, ctx):
        if not uses.is_sha or not uses.comment_version:
            continue
        found = online.refs(uses.owner, uses.repo)
        if found is None:
            continue
        sha = uses.ref.lower()
        wanted = uses.comment_version
        names = [name for name in (wanted, wanted.lstrip("vV"), "v" + wanted.lstrip("vV")) if name in found.tags]
        actual = sorted((name for name, head in found.tags.items() if head == sha), key=len, reverse=True)
        is_as = f"it is tagged {', '.join(actual[:3])}" if actual else "no tag points at it"
        version = parse_version(wanted)
        if version is not None and version.moving:
            # `# v4`: fine if the commit is a release of the 4.x series (or untagged: unknown)
            series = [name for name in actual if _in_series(name, version)]
            if actual and not series and not any(found.tags[name] == sha for name in names):
                yield Issue(uses.node, f"Correct the comment of '{uses.target}': it says {wanted}, but the pinned "
                                       f"commit {sha[:12]} is not a {wanted} release ({is_as}).")
            continue
        if names and any(found.tags[name] == sha for name in names):
            continue
        if names:
            tag = names[0]
            yield Issue(
                uses.node,
                f"Pin '{uses.target}' to the commit of {tag} ({found.tags[tag][:12]}), or correct the comment: it says "
                f"{wanted}, but the pinned commit {sha[:12]} is not that release ({is_as}). Reviewers and update bots "
                f"trust the comment.",
            )
        elif found.complete:
            yield Issue(
                uses.node,
                f"Correct the comment of '{uses.target}': {uses.slug} has no tag {wanted}, so the comment does not "
                f"say what the pinned commit {sha[:12]} is ({is_as}).",
            )


def _in_series(name: str, series) -> bool:
    from cicdlint.advisories import parse_version

    version = parse_version(name)
    return version is not None and version.parts[: len(series.parts)] == series.parts
