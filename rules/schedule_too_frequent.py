from cicdlint.events import is_placeholder
from cicdlint.model import as_map, as_seq
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar


@rule(
    id="schedule-too-frequent",
    kinds=("workflow",),
    severity="warning",
    summary="A `schedule` runs more often than GitHub's minimum interval of 5 minutes",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds `on.schedule[].cron` expressions that ask for runs less than 5 minutes apart
    (`* * * * *`, `*/2 * * * *`, `0,1 * * * *`, or `58,0` across the hour).

    ## Why is this bad?
    The shortest interval GitHub runs a scheduled workflow at is once every 5 minutes; the
    extra runs never happen, so whatever relies on them (a one-minute health check, a queue
    poller) does not work as written. Scheduled runs can also be delayed at busy times.

    ## Example
    ```yaml
    on:
      schedule:
        - cron: '* * * * *'
    ```

    ## Use instead
    ```yaml
    on:
      schedule:
        - cron: '*/5 * * * *'
    ```
    Run at most every 5 minutes, or trigger the workflow from elsewhere (`repository_dispatch`,
    `workflow_dispatch`) when it must react faster.
    """
    from cicdlint import cron

    on = as_map(doc.root.get("on"))
    schedule = on.get("schedule") if on is not None else None
    for entry in as_seq(schedule):
        entry = as_map(entry)
        spec = entry.get("cron") if entry is not None else None
        if not isinstance(spec, Scalar) or spec.is_null or is_placeholder(spec.value):
            continue
        try:
            fields = cron.parse(spec.value)
        except cron.CronError:
            continue  # invalid-schedule's finding
        interval = cron.shortest_interval(fields)
        if interval < 5:
            every = "every minute" if interval == 1 else f"{interval} minutes apart"
            yield Issue(spec, f"'{spec.value.strip()}' asks for runs {every}, but GitHub runs a schedule at most once "
                              "every 5 minutes, so some of these runs never happen. Use '*/5' or a longer interval.")
