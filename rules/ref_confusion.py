from cicdlint.rule import Issue, rule


@rule(
    id="ref-confusion",
    kinds=("workflow", "action"),
    severity="warning",
    summary="Action ref names both a branch and a tag of its repository (online)",
    tags=("security", "supply-chain", "online"),
    security_severity=5.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    With `cicdlint check --online` (and a token in `GH_TOKEN` or `GITHUB_TOKEN`), lists the
    branches and tags of each repository a `uses: owner/repo@ref` names (not SHA pins) and
    reports a ref that is both a branch and a tag, e.g. `@v1` when the repository has a `v1`
    tag and a `v1` branch. Off by default; when the API cannot answer nothing is reported and a
    warning is printed.

    ## Why is this bad?
    Which of the two runs is not what the reader of the workflow expects: the tag looks like a
    release, but a branch of the same name can hold other code, and whoever can push a branch
    (a maintainer, a stolen token, a bot) can change what the workflow runs without touching
    the release tag. zizmor calls this ref confusion.

    ## Example
    ```yaml
    steps:
      - uses: acme/deploy-action@v1  # acme/deploy-action has a tag v1 and a branch v1
    ```

    ## Use instead
    ```yaml
    steps:
      - uses: acme/deploy-action@3f1c0b5e6d2a4f8e9b7c6d5a4b3c2d1e0f9a8b7c # v1.4.0
    ```
    Pin the commit SHA of the release you reviewed; ask the maintainers to delete the branch
    (or the tag) so that the name means one thing.
    """
    if not getattr(ctx.settings, "online", False):
        return  # an opt-in check: `cicdlint check --online`
    from cicdlint import online
    from cicdlint.actionrefs import action_refs

    if not online.enabled(ctx):
        return
    for uses in action_refs(doc, ctx):
        if uses.is_sha:
            continue
        found = online.refs(uses.owner, uses.repo)
        if found is None or uses.ref not in found.branches or uses.ref not in found.tags:
            continue
        branch, tag = found.branches[uses.ref], found.tags[uses.ref]
        same = " (today both point at the same commit)" if branch == tag else (
            f" (the branch is at {branch[:12]}, the tag at {tag[:12]})")
        yield Issue(
            uses.node,
            f"Pin '{uses.target}' to the commit SHA of the release you mean. '{uses.ref}' is both a branch and a "
            f"tag of {uses.slug}{same}: what runs is not what the name suggests, and whoever can push the branch "
            f"can change it without touching the tag.",
        )
