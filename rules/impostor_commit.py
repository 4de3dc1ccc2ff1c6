from cicdlint.rule import Issue, rule


@rule(
    id="impostor-commit",
    kinds=("workflow", "action"),
    severity="error",
    summary="Action pinned to a commit that no branch or tag of its repository contains (online)",
    tags=("security", "supply-chain", "online"),
    security_severity=8.5,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    With `cicdlint check --online` (and a token in `GH_TOKEN` or `GITHUB_TOKEN`), asks the
    GitHub API where each commit a `uses: owner/repo@<sha>` pins lives in `owner/repo`: at a tag
    or branch head, or in the history of a branch or tag (the compare API). A commit in none of
    them is reported: GitHub serves it for `owner/repo` only because it exists in a fork of the
    repository (forks share their objects with the parent). Off by default; without `--online`
    the rule reports nothing. When the API cannot answer (no network, rate limit, too many
    branches and tags to compare), the commit is not reported and a warning is printed.

    ## Why is this bad?
    A SHA pin looks like the strongest pin there is, and reviewers stop at "it is pinned". But
    anyone can fork an action, push a commit to the fork, and that commit is then reachable as
    `owner/repo@<sha>` of the original repository. A pull request that "bumps" a pin to such a
    commit runs the attacker's code with the job's secrets, while the `uses:` line still names
    the trusted repository.

    ## Example
    ```yaml
    steps:
      # a commit pushed to a fork of actions/checkout, not to actions/checkout
      - uses: actions/checkout@c7d749a2d57b4b375d1ebcd17cfbfb60c676f18e
    ```

    ## Use instead
    ```yaml
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
    ```
    Pin the commit of a release tag of the repository itself (`git ls-remote --tags
    https://github.com/owner/repo` lists them) and keep the version in a comment; find out who
    proposed the impostor commit.
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
        if verdict is None or not verdict.impostor:
            continue
        yield Issue(
            uses.node,
            f"Pin '{uses.target}' to a commit of {uses.slug} itself. {uses.ref[:12]} is in the history of no branch "
            f"and no tag of {uses.slug}: GitHub serves it only because it exists in a fork (forks share objects "
            f"with their parent), so whoever controls that fork wrote the code this step runs.",
        )
