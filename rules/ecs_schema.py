from __future__ import annotations

import json
import re

from cicdlint import lazyre
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Seq, to_python

_SCHEMA_FILES = {"taskdef": "ecs-taskdef.schema.json", "service": "ecs-service.schema.json"}
_SCHEMAS: dict = {}  # kind -> loaded schema
_VALIDATORS: dict = {}  # (kind, definition) -> compiled validator, once per process

# Template placeholders: a value that is filled in later is not checked.
_PLACEHOLDER = lazyre.compile(
    r"\$\{|\$\(|\$\$|\$[A-Za-z_]|\{\{|\{%|#\{|<[^<>\s][^<>]*>|%[A-Za-z_][A-Za-z0-9_.-]*%"
    r"|__[A-Za-z][A-Za-z0-9_]*__|@[A-Za-z_][A-Za-z0-9_]*@"
)
# Describe / create output: copied from AWS, so missing fields are not the writer's doing.
_OUTPUT_SHAPES = {"DescribeTaskDefinitionOutput", "DescribeServicesOutput", "ServiceOutput", "Service"}
_SERVICE_OUTPUT_FIELDS = ("serviceArn", "clusterArn", "deployments", "events", "runningCount", "pendingCount",
                          "createdAt", "createdBy", "taskSets")
_NAMED_LISTS = {"containerDefinitions": ("container", "name"), "services": ("service", "serviceName"),
                "volumes": ("volume", "name"), "environment": ("environment variable", "name"),
                "secrets": ("secret", "name"), "ulimits": ("ulimit", "name")}
_TOP_NAMED = {"containerDefinitions", "services", "volumes"}  # named by position when unnamed
_TYPE_NOUNS = {"string": "a string", "integer": "an integer", "number": "a number", "boolean": "a boolean",
               "array": "a list", "object": "an object", "null": "null"}


@rule(
    id="ecs-schema",
    kinds=("taskdef", "service"),
    severity="error",
    summary="ECS task definition or service has an unknown field, a wrong type or a value the API rejects",
    tags=("correctness", "ecs"),
)
def check(doc, ctx):
    """## What it does
    Validates ECS task definitions and services against a JSON Schema of the Amazon ECS API
    shapes (shipped in `cicdlint/data/ecs-taskdef.schema.json` and
    `cicdlint/data/ecs-service.schema.json`). It accepts `RegisterTaskDefinition` input and
    `describe-task-definition` output (`{"taskDefinition": {...}, "tags": [...]}`, whose
    read-only fields such as `taskDefinitionArn`, `revision`, `status`, `compatibilities`,
    `requiresAttributes` and `registeredAt` are also accepted in a bare task definition, as the
    console's JSON view and `describe-task-definition --query taskDefinition` write them);
    `CreateService` / `UpdateService` input; `describe-services` output
    (`{"services": [...], "failures": [...]}`) and `create-service` output
    (`{"service": {...}}`). It reports, one finding per problem:

    - an unknown field, at its key, with the field it most likely means (`memoryReservaton`
      -> `memoryReservation`, `Image` -> `image`), or the nested object it belongs in (a
      task-level `portMappings` belongs in a container definition). A warning: the schema
      can lag behind a brand-new API field;
    - a value of the wrong type: a quoted number where the API takes an integer
      (`"memory": "512"`), a number or boolean where it takes a string (an environment
      variable `"value": 3000`, a log option `"awslogs-create-group": true`), a quoted
      boolean (`"essential": "true"`), a string where it takes a list (`"command": "npm
      start"`). Task-level `cpu` and `memory` are strings in the API but numbers are
      accepted there, as the console and most tools accept them;
    - a value outside an enumeration (`networkMode`, `requiresCompatibilities`,
      `launchType`, `schedulingStrategy`, `deploymentController.type`, port `protocol`,
      `logDriver`, `assignPublicIp`, `propagateTags`, `pidMode`, `ipcMode`, `dependsOn`
      `condition`, `ulimits` `name`, ...), with the closest valid value; the values are
      case-sensitive;
    - a number outside its documented range: ports 0-65535 (port mappings, load balancers,
      service registries, EFS transit encryption); `ephemeralStorage.sizeInGiB` 21-200;
      `linuxParameters.swappiness` 0-100 and a negative `maxSwap`; capacity provider `weight`
      0-1000 and `base` 0-100000; `restartPolicy.restartAttemptPeriod` 60-1800; linear and
      canary deployment percentages and bake times; negative `desiredCount`,
      `healthCheckGracePeriodSeconds`, `maximumPercent` and `minimumHealthyPercent`;
    - a field the API requires inside a nested object (a `logConfiguration` without
      `logDriver`, a secret without `valueFrom`, a ulimit without `hardLimit`, an
      `efsVolumeConfiguration` without `fileSystemId`, a `deploymentCircuitBreaker` without
      `rollback`), at the object's key. Top-level fields (`family`, `containerDefinitions`,
      `serviceName`) are not required: deploy tools and CLI flags often supply them.

    Wrong types, enum values, ranges and missing fields are errors. A container
    `healthCheck`'s timings, `retries` and missing `command` are left to
    `invalid-health-check` and `missing-health-retries` (its types and unknown fields are
    checked here). Not reported: template placeholders where a number, enum, list or object
    is expected (`"${CPU}"`, `"{{ port }}"`, `"#{Port}"`, `"<IMAGE>"`, `"%PORT%"`,
    `"__PORT__"`, `"$$$NETWORK_MODE$$$"`), `null` values (the console's old JSON view writes
    them and the ECS deploy action drops them), a blank `--generate-cli-skeleton` task
    definition (empty `family` and container names), missing fields in describe output, and
    the read-only fields of describe output, whose nested `deployments`, `events` and
    `taskSets` are AWS's own writing.

    ## Why is this bad?
    The AWS CLI checks `--cli-input-json` against these shapes and refuses the whole call on
    the first unknown field or wrong type, so the deploy fails at its last step; the ECS API
    rejects enum values and ranges it does not know. Tools that do not validate are worse: a
    misspelt `memoryReservaton` or `healthcheck` can be dropped on the way, and the task
    definition is registered without the limit or the health check you wrote, and nothing
    tells you.

    ## Example
    ```json
    {
      "family": "api",
      "networkMode": "aws-vpc",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2",
          "memoryReservaton": 256,
          "essential": "true",
          "portMappings": [{"containerPort": "8080", "protocol": "TCP"}],
          "logConfiguration": {"logDriver": "cloudwatch"}
        }
      ]
    }
    ```

    ## Use instead
    ```json
    {
      "family": "api",
      "networkMode": "awsvpc",
      "containerDefinitions": [
        {
          "name": "api",
          "image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1.4.2",
          "memoryReservation": 256,
          "essential": true,
          "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
          "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": "/ecs/api", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "api"}
          }
        }
      ]
    }
    ```
    Spell fields as the ECS API does (case-sensitive lowerCamelCase), write numbers and
    booleans without quotes and strings with them, and pick enum values and ranges from the
    AWS API reference.
    """
    root = doc.root
    if not isinstance(root, Map):
        return
    shape = _shape(doc.kind, root)
    if shape is None or (doc.kind == "taskdef" and ctx.taskdef.is_skeleton):
        return  # a blank `--generate-cli-skeleton` file: its values are stand-ins
    validator = _validator(doc.kind, shape)
    data = to_python(root)
    output = shape in _OUTPUT_SHAPES
    seen = set()
    errors = sorted(validator.iter_errors(data), key=lambda error: [str(part) for part in error.absolute_path])
    for error in errors:
        for issue in _issues(error, root, data, output, _schema(doc.kind), shape):
            node = issue.node
            marker = (id(node), issue.message)
            if marker not in seen:
                seen.add(marker)
                yield issue


# --- schema --------------------------------------------------------------------------------------------


def _shape(kind: str, root: Map) -> str | None:
    if kind == "taskdef":
        if "containerDefinitions" not in root and isinstance(root.get("taskDefinition"), Map):
            return "DescribeTaskDefinitionOutput"
        return "TaskDefinition"
    if kind == "service":
        if isinstance(root.get("services"), Seq):
            return "DescribeServicesOutput"
        if isinstance(root.get("service"), Map):
            return "ServiceOutput"
        if any(name in root for name in _SERVICE_OUTPUT_FIELDS):
            return "Service"  # one entry of describe-services output, saved on its own
        return "ServiceInput"
    return None


def _schema(kind: str) -> dict:
    schema = _SCHEMAS.get(kind)
    if schema is None:
        from cicdlint.datafiles import load

        schema = _SCHEMAS[kind] = load(_SCHEMA_FILES[kind])
    return schema


def _validator(kind: str, shape: str):
    validator = _VALIDATORS.get((kind, shape))
    if validator is None:
        from cicdlint.schemacheck import validator_for  # not jsonschema: its import alone costs ~50 ms

        defs = _schema(kind)["$defs"]
        # `$ref`s inlined: the shapes are not recursive, and resolving references on every
        # object costs a third of the validation time.
        validator = _VALIDATORS[(kind, shape)] = validator_for(_inline(defs[shape], defs))
    return validator


def _inline(schema, defs: dict):
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref[len("#/$defs/"):]], defs)
        return {key: value if key == "enum" else _inline(value, defs) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inline(item, defs) for item in schema]
    return schema


def _resolve(schema: dict, root_schema: dict) -> dict:
    """A definition's schema from a `{"$ref": "#/$defs/X"}`."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return root_schema["$defs"].get(ref[len("#/$defs/"):], {})
    return schema if isinstance(schema, dict) else {}


# --- errors -> findings -----------------------------------------------------------------------------


def _issues(error, root, data, output: bool, root_schema: dict, shape: str):
    path = list(error.absolute_path)
    instance = error.instance
    kind = error.validator
    if kind == "additionalProperties":
        yield from _unknown_keys(error, path, root, data, root_schema, shape)
        return
    if instance is None or _is_placeholder(instance) or _left_to_health_rules(kind, path):
        return
    node = _node_at(root, path)
    if node is None:
        return
    where = _where(path, data)
    schema = error.schema
    if kind == "type":
        yield Issue(node, _type_message(where, instance, schema, root_schema), severity="error")
    elif kind == "enum":
        yield Issue(node, _enum_message(where, instance, schema), severity="error")
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        yield Issue(node, _range_message(where, instance, schema), severity="error")
    elif kind == "required":
        if output or not isinstance(node, Map):
            return
        missing = [name for name in error.validator_value if name not in instance]
        for name in missing:
            # At the object's key; an entry of a list has none, so at the entry itself.
            target = node if path and isinstance(path[-1], int) else (_key_at(root, path) or node)
            noun = schema.get("x-noun") or "this object"
            yield Issue(
                target,
                f"Add '{name}' to {where.subject}. The ECS API requires it in {noun} and rejects the"
                f" {_document(shape)} without it.",
                severity="error",
            )
    elif kind == "maxItems":
        yield Issue(node, f"Shorten {where.subject} to at most {error.validator_value} entries. It has"
                          f" {len(instance)}, more than the ECS API accepts.", severity="error")


def _left_to_health_rules(kind: str, path: list) -> bool:
    """A container health check's timings, retries and command have their own rules
    (invalid-health-check, missing-health-retries), with sharper messages: not reported twice."""
    if kind in ("minimum", "maximum") and len(path) >= 2 and path[-2] == "healthCheck":
        return True
    return kind == "required" and bool(path) and path[-1] == "healthCheck"


def _unknown_keys(error, path, root, data, root_schema, shape):
    instance = error.instance
    schema = error.schema
    if not isinstance(instance, dict):
        return
    known = schema.get("properties", {})
    node = _node_at(root, path)
    if not isinstance(node, Map):
        return
    where = _where(path, data)
    noun = schema.get("x-noun") or "this object"
    for name in instance:
        if name in known or _is_placeholder(name):
            continue
        key = node.key(name)
        if key is None:
            continue
        inside = where.inside
        confidence = "high"
        # Same name in another spelling, then a field of the level above or below, then a typo.
        suggestion, reason = _respelt(name, known, noun)
        fix = f"Rename '{name}'{inside} to '{suggestion}'." if suggestion else ""
        if not fix:
            fix, reason = _misplaced(name, path, data, schema, root_schema, shape, noun)
        if not fix:
            suggestion = _closest(name, list(known))
            if suggestion:
                fix, reason = f"Rename '{name}'{inside} to '{suggestion}'.", f" '{name}' is not a field of {noun}."
        if not fix:
            fix = f"Remove '{name}'" + (f" from {where.subject}" if inside else "") + ", or correct its name."
            reason = f" '{name}' is not a field of {noun} in the ECS API."
            confidence = "medium"
        yield Issue(
            key,
            f"{fix}{reason} The AWS CLI rejects a file with an unknown field, and tools that do not validate"
            " drop it, so the setting never takes effect.",
            severity="warning",
            confidence=confidence,
        )


def _misplaced(name, path, data, schema, root_schema, shape, noun) -> tuple[str, str]:
    """A field written one level too deep or too shallow: (fix, reason), or ("", "")."""
    target, child_noun = _belongs_in(name, schema, root_schema)
    inside = _where(path, data).inside
    if target:
        return f"Move '{name}'{inside} into {target}.", f" It is a field of {child_noun}, not of {noun}."
    parent_path = list(path)
    while parent_path and isinstance(parent_path[-1], int):
        parent_path.pop()
    if not parent_path:
        return "", ""
    parent_path.pop()
    parent = _schema_at(root_schema, shape, parent_path)
    if name in parent.get("properties", {}):
        holder = _where(parent_path, data).subject if parent_path else "the top level"
        field = path[len(parent_path)]
        return (
            f"Move '{name}' out of '{field}' up to {holder}.",
            f" It is a field of {parent.get('x-noun') or holder}, not of {noun}.",
        )
    return "", ""


def _schema_at(root_schema: dict, shape: str, path: list) -> dict:
    schema = root_schema["$defs"].get(shape, {})
    for part in path:
        schema = _resolve(schema, root_schema)
        if isinstance(part, int):
            schema = schema.get("items", {})
        else:
            schema = schema.get("properties", {}).get(part, {})
    return _resolve(schema, root_schema)


def _respelt(name: str, known: dict, noun: str) -> tuple[str | None, str]:
    """The field `name` spells differently: other case, snake_case or kebab-case."""
    lowered = {field.lower(): field for field in known}
    same = lowered.get(name.lower())
    if same:
        return same, f" Field names are case-sensitive: '{name}' is not a field of {noun}."
    squashed = name.lower().replace("_", "").replace("-", "")
    same = lowered.get(squashed)
    if same:
        return same, f" '{name}' is not a field of {noun}: the ECS API spells it '{same}'."
    return None, ""


def _closest(word: str, choices: list) -> str | None:
    """The choice `word` most likely misspells: its singular or plural, or a close match."""
    lowered = {choice.lower(): choice for choice in choices}
    for variant in (word + "s", word + "es", word[:-1] + "ies" if word.endswith("y") else None,
                    word[:-1] if word.endswith("s") else None):
        if variant and variant.lower() in lowered:
            return lowered[variant.lower()]
    import difflib

    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.8)
    return lowered[close[0]] if close else None


def _belongs_in(name: str, schema: dict, root_schema: dict) -> tuple[str | None, str]:
    """The child object (one level down) whose schema has the field: (where, its noun)."""
    for field, child in schema.get("properties", {}).items():
        target = child.get("items", child) if isinstance(child, dict) else {}
        resolved = _resolve(target, root_schema)
        if name in resolved.get("properties", {}):
            noun = resolved.get("x-noun") or f"'{field}'"
            if child.get("type") == "array":
                return f"the right entry of '{field}'", noun
            return f"'{field}'", noun
    return None, ""


def _type_message(where, instance, schema: dict, root_schema: dict) -> str:
    expected = schema.get("type")
    types = expected if isinstance(expected, list) else [expected]
    unit = f" ({schema['x-unit']})" if schema.get("x-unit") else ""
    shown = _show(instance)
    found = _json_type(instance)
    if "string" in types and "integer" in types:
        return (f"Set {where.subject} to a string or an integer (e.g. \"1024\"). The ECS API rejects"
                f" {_article(found)} here.")
    if "string" in types and isinstance(instance, (bool, int, float)):
        literal = json.dumps(str(shown))
        return (f"Quote {where.subject}: write {literal}. The ECS API takes a string here and rejects the"
                f" {found} {shown}.")
    if ("integer" in types or "number" in types) and isinstance(instance, str):
        number = _parse_number(instance)
        wanted = "an integer" if "integer" in types else "a number"
        if number is not None and ("number" in types or float(number).is_integer()):
            return (f"Write {where.subject} as the number {number}{unit}, without quotes. The ECS API takes"
                    f" {wanted} here and rejects the string {json.dumps(instance)}.")
        return f"Set {where.subject} to {wanted}{unit}. The string {json.dumps(_short(instance))} is not a number."
    if "integer" in types and isinstance(instance, float):
        return (f"Set {where.subject} to a whole number{unit}. The ECS API takes an integer here and rejects"
                f" {instance}.")
    if types == ["boolean"]:
        if isinstance(instance, str) and instance.strip().lower() in ("true", "false"):
            value = instance.strip().lower()
            return (f"Write {where.subject} as {value}, without quotes. The ECS API takes a boolean here and"
                    f" rejects the string {json.dumps(instance)}.")
        return (f"Set {where.subject} to true or false. The ECS API takes a boolean here and rejects the"
                f" {found} {json.dumps(shown) if isinstance(shown, str) else shown}.")
    if types == ["array"]:
        items = _resolve(schema.get("items", {}), root_schema)
        if isinstance(instance, dict) and items.get("type") == "object":
            noun = items.get("x-noun") or "an object"
            return (f"Wrap {where.subject} in a list: [{{...}}]. The ECS API takes a JSON array here, with"
                    f" {noun} in each entry, and rejects a single object.")
        what = "a list of strings" if items.get("type") == "string" else "a list"
        example = ""
        if isinstance(instance, str) and (items.get("type") == "string" or "enum" in items):
            example = f", e.g. [{json.dumps(_short(instance))}]"
        return (f"Make {where.subject} {what}{example}. The ECS API takes a JSON array here and rejects"
                f" {_article(found)}.")
    if types == ["object"]:
        return f"Make {where.subject} an object ({{...}}). The ECS API takes an object here and rejects {_article(found)}."
    wanted = " or ".join(_TYPE_NOUNS.get(name, name) for name in types)
    return f"Set {where.subject} to {wanted}{unit}. The ECS API rejects {_article(found)} here."


def _enum_message(where, instance, schema: dict) -> str:
    values = [value for value in schema.get("enum", []) if value is not None]
    noun = schema.get("x-noun") or "a value the ECS API accepts"
    listed = ", ".join(sorted(str(value) for value in values))
    if isinstance(instance, str):
        same = [value for value in values if str(value).lower() == instance.strip().lower()]
        if same:
            return (f"Set {where.subject} to '{same[0]}'. '{instance}' is not {noun}: ECS values are"
                    f" case-sensitive.")
        import difflib

        close = difflib.get_close_matches(instance.lower(), [str(value).lower() for value in values], n=1,
                                          cutoff=0.6)
        if close:
            value = next(str(value) for value in values if str(value).lower() == close[0])
            return f"Set {where.subject} to '{value}' (one of {listed}). '{_short(instance)}' is not {noun}."
        return f"Set {where.subject} to one of {listed}. '{_short(instance)}' is not {noun}."
    if isinstance(instance, (dict, list)):
        return f"Set {where.subject} to one of {listed}. {_article(_json_type(instance)).capitalize()} is not {noun}."
    return f"Set {where.subject} to one of {listed}. The {_json_type(instance)} {_show(instance)} is not {noun}."


def _range_message(where, instance, schema: dict) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    unit = f" {schema['x-unit']}" if schema.get("x-unit") else ""
    if low is not None and high is not None:
        wanted = f"a value from {_num(low)} to {_num(high)}{unit}"
    elif low is not None:
        wanted = f"{_num(low)}{unit} or more"
    else:
        wanted = f"{_num(high)}{unit} or less"
    return f"Set {where.subject} to {wanted}. {_num(instance)} is outside the range ECS accepts."


# --- where the error is ---------------------------------------------------------------------------


class _Where:
    def __init__(self, field: str, context: str):
        self.field = field
        self.context = context

    @property
    def subject(self) -> str:
        if not self.field:
            return self.context or "the document"
        return f"'{self.field}'" + (f" of {self.context}" if self.context else "")

    @property
    def inside(self) -> str:
        return f" in {self.subject}" if self.field or self.context else ""


def _where(path: list, data) -> _Where:
    """The field's path below its innermost named object, and the named objects around it
    (innermost first): 'value' of environment variable 'PORT' in container 'web'."""
    contexts, start = [], 0
    current, parent_key = data, None
    for index, part in enumerate(path):
        if isinstance(part, int) and parent_key in _NAMED_LISTS and isinstance(current, list):
            item = current[part] if 0 <= part < len(current) else None
            label, name_field = _NAMED_LISTS[parent_key]
            name = item.get(name_field) if isinstance(item, dict) else None
            if isinstance(name, str) and name and not _is_placeholder(name):
                contexts.append(f"{label} '{_short(name)}'")
                start = index + 1
            elif parent_key in _TOP_NAMED:
                contexts.append(f"{label} #{part + 1}")
                start = index + 1
        parent_key = part if isinstance(part, str) else parent_key
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            current = None
    field = ""
    for part in path[start:]:
        if isinstance(part, int):
            field += f"[{part}]"
        else:
            field += ("." if field else "") + part
    if field.startswith("taskDefinition.") and not contexts:
        field = field[len("taskDefinition."):]
    return _Where(field, " in ".join(reversed(contexts)))


def _node_at(root, path: list):
    node = root
    for part in path:
        if isinstance(node, Map) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, Seq) and isinstance(part, int) and 0 <= part < len(node.items):
            node = node.items[part]
        else:
            return None
    return node


def _key_at(root, path: list):
    """The key node naming the object at `path` (for a list item: its list's key)."""
    parts = list(path)
    while parts and isinstance(parts[-1], int):
        parts.pop()
    if not parts:
        return None
    parent = _node_at(root, parts[:-1])
    return parent.key(parts[-1]) if isinstance(parent, Map) else None


def _document(shape: str) -> str:
    return "task definition" if "TaskDefinition" in shape else "service"


# --- small helpers ---------------------------------------------------------------------------------


def _is_placeholder(value) -> bool:
    if isinstance(value, str):
        return bool(_PLACEHOLDER.search(value))
    return False


def _parse_number(text: str):
    text = text.strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return None


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "null"


def _article(type_name: str) -> str:
    return {"object": "an object", "list": "a list", "null": "null"}.get(type_name, f"a {type_name}")


def _show(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _short(value)
    return value


def _num(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."
