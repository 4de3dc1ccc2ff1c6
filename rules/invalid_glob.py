from cicdlint.events import event_configs, is_placeholder, scalars
from cicdlint.filter_patterns import glob_errors
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Scalar

REF_FILTERS = ("branches", "branches-ignore", "tags", "tags-ignore")
PATH_FILTERS = ("paths", "paths-ignore")


@rule(
    id="invalid-glob",
    kinds=("workflow",),
    severity="error",
    summary="A branch, tag or path filter pattern with a syntax error, or that can never match",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks the patterns of `branches`, `tags`, `paths` (and their `-ignore` forms), of
    `on.image_version.versions` and of a job's `snapshot.version` against
    GitHub's filter pattern syntax: `*`, `**`, `?` and `+` after an ordinary character, `[...]`
    sets with forward ranges, `!` to negate, `\\` only before a special character. It also
    finds patterns that can never match: a branch or tag pattern with a space, `~`, `^`, `:` or
    `\\` (branch names cannot hold them; regular expressions are not supported), one that
    starts with `/` or ends with `/` or `.`, and a path pattern that starts with `./` or has
    leading or trailing white space.

    ## Why is this bad?
    GitHub refuses a pattern it cannot parse, and a pattern that cannot match makes the filter
    silently skip (or never skip) what was meant: `^release-` never matches `release-1.0`,
    `./src/**` never matches a changed file, so the workflow does not run when it should.

    ## Example
    ```yaml
    on:
      push:
        branches: ['^release-.*']
        tags: ['v\\d+']
        paths: ['./src/**']
    ```

    ## Use instead
    ```yaml
    on:
      push:
        branches: ['release-*']
        tags: ['v[0-9]+']
        paths: ['src/**']
    ```
    See "Filter pattern cheat sheet" in GitHub's workflow syntax reference.
    """
    for event, _, config in event_configs(ctx.workflow):
        for name, _, value in config.items():
            ref = name in REF_FILTERS or (event == "image_version" and name == "versions")
            if not ref and name not in PATH_FILTERS:
                continue
            kind = "path" if not ref else "branch" if name.startswith("branches") else "version" if name == "versions" else "tag"
            for scalar in scalars(value):
                yield from _check(ctx, scalar, ref, f"The {kind} pattern '{scalar.value}' in `{name}`")
    for job in ctx.workflow.jobs:
        snapshot = job.node.get("snapshot")
        version = snapshot.get("version") if isinstance(snapshot, Map) else None
        if isinstance(version, Scalar) and not version.is_null and "${{" not in version.value:
            yield from _check(ctx, version, True, f"The image version pattern '{version.value}' of job '{job.id}'")


def _check(ctx, scalar, ref: bool, what: str):
    pattern = scalar.value
    if is_placeholder(pattern):
        return
    for offset, message in glob_errors(pattern, ref)[:3]:  # the first mistakes of a pattern are enough
        if message.startswith("a branch or tag name") and "version" in what:
            message = message.replace("a branch or tag name", "a version", 1)
        text = f"{what} is wrong: {message}."
        if offset >= 0 and scalar.style not in ("|", ">"):
            yield Issue(ctx.locate(scalar, offset, 1), text)
        else:
            yield Issue(scalar, text)
