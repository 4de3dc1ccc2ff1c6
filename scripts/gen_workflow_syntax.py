"""Generate cicdlint/data/workflow-syntax.json and action-syntax.json: what GitHub accepts in a
workflow file and in an `action.yml`, per location, for `cicdlint/syntax.py`.

The source is SchemaStore's JSON Schemas of GitHub workflows and actions, as vendored by the
`check-jsonschema` PyPI package (`check_jsonschema/builtin_schemas/vendor/github-workflows.json`
and `github-actions.json`; copies of check-jsonschema 0.39.0's are kept in `scripts/schemastore/`
so that the output can be checked for staleness without a network). The schemas are converted to
a compact spec (below), then the OVERLAY at the end of this file corrects what they lack or get
wrong compared to GitHub's own parser: the template schema the Actions service and the runner
parse workflows and actions with (`workflow-v1.0.json` and `action_yaml.json` in
github.com/actions/languageservices and github.com/actions/runner), GitHub's workflow syntax
documentation, and actionlint's parser (`parse.go`). Every overlay step says why.

A development tool, not part of the package:

    python scripts/gen_workflow_syntax.py                 # from scripts/schemastore/
    python scripts/gen_workflow_syntax.py DIR             # from another copy (e.g. an installed
                                                          # check_jsonschema/builtin_schemas/vendor)
    python scripts/gen_workflow_syntax.py --installed     # from the installed check-jsonschema
    python scripts/gen_workflow_syntax.py --check [DIR]   # exit 1 when the data files are stale

The spec: {"about": ..., "root": NAME, "defs": {NAME: DEF}}. A DEF is the name of another def,
a builtin name, or an object:

- builtins: "any"; "string" (any scalar: GitHub turns numbers, booleans and null into strings
  where it wants a string); "non-empty-string" (a scalar that is not null or empty); "boolean"
  (a plain YAML 1.2 true/false); "number" (a plain YAML 1.2 number); "null".
- {"map": {KEY: DEF}, "values": DEF, "required": [KEY], "hints": {KEY: TEXT},
   "unknown": RULE, "noun": TEXT}: a mapping. Keys are case-sensitive. A key not in "map" takes
  the "values" def; without "values" it is unexpected (reported by RULE, default
  unexpected-key; a hint, when given, replaces the generic did-you-mean).
- {"seq": DEF}: a list of DEF.
- {"enum": [VALUE]}: one of these strings (case-sensitive).
- {"one-of": [DEF]}: picked by the node's shape (mapping, list, scalar).
- {"switch": [[KEY, DEF]], "otherwise": DEF, "missing": TEXT}: a mapping whose shape depends on
  which of the KEYs it has (the first present, in document order): a job that `uses:` a reusable
  workflow, a `run:` or a `uses:` step.
- {"switch-value": KEY, "cases": {VALUE: DEF}}: a mapping whose shape depends on the value of
  KEY (an action's `runs.using`).
- {"number": {"gt": N}}: a number greater than N.
Any object may also carry "expr": true (a `${{ }}` expression is accepted here and everywhere
below, whatever type is expected: GitHub's "context"), "checks": [NAME] (a hand-written check in
cicdlint/syntax.py that runs on the node), and "noun" (what the location is called in messages).

The output is deterministic: defs sorted by name, one per line, keys sorted.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENDORED = HERE / "schemastore"
OUT = HERE.parent / "cicdlint" / "data"
WORKFLOW_SCHEMA = "github-workflows.json"
ACTION_SCHEMA = "github-actions.json"
EXPRESSION_REFS = ("#/definitions/expressionSyntax", "#/definitions/stringContainingExpressionSyntax")
BUILTINS = ("any", "string", "non-empty-string", "boolean", "number", "null")


# --- JSON Schema -> spec --------------------------------------------------------------------


class Converter:
    """The subset of JSON Schema that SchemaStore's GitHub schemas use, converted to spec defs.

    `names` maps JSON pointers to def names: those locations become named defs (referred to by
    name), everything else is inlined. `oneOf`/`anyOf` become one-of (an alternative that is an
    expression pattern becomes "expr": true), `allOf` takes its first schema (the others are `not`
    constraints), an object's `oneOf` constraints are dropped (the overlay says what they meant),
    `minItems`/`minProperties`/`pattern` are dropped."""

    def __init__(self, schema: dict, names: dict[str, str]):
        self.schema = schema
        self.names = names
        self.defs: dict[str, object] = {}

    def convert_root(self) -> dict:
        """Every named location (some, like the `then` of an `if`, are not reached from the root)."""
        for pointer in self.names:
            self.named(pointer)
        return self.defs

    def resolve(self, pointer: str):
        node = self.schema
        for part in pointer.lstrip("#").strip("/").split("/"):
            if part:
                part = part.replace("~1", "/").replace("~0", "~")
                node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def named(self, pointer: str) -> str:
        name = self.names[pointer]
        if name not in self.defs:
            self.defs[name] = None  # placeholder: a recursive reference sees the name
            self.defs[name] = self.convert(self.resolve(pointer), pointer, here=True)
        return name

    def convert(self, schema, pointer: str, here: bool = False):
        if not here and pointer in self.names:
            return self.named(pointer)
        if schema is True or schema is None or schema == {}:
            return "any"
        if "$ref" in schema:
            rest = {key: value for key, value in schema.items() if key not in ("$ref", "description", "default")}
            if any(key in rest for key in ("oneOf", "anyOf", "allOf", "type", "properties")):
                return self.convert(rest, pointer, here=True)  # $ref with a more specific sibling
            target = schema["$ref"]
            return self.named(target) if target in self.names else self.convert(self.resolve(target), target, here=True)
        if "properties" in schema or "patternProperties" in schema or schema.get("type") == "object":
            return self.mapping(schema, pointer)
        for combinator in ("oneOf", "anyOf"):
            if combinator in schema:
                return self.alternatives(schema[combinator], f"{pointer}/{combinator}")
        if "allOf" in schema:
            return self.convert(schema["allOf"][0], f"{pointer}/allOf/0")
        kind = schema.get("type")
        if "enum" in schema:
            return {"enum": list(schema["enum"])}
        if "const" in schema:
            return {"enum": [schema["const"]]}
        if kind == "string":
            return "non-empty-string" if schema.get("minLength") else "string"
        if kind == "boolean":
            return "boolean"
        if kind in ("number", "integer"):
            return "number"
        if kind == "null":
            return "null"
        if kind == "array":
            return {"seq": self.convert(schema.get("items", True), f"{pointer}/items")}
        return "any"

    def alternatives(self, schemas: list, pointer: str):
        parts: list = []
        expr = False
        for index, alternative in enumerate(schemas):
            if isinstance(alternative, dict) and alternative.get("$ref") in EXPRESSION_REFS:
                expr = True
                continue
            part = self.convert(alternative, f"{pointer}/{index}")
            nested = part["one-of"] if isinstance(part, dict) and set(part) == {"one-of"} else [part]
            parts.extend(item for item in nested if item not in parts)
        if "any" in parts:
            parts = ["any"]
        if not expr:
            return parts[0] if len(parts) == 1 else {"one-of": parts}
        return {"one-of": parts, "expr": True}

    def mapping(self, schema: dict, pointer: str) -> dict:
        out: dict = {
            "map": {key: self.convert(value, f"{pointer}/properties/{key}") for key, value in schema.get("properties", {}).items()}
        }
        patterns = schema.get("patternProperties") or {}
        extra = schema.get("additionalProperties", True)
        if patterns:
            (pattern, value), = patterns.items()
            out["values"] = self.convert(value, f"{pointer}/patternProperties/{pattern.replace('/', '~1')}")
        elif extra is not False:
            out["values"] = self.convert(extra, f"{pointer}/additionalProperties")
        if schema.get("required"):
            out["required"] = list(schema["required"])
        return out


# --- Overlay helpers --------------------------------------------------------------------------


def keys_of(defs: dict, name: str) -> dict:
    return defs[name]["map"]


def pick(defs: dict, name: str, keys: list[str], **extra) -> dict:
    """A map def with these keys of def `name` (in this order), plus `extra` fields."""
    source = keys_of(defs, name)
    missing = [key for key in keys if key not in source]
    assert not missing, f"{name} has no {missing}: the input schema changed; review the overlay"
    return {"map": {key: source[key] for key in keys}, **extra}


def expr(ref) -> dict:
    """`ref`, where a `${{ }}` expression is also accepted (GitHub gives the location a context)."""
    if isinstance(ref, dict) and "one-of" in ref:
        return {**ref, "expr": True}
    return {"one-of": [ref], "expr": True}


FILTER = "filter"


# --- Overlay: workflows -----------------------------------------------------------------------

WORKFLOW_NAMES = {
    "#": "workflow",
    "#/properties/on": "on",
    "#/properties/on/oneOf/2": "events",
    "#/properties/jobs": "jobs",
    "#/definitions/normalJob": "job",
    "#/definitions/reusableWorkflowCallJob": "reusable-job",
    "#/definitions/normalJob/properties/strategy": "strategy",
    "#/definitions/reusableWorkflowCallJob/properties/strategy": "strategy",
    "#/definitions/normalJob/properties/runs-on": "runs-on",
    "#/definitions/step": "step",
    "#/definitions/jobContainer": "container",
    "#/definitions/serviceContainer": "service",
    "#/definitions/concurrency": "concurrency-map",
    "#/definitions/environment": "environment-map",
    "#/definitions/defaults": "defaults",
    "#/definitions/permissions": "permissions",
    "#/definitions/permissions-event": "permission-scopes",
    "#/definitions/permissions-level": "permission-level",
    "#/definitions/env": "env",
    "#/definitions/matrix": "matrix",
    "#/definitions/configuration": "matrix-value",
    "#/definitions/event": "event-name",
    "#/definitions/workflowDispatchInput": "dispatch-input",
    "#/definitions/jobNeeds": "needs",
    "#/definitions/snapshot": "snapshot",
    "#/definitions/cacheMode": "cache-mode",
    "#/definitions/shell": "shell",
    "#/definitions/working-directory": "working-directory",
    "#/definitions/eventObject": "event-without-filters",
}
_ON_EVENTS = "#/properties/on/oneOf/2/properties"
_CALL = _ON_EVENTS + "/workflow_call/oneOf/1/properties"
_INPUT_NAME = "^[_a-zA-Z][a-zA-Z0-9_-]*$"
WORKFLOW_NAMES.update({
    f"{_CALL}/inputs/patternProperties/{_INPUT_NAME}": "call-input",
    f"{_CALL}/outputs/patternProperties/{_INPUT_NAME}": "call-output",
    f"{_CALL}/secrets/patternProperties/{_INPUT_NAME}": "call-secret",
})


def workflow_names(schema: dict) -> dict[str, str]:
    names = dict(WORKFLOW_NAMES)
    for event in schema["properties"]["on"]["oneOf"][2]["properties"]:
        names[f"{_ON_EVENTS}/{event}"] = f"event:{event}"
    return names


# Events and their filters, from GitHub's template schema (`on-mapping-strict`; actionlint's
# parseWebhookEvent agrees). SchemaStore lets any key through for most events
# (`eventObject` has additionalProperties: true), allows `tags` on pull_request, `paths` on
# workflow_run, and lacks image_version and pull_request_comment.
EVENT_FILTERS = {
    "push": ["branches", "branches-ignore", "tags", "tags-ignore", "paths", "paths-ignore"],
    "pull_request": ["types", "branches", "branches-ignore", "paths", "paths-ignore"],
    "pull_request_target": ["types", "branches", "branches-ignore", "paths", "paths-ignore"],
    "merge_group": ["types", "branches", "branches-ignore"],
    "workflow_run": ["types", "workflows", "branches", "branches-ignore"],
    "repository_dispatch": ["types"],
    "image_version": ["types", "names", "versions"],
}
TYPES_ONLY_EVENTS = (
    "branch_protection_rule", "check_run", "check_suite", "discussion", "discussion_comment",
    "issue_comment", "issues", "label", "milestone", "project", "project_card", "project_column",
    "pull_request_comment", "pull_request_review", "pull_request_review_comment", "registry_package",
    "release", "watch",
)
NO_FILTER_EVENTS = ("create", "delete", "deployment", "deployment_status", "fork", "gollum", "page_build", "public", "status")
# Where a filter key goes when it is written under an event that does not take it.
FILTER_HOMES = {
    "branches": "push, pull_request, pull_request_target, merge_group and workflow_run",
    "branches-ignore": "push, pull_request, pull_request_target, merge_group and workflow_run",
    "tags": "push",
    "tags-ignore": "push",
    "paths": "push, pull_request and pull_request_target",
    "paths-ignore": "push, pull_request and pull_request_target",
    "types": "events with activity types (pull_request, issues, release, ...)",
    "workflows": "workflow_run",
    "inputs": "workflow_dispatch and workflow_call",
    "outputs": "workflow_call",
    "secrets": "workflow_call",
}
STEP_COMMON = ["name", "id", "if", "env", "continue-on-error", "timeout-minutes", "background"]
# Keys of a job that runs steps, which a job that calls a reusable workflow does not take
# (GitHub's `workflow-job` mapping; actionlint's stepsOnlyKey).
REUSABLE_JOB_KEYS = ["name", "uses", "with", "secrets", "needs", "if", "permissions", "concurrency", "strategy", "cache-mode"]


def overlay_workflow(defs: dict) -> dict:
    defs = copy.deepcopy(defs)

    # Top level. `on` and `jobs` stay required (a workflow without `on` never runs). GitHub
    # accepts `description` at the top (actionlint too); SchemaStore lacks it. Expressions: GitHub
    # gives `run-name`, `env` and `concurrency` a context, not `name`, `permissions`, `on`, `jobs`.
    workflow = defs["workflow"]
    workflow["map"]["description"] = "string"
    workflow["map"]["run-name"] = expr("string")
    workflow["map"]["concurrency"] = "concurrency"
    workflow["noun"] = "the workflow"
    workflow["hints"] = {
        key: f"'{key}' belongs in a job (under 'jobs.<job_id>')"
        for key in ("runs-on", "steps", "needs", "strategy", "container", "services", "environment", "outputs",
                    "timeout-minutes", "continue-on-error", "if", "uses", "with", "secrets")
    }
    workflow["hints"].update({event: f"'{event}' is an event: put it under 'on:'" for event in ("push", "pull_request", "workflow_dispatch", "schedule", "workflow_call")})

    # `on`: a string, a list or a map of events. Event names from SchemaStore plus what GitHub's
    # schema has and SchemaStore lacks (schedule is a key of its own there; image_version,
    # pull_request_comment).
    names = defs["event-name"]["enum"]
    for extra in ("schedule", "image_version", "pull_request_comment"):
        if extra not in names:
            names.append(extra)
    defs["event-name"] = {"enum": sorted(names), "unknown": "unknown-event", "noun": "event"}
    defs["on"] = {"one-of": ["event-name", {"seq": "event-name"}, "events"], "empty": "nothing triggers the workflow, so it never runs",
                  "checks": ["event-names"]}  # a bare 'schedule' or 'workflow_run' never fires
    events = defs["events"]
    events["unknown"] = "unknown-event"
    events["noun"] = "'on'"
    events.pop("values", None)
    events["hints"] = {
        key: f"'{key}' is a filter of an event, not an event: put it under the event it filters (e.g. 'push:')"
        for key in FILTER_HOMES
    }
    for event in names:
        if event in events["map"] and event in ("workflow_call", "workflow_dispatch", "schedule"):
            continue
        if event in EVENT_FILTERS:
            filters = EVENT_FILTERS[event]
        elif event in TYPES_ONLY_EVENTS:
            filters = ["types"]
        else:
            assert event in NO_FILTER_EVENTS, f"event {event!r}: say which filters it takes"
            filters = []
        # A filter key the event does not take: the validator says which events take it
        # (spec["filter-homes"]).
        mapping = {"map": {name: FILTER for name in filters}, "noun": f"the '{event}' event", "filters": True,
                   "what": "a map of filters (e.g. 'branches: [main]')" if filters else "empty"}
        if event == "workflow_run":
            mapping["required"] = ["workflows"]  # without it the event never fires (actionlint)
        defs[f"event:{event}"] = {"one-of": ["null", mapping]}
        events["map"][event] = f"event:{event}"
    defs.pop("event-without-filters", None)
    defs["filter"] = {"one-of": ["non-empty-string", {"seq": "non-empty-string"}], "what": "a pattern or a list of patterns"}

    # schedule: a list of {cron, timezone}; cron values are checked elsewhere.
    schedule = defs["event:schedule"]
    schedule["seq"]["noun"] = "a 'schedule' entry"
    schedule["what"] = "a list of cron entries (e.g. '- cron: \"0 4 * * *\"')"
    schedule["seq"]["map"]["cron"] = "non-empty-string"
    schedule["min"] = "add at least one '- cron:' entry; with none the schedule never fires"

    # workflow_dispatch: `inputs` (at most 25, typed; `type` defaults to string: SchemaStore
    # requires it); workflow_call: `inputs` (typed, `type` required), `outputs` (`value`
    # required), `secrets`. Defaults are checked by hand ("checks").
    dispatch = defs["event:workflow_dispatch"]
    mapping = next(part for part in dispatch["one-of"] if isinstance(part, dict) and "map" in part)
    mapping["noun"] = "the 'workflow_dispatch' event"
    mapping["filters"] = True
    mapping["map"]["inputs"]["noun"] = "the inputs of workflow_dispatch"
    mapping["map"]["inputs"]["checks"] = ["input-count"]
    dispatch["one-of"] = ["null", mapping]
    dispatch_input = defs["dispatch-input"]
    dispatch_input["map"]["type"] = {"enum": ["string", "boolean", "number", "choice", "environment"]}
    dispatch_input["map"]["options"] = {"seq": "string"}
    dispatch_input.pop("required", None)
    dispatch_input["checks"] = ["input-default", "choice-options"]
    dispatch_input["noun"] = "input"

    call = defs["event:workflow_call"]
    call_map = next(part for part in call["one-of"] if isinstance(part, dict) and "map" in part)
    call_map["noun"] = "the 'workflow_call' event"
    call_map["filters"] = True
    call_map.pop("values", None)  # SchemaStore leaves other keys open; GitHub's schema does not
    call["one-of"] = ["null", call_map]
    call_input = defs["call-input"]
    call_input["map"]["default"] = expr("string")  # GitHub: context github, inputs, vars
    call_input["map"]["type"] = {"enum": ["string", "boolean", "number"]}
    call_input["required"] = ["type"]
    call_input["checks"] = ["input-default"]
    call_input["noun"] = "input"
    call_input["hints"] = {"options": "'options' is for 'choice' inputs of workflow_dispatch; a workflow_call input is a string, boolean or number"}
    defs["call-output"]["map"]["value"] = expr("string")
    defs["call-output"]["noun"] = "output"
    defs["call-secret"] = {"one-of": ["null", {**defs["call-secret"], "noun": "secret"}]}
    for part in ("inputs", "outputs", "secrets"):
        call_map["map"][part]["noun"] = f"the {part} of workflow_call"
    # An empty value is refused where GitHub wants a map or a list (`env:` with nothing after
    # it: "Unexpected value ''"), except in the trigger definitions, which actionlint lets be
    # empty (`inputs:`, an input without settings) and nothing is lost by leaving so.
    for mapping_def in (call_map["map"]["inputs"], call_map["map"]["outputs"], call_map["map"]["secrets"],
                        mapping["map"]["inputs"], dispatch_input, call_input, defs["call-output"]):
        mapping_def["nullable"] = True

    # Jobs: a job that `uses:` a reusable workflow, or one that runs steps.
    defs["jobs"] = {"map": {}, "values": {"switch": [["uses", "reusable-job"]], "otherwise": "job",
                                          "what": "a map of job settings ('runs-on', 'steps', ...)"}, "noun": "'jobs'",
                    "min": "add at least one job (GitHub refuses a workflow without jobs)"}
    job = defs["job"]
    # GitHub's job-factory: cancel-timeout-minutes; `steps` is required (actionlint; a job
    # without steps fails). Expressions in every value GitHub gives a context.
    job["map"]["cancel-timeout-minutes"] = "number"
    job["required"] = ["runs-on", "steps"]
    job["noun"] = "job"
    job["map"]["name"] = expr("string")
    job["map"]["if"] = expr("string")
    job["map"]["continue-on-error"] = expr("boolean")
    job["map"]["cancel-timeout-minutes"] = expr("number")
    job["map"]["runs-on"] = expr("runs-on")
    job["map"]["concurrency"] = "concurrency"
    job["map"]["timeout-minutes"] = expr({"number": {"gt": 0}, "noun": "a number of minutes"})
    job["map"]["outputs"] = {"map": {}, "values": expr("string"), "noun": "'outputs'"}
    job["map"]["defaults"] = "job-defaults"
    job["map"]["steps"] = {"seq": "step", "noun": "'steps'"}
    job["hints"] = {
        "with": "'with' passes inputs to a reusable workflow, and this job has no 'uses:'",
        "secrets": "'secrets' passes secrets to a reusable workflow, and this job has no 'uses:'",
        "run": "a job does not run commands itself: put 'run:' in a step under 'steps:'",
        "shell": "'shell' is a step key (or 'defaults.run.shell' for the whole job)",
        "working-directory": "'working-directory' is a step key (or 'defaults.run.working-directory')",
        "on": "'on' is a top-level key of the workflow, not of a job",
        "matrix": "'matrix' goes under 'strategy:' ('strategy: {matrix: ...}')",
        "fail-fast": "'fail-fast' goes under 'strategy:'",
        "max-parallel": "'max-parallel' goes under 'strategy:'",
    }
    reusable = defs["reusable-job"]
    reusable_keys = {key: reusable["map"][key] for key in REUSABLE_JOB_KEYS}
    reusable_keys["uses"] = "non-empty-string"
    reusable_keys["name"] = expr("string")
    reusable_keys["if"] = expr("string")
    reusable_keys["concurrency"] = "concurrency"
    reusable_keys["with"] = {"map": {}, "values": expr("string"), "noun": "'with'"}
    reusable_keys["secrets"] = {"one-of": [{"enum": ["inherit"]}, {"map": {}, "values": expr("string"), "noun": "'secrets'"}]}
    defs["reusable-job"] = {
        "map": reusable_keys,
        "required": ["uses"],
        "noun": "job",
        "hints": {
            key: f"'{key}' is not available in a job that calls a reusable workflow ('uses:'): the called workflow's own jobs set it"
            for key in job["map"] if key not in reusable_keys
        },
    }
    defs["reusable-job"]["checks"] = ["job-uses"]  # SchemaStore's pattern: a path to a .yml/.yaml file
    defs["reusable-job"]["hints"]["steps"] = "a job that calls a reusable workflow ('uses:') has no 'steps': remove them or the 'uses:'"

    # strategy: GitHub gives it a context (expressions anywhere below), does not require
    # `matrix` (SchemaStore does), takes fail-fast as a boolean and max-parallel as a number.
    defs["strategy"] = {
        "map": {"matrix": "matrix", "fail-fast": "boolean", "max-parallel": {"number": {"ge": 0}}},  # 0: no limit
        "expr": True,
        "noun": "'strategy'",
        "hints": {"include": "'include' goes under 'strategy.matrix'", "exclude": "'exclude' goes under 'strategy.matrix'"},
    }
    # matrix: every key a list of values (or an expression), include/exclude lists of maps. Any
    # key name: its contents are checked elsewhere.
    combinations = {"seq": {"map": {}, "values": "any", "noun": "a matrix combination"}}
    defs["matrix"] = {
        "map": {"include": combinations, "exclude": combinations},
        "values": {"seq": "any", "noun": "a matrix variable"},
        "noun": "'matrix'",
    }
    defs.pop("matrix-value", None)

    # runs-on: a label, a list of labels, or {group, labels}; label values are checked elsewhere.
    no_labels = "name at least one runner label (e.g. 'ubuntu-latest'); with none the job never starts"
    defs["runs-on"] = {"one-of": ["non-empty-string", {"seq": "non-empty-string", "min": no_labels}, {
        "map": {"group": "non-empty-string",
                "labels": {"one-of": ["non-empty-string", {"seq": "non-empty-string", "min": no_labels}]}},
        "noun": "'runs-on'",
    }]}
    defs["needs"] = {"one-of": ["non-empty-string", {"seq": "non-empty-string"}]}

    # env: any names, scalar values (GitHub: string; numbers and booleans become strings).
    defs["env"] = {"map": {}, "values": "string", "noun": "'env'", "expr": True}  # every env has a context

    # concurrency: a group name or {group, cancel-in-progress, queue}.
    concurrency = defs["concurrency-map"]
    concurrency["map"]["cancel-in-progress"] = "boolean"
    concurrency["noun"] = "'concurrency'"
    defs["concurrency"] = {"one-of": ["string", "concurrency-map"], "expr": True}  # a context at both levels
    # environment: a name or {name, url, deployment}.
    environment = defs["environment-map"]
    environment["map"]["deployment"] = "boolean"
    environment["noun"] = "'environment'"
    job["map"]["environment"] = expr({"one-of": ["string", "environment-map"]})

    # defaults: {run: {shell, working-directory}}; the job's have a context, the workflow's not.
    run_defaults = defs["defaults"]["map"]["run"]
    run_defaults["noun"] = "'defaults.run'"
    defs["defaults"]["noun"] = "'defaults'"
    defs["defaults"]["hints"] = {
        key: f"'{key}' goes under 'defaults.run:'" for key in ("shell", "working-directory")
    }
    defs["job-defaults"] = copy.deepcopy(defs["defaults"])
    defs["job-defaults"]["map"]["run"] = expr(run_defaults)
    defs["shell"] = "non-empty-string"
    defs["working-directory"] = "non-empty-string"

    # container and services: an image name or a map; `ports` entries may be numbers.
    for name in ("container", "service"):
        container = defs[name]
        container["map"]["credentials"] = {
            "map": {"username": "non-empty-string", "password": "non-empty-string"},
            "noun": "'credentials'",
        }
        container["map"]["ports"] = {"seq": "non-empty-string"}
        container["map"]["volumes"] = {"seq": "non-empty-string"}
        container["noun"] = "'container'" if name == "container" else "service"
    # GitHub runs a job whose container is '' (or null, or a map without an image) on the
    # runner itself, so those are accepted; a map without `image` then silently does nothing
    # (a warning). A service container must have an image.
    job["map"]["container"] = expr({"one-of": ["string", "container"]})
    defs["container"]["warn-required"] = ["image"]
    job["map"]["services"] = expr({"map": {}, "values": {"one-of": ["non-empty-string", "service"]}, "noun": "'services'"})
    defs["container"]["hints"] = {
        key: f"'{key}' is only for service containers ('services:'), not the job container"
        for key in ("command", "entrypoint")
    }

    # permissions: 'read-all', 'write-all' or a map of scopes to levels; no expressions. Scopes
    # from SchemaStore plus GitHub's schema (`drives`); copilot-requests also takes 'none'.
    scopes = defs["permission-scopes"]
    scopes["map"].setdefault("drives", "permission-level")
    scopes["map"]["copilot-requests"] = {"enum": ["write", "none"]}
    scopes["noun"] = "'permissions'"
    scopes["map"] = dict(sorted(scopes["map"].items()))
    defs["permissions"] = {"one-of": [{"enum": ["read-all", "write-all"]}, "permission-scopes"], "noun": "'permissions'"}

    # Steps: by their kind, from GitHub's `steps-item` (run-step, regular-step, wait-step,
    # wait-all-step, cancel-step, parallel-step). SchemaStore has one map of all their keys.
    step = defs["step"]["map"]
    step["if"] = "string"
    step["with"] = {"map": {}, "values": "string", "noun": "'with'"}
    for key in ("name", "if", "run", "working-directory", "env", "with", "continue-on-error", "timeout-minutes"):
        ref = step[key]
        step[key] = expr({k: v for k, v in ref.items() if k != "expr"} if isinstance(ref, dict) and ref.get("expr") else ref)
    step["timeout-minutes"] = expr({"number": {"gt": 0}, "noun": "a number of minutes"})
    step["id"] = "non-empty-string"  # GitHub's step-id
    step["continue-on-error"] = expr("boolean")
    step["wait-all"] = {"one-of": ["null", "boolean"]}
    step["parallel"] = {"seq": "step", "noun": "'parallel'"}
    both = "a step either runs a script ('run') or an action ('uses'), not both: split it into two steps"
    run_hints = {
        "uses": both,
        "with": "'with' passes inputs to an action, and this step has no 'uses:' (a 'run' step reads 'env:')",
    }
    uses_hints = {
        "run": both,
        "shell": "'shell' only applies to 'run' steps",
        "working-directory": "'working-directory' only applies to 'run' steps",
    }
    step_hints = {
        key: f"'{key}' is a job key, not a step key"
        for key in ("runs-on", "needs", "strategy", "services", "container", "environment", "outputs", "permissions", "concurrency")
    }
    step_hints["args"] = "'args' goes under 'with:' (for a Docker action)"
    step_hints["entrypoint"] = "'entrypoint' goes under 'with:' (for a Docker action)"
    step_noun = "step"
    defs["run-step"] = pick(defs, "step", STEP_COMMON + ["run", "working-directory", "shell"], noun=step_noun, hints={**step_hints, **run_hints})
    defs["uses-step"] = pick(defs, "step", STEP_COMMON + ["uses", "with"], noun=step_noun, hints={**step_hints, **uses_hints})
    defs["uses-step"]["map"]["uses"] = "non-empty-string"
    defs["uses-step"]["checks"] = ["step-uses"]  # a reusable workflow in a step fails when it runs
    defs["wait-step"] = pick(defs, "step", ["name", "id", "continue-on-error", "wait"], noun=step_noun)
    defs["wait-all-step"] = pick(defs, "step", ["name", "id", "continue-on-error", "wait-all"], noun=step_noun)
    defs["cancel-step"] = pick(defs, "step", ["name", "id", "continue-on-error", "cancel"], noun=step_noun)
    defs["parallel-step"] = pick(defs, "step", ["parallel"], noun=step_noun)
    defs["step"] = {
        "switch": [["run", "run-step"], ["uses", "uses-step"], ["wait", "wait-step"], ["wait-all", "wait-all-step"],
                   ["cancel", "cancel-step"], ["parallel", "parallel-step"]],
        "missing": "run",
        "noun": "step",
    }
    defs["snapshot"]["one-of"][1]["map"]["if"] = expr("string")
    defs["snapshot"]["one-of"][1]["map"]["image-name"] = "non-empty-string"  # GitHub's snapshot-mapping
    defs["snapshot"]["one-of"][1]["map"]["version"] = "non-empty-string"
    defs["snapshot"]["one-of"][0] = "non-empty-string"
    defs["snapshot"]["one-of"][1]["noun"] = "'snapshot'"

    # A filter GitHub does not know is ignored: the Actions service reads `on` with its loose
    # `on-mapping` (any key, any value; actions/runner src/Sdk/WorkflowParser/workflow-v1.0.json,
    # `workflow-root`), except `workflow_call`, whose keys it checks. So an unknown key in an
    # event's map does not make GitHub refuse the workflow (helm/helm's `create: {tags: ...}`
    # runs): warnings. The keys of a workflow_dispatch input are checked by its converter.
    for name, value in defs.items():
        if name.startswith("event:") and name != "event:workflow_call":
            for part in value.get("one-of", []):
                if isinstance(part, dict) and part.get("filters"):
                    part["lenient"] = True
    for name, what in WORKFLOW_WHAT.items():
        target = defs[name]
        if isinstance(target, str):
            defs[name] = target = {"one-of": [target]}
        target["what"] = what
    job["map"]["steps"]["what"] = "a list of steps"
    job["map"]["outputs"]["what"] = "a map of output names to values"
    job["map"]["services"]["one-of"][0]["what"] = "a map of service names to containers"
    reusable_keys["with"]["what"] = "a map of input names to values"
    reusable_keys["secrets"]["one-of"][1]["what"] = "a map of secret names to values"
    defs["uses-step"]["map"]["with"]["one-of"][0]["what"] = "a map of input names to values"
    combinations["what"] = "a list of maps"
    combinations["seq"]["what"] = "a map of matrix variables to values"
    defs["matrix"]["values"]["what"] = "a list of values"
    return defs


WORKFLOW_WHAT = {
    "on": "an event name, a list of events or a map of events",
    "events": "a map of events",
    "jobs": "a map of job ids to jobs",
    "step": "a map (e.g. '- uses: actions/checkout@v4' or '- run: make')",
    "env": "a map of variable names to values",
    "permission-scopes": "a map of scopes to levels (e.g. 'contents: read')",
    "matrix": "a map of matrix variables to lists of values",
    "runs-on": "a runner label, a list of labels or a map with 'group' or 'labels'",
    "needs": "a job id or a list of job ids",
    "container": "a map with 'image'",
    "service": "a map with 'image'",
    "concurrency": "a group name or a map with 'group'",
    "environment-map": "a map with 'name'",
    "strategy": "a map with 'matrix', 'fail-fast' or 'max-parallel'",
    "defaults": "a map with 'run'",
    "job-defaults": "a map with 'run'",
    "dispatch-input": "a map of the input's settings ('type', 'description', 'default', ...)",
    "call-input": "a map of the input's settings ('type', 'description', 'default', ...)",
    "call-output": "a map with 'value'",
}


# --- Overlay: actions -------------------------------------------------------------------------

ACTION_NAMES = {
    "#": "action",
    "#/definitions/runs-javascript": "runs-node",
    "#/definitions/runs-composite": "runs-composite",
    "#/definitions/runs-docker": "runs-docker",
    "#/properties/inputs/patternProperties/^[_a-zA-Z][a-zA-Z0-9_-]*$": "input",
    "#/properties/branding": "branding",
    "#/definitions/runs-composite/properties/steps/items": "composite-step-keys",
    "#/definitions/outputs-composite/patternProperties/^[_a-zA-Z][a-zA-Z0-9_-]*$": "composite-output",
}


def overlay_action(defs: dict) -> dict:
    defs = copy.deepcopy(defs)
    action = defs["action"]
    action["noun"] = "the action"
    # `runs` by `using` (SchemaStore: oneOf of the three shapes). node12/node16 are still
    # accepted by the parser (the runner runs them on a newer Node, with a warning).
    node = defs["runs-node"]
    usings = {name: "runs-node" for name in node["map"]["using"]["enum"]}
    usings["docker"] = "runs-docker"
    usings["composite"] = "runs-composite"
    action["map"]["runs"] = {"switch-value": "using", "cases": usings, "noun": "'runs'"}
    for name in ("runs-node", "runs-docker", "runs-composite"):
        defs[name]["map"]["using"] = "non-empty-string"
        defs[name]["noun"] = "'runs'"
    runs_keys = set().union(*(defs[name]["map"] for name in ("runs-node", "runs-docker", "runs-composite")))
    for name in ("runs-node", "runs-docker", "runs-composite"):
        using = "composite" if name == "runs-composite" else "docker" if name == "runs-docker" else "node"
        defs[name]["hints"] = {
            key: f"'{key}' does not apply to a {using} action" for key in sorted(runs_keys - set(defs[name]["map"]))
        }
    for key in ("pre-if", "post-if"):
        for name in ("runs-node", "runs-docker"):
            defs[name]["map"][key] = expr("string")
    defs["runs-node"]["checks"] = ["pre-post"]  # pre-if needs pre, post-if needs post (actionlint)
    docker = defs["runs-docker"]["map"]
    docker["args"] = {"seq": expr("string")}
    docker["env"] = expr({"map": {}, "values": "string", "noun": "'env'", "what": "a map of variable names to values"})
    defs.pop("pre-if", None)
    defs.pop("post-if", None)

    # Composite steps: a `run` step (needs `shell`) or a `uses` step; no timeout-minutes (the
    # runner's action_yaml.json; SchemaStore has one map for both and does not require shell).
    keys = defs["composite-step-keys"]["map"]
    for key in ("name", "if", "run", "shell", "working-directory", "with"):
        keys[key] = expr("string") if key != "with" else expr({"map": {}, "values": "string", "noun": "'with'", "what": "a map of input names to values"})
    keys["continue-on-error"] = expr("boolean")
    keys["env"] = expr({"map": {}, "values": "string", "noun": "'env'", "what": "a map of variable names to values"})
    keys["id"] = "non-empty-string"
    keys["uses"] = "non-empty-string"
    both = "a step either runs a script ('run') or an action ('uses'), not both: split it into two steps"
    common = ["name", "id", "if", "env", "continue-on-error"]
    hints = {"timeout-minutes": "composite action steps do not take 'timeout-minutes' (set it on the workflow step that uses the action)"}
    defs["composite-run-step"] = pick(defs, "composite-step-keys", common + ["run", "shell", "working-directory"],
                                      noun="step", required=["shell"],
                                      hints={**hints, "uses": both, "with": "'with' passes inputs to an action, and this step has no 'uses:'"})
    defs["composite-uses-step"] = pick(defs, "composite-step-keys", common + ["uses", "with"], noun="step",
                                       hints={**hints, "run": both, "shell": "'shell' only applies to 'run' steps",
                                              "working-directory": "'working-directory' only applies to 'run' steps"})
    del defs["composite-step-keys"]
    defs["runs-composite"]["map"]["steps"] = {
        "seq": {"switch": [["run", "composite-run-step"], ["uses", "composite-uses-step"]], "missing": "run", "noun": "step"},
        "noun": "'steps'",
    }

    # The runner accepts any top-level key (its `action-root` has loose keys) and does not need
    # `name` or `description` (the Marketplace does): warnings.
    action["lenient"] = True
    action["warn-required"] = ["name", "description"]
    action["what"] = "a map"
    # Inputs: the runner reads `default` (an expression is allowed) and nothing else; SchemaStore
    # requires a description and a boolean `required`. Descriptions are documentation, so their
    # absence is not reported; `required: 'true'` (a string) works the same, so any scalar goes.
    # Unknown keys (`type:`, `options:`) are reported: the runner ignores them.
    input_def = defs["input"]
    input_def.pop("required", None)
    input_def["map"]["required"] = "string"
    input_def["map"]["default"] = expr("string")
    input_def["noun"] = "input"
    input_def["lenient"] = True  # the runner's `input` has loose keys: unknown ones are ignored
    input_def["what"] = "a map of the input's settings ('description', 'required', 'default')"
    input_def["hints"] = {
        "type": "action inputs have no type: every input is a string (remove 'type:' or describe it in 'description')",
        "options": "action inputs have no 'options': every input is a string (list the values in 'description')",
    }
    action["map"]["inputs"] = {"map": {}, "values": "input", "noun": "'inputs'", "nullable": True}
    input_def["nullable"] = True
    # Outputs: a composite action's need `value` (they are empty without one); description is
    # documentation. Other actions set outputs from their code (`value` is ignored).
    output = defs["composite-output"]
    output["map"]["value"] = expr("string")
    output["required"] = ["value"]
    output["noun"] = "output"
    defs["output"] = {"map": {"description": "string", "value": expr("string")}, "noun": "output", "nullable": True}
    action["map"]["outputs"] = {"map": {}, "values": "output", "noun": "'outputs'", "checks": ["composite-outputs"], "nullable": True}
    defs.pop("outputs", None)
    defs.pop("outputs-composite", None)
    defs["branding"]["noun"] = "'branding'"
    for name in ("composite-run-step", "composite-uses-step"):
        defs[name]["what"] = "a map (e.g. '- uses: actions/checkout@v4' or '- run: make')"
    defs["runs-composite"]["map"]["steps"]["seq"]["what"] = "a map (e.g. '- uses: actions/checkout@v4' or '- run: make')"
    defs["runs-composite"]["map"]["steps"]["what"] = "a list of steps"
    return defs


# --- Driver ---------------------------------------------------------------------------------


def reachable(defs: dict, root: str) -> dict:
    seen: set[str] = set()
    todo = [root]
    while todo:
        name = todo.pop()
        if name in seen or name in BUILTINS:
            continue
        assert name in defs, f"undefined def {name!r}"
        seen.add(name)
        todo.extend(_references(defs[name]))
    return {name: defs[name] for name in sorted(seen)}


def _references(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("map", "cases"):
                for sub in item.values():
                    found.extend(_references(sub))
            elif key in ("values", "seq", "otherwise"):
                found.extend(_references(item))
            elif key == "one-of":
                for sub in item:
                    found.extend(_references(sub))
            elif key == "switch":
                for _, sub in item:
                    found.extend(_references(sub))
    return found


def build(schema: dict, names: dict, overlay, root: str, source: str) -> dict:
    defs = Converter(schema, names).convert_root()
    defs = reachable(overlay(defs), root)
    spec = {"about": source, "root": root, "defs": defs}
    if root == "workflow":
        spec["filter-homes"] = FILTER_HOMES
    return spec


def dump(spec: dict) -> str:
    lines = [f'{{"about": {json.dumps(spec["about"])},', f'"root": {json.dumps(spec["root"])},']
    for key, value in spec.items():
        if key not in ("about", "root", "defs"):
            lines.append(f"{json.dumps(key)}: {json.dumps(value, sort_keys=True, separators=(',', ':'))},")
    lines.append('"defs": {')
    items = list(spec["defs"].items())
    for index, (name, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"{json.dumps(name)}: {json.dumps(value, sort_keys=True, separators=(',', ':'))}{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def generate(directory: Path) -> dict[str, str]:
    """{output file name: text} from the two schemas in `directory`."""
    outputs = {}
    for file_name, schema_name, names, overlay, root in (
        ("workflow-syntax.json", WORKFLOW_SCHEMA, None, overlay_workflow, "workflow"),
        ("action-syntax.json", ACTION_SCHEMA, ACTION_NAMES, overlay_action, "action"),
    ):
        raw = (directory / schema_name).read_bytes()
        schema = json.loads(raw)
        digest = hashlib.sha256(raw).hexdigest()
        source = (f"Generated by scripts/gen_workflow_syntax.py from SchemaStore's {schema_name} "
                  f"(sha256 {digest}, as vendored by check-jsonschema) and its overlay. Do not edit.")
        spec = build(schema, names or workflow_names(schema), overlay, root, source)
        outputs[file_name] = dump(spec)
    return outputs


def installed_schemas() -> Path:
    import check_jsonschema  # noqa: F401  (a development dependency only)

    return Path(check_jsonschema.__file__).resolve().parent / "builtin_schemas" / "vendor"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", type=Path, help="directory holding github-workflows.json and github-actions.json")
    parser.add_argument("--installed", action="store_true", help="read the schemas of the installed check-jsonschema")
    parser.add_argument("--check", action="store_true", help="do not write: exit 1 when the data files differ")
    parser.add_argument("--out", type=Path, default=OUT, help="output directory (default: cicdlint/data)")
    args = parser.parse_args(argv)
    directory = installed_schemas() if args.installed else (args.directory or VENDORED)
    outputs = generate(directory)
    stale = []
    for name, text in outputs.items():
        path = args.out / name
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(name)
            if not args.check:
                path.write_text(text, encoding="utf-8", newline="\n")
    if args.check and stale:
        print(f"stale: {', '.join(stale)}; run python scripts/gen_workflow_syntax.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
