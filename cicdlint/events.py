"""`on:` events with their settings, and the tables of activity types, read lazily."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from . import lazyre
from .yamlpos import Map, Scalar, Seq

# `$default-branch`, `$cron-weekly`: placeholders of GitHub's starter workflow templates,
# replaced when a template is used.
_PLACEHOLDER = lazyre.compile(r"\$[a-z][a-z-]*")


@lru_cache(maxsize=1)
def activity_types() -> dict[str, tuple[str, ...]]:
    path = Path(__file__).resolve().parent / "data" / "activity-types.json"
    with open(path, encoding="utf-8") as file:
        return {event: tuple(types) for event, types in json.load(file)["types"].items()}


def event_configs(workflow) -> list[tuple[str, Scalar, Map]]:
    """(event, its key node, its settings map) for each event of `on:` written as a map with
    settings (`on: push` and `on: [push]` have none)."""
    node = workflow.node.get("on")
    if not isinstance(node, Map):
        return []
    return [(name, key, value) for name, key, value in node.items() if isinstance(value, Map)]


def scalars(node) -> list[Scalar]:
    """A filter's values: a scalar or a list of scalars (other shapes are the schema's)."""
    if isinstance(node, Scalar):
        return [] if node.is_null else [node]
    if isinstance(node, Seq):
        return [item for item in node.items if isinstance(item, Scalar) and not item.is_null]
    return []


def is_placeholder(value: str) -> bool:
    return bool(_PLACEHOLDER.fullmatch(value.strip()))
