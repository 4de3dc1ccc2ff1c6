from __future__ import annotations

from cicdlint import lazyre
from cicdlint.model import as_map, as_scalar, as_seq, text
from cicdlint.rule import Issue, rule
from cicdlint.shell import parse, strip_wrappers

_COMMAND = lazyre.compile(r"(?:::|##\[)(set-output|save-state|set-env|add-path)\b")
# A workflow command is a line of output that starts with `::` (or the legacy `##[`).
_AT_LINE_START = lazyre.compile(r"(?:^|\\n|\n|\\r|\r)[ \t]*(?:::|##\[)(set-output|save-state|set-env|add-path)\b")
_SPAN = lazyre.compile(r"(?:::|##\[)(?:set-output|save-state|set-env|add-path)\b(?:[^:\]\n\"'`]*(?:::|\]))?")
_NAME = lazyre.compile(r"name=([A-Za-z_][A-Za-z0-9_.-]*)")
_PRINTERS = {"echo", "printf", "print", "write-output", "write-host", "write", "echo.", "cat"}
_OPTIONS = lazyre.compile(r"^-[neE]+$|^--$")
# `console.log("::set-output …")` in github-script, `print("::set-output …")` in a python step.
_CODE_PRINT = lazyre.compile(
    r"""(?:console\.log|console\.info|core\.info|process\.stdout\.write|print|sys\.stdout\.write)\(\s*[fbr]?[`'"]"""
    r"""(?:::|##\[)(set-output|save-state|set-env|add-path)\b"""
)

_REPLACEMENT = {  # command -> (file variable, bash, pwsh, JavaScript)
    "set-output": ("GITHUB_OUTPUT", 'echo "{name}=value" >> "$GITHUB_OUTPUT"', '"{name}=value" | Out-File -FilePath $env:GITHUB_OUTPUT -Append',
                   "core.setOutput('{name}', value)"),
    "save-state": ("GITHUB_STATE", 'echo "{name}=value" >> "$GITHUB_STATE"', '"{name}=value" | Out-File -FilePath $env:GITHUB_STATE -Append',
                   "core.saveState('{name}', value)"),
    "set-env": ("GITHUB_ENV", 'echo "{name}=value" >> "$GITHUB_ENV"', '"{name}=value" | Out-File -FilePath $env:GITHUB_ENV -Append',
                "core.exportVariable('{name}', value)"),
    "add-path": ("GITHUB_PATH", 'echo "/path/to/dir" >> "$GITHUB_PATH"', '"C:\\tools\\bin" | Out-File -FilePath $env:GITHUB_PATH -Append',
                 "core.addPath('/path/to/dir')"),
}
_DISABLED = {"set-env", "add-path"}


@rule(
    id="deprecated-commands",
    kinds=("workflow", "action"),
    severity="warning",
    summary="A script prints a deprecated or disabled workflow command such as ::set-output",
    tags=("security", "deprecated"),
    security_severity=5.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `run:` scripts of workflows and composite actions that print the workflow commands
    GitHub deprecated: `::set-output`, `::save-state` (use `$GITHUB_OUTPUT`, `$GITHUB_STATE`), and
    the disabled `::set-env` and `::add-path` (use `$GITHUB_ENV`, `$GITHUB_PATH`; an error). The
    legacy `##[set-output …]` form counts too.

    Only commands that reach the log count: `echo`, `printf`, `Write-Output`/`Write-Host` (pwsh)
    and `cat <<EOF` heredocs whose output is not redirected to a file or piped to another command
    (except `tee`), with the command at the start of a printed line. The same text in a comment,
    a `grep` pattern, a string written to a file or in the middle of a message is not reported.
    `console.log('::set-output …')` in `actions/github-script` and `print('::set-output …')` in a
    `shell: python` step are reported with medium confidence, as are commands in the `script:` of
    SSH actions such as `appleboy/ssh-action` (printed on the remote host, relayed to the log).

    ## Why is this bad?
    The runner reads these commands from everything a step prints. `::set-env` and `::add-path`
    were disabled in 2020 (CVE-2020-15228) because any printed text — a branch name, a pull
    request title, a test's output — could set `NODE_OPTIONS` or `PATH` and run code in later
    steps; they fail unless `ACTIONS_ALLOW_UNSECURE_COMMANDS` turns them back on.
    `::set-output` and `::save-state` have the same weakness (a printed line can forge a step's
    outputs) and are deprecated: the runner warns on every use and GitHub has announced their
    removal. The files (`$GITHUB_OUTPUT` …) are only writable by the step itself.

    ## Example
    ```yaml
    steps:
      - id: version
        run: echo "::set-output name=tag::$(git describe --tags)"
      - run: echo "::add-path::$HOME/.cargo/bin"
    ```

    ## Use instead
    ```yaml
    steps:
      - id: version
        run: echo "tag=$(git describe --tags)" >> "$GITHUB_OUTPUT"
      - run: echo "$HOME/.cargo/bin" >> "$GITHUB_PATH"
    ```
    Append `name=value` lines to `$GITHUB_OUTPUT`, `$GITHUB_STATE` or `$GITHUB_ENV` and directories
    to `$GITHUB_PATH` (in pwsh: `"name=value" >> $env:GITHUB_OUTPUT`). Multi-line values use the
    `name<<EOF` … `EOF` form. Update actions that still print these commands.
    """
    for step in ctx.steps():
        for script, where in step.scripts():
            if not _COMMAND.search(script.value):
                continue
            if where == "ssh":  # printed on the remote host, relayed to the log by the action
                yield from _script(ctx, script, "medium", "ssh")
                continue
            shell = _shell(step)
            if shell == "python":
                yield from _code(ctx, script, "python")
            elif shell != "other":
                yield from _script(ctx, script, "high", "pwsh" if shell == "pwsh" else "posix")
        if step.uses_action("actions/github-script"):
            script = step.input("script")
            if script is not None and _COMMAND.search(script.value):
                yield from _code(ctx, script, "javascript")


def _shell(step) -> str:
    """"posix", "pwsh", "cmd", "python" or "other" for the shell that runs the step."""
    shell = text(step.node.get("shell"))
    if shell is None and step.job is not None:
        for owner in (step.job.node, step.job.workflow.node):
            defaults = as_map(owner.get("defaults"))
            run = as_map(defaults.get("run")) if defaults else None
            if run is not None and text(run.get("shell")):
                shell = text(run.get("shell"))
                break
    if shell is None and step.job is not None and _on_windows(step.job):
        return "pwsh"  # the default shell of Windows runners
    if shell is None or "${{" in shell:
        return "posix"
    program = shell.split()[0].rsplit("/", 1)[-1].lower() if shell.split() else ""
    if program in ("bash", "sh", "zsh", "dash", "ksh", "ash"):
        return "posix"
    if program in ("pwsh", "powershell"):
        return "pwsh"
    if program == "cmd":
        return "cmd"
    if program.startswith("python"):
        return "python"
    return "other"


def _on_windows(job) -> bool:
    runs_on = job.node.get("runs-on")
    if as_map(runs_on) is not None:
        runs_on = runs_on.get("labels")
    labels = [runs_on] if as_scalar(runs_on) is not None else as_seq(runs_on)
    return any("windows" in (text(label) or "").lower() for label in labels)


def _script(ctx, run, confidence: str, lang: str):
    script = run.value
    commands = parse(script)
    for index, command in enumerate(commands):
        words = strip_wrappers(command.words)
        if not words:
            continue
        name = words[0].value.lower()
        if name not in _PRINTERS:
            continue
        following = commands[index + 1] if index + 1 < len(commands) else None
        if not _reaches_log(command, following):
            continue
        if name == "cat":
            if command.heredoc is None:
                continue
            start, end = command.heredoc
            printed, base = script[start:end], start
        else:
            args = words[1:]
            while args and _OPTIONS.match(args[0].value):
                args = args[1:]
            if not args:
                continue
            printed = " ".join(word.value for word in args)
            base = args[0].start
        found = _AT_LINE_START.search(printed)
        if found is None:
            continue
        span_match = _SPAN.search(script, base, max(command.end, (command.heredoc or (0, 0))[1]))
        if span_match is None:
            continue
        yield _issue(ctx, run, span_match, found.group(1), confidence, lang)


def _reaches_log(command, following) -> bool:
    if command.stdout_to_log():
        return True
    if command.piped_out and following is not None:
        words = strip_wrappers(following.words)
        return bool(words) and words[0].value == "tee" and following.stdout_to_log()
    return False


def _code(ctx, scalar, lang: str):
    for match in _CODE_PRINT.finditer(scalar.value):
        span_match = _SPAN.search(scalar.value, match.start())
        if span_match is not None:
            yield _issue(ctx, scalar, span_match, match.group(1), "medium", lang)


def _issue(ctx, scalar, span_match, command: str, confidence: str, lang: str) -> Issue:
    variable, bash, pwsh, javascript = _REPLACEMENT[command]
    name = _NAME.search(span_match.group(0))
    name = name.group(1) if name else "name"
    span = ctx.locate(scalar, span_match.start(), len(span_match.group(0)))
    if lang == "ssh":
        fix = (
            f"Stop printing `::{command}` on the remote host: `${variable}` is a file on the runner, so capture "
            "the remote output instead (appleboy/ssh-action: `capture_stdout: true`, then parse "
            "`steps.<id>.outputs.stdout` in a later step)"
        )
    elif lang == "javascript":
        fix = f"Use `{javascript.format(name=name)}` instead of printing `::{command}`"
    elif lang == "python":
        fix = f'Append `{name}=value` to the file named by `os.environ["{variable}"]` instead of printing `::{command}`'
    elif lang == "pwsh":
        fix = f"Write to `$env:{variable}` instead of printing `::{command}`: `{pwsh.format(name=name)}`"
    else:
        fix = f"Write to `${variable}` instead of printing `::{command}`: `{bash.format(name=name)}`"
    if command in _DISABLED:
        return Issue(
            span,
            f"{fix}. `::{command}` is disabled: it fails unless `ACTIONS_ALLOW_UNSECURE_COMMANDS` turns it back "
            "on, and then any text printed to the log can set variables such as `NODE_OPTIONS` or change `PATH`.",
            severity="error",
            confidence=confidence,
        )
    return Issue(
        span,
        f"{fix}. `::{command}` is deprecated and will stop working, and any line printed to the log can forge it.",
        severity="warning",
        confidence=confidence,
    )
