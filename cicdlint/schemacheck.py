"""A small JSON Schema validator for the schemas cicdlint ships (the ECS API shapes, the
configuration), with jsonschema's error interface.

Importing jsonschema costs ~50 ms, twice cicdlint's whole start-up budget, so the schemas are
checked here: the keywords they use (`type`, `properties`, `additionalProperties`, `required`,
`items`, `enum`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minItems`,
`maxItems`, `minLength`, `maxLength`, `maxProperties`, `propertyNames`, `$ref` to `#/$defs/`,
and the annotations `description`, `title`, `default`, `$schema`, `$id`, `$comment`, `x-*`),
with Draft 2020-12 semantics. `supports(schema)` says whether a schema stays within them; for
one that does not, use jsonschema (`validator_for`). `tests/test_schemacheck.py` checks the
errors against jsonschema's on the shipped schemas.

Iterative, so deep documents cannot exhaust the stack; linear in the size of the instance."""
from __future__ import annotations

_ANNOTATIONS = frozenset(("description", "title", "default", "$schema", "$id", "$comment", "$defs", "examples"))
_KEYWORDS = frozenset((
    "type", "properties", "additionalProperties", "required", "items", "enum", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems", "minLength", "maxLength", "maxProperties",
    "propertyNames", "$ref",
))


class SchemaError:
    """One failed keyword: the attributes of `jsonschema.ValidationError` that callers read."""

    __slots__ = ("message", "validator", "validator_value", "instance", "schema", "absolute_path", "path")

    def __init__(self, message: str, validator: str, validator_value, instance, schema: dict, path: tuple):
        self.message = message
        self.validator = validator
        self.validator_value = validator_value
        self.instance = instance
        self.schema = schema
        self.absolute_path = list(path)
        self.path = list(path)

    def __repr__(self):
        return f"SchemaError({self.validator!r} at {self.absolute_path!r}: {self.message})"


def supports(schema, root=None) -> bool:
    """Does the schema use only the keywords this validator knows?"""
    stack = [schema]
    while stack:
        current = stack.pop()
        if isinstance(current, bool):
            continue
        if not isinstance(current, dict):
            return False
        for key, value in current.items():
            if key in _ANNOTATIONS or key.startswith("x-"):
                if key == "$defs" and isinstance(value, dict):
                    stack.extend(value.values())
                continue
            if key not in _KEYWORDS:
                return False
            if key == "$ref" and not (isinstance(value, str) and value.startswith("#/$defs/")):
                return False
            if key == "properties" and isinstance(value, dict):
                stack.extend(value.values())
            elif key in ("additionalProperties", "items", "propertyNames"):
                stack.append(value)
    return True


class Validator:
    def __init__(self, schema: dict, root: dict | None = None):
        self.schema = schema
        self.defs = (root or schema).get("$defs", {})

    def iter_errors(self, instance):
        stack = [(instance, self.schema, ())]
        while stack:
            value, schema, path = stack.pop()
            if schema is True:
                continue
            if schema is False:
                yield SchemaError("False schema does not allow " + _show(value), "false", False, value, {}, path)
                continue
            ref = schema.get("$ref")
            if ref is not None:
                target = self.defs.get(ref[len("#/$defs/"):])
                if target is not None:
                    stack.append((value, target, path))
            children: list = []
            for error in self._keywords(value, schema, path, children):
                yield error
            stack.extend(reversed(children))

    def _keywords(self, value, schema: dict, path: tuple, children: list):
        expected = schema.get("type")
        if expected is not None and not any(_is_type(value, name) for name in _names(expected)):
            yield SchemaError(f"{_show(value)} is not of type {_types(expected)}", "type", expected, value, schema, path)
        if "enum" in schema and not any(_equal(value, option) for option in schema["enum"]):
            yield SchemaError(f"{_show(value)} is not one of {_show(schema['enum'])}", "enum", schema["enum"], value, schema, path)
        if _is_number(value):
            for keyword, fails, words in (
                ("minimum", lambda v, limit: v < limit, "less than the minimum of"),
                ("maximum", lambda v, limit: v > limit, "greater than the maximum of"),
                ("exclusiveMinimum", lambda v, limit: v <= limit, "less than or equal to the minimum of"),
                ("exclusiveMaximum", lambda v, limit: v >= limit, "greater than or equal to the maximum of"),
            ):
                limit = schema.get(keyword)
                if limit is not None and fails(value, limit):
                    yield SchemaError(f"{_show(value)} is {words} {_show(limit)}", keyword, limit, value, schema, path)
        if isinstance(value, str):
            if "minLength" in schema and len(value) < schema["minLength"]:
                yield SchemaError(f"{_show(value)} is too short", "minLength", schema["minLength"], value, schema, path)
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                yield SchemaError(f"{_show(value)} is too long", "maxLength", schema["maxLength"], value, schema, path)
        elif isinstance(value, list):
            if "minItems" in schema and len(value) < schema["minItems"]:
                yield SchemaError(f"{_show(value)} should be non-empty" if schema["minItems"] == 1 else f"{_show(value)} is too short",
                                  "minItems", schema["minItems"], value, schema, path)
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                yield SchemaError(f"{_show(value)} is too long", "maxItems", schema["maxItems"], value, schema, path)
            items = schema.get("items")
            if items is not None:
                children.extend((item, items, path + (index,)) for index, item in enumerate(value))
        elif isinstance(value, dict):
            yield from self._object(value, schema, path, children)

    def _object(self, value: dict, schema: dict, path: tuple, children: list):
        required = schema.get("required")
        if required:
            for name in required:
                if name not in value:
                    yield SchemaError(f"{name!r} is a required property", "required", required, value, schema, path)
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            yield SchemaError(f"{_show(value)} has too many properties", "maxProperties", schema["maxProperties"], value, schema, path)
        names = schema.get("propertyNames")
        if names is not None:
            for name in value:
                for error in self._keywords(name, names, path, []):
                    yield error
        properties = schema.get("properties", {})
        additional = schema.get("additionalProperties")
        extras = []
        for name, item in value.items():
            if name in properties:
                children.append((item, properties[name], path + (name,)))
            elif additional is False:
                extras.append(name)
            elif isinstance(additional, dict):
                children.append((item, additional, path + (name,)))
        if extras:
            listed = ", ".join(repr(name) for name in extras)
            verb = "was" if len(extras) == 1 else "were"
            yield SchemaError(f"Additional properties are not allowed ({listed} {verb} unexpected)",
                              "additionalProperties", False, value, schema, path)


def validator_for(schema: dict, root: dict | None = None):
    """This validator when the schema allows it, else jsonschema's Draft 2020-12 validator."""
    if supports(schema) and (root is None or supports(root)):
        return Validator(schema, root)
    import jsonschema

    return jsonschema.Draft202012Validator(schema)


def best_match(errors: list):
    """The most relevant error, as jsonschema chooses: the one nearest the top of the instance."""
    return min(errors, key=lambda error: len(error.absolute_path)) if errors else None


def _names(expected) -> list:
    return expected if isinstance(expected, list) else [expected]


def _types(expected) -> str:
    return ", ".join(repr(name) for name in _names(expected))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_type(value, name: str) -> bool:
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "boolean":
        return isinstance(value, bool)
    if name == "null":
        return value is None
    if name == "number":
        return _is_number(value)
    if name == "integer":
        return _is_number(value) and (isinstance(value, int) or value.is_integer())
    return False


def _equal(value, option) -> bool:
    """JSON equality: `1 == True` is false, `1 == 1.0` is true."""
    if isinstance(value, bool) or isinstance(option, bool):
        return isinstance(value, bool) and isinstance(option, bool) and value == option
    if isinstance(value, list) and isinstance(option, list):
        return len(value) == len(option) and all(_equal(a, b) for a, b in zip(value, option))
    if isinstance(value, dict) and isinstance(option, dict):
        return value.keys() == option.keys() and all(_equal(value[k], option[k]) for k in value)
    return value == option


def _show(value) -> str:
    """A short repr, safe on deep values (reprlib stops at a few levels)."""
    import reprlib

    shown = reprlib.Repr()
    shown.maxstring = shown.maxother = 200
    return shown.repr(value)
