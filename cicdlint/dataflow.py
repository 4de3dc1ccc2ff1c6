"""Where text comes from: values followed through a workflow or a composite action.

`of(ctx)` (or `for_document(doc, view)`) gives the document's `DataFlow`, built on first use and
kept on the view, so every rule shares one. It answers "what can this hold, and how did it get
here?" for

- an expression (`flow.expression(expression, step)`) or a context path (`flow.context(path, step)`),
- a shell variable at a point of a script (`flow.script(step, scalar).variable(name, offset)`),
- the text written to `$GITHUB_ENV` / `$GITHUB_OUTPUT` / `$GITHUB_PATH` (`ScriptFlow.entries`,
  `ScriptFlow.pieces`).

The answer is an `Origin`: a level (`untrusted`: an outsider writes it; `unknown`: not constant,
set by people with some access, such as workflow inputs; `opaque`: computed at run time where we
cannot see; `safe`), the source (a context path such as `github.event.issue.title`, or a
description), and the hops from what was asked about back to the source, each with the node that
makes it (`env.TITLE` is set in the job's `env:`; `steps.meta.outputs.title` is written to
`$GITHUB_OUTPUT` by step 'meta'; `$T` is assigned in the script).

Values are followed through `env:` at workflow, job and step level and `$GITHUB_ENV` writes of
earlier steps; matrices (`matrix: ${{ fromJSON(...) }}`, expressions in matrix values and
`include`); step outputs written by `run:` scripts (`>> $GITHUB_OUTPUT`, `tee -a`, `printf`,
`::set-output`) or by actions known to copy an input to an output or to return text an outsider
writes (`cicdlint/data/action-dataflow.json`); job outputs (`needs.JOB.outputs.NAME`); and shell
variables of the same script (assignments, `for` loops, `read <<<`, PowerShell `$x = ...`, cmd
`set X=...`). How far to trust a context comes from `cicdlint.contexts.classify`; a field that none
of the workflow's triggers delivers is empty (safe).

Every answer is cached on the `DataFlow`, so the work is linear in the size of the document; a
cycle (hostile input) or a chain of more than MAX_DEPTH hops ends in an opaque origin. Never raises
on odd shapes.
"""
from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache

from . import lazyre
from .contexts import classify, delivered
from .envfiles import entries, writes
from .expressions import find_expressions
from .model import as_map, as_seq, env_vars
from .shell import parse, unquote, variable_refs
from .triggers import trigger_config
from .yamlpos import Map, Scalar, Seq

LEVELS = {"safe": 0, "opaque": 1, "unknown": 2, "untrusted": 3}
MAX_DEPTH = 24
SAFE_INPUT_TYPES = ("boolean", "number", "choice")
MULTILINE_LEAVES = ("body", "message", "description")
# classify()'s answers for paths it has no entry for: not constant, but nothing says who sets them.
UNCLASSIFIED = ("an event field with no known trust level", "a context with no known trust level")
# Variables the runner sets, as the contexts they copy.
RUNNER_VARIABLES = {
    "GITHUB_HEAD_REF": "github.head_ref",
    "GITHUB_BASE_REF": "github.base_ref",
    "GITHUB_REF": "github.ref",
    "GITHUB_REF_NAME": "github.ref_name",
    "GITHUB_ACTOR": "github.actor",
    "GITHUB_TRIGGERING_ACTOR": "github.triggering_actor",
    "GITHUB_REPOSITORY": "github.repository",
    "GITHUB_REPOSITORY_OWNER": "github.repository_owner",
    "GITHUB_EVENT_NAME": "github.event_name",
    "GITHUB_SHA": "github.sha",
    "GITHUB_WORKFLOW": "github.workflow",
    "GITHUB_JOB": "github.job",
}
# Shell variables nobody outside chooses.
SAFE_SHELL_VARIABLES = frozenset(
    ("HOME", "PATH", "PWD", "OLDPWD", "RANDOM", "SECONDS", "LINENO", "HOSTNAME", "USER", "SHELL", "TMPDIR", "CI",
     "UID", "EUID", "PPID", "BASHPID", "IFS", "OSTYPE", "MACHTYPE", "TEMP", "TMP", "USERPROFILE", "RUNNER_TEMP")
)
# Commands that pass the text they read on (in `$(echo "$X" | cut -d' ' -f1)`), and options that
# make some of them print something else (a count, a yes/no, only what a pattern allows).
PASS_THROUGH = frozenset(
    ("echo", "printf", "cat", "head", "tail", "cut", "sed", "awk", "tr", "xargs", "jq", "yq", "grep", "sort", "uniq",
     "fold", "rev", "tee", "envsubst", "base64", "fmt", "paste", "column")
)
_SANITISING = lazyre.compile(r"\[\^|\[:(?:alnum|alpha|digit):\]|(?:^|\s)-(?:[a-z]*c[a-z]*d|[a-z]*d[a-z]*c)\b|(?:^|\s)-[a-zA-Z]*[cqo]\b")

# Text a command substitution fetches from GitHub that an outsider writes.
_FETCH = lazyre.compile(r"\b(?:gh|jq|curl|git)\b")
_FETCHED_FIELD = lazyre.compile(
    r"""(?:--json\s+[\w,]*\b|--jq\s+["']?\.|jq\s+(?:-\w+\s+)*["']?[\w\[\]]*\.)(title|body|headRefName|message)\b"""
)
# Where a pull request's or an issue's text comes from (not a milestone or a release).
_FETCH_SOURCE = lazyre.compile(r"\bgh\s+(?:pr|issue)\s+(?:view|list)\b|/pulls\b|/issues\b|\bpulls\.get\b")
_COMMIT_TEXT = lazyre.compile(r"\bgit\s+(?:log|show)\b[^)]*--(?:pretty|format)=(?:format:)?[^)]*%(?:s|b|B|an|ae|cn|ce)")


# --- answers ---------------------------------------------------------------------------------------


class Hop:
    """One step on the way from what was asked about to the source: `what` (`env.TITLE`, `$T`,
    `steps.meta.outputs.title`) is `how` (set in the job's `env:`), at `node` (a YAML node, or
    part of a scalar's text when `offset` is set)."""

    __slots__ = ("what", "how", "node", "offset", "length")

    def __init__(self, what: str, how: str, node=None, offset: int | None = None, length: int | None = None):
        self.what, self.how, self.node, self.offset, self.length = what, how, node, offset, length

    def describe(self) -> str:
        return f"{self.what} is {self.how}"

    def span(self, doc):
        """The hop's span in `doc` (None when it has no node)."""
        if self.node is None:
            return None
        if self.offset is not None and isinstance(self.node, Scalar):
            return doc.composed.locate(self.node, self.offset, max(1, self.length or 1))
        return doc.span_of(self.node)

    def __repr__(self) -> str:
        return f"Hop({self.describe()!r})"


class Origin:
    """Where a value comes from (see the module docstring). `who` says who controls a source that
    is not a context path; `multiline`, whether the text can hold a line break; `events`, the
    triggers that deliver it when not every trigger does (None: any)."""

    __slots__ = ("level", "source", "reason", "hops", "who", "multiline", "events")

    def __init__(self, level: str, source: str = "", reason: str = "", hops: tuple = (), who: str = "",
                 multiline: bool = False, events: tuple | None = None):
        self.level, self.source, self.reason, self.hops = level, source, reason, tuple(hops)
        self.who, self.multiline, self.events = who, multiline, events

    def via(self, what: str, how: str, node=None, offset: int | None = None, length: int | None = None) -> "Origin":
        """This origin, reached through one more hop (added in front)."""
        if self.level == "safe":
            return self
        return Origin(self.level, self.source or what, self.reason, (Hop(what, how, node, offset, length), *self.hops),
                      self.who, self.multiline, self.events)

    def trail(self) -> str:
        """"env.TITLE is set in the job's `env:`, ...": how the text gets from the source to here."""
        return ", ".join(hop.describe() for hop in self.hops)

    @property
    def untrusted(self) -> bool:
        return self.level == "untrusted"

    def __repr__(self) -> str:
        return f"Origin({self.level!r}, {self.source!r}, hops={[hop.what for hop in self.hops]})"


SAFE = Origin("safe")
COMPUTED = Origin("opaque", "", "computed at run time")
CYCLE = Origin("opaque", "", "defined in terms of itself (or too many hops to follow)")


def worse(origin: Origin | None, other: Origin | None) -> Origin | None:
    """The less trusted of two origins (the first one on a tie)."""
    if other is None:
        return origin
    if origin is None or LEVELS[other.level] > LEVELS[origin.level]:
        return other
    return origin


def worst(origins) -> Origin:
    found = SAFE
    for origin in origins:
        found = worse(found, origin)
    return found


class Piece:
    """A part of a script's text whose value is expanded: `${{ }}`, `$VAR`, `$(...)`. Offsets are
    in the script; `shown` is the text as written."""

    __slots__ = ("start", "end", "shown", "origin", "kind")

    def __init__(self, start: int, end: int, shown: str, origin: Origin, kind: str):
        self.start, self.end, self.shown, self.origin, self.kind = start, end, shown, origin, kind

    def __repr__(self) -> str:
        return f"Piece({self.shown!r}, {self.origin!r})"


class Assignment:
    """`NAME=value` (kind "assign"), `for NAME in ...` ("loop") or `read NAME <<< ...` ("read") in
    a script: `value` is the assigned text, at `value_offset` in the script; `conditional` when it
    may not run (inside `if`, `case` or a loop, or after `&&` / `||`)."""

    __slots__ = ("name", "offset", "value", "value_offset", "kind", "conditional")

    def __init__(self, name: str, offset: int, value: str, value_offset: int, kind: str, conditional: bool = False):
        self.name, self.offset, self.value, self.value_offset, self.kind = name, offset, value, value_offset, kind
        self.conditional = conditional


# --- the table of actions ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def action_table() -> dict:
    """cicdlint/data/action-dataflow.json: code inputs, outputs that copy inputs, outputs that hold
    an outsider's text. Loaded once, on first use."""
    from .datafiles import load

    table = load("action-dataflow.json")
    return {key: value for key, value in table.items() if not key.startswith("_")}


def code_inputs(action_name: str | None) -> dict[str, str]:
    """The inputs of an action (`owner/repo[/path]`, lower case) that are code: name -> language
    ("js", "shell", "pwsh", "python", "ssh", "yq", "template"). Input names are lower case."""
    if not action_name:
        return {}
    return action_table()["code_inputs"].get(action_name.lower(), {})


def _output_rule(table: dict, name: str):
    """The table entry for an output name: exact, `prefix*` or `*suffix` (case-insensitive)."""
    lowered = name.lower()
    if lowered in table:
        return table[lowered]
    for pattern, value in table.items():
        if pattern == "*" or (pattern.endswith("*") and lowered.startswith(pattern[:-1])) or (
            pattern.startswith("*") and lowered.endswith(pattern[1:])
        ):
            return value
    return None


# --- the flow of one document --------------------------------------------------------------------


def of(ctx) -> "DataFlow":
    """The data flow of the document a rule is checking (built once per document)."""
    view = ctx.workflow if ctx.doc.kind == "workflow" else ctx.action if ctx.doc.kind == "action" else None
    return for_view(view)


def for_view(view) -> "DataFlow":
    """The DataFlow of a Workflow or Action view, cached on the view."""
    memo = view.__dict__
    flow = memo.get("_dataflow")
    if flow is None:
        flow = memo["_dataflow"] = DataFlow(view)
    return flow


def _label(step) -> str:
    return f"'{step.id}'" if step.id else f"'{step.name}'" if step.name else f"{step.index + 1}"


def _dialect(step, scalar, where: str) -> str:
    if where != "run":
        return "sh"
    shell = step.shell
    if shell is None and step.job is not None:
        nodes = step.job.run_defaults("shell") if hasattr(step.job, "run_defaults") else []
        shell = next((node.value for node in nodes if isinstance(node, Scalar)), None)
    if shell:
        first = shell.split()[0].lower().rsplit("/", 1)[-1] if shell.split() else ""
        if first in ("pwsh", "powershell"):
            return "pwsh"
        if first == "cmd":
            return "cmd"
        if first.startswith("python"):
            return "python"
        return "sh"
    if step.job is not None and any("windows" in label.lower() for label in step.job.runner_labels):
        return "pwsh"
    return "sh"


class DataFlow:
    """The data flow of one workflow (or composite action); see the module docstring."""

    def __init__(self, view):
        from .model import Workflow

        self.view = view
        self.doc = view.doc
        self.workflow = view if isinstance(view, Workflow) else None
        self.triggers = list(view.triggers) if self.workflow is not None else None
        self._cache: dict = {}
        self._active: set = set()
        self._depth = 0
        self._jobs: dict | None = None
        self._step_ids: dict = {}
        self._env_writes: dict = {}
        self._scripts: dict = {}

    # --- public ---------------------------------------------------------------------------------

    def expression(self, expression, step=None, job=None, stage: str = "step") -> Origin:
        """The least trusted origin of what an expression expands to (SAFE when no context flows)."""
        job = job if job is not None else (step.job if step is not None else None)
        found = SAFE
        for path in expression.flowing_contexts():
            found = worse(found, self.context(path, step, job, stage))
        return found

    def text(self, value: str, step=None, job=None, stage: str = "step") -> Origin:
        """The least trusted origin of the expressions in a string (an env value, an input)."""
        if "${{" not in value:
            return SAFE
        return worst(self.expression(expression, step, job, stage) for expression in find_expressions(value))

    def context(self, path: str, step=None, job=None, stage: str = "step") -> Origin:
        """The origin of a normalised context path read at `step` (or in `job` outside its steps).

        stage says which `env` is visible: "step" (the step's own `env:` too), "step-env" (while
        the step's `env:` is evaluated), "job", "workflow", or "job-end" (job outputs)."""
        job = job if job is not None else (step.job if step is not None else None)
        parts = path.split(".")
        head = parts[0]
        if head == "env" and len(parts) >= 2 and parts[1] != "*":
            return self.env(parts[1], step, job, stage, exact=False)
        if head == "steps" and len(parts) >= 4 and parts[2] == "outputs" and parts[1] != "*":
            if parts[3] == "*":
                return Origin("opaque", path, "all the outputs of a step")
            return self.step_output(parts[1], parts[3], step, job)
        if head == "steps" and len(parts) >= 2 and len(parts) < 4 and classify(path).level != "safe":
            return Origin("opaque", path, "a step's outputs")
        if head in ("needs", "jobs") and len(parts) >= 4 and parts[2] == "outputs" and parts[1] != "*":
            if parts[3] == "*":
                return Origin("opaque", path, "all the outputs of a job")
            return self.job_output(parts[1], parts[3])
        if head == "inputs" and len(parts) >= 2 and parts[1] != "*":
            return self.input(parts[1])
        if path.startswith("github.event.inputs.") and len(parts) >= 4 and parts[3] != "*":
            return self.input(parts[3], dispatch=True)
        if head == "matrix":
            if job is None:
                return SAFE
            key = parts[1] if len(parts) > 1 and parts[1] != "*" else None
            return self.matrix(job, key)
        return self._classified(path)

    def script(self, step, scalar: Scalar, where: str = "run") -> "ScriptFlow":
        """The flow of one script of a step (its `run:`, an SSH `script:`, a code input)."""
        key = id(scalar)
        found = self._scripts.get(key)
        if found is None:
            found = self._scripts[key] = ScriptFlow(self, step, scalar, _dialect(step, scalar, where))
        return found

    # --- memo -----------------------------------------------------------------------------------

    def _memo(self, key, compute) -> Origin:
        found = self._cache.get(key)
        if found is not None:
            return found
        if key in self._active or self._depth >= MAX_DEPTH:
            return CYCLE
        self._active.add(key)
        self._depth += 1
        try:
            result = compute()
        finally:
            self._active.discard(key)
            self._depth -= 1
        self._cache[key] = result
        return result

    # --- contexts -------------------------------------------------------------------------------

    def _classified(self, path: str) -> Origin:
        verdict = classify(path)
        head = path.split(".", 1)[0]
        if verdict.level == "untrusted":
            if self.triggers is not None and not delivered(path, self.triggers):
                return SAFE  # none of the workflow's events has this field: it is empty
            leaf = path.rsplit(".", 1)[-1]
            multiline = leaf in MULTILINE_LEAVES or path.endswith("changes.body.from") or verdict.reason.startswith("an object")
            return Origin("untrusted", path, verdict.reason, multiline=multiline)
        if verdict.level == "unknown" and (head in ("steps", "needs", "jobs", "env") or verdict.reason in UNCLASSIFIED):
            return Origin("opaque", path, verdict.reason)
        if verdict.level == "safe":
            return SAFE
        return Origin(verdict.level, path, verdict.reason)

    def input(self, name: str, dispatch: bool = False) -> Origin:
        path = f"github.event.inputs.{name}" if dispatch else f"inputs.{name}"
        if self.workflow is None:
            return Origin("unknown", path, "an input of the action: its caller chooses the text")
        kind = _input_kind(self.workflow, name, dispatch)
        if kind in SAFE_INPUT_TYPES:
            return SAFE
        if dispatch:
            return Origin("unknown", path, "a workflow_dispatch input: whoever runs the workflow chooses the text")
        return Origin("unknown", path, "a workflow input: whoever runs or calls the workflow chooses the text")

    # --- env ------------------------------------------------------------------------------------

    def env(self, name: str, step=None, job=None, stage: str = "step", exact: bool = False) -> Origin:
        """`env.NAME` (exact=False, as expressions read it) or `$NAME` (exact=True) at a step."""
        found = self._env(name, step, job, stage, exact)
        if found is None:
            return Origin("opaque", f"env.{name}", "an environment variable set at run time")
        return found

    def _env(self, name: str, step, job, stage: str, exact: bool, shown: str = "") -> Origin | None:
        """None when nothing in the document sets the variable. `shown`: how the hop names it
        ("$NAME", "$env:NAME", "%NAME%"; default `env.NAME`, or `$NAME` when exact)."""
        job = job if job is not None else (step.job if step is not None else None)
        what = shown or (f"${name}" if exact else f"env.{name}")
        if step is not None and stage == "step":
            own = _lookup(env_vars(step.node.get("env"), "step"), name, exact)
            if own is not None:
                return self._env_value(own, what, job, step)
        variable = None
        if job is not None and stage in ("step", "step-env", "job-end"):
            variable = _lookup(job.env, name, exact)
        elif stage == "job" and self.workflow is not None:
            variable = _lookup(self.workflow.env, name, exact)
        found = self._env_value(variable, what, job, step) if variable is not None else None
        if stage in ("step", "step-env", "job-end"):
            container = job if job is not None else (step.action if step is not None else None)
            if container is not None:
                index = step.index if step is not None and stage != "job-end" else None
                found = worse(found, self._writes_of(container).before(name, index, exact))
        return found

    def _env_value(self, variable, what: str, job, step) -> Origin:
        # Name the variable as the environment spells it (`env.title` reads TITLE).
        if what.startswith("env."):
            what = f"env.{variable.name}"
        elif what.startswith("$env:"):
            what = f"$env:{variable.name}"
        elif what.startswith("%"):
            what = f"%{variable.name}%"
        else:
            what = f"${variable.name}"
        node = variable.value
        how = f"set in the {variable.level}'s `env:`"
        if not isinstance(node, Scalar):
            return Origin("opaque", what, "an `env:` value that is not text")
        if "${{" not in node.value:
            return SAFE
        # A value is evaluated where it is set: a step's `env:` sees the job's, the job's sees the workflow's.
        scope = {"step": (job, step, "step-env"), "job": (job, None, "job")}.get(variable.level, (None, None, "workflow"))
        key = ("env", id(node), id(scope[1]) if scope[1] is not None else id(scope[0]))
        found = self._memo(key, lambda: self.text(node.value, scope[1], scope[0], scope[2]))
        return found.via(what, how, node)

    def _writes_of(self, container) -> "_EnvWrites":
        found = self._env_writes.get(id(container))
        if found is None:
            found = self._env_writes[id(container)] = _EnvWrites(self, container)
        return found

    # --- steps and jobs -------------------------------------------------------------------------

    def _steps_by_id(self, container) -> dict:
        found = self._step_ids.get(id(container))
        if found is None:
            steps = container.steps if hasattr(container, "workflow") else container.steps()
            found = {}
            for candidate in steps:
                if candidate.id is not None:
                    found.setdefault(candidate.id.lower(), candidate)
            self._step_ids[id(container)] = found
        return found

    def step_output(self, step_id: str, name: str, step=None, job=None) -> Origin:
        path = f"steps.{step_id}.outputs.{name}"
        container = job if job is not None else (step.action if step is not None else None)
        producer = self._steps_by_id(container).get(step_id.lower()) if container is not None else None
        if producer is None:
            return Origin("opaque", path, "a step output")
        return self._memo(("step-output", id(producer), name.lower()), lambda: self._step_output(producer, path, name))

    def _step_output(self, producer, path: str, name: str) -> Origin:
        if producer.run is not None:
            flow = self.script(producer, producer.run)
            found = None
            for entry in flow.entries("GITHUB_OUTPUT"):
                if entry.name.lower() == name.lower():
                    found = worse(found, flow.entry_origin(entry))
            for origin in flow.unmatched_origins("GITHUB_OUTPUT"):
                if origin.untrusted:  # the text can hold any `NAME=value` line
                    found = worse(found, origin.via("a line", "written whole to $GITHUB_OUTPUT, so its text chooses the outputs"))
            if found is None:
                return Origin("opaque", path, "a step output")
            return found.via(path, f"written to $GITHUB_OUTPUT by step {_label(producer)}", producer.run)
        action = producer.action_name
        if action is None:
            return Origin("opaque", path, "an output of an action")
        table = action_table()
        copies = _output_rule(table["echo_outputs"].get(action, {}), name)
        if copies:
            inputs = producer.with_
            found = SAFE
            for input_name in copies:
                value = _lookup_map(inputs, input_name) if inputs is not None else None
                if isinstance(value, Scalar):
                    origin = self.text(value.value, producer, producer.job, "step")
                    found = worse(found, origin.via(f"the `{input_name}` input", f"passed to step {_label(producer)}", value))
            return found.via(path, f"an output of {action}, which copies its input", producer.node.get("uses"))
        source = _output_rule(table["source_outputs"].get(action, {}), name)
        if source:
            origin = self._action_source(producer, action, source, name)
            return origin.via(path, f"an output of {action}", producer.node.get("uses"))
        return Origin("opaque", path, f"an output of {action}")

    def _action_source(self, producer, action: str, source: dict, name: str) -> Origin:
        """An output of an action that returns text an outsider writes (see the table's comment)."""
        what, who = source.get("what", "an output"), source.get("who", "")
        carriers = tuple(source["events"]) if source.get("events") else None
        level = "untrusted"
        if carriers and self.triggers is not None and "workflow_call" not in self.triggers and not any(
            event in carriers for event in self.triggers
        ):
            level = "unknown"
        reason = f"{what}, returned by {action}"
        if source.get("input"):
            value = _lookup_map(producer.with_, source["input"])
            written = value.value.strip().lower() if isinstance(value, Scalar) else None
            chosen = source.get("levels", {}).get(written) if written is not None else None
            if written is not None and "${{" in written:
                chosen = "unknown"
            chosen = chosen or source.get("default", "untrusted")
            before = source.get("before_version")
            if before and chosen != "safe" and written is None and (_major_version(self.doc, producer) or before) < before:
                chosen = "untrusted"
            if chosen == "safe":
                return SAFE
            if chosen == "unknown" and level == "untrusted":
                level = "unknown"
                reason = f"{what}, returned by {action} ({source.get('note', 'escaped by the action')})"
        multiline = any(word in name.lower() for word in ("body", "json", "string", "data"))
        return Origin(level, what, reason, who=who, multiline=multiline, events=carriers)

    def changed_file_names(self, command: str) -> Origin:
        """`$(git diff --name-only ...)`: file names, which whoever opens a pull request chooses."""
        level = "untrusted"
        if self.triggers is not None and "workflow_call" not in self.triggers and not any(
            event in PULL_REQUEST_FILE_EVENTS for event in self.triggers
        ):
            level = "unknown"  # the names of pushed commits' files: people with write access chose them
        return Origin(level, f"the file names `{command}` prints", "file names of a change",
                      who=f"Whoever opens a pull request chooses the file names `{command}` prints",
                      events=PULL_REQUEST_FILE_EVENTS)

    def _job(self, job_id: str):
        if self.workflow is None:
            return None
        if self._jobs is None:
            self._jobs = {}
            for candidate in self.workflow.jobs:
                self._jobs.setdefault(candidate.id.lower(), candidate)
        return self._jobs.get(job_id.lower())

    def job_output(self, job_id: str, name: str) -> Origin:
        path = f"needs.{job_id}.outputs.{name}"
        producer = self._job(job_id)
        if producer is None:
            return Origin("opaque", path, "a job output")
        return self._memo(("job-output", id(producer), name.lower()), lambda: self._job_output(producer, path, name))

    def _job_output(self, producer, path: str, name: str) -> Origin:
        if producer.uses is not None:
            return Origin("opaque", path, f"an output of the reusable workflow {producer.uses.value}")
        value = _lookup_map(producer.outputs, name) if producer.outputs is not None else None
        if not isinstance(value, Scalar):
            return Origin("opaque", path, "a job output")
        found = self.text(value.value, None, producer, "job-end")
        return found.via(path, f"an output of job '{producer.id}'", value)

    # --- matrix ---------------------------------------------------------------------------------

    def matrix(self, job, key: str | None) -> Origin:
        return self._memo(("matrix", id(job), key.lower() if key else None), lambda: self._matrix(job, key))

    def _matrix(self, job, key: str | None) -> Origin:
        what = f"matrix.{key}" if key else "the matrix"
        strategy = as_map(job.node.get("strategy"))
        matrix = strategy.get("matrix") if strategy is not None else None
        if matrix is None:
            return SAFE
        if isinstance(matrix, Scalar):
            return self.text(matrix.value, None, job, "job").via(what, "a value of the job's matrix, which is built from it", matrix)
        if not isinstance(matrix, Map):
            return SAFE
        found = SAFE
        wanted = key.lower() if key else None
        for name, _, value in matrix.items():
            lowered = name.lower()
            if lowered == "exclude":
                continue
            if lowered == "include":
                if isinstance(value, Scalar):
                    found = worse(found, self.text(value.value, None, job, "job").via(what, "a value of the matrix's `include`, which is built from it", value))
                    continue
                for item in as_seq(value):
                    if isinstance(item, Scalar):
                        found = worse(found, self.text(item.value, None, job, "job").via(what, "a value of the matrix's `include`", item))
                    elif isinstance(item, Map):
                        for entry_name, _, entry in item.items():
                            if wanted is None or entry_name.lower() == wanted:
                                found = worse(found, self._matrix_values(entry, job, what, "set in the matrix's `include`"))
                continue
            if wanted is None or lowered == wanted:
                found = worse(found, self._matrix_values(value, job, what, "set in the job's `strategy.matrix`"))
        return found

    def _matrix_values(self, node, job, what: str, how: str) -> Origin:
        found = SAFE
        stack, seen = [node], 0
        while stack and seen < 10000:
            current = stack.pop()
            seen += 1
            if isinstance(current, Scalar):
                if "${{" in current.value:
                    found = worse(found, self.text(current.value, None, job, "job").via(what, how, current))
            elif isinstance(current, Seq):
                stack.extend(current.items)
            elif isinstance(current, Map):
                stack.extend(value for _, _, value in current.items())
        return found


_MAJOR = lazyre.compile(r"@v?(\d+)(?:[.\s]|$)")
_COMMENT_VERSION = lazyre.compile(r"#\s*v?(\d+)[.\s]")


def _major_version(doc, step) -> int | None:
    """The major version a step's `uses:` names (`@v40.1`, or a SHA with a `# v40.1` comment), or None."""
    uses = step.node.get("uses")
    if not isinstance(uses, Scalar):
        return None
    match = _MAJOR.search(uses.value)
    if match is None:
        source = getattr(doc.composed, "text", "")
        end = source.find("\n", uses.end)
        match = _COMMENT_VERSION.search(source[uses.end : end if end >= 0 else len(source)] + " ")
    return int(match.group(1)) if match else None


def _lookup(env: dict, name: str, exact: bool):
    variable = env.get(name)
    if variable is None and not exact:
        lowered = name.lower()
        variable = next((var for key, var in env.items() if key.lower() == lowered), None)
    return variable


def _lookup_map(node, name: str):
    if not isinstance(node, Map):
        return None
    value = node.get(name)
    if value is None:
        lowered = name.lower()
        value = next((item for key, _, item in node.items() if key.lower() == lowered), None)
    return value


def _input_kind(workflow, name: str, dispatch: bool) -> str | None:
    """The type of an input. For `inputs.NAME`, a `choice` under workflow_dispatch does not make it
    safe when `workflow_call` declares the same input as a string (a caller passes any text)."""
    kinds = []
    for event in ("workflow_dispatch",) if dispatch else ("workflow_dispatch", "workflow_call"):
        config = trigger_config(workflow, event)
        definition = _lookup_map(config.get("inputs"), name) if config is not None else None
        if isinstance(definition, Map):
            kind = definition.get("type")
            kinds.append(kind.value if isinstance(kind, Scalar) else "string")
    unsafe = [kind for kind in kinds if kind not in SAFE_INPUT_TYPES]
    return unsafe[0] if unsafe else (kinds[0] if kinds else None)


class _EnvWrites:
    """The `$GITHUB_ENV` entries the steps of a job (or composite action) write, by name, with the
    least trusted origin of the writes before each step (computed as far as asked, once)."""

    def __init__(self, flow: DataFlow, container):
        self.flow = flow
        steps = container.steps if hasattr(container, "workflow") else container.steps()
        self.exact: dict[str, list] = {}
        self.lowered: dict[str, list] = {}
        self.anything: list = []  # writes of whole lines of text: they can set any variable
        self._indexes: dict = {}
        for step in steps:
            if step.run is None or "GITHUB_" not in step.run.value.upper() and "github." not in step.run.value.lower() and "::set-env" not in step.run.value:
                continue
            script = flow.script(step, step.run)
            for entry in script.entries("GITHUB_ENV"):
                record = (step.index, script, entry)
                self.exact.setdefault(entry.name, []).append(record)
                self.lowered.setdefault(entry.name.lower(), []).append(record)
            for part in script.unmatched("GITHUB_ENV"):
                self.anything.append((step.index, script, part))
        self._prefix: dict = {}

    def before(self, name: str, index: int | None, exact: bool) -> Origin | None:
        """The least trusted origin of the writes of NAME by steps before `index` (all when None)."""
        found = None
        named = ("exact", name) if exact else ("lowered", name.lower())
        for key, records in ((named, (self.exact if exact else self.lowered).get(named[1])), (("*", ""), self.anything)):
            if records:
                found = worse(found, self._worst(key, records, index))
        return found

    def _worst(self, key, records: list, index: int | None) -> Origin | None:
        indexes = self._indexes.get(key)
        if indexes is None:
            indexes = self._indexes[key] = [record[0] for record in records]
        count = len(records) if index is None else bisect_left(indexes, index)
        if count == 0:
            return None
        prefix = self._prefix.setdefault(key, [])
        while len(prefix) < count:
            step_index, script, item = records[len(prefix)]
            if key[0] == "*":
                origin = script.value(item.text, item.start, item.quoted_heredoc) if item.kind == "text" else COMPUTED
                origin = origin.via("a line", f"written whole to $GITHUB_ENV by step {_label(script.step)}, so its text "
                                    "can set any variable", script.scalar, item.start, item.end - item.start) if origin.untrusted else None
            else:
                origin = script.entry_origin(item).via(
                    f"${item.name}" if key[0] == "exact" else f"env.{item.name}",
                    f"written to $GITHUB_ENV by step {_label(script.step)}",
                    script.scalar,
                    item.parts[0].start if item.parts else None,
                    (item.parts[-1].end - item.parts[0].start) if item.parts else None,
                )
            prefix.append(worse(prefix[-1] if prefix else None, origin))
        return prefix[count - 1]  # None: only lines that cannot set this variable


# --- scripts -------------------------------------------------------------------------------------


class ScriptFlow:
    """The flow inside one script: its variables, the text it writes to command files."""

    def __init__(self, flow: DataFlow, step, scalar: Scalar, dialect: str):
        self.flow = flow
        self.step = step
        self.scalar = scalar
        self.script = scalar.value
        self.dialect = dialect
        self._commands = None
        self._writes = None
        self._entries: dict = {}
        self._unmatched: dict = {}
        self._assignments = None
        self._offsets: dict = {}
        self._cumulative: dict = {}

    @property
    def commands(self):
        if self._commands is None:
            self._commands = parse(self.script) if self.dialect != "python" else []
        return self._commands

    @property
    def writes(self):
        if self._writes is None:
            self._writes = writes(self.script, self.commands) if self.dialect != "python" else []
        return self._writes

    def entries(self, target: str):
        if target not in self._entries:
            unmatched: list = []
            self._entries[target] = entries(self.writes, target, unmatched)
            self._unmatched[target] = unmatched
        return self._entries[target]

    def unmatched(self, target: str):
        """Lines written to the file that are not `NAME=value` entries (see envfiles.entries)."""
        self.entries(target)
        return self._unmatched[target]

    def unmatched_origins(self, target: str):
        return [self.value(part.text, part.start, part.quoted_heredoc) if part.kind == "text" else COMPUTED
                for part in self.unmatched(target)]

    def entry_origin(self, entry) -> Origin:
        """The least trusted origin of the value of a `NAME=value` entry."""
        return self.flow._memo(("entry", id(self), id(entry)), lambda: worst(
            self.value(part.text, part.start, part.quoted_heredoc) if part.kind == "text" else COMPUTED
            for part in entry.parts
        ))

    # --- variables ------------------------------------------------------------------------------

    @property
    def assignments(self) -> dict[str, list[Assignment]]:
        """name -> its assignments in script order (PowerShell and cmd names lower-cased)."""
        if self._assignments is None:
            self._assignments = _assignments(self.script, self.commands, self.dialect)
        return self._assignments

    def assignment(self, name: str, offset: int, strict: bool = False) -> Assignment | None:
        """The last assignment of NAME before `offset`, else (unless strict: a variable used in
        its own assignment) the last one (a function defined earlier)."""
        found = self.assignments.get(name if self.dialect == "sh" else name.lower())
        if not found:
            return None
        offsets = self._offsets.get(found[0].name)
        if offsets is None:
            offsets = self._offsets[found[0].name] = [item.offset for item in found]
        position = bisect_left(offsets, offset)
        if position:
            return found[position - 1]
        return None if strict else found[-1]

    def live_assignments(self, name: str, offset: int) -> list[Assignment]:
        """The assignments of NAME that may be live at `offset`, last first (see `variable`)."""
        found = self.assignments.get(name if self.dialect == "sh" else name.lower())
        if not found or self.assignment(name, offset, strict=True) is None:
            return []
        position = bisect_left(self._offsets[found[0].name], offset)
        live = []
        for item in reversed(found[max(0, position - 64) : position]):
            live.append(item)
            if not item.conditional:
                break
        return live

    def variable(self, name: str, offset: int, strict: bool = False) -> Origin:
        """What `$NAME` (PowerShell `$env:NAME` / `$name`, cmd `%NAME%`) holds at `offset`: the
        assignments that may be live there (the last one before it, and the ones before that
        while they are conditional, as in `if ...; then X=a; else X=b; fi`), else the environment."""
        found = self.assignments.get(name if self.dialect == "sh" else name.lower())
        if found:
            offsets = self._offsets.get(found[0].name)
            if offsets is None:
                offsets = self._offsets[found[0].name] = [item.offset for item in found]
            position = bisect_left(offsets, offset)
            if position:
                return self._live(found, position - 1, name, offset)
            if not strict:
                return worst(self._assigned_origin(item) for item in found)
        found = self.flow._env(name, self.step, self.step.job, "step", exact=self.dialect == "sh", shown=self._shown(name))
        if found is not None:
            return found
        upper = name.upper() if self.dialect != "sh" else name
        if upper in RUNNER_VARIABLES:
            return self.flow._classified(RUNNER_VARIABLES[upper]).via(f"${upper}", f"set by the runner to {RUNNER_VARIABLES[upper]}")
        if upper.startswith(("GITHUB_", "RUNNER_", "ACTIONS_")) or upper in SAFE_SHELL_VARIABLES:
            return SAFE
        return Origin("opaque", f"${name}", "a shell variable set outside the script")

    def _shown(self, name: str) -> str:
        return {"pwsh": f"$env:{name}", "cmd": f"%{name}%"}.get(self.dialect, f"${name}")

    def _live(self, found: list, last: int, name: str, offset: int) -> Origin:
        """The least trusted origin of the assignments that may be live after found[last]
        (computed once per assignment, left to right)."""
        key = ("live", found[0].name)
        cumulative = self._cumulative.setdefault(key, [])
        while len(cumulative) <= last:
            item = found[len(cumulative)]
            origin = self._assigned_origin(item)
            if item.conditional and cumulative:
                previous = cumulative[-1]
            elif item.conditional:
                # Nothing assigned it before: the environment's value may be live.
                previous = self.flow._env(item.name, self.step, self.step.job, "step", exact=self.dialect == "sh",
                                          shown=self._shown(item.name))
            else:
                previous = None
            cumulative.append(worse(origin, previous))
        return cumulative[last]

    def _assigned_origin(self, assigned: Assignment) -> Origin:
        return self.flow._memo(("assigned", id(self), assigned.name, assigned.offset), lambda: self._assigned(assigned))

    def _assigned(self, assigned: Assignment) -> Origin:
        if assigned.kind == "loop":
            how = "a loop variable over it"
        elif assigned.kind == "read":
            how = "read from it"
        else:
            how = "assigned in the script"
        origin = self.value(assigned.value, assigned.value_offset, before=assigned.offset)
        return origin.via(f"${assigned.name}" if self.dialect != "cmd" else f"%{assigned.name}%", how, self.scalar, assigned.offset, max(1, assigned.value_offset - assigned.offset + len(assigned.value)))

    # --- values ---------------------------------------------------------------------------------

    def value(self, value: str, offset: int, quoted_heredoc: bool = False, before: int | None = None) -> Origin:
        """The least trusted origin of a piece of the script's text (an assigned value, a written line)."""
        return worst(piece.origin for piece in self.pieces(value, offset, quoted_heredoc, before))

    def pieces(self, value: str, offset: int, quoted_heredoc: bool = False, before: int | None = None) -> list[Piece]:
        """The expanded parts of a piece of the script's text at `offset`: each `${{ }}`, each
        variable, and each `$(...)` (its own variables when it only passes text on, as in
        `$(echo "$TITLE" | cut -c1-50)`, else one opaque piece; fetched text is untrusted).
        `before` is where variables are read (default: where they are written)."""
        found: list[Piece] = []
        step = self.step
        expressions = find_expressions(value) if "${{" in value else []
        if self.dialect == "python":
            plain, substitutions = value, []
        else:
            plain, substitutions = _split_substitutions(value)
        # What `$(...)` prints is computed: the expressions in it are the command, not the value
        # (unless it only passes text on).
        passing = [(start, end) for start, end, body in substitutions if _passes_through(body)]
        for expression in expressions:
            inside = plain[expression.start] == " " and value[expression.start] == "$" and substitutions
            if inside and not any(start <= expression.start < end for start, end in passing):
                continue
            origin = self.flow.expression(expression, step)
            found.append(Piece(offset + expression.start, offset + expression.end, value[expression.start:expression.end], origin, "expression"))
        if self.dialect == "python":
            return found
        if not quoted_heredoc:
            for name, start, end, is_length in variable_refs(plain, self.dialect if self.dialect in ("pwsh", "cmd") else "sh"):
                if is_length:
                    continue
                at = offset + start
                origin = self.variable(name, before if before is not None else at, before is not None)
                found.append(Piece(at, offset + end, value[start:end], origin, "variable"))
        for start, end, body in substitutions:
            at = offset + start
            shown = value[start:end]
            field = _event_file_field(body)
            if field is not None:
                origin = self.flow._classified("github.event." + field) if field else COMPUTED
                found.append(Piece(at, offset + end, shown, origin.via(shown, f"github.event.{field}, read from the event payload file ($GITHUB_EVENT_PATH)"), "substitution"))
                continue
            if _prints_changed_names(body):
                found.append(Piece(at, offset + end, shown, self.flow.changed_file_names(shown), "substitution"))
                continue
            fetched = fetched_text(shown, self.script)
            if fetched is not None:
                found.append(Piece(at, offset + end, shown, fetched, "substitution"))
                continue
            if _passes_through(body):
                inner_offset = offset + start + (2 if value.startswith("$(", start) else 1)
                for name, inner_start, inner_end, is_length in variable_refs(body, "sh"):
                    if is_length:
                        continue
                    origin = self.variable(name, before if before is not None else inner_offset + inner_start, before is not None)
                    found.append(Piece(inner_offset + inner_start, inner_offset + inner_end, body[inner_start:inner_end], origin, "variable"))
                continue
            found.append(Piece(at, offset + end, shown, COMPUTED, "substitution"))
        return found


def _split_substitutions(value: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The text with each `$(...)` and backquoted command blanked out (offsets kept), and the
    substitutions: (start, end, body)."""
    out = list(value)
    found = []
    i, length = 0, len(value)
    while i < length:
        if value.startswith("$((", i):
            i += 3
        elif value.startswith("$(", i):
            depth, j = 1, i + 2
            while j < length and depth:
                depth += {"(": 1, ")": -1}.get(value[j], 0)
                j += 1
            found.append((i, j, value[i + 2 : j - 1 if depth == 0 else j]))
            out[i:j] = " " * (j - i)
            i = j
        elif value[i] == "`":
            end = value.find("`", i + 1)
            j = length if end < 0 else end + 1
            found.append((i, j, value[i + 1 : j - 1 if end >= 0 else j]))
            out[i:j] = " " * (j - i)
            i = j
        else:
            i += 1
    return "".join(out), found


def _passes_through(body: str) -> bool:
    """Does a command substitution print the text it reads, as `echo "$X" | cut -c1-10` does?"""
    commands = parse(body)
    if not commands or len(commands) > 6:
        return False
    first = commands[0]
    if first.name not in ("echo", "printf", "basename", "dirname") and not (first.name in ("cat", "jq", "yq", "tr", "cut", "sed", "awk", "head", "tail") and any(r.op == "<<<" for r in first.redirects)):
        return False
    return _filters_pass(commands[1:])


def _filters_pass(commands) -> bool:
    """Are these piped commands filters that pass text on (not a count, not a sanitiser)?"""
    for command in commands:
        if not command.piped_in:
            return False
        name = command.name.rsplit("/", 1)[-1]
        if name not in PASS_THROUGH:
            return False
        if name in ("tr", "sed", "grep", "awk") and _SANITISING.search(" ".join(word.text for word in command.args)):
            return False
    return True


def _prints_changed_names(body: str) -> bool:
    """Is a command substitution `git diff --name-only ...` (or `gh pr diff --name-only`), perhaps
    piped through filters?"""
    if not _CHANGED_NAMES.search(body):
        return False
    commands = parse(body)
    if not commands or len(commands) > 8:
        return False
    first = commands[0]
    if first.name not in ("git", "gh") or not _CHANGED_NAMES.search(body[first.start : first.end]):
        return False
    rest = [command for command in commands[1:] if not (command.name == "true" or command.name == ":")]
    return _filters_pass(rest)


# Commands that print the names of the files a change touches.
_CHANGED_NAMES = lazyre.compile(
    r"\bgit\s+(?:diff|diff-tree|show|log)\b[^|;]*--name-(?:only|status)\b|\bgh\s+pr\s+(?:diff\b[^|;]*--name-only|view\b[^|;]*--json\s+files)"
)
# Events in which those are the names of a pull request's files.
PULL_REQUEST_FILE_EVENTS = ("pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment",
                            "issue_comment", "workflow_run")
_EVENT_FILE = lazyre.compile(r"\bjq\b[^|;]*?\s['\"]?\.((?:[A-Za-z_][\w]*)(?:\.[A-Za-z_][\w]*|\[\d*\])*)['\"]?")


def _event_file_field(body: str) -> str | None:
    """`jq -r .pull_request.title "$GITHUB_EVENT_PATH"`: the event field a command reads from the
    event payload file ("" when it reads something we cannot name), or None when it does not."""
    if "GITHUB_EVENT_PATH" not in body:
        return None
    match = _EVENT_FILE.search(body)
    if match is None:
        return ""
    return ".".join("*" if part.startswith("[") else part for part in match.group(1).replace("[", ".[").split(".") if part)


def fetched_text(value: str, script: str) -> Origin | None:
    """Text a command substitution fetches that an outsider writes: a pull request's or an
    issue's title or body read with `gh` / `jq`, a commit message read with `git log --format=%s`."""
    if "$(" not in value and "`" not in value:
        return None
    if _COMMIT_TEXT.search(value):
        return Origin(
            "untrusted", "a commit message read with `git log`", "commit text", multiline=True,
            who="Whoever writes the commits controls the commit message this reads",
        )
    match = _FETCHED_FIELD.search(value)
    if match and _FETCH.search(value) and (_FETCH_SOURCE.search(value) or _FETCH_SOURCE.search(script)):
        field_name = match.group(1)
        return Origin(
            "untrusted", f"the {field_name} that the command reads", "text fetched from GitHub",
            who=f"Anyone who can open a pull request or an issue controls the {field_name} this command reads",
            multiline=field_name in ("body", "message"),
        )
    return None


_PWSH_ASSIGN = lazyre.compile(r"^\$(?:env:)?([A-Za-z_][A-Za-z0-9_]*)$", lazyre.IGNORECASE)


def _assignments(script: str, commands, dialect: str) -> dict[str, list[Assignment]]:
    found: dict[str, list[Assignment]] = {}

    conditional = False

    def add(name: str, offset: int, value: str, value_offset: int, kind: str) -> None:
        key = name if dialect == "sh" else name.lower()
        found.setdefault(key, []).append(Assignment(name, offset, value, value_offset, kind, conditional or kind == "loop"))

    previous = None
    for command in commands:
        conditional = command.conditional
        words = list(command.assignments)
        if command.name in ("export", "local", "declare", "readonly", "typeset"):
            words += [word for word in command.args if "=" in word.text and not word.text.startswith("-")]
        for word in words:
            name, _, value = word.text.partition("=")
            name = name.rstrip("+")
            if "[" in name:
                name = name.split("[", 1)[0]
            add(name, word.start, value, word.start + len(word.text) - len(value), "assign")
        if command.loop_header and command.words:
            variable = command.words[0]
            items = command.words[2:] if len(command.words) > 1 and command.words[1].text == "in" else []
            if items:
                add(variable.text, variable.start, script[items[0].start : items[-1].end], items[0].start, "loop")
        if command.name in ("read", "readarray", "mapfile"):
            names = _read_names(command)
            source = next((redirect.target for redirect in command.redirects if redirect.op == "<<<" and redirect.target), None)
            if source is not None:
                value, value_offset = source.text, source.start
            elif command.piped_in and previous is not None and previous.piped_out and previous.name in ("echo", "printf"):
                value, value_offset = script[previous.start : previous.end], previous.start  # `echo "$X" | read Y`
            else:
                value, value_offset = "$(read)", command.start  # stdin: computed
            for word in names:
                add(word.text, word.start, value, value_offset, "read")
        if dialect == "pwsh" and len(command.words) >= 3 and command.words[1].text == "=":
            match = _PWSH_ASSIGN.match(command.words[0].text)
            if match:
                rest = command.words[2:]
                add(match.group(1), command.words[0].start, script[rest[0].start : rest[-1].end], rest[0].start, "assign")
        if dialect == "cmd" and command.name.lower() == "set" and command.args:
            word = command.args[-1] if not command.args[0].text.startswith("/") else None
            if word is not None and "=" in word.value:
                name, _, value = unquote(word.text).partition("=")
                add(name, word.start, value, word.end - len(value), "assign")
        previous = command
    return found


_READ_OPTIONS_WITH_VALUE = {
    "read": frozenset(("-p", "-d", "-n", "-N", "-t", "-u", "-i")),
    "readarray": frozenset(("-d", "-n", "-O", "-s", "-u", "-C", "-c")),
    "mapfile": frozenset(("-d", "-n", "-O", "-s", "-u", "-C", "-c")),
}


def _read_names(command) -> list:
    """The variables `read` / `readarray` / `mapfile` assign."""
    names, skip = [], False
    for word in command.args:
        if skip:
            skip = False
        elif word.text in _READ_OPTIONS_WITH_VALUE[command.name]:
            skip = True
        elif word.text.startswith("-"):
            continue
        elif _NAME.match(word.text):
            names.append(word)
    if command.name in ("readarray", "mapfile"):
        return names[-1:] or []
    return names


_NAME = lazyre.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
