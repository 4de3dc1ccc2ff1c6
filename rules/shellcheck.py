from cicdlint import lazyre, runners
from cicdlint.model import text
from cicdlint.rule import Issue, rule

_EXPRESSION = lazyre.compile(r"\$\{\{.*?\}\}", lazyre.DOTALL)
# Codes that GitHub's way of running scripts makes noise of: variables set by the runner or by
# `env:` (SC2153, SC2154), `source` of files not given to shellcheck (SC1090, SC1091), and
# conditions that are constant once `${{ }}` is blanked out (SC2050, SC2194, SC2157, SC2043,
# SC2193). As actionlint, plus SC1090 and SC2193.
_EXCLUDED = "SC1090,SC1091,SC2194,SC2050,SC2153,SC2154,SC2157,SC2043,SC2193"
_PROGRAM = lazyre.compile(r"shellcheck(?:[-._][A-Za-z0-9._-]*)?(?:\.exe)?", lazyre.IGNORECASE)
_LEVELS = {"error": "error", "warning": "warning", "info": "note", "style": "note"}


@rule(
    id="shellcheck",
    kinds=("workflow", "action"),
    severity="warning",
    summary="ShellCheck's findings in `run:` scripts (off unless the `executable` option is set)",
    tags=("correctness",),
    options={"executable": "", "level": "warning", "timeout": 60},
    options_schema={
        "executable": {"type": "string", "description": "the shellcheck program to run (e.g. 'shellcheck'); empty: off"},
        "level": {"enum": ["error", "warning", "info", "style"], "description": "the least severe findings to report"},
        "timeout": {"type": "number", "description": "seconds one shellcheck run may take"},
    },
)
def check(doc, ctx):
    """## What it does
    Runs [ShellCheck](https://www.shellcheck.net/) on the `run:` scripts that GitHub runs with
    `bash` or `sh` (the step's `shell`, else `defaults.run.shell`, else bash on Linux and macOS
    runners), in workflows and composite actions, and reports its findings at the exact place in
    the script. `${{ }}` expressions are blanked out before checking, and the script is checked as
    GitHub runs it (`set -eo pipefail` for bash). It is off by default and never needed: set the
    `executable` option to turn it on; a missing program is reported once per file, as a note.

    ## Why is this bad?
    Unquoted variables, `cd` without a check, `$?` after a pipeline and the like make a step
    pass when it should fail, or break on the first path with a space.

    ## Example
    ```yaml
    steps:
      - run: cd $DIR && rm -rf $BUILD/*
    ```

    ## Use instead
    ```yaml
    steps:
      - run: cd "$DIR" && rm -rf "${BUILD:?}"/*
    ```
    Turn it on in `.cicdlint.yml`:

    ```yaml
    rules:
      shellcheck:
        executable: shellcheck
        level: warning      # error | warning | info | style
    ```
    """
    executable = ctx.options.get("executable") or ""
    if not executable:
        return
    scripts = []
    for step in ctx.steps():
        run = step.run
        if run is None or not run.value.strip():
            continue
        shell = _shell(step, doc)
        if shell is not None:
            scripts.append((run, shell))
    if not scripts:
        return
    level = ctx.options.get("level") if ctx.options.get("level") in _LEVELS else "warning"
    results = _run(executable, scripts, level, float(ctx.options.get("timeout") or 60), ctx.repo.root)
    if isinstance(results, str):
        yield Issue(scripts[0][0], results, severity="note")
        return
    for index, finding in results:
        scalar = scripts[index][0]
        offset, length = _offset(scalar.value, finding)
        code = finding.get("code")
        message = str(finding.get("message", "")).rstrip(".")
        severity = _LEVELS.get(finding.get("level"), "warning")
        node = ctx.locate(scalar, offset, length) if offset is not None and scalar.style in (None, "|") else scalar
        yield Issue(node, f"ShellCheck SC{code}: {message} (https://www.shellcheck.net/wiki/SC{code}).", severity=severity)


def _shell(step, doc) -> str | None:
    """'bash' or 'sh' when GitHub runs the step's script with one of them, else None."""
    value = text(step.node.get("shell"))
    if value is None and step.job is not None:
        for node in step.job.run_defaults("shell"):
            value = text(node)
            break
        if value is None:
            value = "pwsh" if runners.platform(step.job) == "windows" else "bash"
    if value is None or "${{" in value:
        return None
    command = value.strip().split()[0].lower() if value.strip() else ""
    command = command.rsplit("/", 1)[-1]
    return command if command in ("bash", "sh") else None


def _blank(script: str) -> str:
    """`${{ ... }}` replaced by as many `_`, so that positions stay the same."""
    return _EXPRESSION.sub(lambda match: "".join("\n" if char == "\n" else "_" for char in match.group(0)), script)


def _run(executable: str, scripts: list, level: str, timeout: float, repo_root):
    """[(script index, shellcheck finding)], or a message when shellcheck could not run."""
    import json
    import os
    import shutil
    import subprocess
    import tempfile

    # The option may come from the linted repository's own config: run only a program named
    # shellcheck found on PATH, never a path, and never one inside the repository.
    name = executable.strip()
    if not _PROGRAM.fullmatch(name):
        return (f"The shellcheck rule runs only a program named shellcheck found on PATH (e.g. 'shellcheck'), not "
                f"'{executable}', so no script was checked.")
    program = shutil.which(name)
    if program is None:
        return f"The shellcheck rule is on, but '{executable}' was not found on PATH, so no script was checked."
    real = os.path.realpath(program)
    for root in {os.path.realpath(str(repo_root)), os.path.realpath(os.getcwd())}:
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return f"The shellcheck rule does not run '{program}', which is inside the linted repository."
    with tempfile.TemporaryDirectory(prefix="cicdlint-shellcheck-") as directory:
        groups: dict[str, list[str]] = {}
        for index, (scalar, shell) in enumerate(scripts):
            path = os.path.join(directory, f"{index}.{shell}")
            setup = "set -eo pipefail" if shell == "bash" else "set -e"
            with open(path, "w", encoding="utf-8") as file:
                file.write(f"{setup}\n{_blank(scalar.value)}\n")
            groups.setdefault(shell, []).append(path)
        found = []
        for shell, paths in groups.items():
            try:
                result = subprocess.run(
                    [program, "--norc", "-f", "json1", "-s", shell, "-S", level, "-e", _EXCLUDED, *paths],
                    capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, cwd=directory,
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                return f"The shellcheck rule could not run '{executable}': {error}."
            try:
                comments = json.loads(result.stdout or "{}").get("comments", [])
            except ValueError:
                return f"The shellcheck rule could not read the output of '{executable}' (exit code {result.returncode})."
            for comment in comments:
                name = os.path.basename(str(comment.get("file", "")))
                index = name.split(".", 1)[0]
                if index.isdigit() and int(index) < len(scripts):
                    found.append((int(index), comment))
    found.sort(key=lambda item: (item[0], item[1].get("line", 0), item[1].get("column", 0)))
    return found


def _offset(script: str, finding: dict):
    """(offset, length) in the script of a finding (its line 1 is the `set` line we added)."""
    line = int(finding.get("line", 0)) - 2
    column = int(finding.get("column", 1)) - 1
    if line < 0:
        return None, 0
    lines = script.split("\n")
    if line >= len(lines):
        return None, 0
    start = sum(len(text) + 1 for text in lines[:line]) + max(0, min(column, len(lines[line])))
    end_line = int(finding.get("endLine", finding.get("line", 0))) - 2
    end_column = int(finding.get("endColumn", column + 2)) - 1
    length = end_column - column if end_line == line and end_column > column else 1
    return start, max(1, length)
