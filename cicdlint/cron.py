"""POSIX cron as `on.schedule[].cron` takes it: five fields (minute, hour, day of month, month,
day of week), each `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a comma list of
those; months `JAN`-`DEC` and days `SUN`-`SAT` by name. The same grammar as actionlint's
(robfig/cron with five fields)."""
from __future__ import annotations

FIELDS = (
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    ("day of week", 0, 6, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)


class CronError(ValueError):
    def __init__(self, message: str, field: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field  # 0-based index of the field at fault, or None


def parse(spec: str) -> list[set[int]]:
    """The set of values of each of the five fields. Raises CronError."""
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(
            f"a cron expression has 5 fields (minute hour day-of-month month day-of-week); this one has {len(fields)}"
        )
    return [_field(text, index) for index, text in enumerate(fields)]


def _field(text: str, index: int) -> set[int]:
    name, low, high, names = FIELDS[index]
    values: set[int] = set()
    for part in text.split(","):
        if part == "":
            raise CronError(f"the {name} field '{text}' has an empty item in its list", index)
        range_text, _, step_text = part.partition("/")
        step = 1
        if _:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"the step '/{step_text}' in the {name} field must be a whole number above 0", index)
            step = int(step_text)
        if range_text in ("*", "?"):
            start, end = low, high
        else:
            first, dash, last = range_text.partition("-")
            start = _value(first, index)
            end = _value(last, index) if dash else (high if _ else start)
            if start > end:
                raise CronError(f"the range '{range_text}' in the {name} field is backwards: its start is after its end", index)
        values.update(range(start, end + 1, step))
    return values


def _value(text: str, index: int) -> int:
    name, low, high, names = FIELDS[index]
    if names and text.upper() in names:
        return names.index(text.upper()) + low
    if not text.isdigit():
        allowed = f"{low}-{high}" + (f" or {names[0]}-{names[-1]}" if names else "")
        raise CronError(f"'{text}' is not a valid {name} (use {allowed})", index)
    number = int(text)
    if not low <= number <= high:
        hint = " (Sunday is 0)" if index == 4 and number == 7 else ""
        raise CronError(f"{number} is out of range for the {name} ({low}-{high}){hint}", index)
    return number


def shortest_interval(fields: list[set[int]]) -> int:
    """The shortest time in minutes between two runs of a parsed schedule."""
    minutes = sorted(fields[0])
    hours = fields[1]
    gaps = [b - a for a, b in zip(minutes, minutes[1:])]
    consecutive_hours = any((hour + 1) in hours for hour in hours)
    every_day = len(fields[2]) == 31 and len(fields[3]) == 12 and len(fields[4]) == 7
    if consecutive_hours or (0 in hours and 23 in hours and every_day):
        gaps.append(60 - minutes[-1] + minutes[0])
    return min(gaps) if gaps else 24 * 60
