from cicdlint.events import activity_types, event_configs, scalars
from cicdlint.rule import Issue, rule


@rule(
    id="unknown-activity-type",
    kinds=("workflow",),
    severity="error",
    summary="An event's `types:` names an activity type that the event does not have",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks each value of `on.<event>.types` against the activity types GitHub documents for
    that event (`pull_request`: `opened`, `synchronize`, `reopened`, ...; `workflow_run`:
    `completed`, `requested`, `in_progress`; ...), and suggests the closest one for a typo.
    `repository_dispatch` types are free-form and not checked; `types` on an event that has
    none is a schema matter.

    ## Why is this bad?
    GitHub refuses a workflow with an unknown activity type, or, where it accepts it, the
    workflow never runs for the activity that was meant: `synchronized` is not
    `synchronize`, so pushes to a pull request never start it.

    ## Example
    ```yaml
    on:
      pull_request:
        types: [opened, synchronized]
    ```

    ## Use instead
    ```yaml
    on:
      pull_request:
        types: [opened, synchronize]
    ```
    Use the activity types listed for the event in GitHub's "Events that trigger workflows".
    """
    table = None
    for event, _, config in event_configs(ctx.workflow):
        types_node = config.get("types")
        if types_node is None:
            continue
        table = table or activity_types()
        known = table.get(event)
        if not known:
            continue
        for value in scalars(types_node):
            name = value.value.strip()
            if not name or "${{" in name or name in known:
                continue
            yield Issue(value, _message(event, name, known))


def _message(event: str, name: str, known: tuple) -> str:
    import difflib

    lowered = {kind.lower(): kind for kind in known}
    close = [lowered[name.lower()]] if name.lower() in lowered else difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        hint = f"Did you mean '{close[0]}'?"
    else:
        hint = "Its activity types are " + ", ".join(f"'{kind}'" for kind in sorted(known)) + "."
    return f"'{name}' is not an activity type of the {event} event, so it never starts the workflow. {hint}"
