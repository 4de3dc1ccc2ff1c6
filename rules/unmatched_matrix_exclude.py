from cicdlint.matrix import canonical, has_expression, matrix_of
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Scalar, Seq, to_python


@rule(
    id="unmatched-matrix-exclude",
    kinds=("workflow",),
    severity="error",
    summary="A matrix `exclude` entry names a key or value that the matrix does not have",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks each `strategy.matrix.exclude` entry against the matrix: every key must be one of
    the matrix's rows, and every value one of that row's values (a map value may be a part of
    one, as GitHub matches it). Keys added only by `include` are reported too: GitHub applies
    `exclude` before `include`, so they never match. Matrices, rows, includes and values built
    by expressions are left alone.

    ## Why is this bad?
    An exclude entry that matches no combination excludes nothing: the jobs it was meant to
    skip still run (on the platform where they cannot pass, or twice). It is usually a typo
    (`platform` for `os`, `13` for `12`) or a row renamed since.

    ## Example
    ```yaml
    matrix:
      os: [ubuntu-latest, windows-latest]
      node: [18, 20]
      exclude:
        - platform: windows-latest
          node: 18
    ```

    ## Use instead
    ```yaml
    matrix:
      os: [ubuntu-latest, windows-latest]
      node: [18, 20]
      exclude:
        - os: windows-latest
          node: 18
    ```
    """
    budget = 50  # did-you-mean compares with every value: only for the first findings
    for job in ctx.workflow.jobs:
        matrix = matrix_of(job)
        if matrix is None or matrix.exclude is None or has_expression(matrix.exclude):
            continue
        if not matrix.rows and not matrix.dynamic_rows:
            continue  # an exclude with nothing to exclude from: empty-matrix's finding
        include_keys: set[str] = set()
        if matrix.include_is_dynamic:
            include_keys = None  # unknown: leave include-only keys alone
        else:
            for entry in matrix.include_entries():
                include_keys.update(name.lower() for name, _, _ in entry.items())
        indexes: dict[int, _RowIndex] = {}
        includes: dict[str, _RowIndex] = {}
        # Matrix keys ignore case, as contexts do (`OS` in the matrix, `os` in exclude).
        rows = {row.lower(): row for row in matrix.rows}
        dynamic = {row.lower() for row in matrix.dynamic_rows}
        for entry in matrix.exclude_entries():
            for name, key, value in entry.items():
                if name.lower() in dynamic or has_expression(value):
                    continue
                if name.lower() not in rows:
                    if include_keys is None:
                        continue
                    budget -= 1
                    yield Issue(key, _unknown_key(job.id, name, matrix, include_keys, budget >= 0))
                    continue
                name = rows[name.lower()]
                row = matrix.rows[name][1]
                if _row_index(row, indexes).matches(value):
                    continue
                from_include = not matrix.include_is_dynamic and _include_index(matrix, name, includes).matches(value)
                budget -= 1
                yield Issue(value, _unknown_value(job.id, name, value, row, from_include, budget >= 0))


class _RowIndex:
    """A row's values, for linear matching: scalars and lists by their canonical and written
    forms; maps kept for part-matching (only the first MAX_MAPS: past that, anything matches)."""

    MAX_MAPS = 256
    __slots__ = ("forms", "maps", "anything")

    def __init__(self, row):
        self.forms: set = set()
        self.maps: list = []
        self.anything = False
        for item in row.items:
            if has_expression(item):
                self.anything = True
            elif isinstance(item, Map):
                self.maps.append(item)
            else:
                self.forms.add(canonical(item))
                if isinstance(item, Scalar):
                    self.forms.add(("text", item.value))
        if len(self.maps) > self.MAX_MAPS:
            self.anything = True

    def matches(self, wanted) -> bool:
        if self.anything:
            return True
        if isinstance(wanted, Map):
            return any(_matches(candidate, wanted) for candidate in self.maps)
        if canonical(wanted) in self.forms:
            return True
        return isinstance(wanted, Scalar) and ("text", wanted.value) in self.forms


def _row_index(row, indexes: dict) -> "_RowIndex":
    index = indexes.get(id(row))
    if index is None:
        index = indexes[id(row)] = _RowIndex(row)
    return index


def _get(entry, name):
    value = entry.get(name)
    if value is None:
        value = next((item for key, _, item in entry.items() if key.lower() == name.lower()), None)
    return value


def _matches(candidate, wanted) -> bool:
    """Does the exclude value `wanted` match the row value `candidate`? A map matches a map
    that holds at least its keys with matching values; anything built by an expression matches."""
    if has_expression(candidate):
        return True
    if isinstance(wanted, Map):
        if not isinstance(candidate, Map):
            return False
        return all(candidate.get(name) is not None and _matches(candidate.get(name), value) for name, _, value in wanted.items())
    if isinstance(wanted, Seq) or isinstance(candidate, (Map, Seq)):
        return canonical(candidate) == canonical(wanted)
    return canonical(candidate) == canonical(wanted) or _loose(candidate) == _loose(wanted)


def _loose(node):
    """GitHub compares an exclude value with a row value after reading both from YAML; a
    number written `'18'` in one and `18` in the other still match (both are strings to
    the runner's matrix expansion)."""
    return node.value if isinstance(node, Scalar) else None


def _unknown_key(job_id: str, name: str, matrix, include_keys: set, suggest: bool) -> str:
    import difflib

    rows = (sorted(matrix.rows) + sorted(matrix.dynamic_rows))[:200]
    if name.lower() in include_keys:
        return (f"'{name}' is a key that only `include` adds to the matrix of job '{job_id}', but GitHub applies "
                "`exclude` before `include`, so this entry excludes nothing. Remove the include entry instead, or "
                "exclude by the matrix's own rows (" + ", ".join(f"'{row}'" for row in rows) + ").")
    close = difflib.get_close_matches(name, rows, n=1, cutoff=0.6) if suggest else []
    hint = f"Did you mean '{close[0]}'?" if close else "Its rows are " + ", ".join(f"'{row}'" for row in rows) + "."
    return f"The matrix of job '{job_id}' has no row '{name}', so this exclude entry excludes nothing. {hint}"


def _include_index(matrix, name: str, includes: dict) -> "_RowIndex":
    index = includes.get(name)
    if index is None:
        values = [_get(entry, name) for entry in matrix.include_entries()]
        index = includes[name] = _RowIndex(_Items([value for value in values if value is not None]))
    return index


class _Items:
    __slots__ = ("items",)

    def __init__(self, items):
        self.items = items


def _unknown_value(job_id: str, name: str, value, row, from_include: bool, suggest: bool) -> str:
    import difflib
    import json

    shown = json.dumps(to_python(value), default=str)
    options = [json.dumps(to_python(item), default=str) for item in row.items[:(200 if suggest else 10)]]
    close = difflib.get_close_matches(shown, options, n=1, cutoff=0.6) if suggest else []
    listed = ", ".join(options[:10]) + (", ..." if len(options) > 10 else "")
    hint = f"Did you mean {close[0]}?" if close else f"Its values are {listed}."
    if from_include:
        return (f"{shown} is a value of the matrix row '{name}' of job '{job_id}' only through `include`, which "
                "GitHub applies after `exclude`, so this exclude entry excludes nothing. Remove the include entry "
                "instead.")
    return (f"{shown} is not a value of the matrix row '{name}' of job '{job_id}', so this exclude entry excludes "
            f"nothing. {hint}")
