"""Generate cicdlint/data/expression-contexts.json: which contexts and special functions a
`${{ }}` expression may use at each key of a workflow and of an action.yml.

The source is GitHub's own workflow and action template schemas, the ones the Actions service
and the VS Code extension parse workflows with (actions/languageservices,
`workflow-parser/src/workflow-v1.0.json` from `workflow-root-strict`, the root the parser uses, and
`action-v1.0.json` from `action-root-strict`). In those schemas a definition
may carry a `context` list (named values such as `github`, `matrix`, and functions such as
`hashFiles(1,255)`); a value's allowed context is the union of the lists of the definitions on the
way down to it (DefinitionInfo in template-reader.ts). Where the union is empty GitHub rejects any
`${{ }}` ("A template expression is not allowed in this context").

The output is a trie per document kind. A node is a dict with optional members:
  "c": index into "contexts" (the cumulative allowed context at this node, when not empty)
  "k": {key: node} for the properties of a mapping
  "*": node for the values of a mapping's other keys (loose keys)
  "[]": node for the items of a sequence
  "a": 1 when anything below has the node's context (the built-in `any`, `mapping`, `sequence`)
  "if": 1 for `if:` conditions (evaluated as an expression without `${{ }}`)
One-of alternatives are merged key by key (a job that calls a workflow and one that runs steps).
A development tool, not part of the package:

    python scripts/gen_expression_contexts.py [LANGUAGESERVICES_CHECKOUT] > cicdlint/data/expression-contexts.json

Without a checkout the two schemas are downloaded from GitHub at the commit below.
"""
from __future__ import annotations

import json
import os
import sys
import urllib.request

COMMIT = "4043eda158e16579cc5fb1b0b07a4bce2a76f0b5"
RAW = "https://raw.githubusercontent.com/actions/languageservices/{commit}/workflow-parser/src/{name}"
BUILTIN_ANY = {"any", "mapping", "sequence"}
CONDITIONS = {"job-if", "step-if", "runs-if", "snapshot-if"}


def load(source: str | None, name: str) -> dict:
    if source:
        with open(os.path.join(source, "workflow-parser", "src", name), encoding="utf-8") as file:
            return json.load(file)
    with urllib.request.urlopen(RAW.format(commit=COMMIT, name=name), timeout=60) as response:  # noqa: S310
        return json.load(response)


class Builder:
    def __init__(self, definitions: dict, contexts: list[list[str]]):
        self.definitions = definitions
        self.contexts = contexts  # shared between kinds

    def context_index(self, context: tuple[str, ...]) -> int:
        entry = list(context)
        if entry not in self.contexts:
            self.contexts.append(entry)
        return self.contexts.index(entry)

    def build(self, name: str, inherited: tuple[str, ...] = (), stack: tuple[str, ...] = ()) -> dict:
        if name in BUILTIN_ANY or name in stack:
            node = {"a": 1}
            if inherited:
                node["c"] = self.context_index(inherited)
            return node
        definition = self.definitions.get(name, {})
        context = inherited
        for item in definition.get("context", ()):
            if item.upper() not in {existing.upper() for existing in context}:
                context = context + (item,)
        node: dict = {}
        if context:
            node["c"] = self.context_index(context)
        if name in CONDITIONS:
            node["if"] = 1
        stack = stack + (name,)
        for alternative in definition.get("one-of", ()):
            self.merge(node, self.build(alternative, context, stack))
        mapping = definition.get("mapping")
        if mapping is not None:
            for key, value in mapping.get("properties", {}).items():
                child = self.build(value if isinstance(value, str) else value["type"], context, stack)
                self.merge(node.setdefault("k", {}).setdefault(key, {}), child)
            if "loose-value-type" in mapping:
                self.merge(node.setdefault("*", {}), self.build(mapping["loose-value-type"], context, stack))
        sequence = definition.get("sequence")
        if sequence is not None:
            self.merge(node.setdefault("[]", {}), self.build(sequence["item-type"], context, stack))
        return node

    def merge(self, into: dict, other: dict) -> None:
        """Merge one alternative into a node: contexts are united (the more permissive wins)."""
        if "c" in other:
            if "c" in into and into["c"] != other["c"]:
                mine = self.contexts[into["c"]]
                united = tuple(mine) + tuple(item for item in self.contexts[other["c"]] if item not in mine)
                into["c"] = self.context_index(united)
            else:
                into["c"] = other["c"]
        for flag in ("a", "if"):
            if other.get(flag):
                into[flag] = 1
        for key, child in other.get("k", {}).items():
            self.merge(into.setdefault("k", {}).setdefault(key, {}), child)
        for slot in ("*", "[]"):
            if slot in other:
                self.merge(into.setdefault(slot, {}), other[slot])


def main() -> None:
    source = sys.argv[1] if len(sys.argv) > 1 else None
    workflow = load(source, "workflow-v1.0.json")["definitions"]
    action = load(source, "action-v1.0.json")["definitions"]
    contexts: list[list[str]] = []
    result = {
        "source": f"actions/languageservices@{COMMIT} workflow-parser/src/workflow-v1.0.json, action-v1.0.json",
        "contexts": contexts,
        "workflow": Builder(workflow, contexts).build("workflow-root-strict"),
        "action": Builder(action, contexts).build("action-root-strict"),
    }
    json.dump(result, sys.stdout, separators=(",", ":"), sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
