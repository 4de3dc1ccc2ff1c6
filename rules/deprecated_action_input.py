from cicdlint.actions import step_action
from cicdlint.rule import Issue, rule


@rule(
    id="deprecated-action-input",
    kinds=("workflow", "action"),
    severity="warning",
    summary="A step passes an input that its action has deprecated",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Reports a `with:` key naming an input that the action's `action.yml` marks with a
    `deprecationMessage`, at the version the step names (popular public actions from cicdlint's
    table, local actions from their file), and quotes that message. When the version cannot be
    told, it is reported only if every known version that has the input deprecates it.

    ## Why is this bad?
    A deprecated input is on its way out: it may already do nothing, and the next major version
    removes it, at which point the setting is silently ignored. The message usually says what to
    use instead.

    ## Example
    ```yaml
    - uses: docker/setup-buildx-action@v3
      with:
        config: .github/buildkitd.toml
    ```

    ## Use instead
    ```yaml
    - uses: docker/setup-buildx-action@v3
      with:
        buildkitd-config: .github/buildkitd.toml
    ```
    Do what the deprecation message says: use the replacement input, or drop the input.
    """
    for step in ctx.steps():
        known = step_action(step, ctx)
        with_ = step.with_
        if known is None or with_ is None:
            continue
        for name, key, _ in with_.items():
            message = known.deprecation(name)
            if message is None:
                continue
            said = " ".join(message.split()).rstrip(". ")
            if len(said) > 240:
                said = said[:237] + "..."
            detail = f" It says: {said}." if said else ""
            since = f" (as of {known.newest}, the newest release of that major version cicdlint knows)" if known.newest else ""
            yield Issue(key, f"'{name}' is deprecated by {known.label}{since}.{detail}")
