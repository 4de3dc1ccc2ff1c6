from cicdlint.rule import Issue, rule


@rule(
    id="stale-action-ref",
    kinds=("workflow", "action"),
    severity="note",
    summary="Action pinned to a commit that is neither a release tag nor on the default branch (online)",
    tags=("security", "supply-chain", "online"),
    security_severity=3.0,
    confidence="medium",
)
def check(doc, ctx):
    """## What it does
    With `cicdlint check --online` (and a token in `GH_TOKEN` or `GITHUB_TOKEN`), reports a
    `uses: owner/repo@<sha>` whose commit no tag points at and that is not in the history of
    the repository's default branch nor of any tag: it lives only on another branch (a feature
    branch, an abandoned experiment). Commits in no branch or tag at all are reported by
    `impostor-commit` instead. Off by default; when the API cannot answer nothing
    is reported and a warning is printed.

    ## Why is this bad?
    Such a commit was never released and never merged: nobody but its author may have reviewed
    it, it gets no fixes, and Dependabot and Renovate cannot update it to a release. Branches
    also disappear; when the branch is deleted and the commit garbage-collected, the workflow
    breaks.

    ## Example
    ```yaml
    steps:
      # a commit of the `experimental-cache` branch of acme/setup-tool
      - uses: acme/setup-tool@5b0a7e4c3d2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d
    ```

    ## Use instead
    ```yaml
    steps:
      - uses: acme/setup-tool@9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d # v2.3.1
    ```
    Pin the commit of a release tag (or at least one of the default branch), with its version
    in a comment.
    """
    if not getattr(ctx.settings, "online", False):
        return  # an opt-in check: `cicdlint check --online`
    from cicdlint import online
    from cicdlint.actionrefs import action_refs

    if not online.enabled(ctx):
        return
    for uses in action_refs(doc, ctx):
        if not uses.is_sha:
            continue
        verdict = online.commit_verdict(uses.owner, uses.repo, uses.ref)
        if verdict is None or verdict.impostor or verdict.tags or verdict.on_default is not False:
            continue
        if verdict.tag_history is not None:
            continue  # in a release's history: an older commit of a released line
        where = f"only on the branch '{verdict.branch}'" if verdict.branch else "on no release"
        yield Issue(
            uses.node,
            f"Pin '{uses.target}' to the commit of a release tag. {uses.ref[:12]} is {where}: no tag points at it and "
            f"the default branch does not contain it, so it was never released or merged, and update bots cannot "
            f"move it to a release.",
        )
