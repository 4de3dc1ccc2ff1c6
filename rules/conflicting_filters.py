from cicdlint.events import event_configs
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

PAIRS = (("branches", "branches-ignore"), ("tags", "tags-ignore"), ("paths", "paths-ignore"))
EXAMPLES = {"branches": "'!release/**-alpha'", "tags": "'!v*-rc*'", "paths": "'!docs/**'"}


@rule(
    id="conflicting-filters",
    kinds=("workflow",),
    severity="error",
    summary="An event sets both a filter and its `-ignore` counterpart (`branches` and `branches-ignore`)",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds an event that sets both `branches` and `branches-ignore` (or `tags` and
    `tags-ignore`, or `paths` and `paths-ignore`). It reports the second of the two keys.

    ## Why is this bad?
    GitHub refuses the workflow: the two cannot be used for the same event. To leave some
    values out of a filter, use `!` patterns in the filter itself.

    ## Example
    ```yaml
    on:
      push:
        branches: [main, 'release/**']
        branches-ignore: ['release/**-alpha']
    ```

    ## Use instead
    ```yaml
    on:
      push:
        branches:
          - main
          - 'release/**'
          - '!release/**-alpha'
    ```
    Keep one of the two keys; express exclusions with `!` patterns, which are applied in order.
    """
    for event, _, config in event_configs(ctx.workflow):
        for include, exclude in PAIRS:
            include_key, include_value = config.item(include)
            exclude_key, exclude_value = config.item(exclude)
            if include_key is None or exclude_key is None or _empty(include_value) or _empty(exclude_value):
                continue
            later = exclude_key if exclude_key.start > include_key.start else include_key
            yield Issue(
                later,
                f"The {event} event sets both `{include}` and `{exclude}`, which GitHub refuses. Keep `{include}` and "
                f"write the values to leave out as `!` patterns after the others (e.g. {EXAMPLES[include]}), or keep only `{exclude}`.",
            )


def _empty(node) -> bool:
    return isinstance(node, Scalar) and node.is_null
