from __future__ import annotations

import re

from cicdlint import lazyre
from cicdlint.expressions import find_expressions
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.shell import parse, strip_wrappers
from cicdlint.yamlpos import Scalar

NAME = "ACTIONS_ALLOW_UNSECURE_COMMANDS"
_ASSIGNMENT = lazyre.compile(rf"{NAME}=[\"']?([A-Za-z0-9]+)")
_EXPORT_VARIABLE = lazyre.compile(rf"""exportVariable\(\s*["'`]{NAME}["'`]\s*,\s*(?:["'`]true["'`]|true)\s*\)""", re.I)
_PRINTERS = {"echo", "printf", "cat"}


@rule(
    id="insecure-commands",
    kinds=("workflow", "action"),
    severity="error",
    summary="ACTIONS_ALLOW_UNSECURE_COMMANDS re-enables the disabled set-env and add-path commands",
    tags=("security", "injection"),
    security_severity=8.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `ACTIONS_ALLOW_UNSECURE_COMMANDS` set to `true` (any case, quoted or not, also
    `${{ true }}`) in an `env:` of the workflow, a job, a step or a composite action step, and
    written to `$GITHUB_ENV` by a script (`echo "ACTIONS_ALLOW_UNSECURE_COMMANDS=true" >>
    $GITHUB_ENV`, a heredoc, `| tee -a $GITHUB_ENV`) or by `core.exportVariable(...)` in
    `actions/github-script`. Only what the runner treats as enabled is reported: it reads the
    value with .NET's `bool.TryParse` (actions/runner, `ActionCommandManager.cs`), which accepts
    `true` in any case with surrounding spaces and nothing else. `false`, `1`, `yes`, `on` and
    expressions whose value cannot be known (`${{ matrix.legacy }}`) leave the commands disabled
    and are not reported.

    ## Why is this bad?
    GitHub disabled the `::set-env` and `::add-path` workflow commands in 2020 (CVE-2020-15228):
    the runner executes them from anything a step prints to the log. A branch name, an issue
    title, a dependency's test output or a file's contents printed by `cat` can then set
    `NODE_OPTIONS`, `LD_PRELOAD` or `BASH_ENV`, or put a directory first on `PATH`, and run code in
    every later step with the job's secrets and token. This variable turns them back on.

    ## Example
    ```yaml
    jobs:
      build:
        runs-on: ubuntu-latest
        env:
          ACTIONS_ALLOW_UNSECURE_COMMANDS: true
        steps:
          - run: echo "::add-path::$HOME/.local/bin"
    ```

    ## Use instead
    ```yaml
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: echo "$HOME/.local/bin" >> "$GITHUB_PATH"
    ```
    Delete the variable, write environment variables to `$GITHUB_ENV` and paths to
    `$GITHUB_PATH`, and upgrade actions that still print `::set-env` or `::add-path` (old
    versions of `actions/setup-node`, `gradle/wrapper-validation-action` and others) to a
    release that uses the files.
    """
    if doc.kind == "workflow":
        workflow = ctx.workflow
        yield from _env(workflow.node.get("env"), "the workflow `env:`")
        for job in workflow.jobs:
            yield from _env(job.node.get("env"), f"the `env:` of job '{job.id}'")
    for step in ctx.steps():
        where = f"step '{step.name}'" if step.name else f"step {step.index + 1}"
        yield from _env(step.node.get("env"), f"the `env:` of {where}")
        if step.run is not None and NAME in step.run.value:
            yield from _github_env_writes(ctx, step.run)
        if step.uses_action("actions/github-script"):
            script = step.input("script")
            if script is not None:
                for match in _EXPORT_VARIABLE.finditer(script.value):
                    yield Issue(
                        ctx.locate(script, match.start(), match.end() - match.start()),
                        f"Remove `core.exportVariable('{NAME}', 'true')` and use `core.exportVariable` / "
                        f"`core.addPath` for what the job needs. {_WHY}",
                    )


_WHY = (
    "It re-enables the `::set-env` and `::add-path` commands, which let any text printed to the log "
    "set variables such as `NODE_OPTIONS` or change `PATH`, and so run code in later steps."
)

def _enables(node) -> bool:
    """Does the value switch the commands on? The runner reads it with .NET `bool.TryParse`:
    `true` in any case, with surrounding white space, and nothing else (`1`, `yes`, `on` do not)."""
    if not isinstance(node, Scalar):
        return False
    value = node.value.strip()
    expressions = find_expressions(value)
    if expressions:
        if len(expressions) != 1 or expressions[0].start != 0 or expressions[0].end != len(value):
            return False
        value = expressions[0].body.strip()  # `${{ true }}`, `${{ 'true' }}`
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
    return value.strip().lower() == "true"


def _env(node, where: str):
    env = as_map(node)
    if env is None:
        return
    value = env.get(NAME)
    if _enables(value):
        yield Issue(value, f"Remove `{NAME}` from {where} and write to `$GITHUB_ENV` / `$GITHUB_PATH` instead. {_WHY}")


def _github_env_writes(ctx, run: Scalar):
    """`echo "ACTIONS_ALLOW_UNSECURE_COMMANDS=true" >> $GITHUB_ENV` and its variants."""
    script = run.value
    commands = parse(script)
    for index, command in enumerate(commands):
        words = strip_wrappers(command.words)
        if not words or words[0].value not in _PRINTERS:
            continue
        if not _writes_github_env(command, commands[index + 1] if index + 1 < len(commands) else None):
            continue
        spans = [(word.start, word.end) for word in words[1:]]
        if command.heredoc:
            spans.append(command.heredoc)
        for start, end in spans:
            for match in _ASSIGNMENT.finditer(script, start, end):
                if match.group(1).lower() != "true":
                    continue  # the runner reads anything but `true` as false
                span = ctx.locate(run, match.start(), match.end() - match.start())
                yield Issue(span, f"Stop writing `{NAME}=true` to `$GITHUB_ENV`, and use `$GITHUB_ENV` / `$GITHUB_PATH` for what the job needs. {_WHY}")


def _writes_github_env(command, following) -> bool:
    for redirect in command.redirects:
        if redirect.op in (">", ">>", ">|") and redirect.target is not None and "GITHUB_ENV" in redirect.target.text:
            return True
    if command.piped_out and following is not None:
        words = strip_wrappers(following.words)
        if words and words[0].value == "tee" and any("GITHUB_ENV" in word.text for word in words[1:]):
            return True
    return False
