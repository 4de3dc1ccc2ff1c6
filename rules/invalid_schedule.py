from functools import lru_cache

from cicdlint.events import is_placeholder
from cicdlint.model import as_map, as_seq
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar


@rule(
    id="invalid-schedule",
    kinds=("workflow",),
    severity="error",
    summary="A `schedule` cron expression or time zone that GitHub cannot read",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Parses each `on.schedule[].cron` as POSIX cron: five fields (minute 0-59, hour 0-23, day of
    month 1-31, month 1-12 or `JAN`-`DEC`, day of week 0-6 or `SUN`-`SAT`), each `*`, a value,
    a range `a-b`, a step `*/n` or `a-b/n`, or a comma list of them. It also checks that a
    `timezone:` is an IANA time zone name (`Europe/Paris`), when this machine has the time
    zone database.

    ## Why is this bad?
    GitHub refuses the workflow ("invalid cron attribute"), or the schedule never fires:
    `@daily`, six fields with seconds, `7` for Sunday and `0 0 * *` are all rejected.

    ## Example
    ```yaml
    on:
      schedule:
        - cron: '0 6 * * 7'
        - cron: '@daily'
    ```

    ## Use instead
    ```yaml
    on:
      schedule:
        - cron: '0 6 * * 0'
        - cron: '0 0 * * *'
    ```
    Sunday is `0`. GitHub does not support `@yearly`, `@monthly`, `@weekly`, `@daily` or
    `@hourly`; write the five fields.
    """
    from cicdlint import cron

    on = as_map(doc.root.get("on"))
    schedule = on.get("schedule") if on is not None else None
    budget = 20  # did-you-mean for a time zone compares with every zone: only the first ones
    for entry in as_seq(schedule):
        entry = as_map(entry)
        if entry is None:
            continue
        spec = entry.get("cron")
        if isinstance(spec, Scalar) and not spec.is_null and not is_placeholder(spec.value):
            try:
                cron.parse(spec.value)
            except cron.CronError as error:
                hint = f" {_hint(spec.value)}" if error.field is None else ""
                yield Issue(spec, f"The cron expression '{spec.value.strip()}' is invalid: {error.message}.{hint}")
        zone = entry.get("timezone")
        if isinstance(zone, Scalar) and not zone.is_null and "${{" not in zone.value:
            budget -= 1
            problem = _zone_problem(zone.value.strip(), budget >= 0)
            if problem:
                yield Issue(zone, problem)


def _hint(spec: str) -> str:
    stripped = spec.strip()
    if stripped.startswith("@"):
        return "GitHub does not support @-shortcuts: write the five fields, e.g. '0 0 * * *' for daily."
    if len(stripped.split()) == 6:
        return "GitHub's cron has no seconds field: drop the first field."
    return "Write five fields: minute hour day-of-month month day-of-week."


def _zone_problem(name: str, suggest: bool) -> str | None:
    zones = _zones()
    if not zones or name in zones:
        return None
    import difflib

    lowered = {zone.lower(): zone for zone in zones}
    if name.lower() in lowered:
        return None  # only the case differs: left alone
    close = next(iter(difflib.get_close_matches(name, sorted(zones), n=1, cutoff=0.8)), None) if suggest else None
    hint = f" Did you mean '{close}'?" if close else " Use an IANA name such as 'America/New_York' or 'Europe/Berlin'."
    return f"'{name}' is not an IANA time zone name, so GitHub cannot schedule the workflow in it.{hint}"


@lru_cache(maxsize=1)
def _zones() -> frozenset:
    try:
        import zoneinfo

        zones = zoneinfo.available_timezones()
    except Exception:  # no time zone database: nothing to compare with
        return frozenset()
    return frozenset(zones)
