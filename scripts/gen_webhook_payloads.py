"""Generate cicdlint/data/webhook-payloads.json: the property tree of `github.event` for each
workflow trigger, from the webhook payload JSON schemas of the npm package
`@octokit/webhooks-schemas` (GitHub's webhook documentation in machine-readable form).

    npm pack @octokit/webhooks-schemas && tar xzf octokit-webhooks-schemas-*.tgz
    python scripts/gen_webhook_payloads.py package/schema.json "$(jq -r .version package/package.json)" \
        > cicdlint/data/webhook-payloads.json

The tree of an event is the union over its activity types (`pull_request` opened, closed, ...).
Nodes are shared: "nodes" is a list and a node refers to its children by index.
  node 0: anything (a free-form object such as `inputs` or `client_payload`, or unknown)
  node 1: a scalar (string, number, boolean or null): it has no properties
  other nodes: {"p": {property: node}, "i": node of the items when it can be an array,
                "t": bitmask of what it can be: 1 object, 2 array, 4 scalar, 8 null}
Property names are lower-cased: expressions read properties case-insensitively.
"events" maps a workflow trigger to its node; triggers whose payload is the caller's
(workflow_call) or not described (schedule) are left out, and their `github.event` accepts
anything.
"""
from __future__ import annotations

import json
import sys

OBJECT, ARRAY, SCALAR, NULL = 1, 2, 4, 8
# Workflow triggers whose payload is another event's.
ALIASES = {"pull_request_target": "pull_request"}
# Properties GitHub sends that the schemas do not list yet: definition -> {property: schema}.
ADDITIONS = {
    # Issue types (2025): `github.event.issue.type.name`.
    "issue": {"type": {"type": ["object", "null"], "additionalProperties": True}},
}


class Builder:
    def __init__(self, definitions: dict):
        self.definitions = definitions
        self.nodes: list = [0, 1]  # 0 anything, 1 scalar
        self.index: dict[str, int] = {}
        self.refs: dict[str, "Shape | None"] = {}

    def shape(self, schema) -> "Shape":
        """The union of what a schema allows, as a Shape (unresolved tree)."""
        if schema is True or not isinstance(schema, dict):
            return Shape.anything()
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in self.refs:
                cached = self.refs[name]
                return cached if cached is not None else Shape.anything()  # a cycle: accept anything
            self.refs[name] = None
            result = self.shape(self.definitions[name])
            self.refs[name] = result
            return result
        shape = Shape()
        alternatives = [schema[key] for key in ("oneOf", "anyOf", "allOf") if key in schema]
        for group in alternatives:
            for alternative in group:
                shape.merge(self.shape(alternative))
        kinds = schema.get("type")
        kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
        if not kinds and not alternatives:
            if "properties" in schema or "additionalProperties" in schema:
                kinds = ["object"]
            elif "items" in schema:
                kinds = ["array"]
            elif "enum" in schema or "const" in schema:
                kinds = ["string"]
            else:
                return Shape.anything()
        for kind in kinds:
            if kind == "object":
                shape.kinds |= OBJECT
                properties = schema.get("properties") or {}
                # Most objects list their properties and leave out `additionalProperties` (the
                # partial objects of an allOf); only an explicit `true` or schema, or an object
                # without properties (`inputs`, `client_payload`), is free-form.
                extra = schema.get("additionalProperties", not properties)
                if extra is not False:
                    shape.free = True
                for name, value in properties.items():
                    shape.add_property(name.lower(), self.shape(value))
            elif kind == "array":
                shape.kinds |= ARRAY
                items = schema.get("items", True)
                shape.add_items(self.shape(items[0] if isinstance(items, list) and items else items))
            elif kind == "null":
                shape.kinds |= NULL
            else:
                shape.kinds |= SCALAR
        return shape

    def emit(self, shape: "Shape", seen=None) -> int:
        """The node index of a shape (identical subtrees share one node)."""
        if shape.free:
            return 0
        if not shape.properties and shape.items is None:
            return 1
        node = {"t": shape.kinds}
        if shape.properties:
            node["p"] = {name: self.emit(child) for name, child in sorted(shape.properties.items())}
        if shape.items is not None:
            node["i"] = self.emit(shape.items)
        key = json.dumps(node, sort_keys=True)
        if key not in self.index:
            self.index[key] = len(self.nodes)
            self.nodes.append(node)
        return self.index[key]


class Shape:
    __slots__ = ("kinds", "properties", "items", "free")

    def __init__(self):
        self.kinds = 0
        self.properties: dict[str, Shape] = {}
        self.items: Shape | None = None
        self.free = False

    @classmethod
    def anything(cls) -> "Shape":
        shape = cls()
        shape.free = True
        shape.kinds = OBJECT | ARRAY | SCALAR | NULL
        return shape

    def add_property(self, name: str, child: "Shape") -> None:
        if name in self.properties:
            merged = Shape()
            merged.merge(self.properties[name])
            merged.merge(child)
            child = merged
        self.properties[name] = child

    def add_items(self, child: "Shape") -> None:
        if self.items is None:
            self.items = child
        else:
            merged = Shape()
            merged.merge(self.items)
            merged.merge(child)
            self.items = merged

    def merge(self, other: "Shape") -> None:
        self.kinds |= other.kinds
        self.free = self.free or other.free
        for name, child in other.properties.items():
            self.add_property(name, child)
        if other.items is not None:
            self.add_items(other.items)


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        schema = json.load(file)
    definitions = schema["definitions"]
    for name, extra in ADDITIONS.items():
        definitions[name].setdefault("properties", {}).update(extra)
    builder = Builder(definitions)
    events = {}
    names = sorted(
        name[: -len("_event")] if name.endswith("_event") else name[: -len("$event")]
        for name in definitions
        if name.endswith(("_event", "$event"))
    )
    for event in names:
        definition = f"{event}_event" if f"{event}_event" in definitions else f"{event}$event"
        events[event] = builder.emit(builder.shape(definitions[definition]))
    for alias, event in ALIASES.items():
        events[alias] = events[event]
    result = {
        "source": "npm @octokit/webhooks-schemas " + (sys.argv[2] if len(sys.argv) > 2 else ""),
        "events": events,
        "nodes": builder.nodes,
    }
    json.dump(result, sys.stdout, separators=(",", ":"), sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
