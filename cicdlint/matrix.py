"""A job's `strategy.matrix` as written: its rows (`os: [a, b]`), its `include` and `exclude`
combinations, and what can be known statically.

A matrix built by an expression (`matrix: ${{ fromJSON(...) }}`), a row built by one
(`os: ${{ fromJSON(needs.x.outputs.os) }}`) or an `include:` built by one is dynamic: its
values are unknown here, and the checks that need them leave it alone."""
from __future__ import annotations

import json

from .yamlpos import Map, Node, Scalar, Seq, to_python

RESERVED = ("include", "exclude")


def has_expression(node: Node | None) -> bool:
    """Does any scalar in the node (keys too) hold `${{`?"""
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, Scalar):
            if "${{" in current.value:
                return True
        elif isinstance(current, Seq):
            stack.extend(current.items)
        elif isinstance(current, Map):
            for key, value in current.pairs:
                stack.append(key)
                stack.append(value)
    return False


def canonical(node: Node) -> str:
    """A comparable form of a matrix value: `14` and `"14"` differ (GitHub keeps JSON types),
    maps compare without regard to key order."""
    return json.dumps(to_python(node), sort_keys=True, default=str)


class Matrix:
    """The static view of one `strategy.matrix` mapping."""

    __slots__ = ("node", "rows", "include", "exclude", "dynamic_rows")

    def __init__(self, node: Map):
        self.node = node
        self.rows: dict[str, tuple[Scalar, Seq]] = {}  # key -> (key node, values) for static rows
        self.dynamic_rows: dict[str, Scalar] = {}  # key -> key node for rows that are expressions
        self.include = node.get("include")
        self.exclude = node.get("exclude")
        for name, key, value in node.items():
            if name in RESERVED:
                continue
            if isinstance(value, Seq):
                self.rows[name] = (key, value)
            else:
                self.dynamic_rows[name] = key

    @property
    def include_is_dynamic(self) -> bool:
        """Is `include` (or anything in it) built by an expression, or not a list at all?"""
        if self.include is None:
            return False
        return not isinstance(self.include, Seq) or has_expression(self.include)

    def include_entries(self) -> list[Map]:
        return [item for item in self.include.items if isinstance(item, Map)] if isinstance(self.include, Seq) else []

    def exclude_entries(self) -> list[Map]:
        return [item for item in self.exclude.items if isinstance(item, Map)] if isinstance(self.exclude, Seq) else []

    def values_of(self, name: str) -> list[Node] | None:
        """Every value `matrix.<name>` can take (the row's, then the include entries'), or None
        when some of them are unknown (an expression row or include)."""
        lowered = name.lower()  # matrix keys ignore case, as contexts do
        if any(row.lower() == lowered for row in self.dynamic_rows):
            return None
        if self.include is not None and not isinstance(self.include, Seq):
            return None
        found = [item for row, (_, values) in self.rows.items() if row.lower() == lowered for item in values.items]
        for entry in self.include_entries():
            found.extend(value for key, _, value in entry.items() if key.lower() == lowered)
        for item in self.include.items if isinstance(self.include, Seq) else []:
            if not isinstance(item, Map):
                return None  # `- ${{ fromJSON(...) }}`: unknown
        return found


def matrix_of(job) -> Matrix | None:
    """The job's static matrix, or None (no matrix, or a matrix that is an expression)."""
    strategy = job.node.get("strategy")
    matrix = strategy.get("matrix") if isinstance(strategy, Map) else None
    if not isinstance(matrix, Map):
        return None
    cached = job.__dict__.get("_static_matrix")
    if cached is None or cached.node is not matrix:
        cached = job.__dict__["_static_matrix"] = Matrix(matrix)
    return cached
