from cicdlint import runners
from cicdlint.model import as_map, text
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar

SHELLS = {
    None: ("bash", "pwsh", "python", "sh", "cmd", "powershell"),
    "posix": ("bash", "pwsh", "python", "sh"),
    "windows": ("bash", "pwsh", "python", "cmd", "powershell"),
}


@rule(
    id="invalid-shell",
    kinds=("workflow", "action"),
    severity="error",
    summary="A `shell:` that is neither a built-in shell of the runner nor a command with `{0}`",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks `shell:` of `run` steps and of `defaults.run.shell` (workflow and job), in workflows
    and composite actions. It must be one of GitHub's built-in shells (`bash`, `pwsh`,
    `python`, `sh`, `cmd`, `powershell`; names ignore case) or a custom command holding `{0}`,
    where the script's path goes (`bash -el {0}`, `perl {0}`). Where the job's runner is
    known, `cmd` and `powershell` are only for Windows and `sh` is not for Windows (a step
    whose `if:` tests `runner.os` is not held to the job's platform).
    Expressions are left alone.

    ## Why is this bad?
    The step fails before the script runs: "Invalid shell option. Shell must be a valid
    built-in (bash, sh, cmd, powershell, pwsh) or a format string containing '{0}'". A custom
    command without `{0}` (`bash -e`, `/bin/bash`) is a common form of it.

    ## Example
    ```yaml
    steps:
      - run: ./build.sh
        shell: bash -e
      - run: echo hi
        shell: zsh
    ```

    ## Use instead
    ```yaml
    steps:
      - run: ./build.sh
        shell: bash -e {0}
      - run: echo hi
        shell: zsh {0}
    ```
    """
    if doc.kind == "workflow":
        for node in _defaults_shell(doc.root):
            yield from _check(node, None)
        for job in ctx.workflow.jobs:
            kind = runners.platform(job) if job.node.get("container") is None else None
            for node in _defaults_shell(job.node):
                yield from _check(node, kind)
            for step in job.steps:
                if step.node.get("run") is not None:
                    # A step guarded by `runner.os` is written for another platform than the
                    # job's and is skipped there: only names no runner has are reported.
                    guarded = "runner.os" in (text(step.if_) or "")
                    yield from _check(step.node.get("shell"), None if guarded else kind)
    else:
        for step in ctx.steps():
            if step.node.get("run") is not None:
                yield from _check(step.node.get("shell"), None)


def _defaults_shell(node):
    defaults = as_map(node.get("defaults"))
    run = as_map(defaults.get("run")) if defaults is not None else None
    shell = run.get("shell") if run is not None else None
    return [shell] if shell is not None else []


def _check(node, kind):
    if not isinstance(node, Scalar) or node.is_null:
        return
    value = node.value.strip()
    if not value or "{0}" in value or "${{" in value:
        return
    name = value.lower()
    allowed = SHELLS[kind]
    if name in allowed:
        return
    if name in SHELLS[None]:
        where = "Windows" if kind == "windows" else "Linux or macOS"
        instead = "pwsh or bash" if name == "sh" else "pwsh (PowerShell Core) or bash"
        yield Issue(node, f"The shell '{value}' is not available on {where}, where this job runs. Use {instead}.")
        return
    yield Issue(node, _message(value, allowed))


def _message(value: str, allowed) -> str:
    import difflib

    command = value.split()[0]
    base = command.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if base.endswith(".exe"):
        base = base[:-4]
    if " " in value or "/" in command or "\\" in command or base in allowed:
        return (f"The shell '{value}' is a custom command without `{{0}}`, so GitHub refuses it. Write "
                f"'{value} {{0}}' ({{0}} is where the script's path goes).")
    other_shell = base in ("zsh", "fish", "dash", "ksh", "tcsh", "csh", "ash", "nu", "elvish", "xonsh", "perl", "ruby",
                           "node", "deno", "bun", "rscript", "julia")
    close = [] if other_shell else difflib.get_close_matches(value.lower(), allowed, n=1, cutoff=0.7)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    names = ", ".join(allowed)
    return (f"'{value}' is not a built-in shell ({names}). {hint}For another shell, write a command with `{{0}}` "
            f"where the script's path goes, e.g. '{value} {{0}}'.")
