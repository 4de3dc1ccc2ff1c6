from __future__ import annotations

import re

from cicdlint import lazyre
from cicdlint.expressions import find_expressions
from cicdlint.model import as_scalar, text
from cicdlint.rule import Issue, rule
from cicdlint.shell import parse, strip_wrappers

_FIX_TAIL = "where GitHub's masking misses transformed or partial values"


@rule(
    id="echoed-secret",
    kinds=("workflow", "action"),
    severity="error",
    summary="A secret is written to the job log by echo, a heredoc, an environment dump or set -x",
    tags=("security", "secrets"),
    security_severity=7.5,
)
def check(doc, ctx):
    """## What it does
    Finds shell scripts (`run:` steps of workflows and composite actions, and the `script:` of
    SSH deploy actions such as `appleboy/ssh-action`) that write a secret to the job log:

    - `echo`, `printf`, `cat <<EOF`, `tee` or `printenv VAR` of `${{ secrets.X }}`, or of a shell
      variable whose `env:` (step, job or workflow level) comes from a secret, when the output
      reaches the log (not a file, `$GITHUB_ENV`, or a command that consumes it such as
      `docker login --password-stdin`; `| tee`, `| base64 -d` and similar filters still print);
    - `set -x` (`set -ex`, `set -o xtrace`), `shell: bash -x {0}` or `bash -x script.sh`, which trace
      every command with its variables expanded: an error when a traced command uses a secret, a
      warning (medium confidence) when the step's environment merely holds one;
    - environment dumps (`env`, `printenv`, `export -p`, `declare -p`, bare `set`, also
      `env | sort`) in a step whose environment holds a secret.

    `echo "::add-mask::$X"`, `${#X}` (a length), `${X:+set}`, `'$X'` in single quotes, command
    substitutions (`X=$(echo ... | base64)`), expressions that only test a secret
    (`${{ secrets.X != '' }}`) and dumps filtered to other names (`env | grep ^GITHUB_`,
    `env | cut -d= -f1`) are not reported. A variable assigned from a secret in the script
    (`export PASSWORD="${{ secrets.DB_PASSWORD }}"`) counts like one from `env:`. `bash -x script.sh`
    whose only link to a secret is the environment is a warning: the script is not visible here.
    For SSH scripts, shell variables count only when the step passes them with `with.envs` and
    its `env:` maps them to secrets.

    ## Why is this bad?
    Anyone who can read the repository's Actions logs can read the job log, and logs are kept
    for months. GitHub masks a secret's exact value, but not a value that was transformed
    (base64, URL-encoded, split over lines, a JSON field of it) or printed in part, and not a
    multi-line secret printed in a different layout. A trace (`set -x`) prints every expanded
    command, including the ones that use the secret.

    ## Example
    ```yaml
    steps:
      - name: Deploy
        env:
          DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}
        run: |
          set -x
          echo "Using key $DEPLOY_KEY"
          echo "${{ secrets.API_TOKEN }}" | base64 -d
          ./deploy.sh --key "$DEPLOY_KEY"
    ```

    ## Use instead
    ```yaml
    steps:
      - name: Deploy
        env:
          DEPLOY_KEY: ${{ secrets.DEPLOY_KEY }}
          API_TOKEN: ${{ secrets.API_TOKEN }}
        run: |
          echo "::add-mask::$(echo "$API_TOKEN" | base64 -d)"
          echo "$API_TOKEN" | base64 -d > "$RUNNER_TEMP/token"
          ./deploy.sh --key "$DEPLOY_KEY"
    ```
    Pass secrets through `env:` and use them without printing them. Print a length (`${#X}`) or
    "is set" instead of a value, register derived values with `::add-mask::` before anything can
    print them, and turn tracing off (`set +x`) around commands that use secrets.
    """
    for step in ctx.steps():
        for scalar, where in step.scripts():
            if where == "run":
                shell_node = _shell_node(step)
                if not _is_posix_shell(step, text(shell_node)):
                    continue
                env = _env_secrets(step)
            else:
                shell_node = None
                env = _env_secrets(step, only=_ssh_envs(step))
            if not env and "secrets" not in scalar.value:
                continue  # no secret in reach of this script
            yield from _Script(ctx, scalar, env, shell_node).check()


# --- the step's shell and environment -------------------------------------------------------

_POSIX_SHELLS = {"bash", "sh", "zsh", "dash", "ksh", "ash"}


def _shell_node(step):
    """The step's `shell:`, else the job's or the workflow's `defaults.run.shell`."""
    node = step.node.get("shell")
    if node is not None:
        return as_scalar(node)
    defaults = step.job.run_defaults("shell") if step.job is not None else []
    return as_scalar(defaults[0]) if defaults else None


def _is_posix_shell(step, shell: str | None) -> bool:
    if shell is None:  # the runner's default shell: bash, except on Windows
        if step.job is None:
            return True
        return not any("windows" in (label or "").lower() for label in step.job.runner_labels)
    if "${{" in shell:
        return True
    return _is_posix_program(shell.split())


def _is_posix_program(words: list[str]) -> bool:
    return bool(words) and words[0].rsplit("/", 1)[-1] in _POSIX_SHELLS


def _shell_traces(shell: str | None) -> bool:
    words = (shell or "").split()
    return _is_posix_program(words) and _flags_trace(words[1:])


def _flags_trace(args: list[str]) -> bool:
    """Do these shell options (`-x`, `-ex`, `-o xtrace`) turn tracing on?"""
    on, i = False, 0
    while i < len(args):
        arg = args[i]
        if arg in ("-o", "+o"):
            if i + 1 < len(args) and args[i + 1] == "xtrace":
                on = arg == "-o"
            i += 2
            continue
        if arg.startswith("--") and len(arg) > 2:
            i += 1  # `--noprofile`, `--norc`
            continue
        if re.fullmatch(r"[-+][a-zA-Z]+", arg):
            if "x" in arg[1:]:
                on = arg[0] == "-"
            # `-euxo pipefail`: the trailing `o` takes the next word
            i += 2 if arg.endswith("o") else 1
            continue
        break  # `--`, a script name or a command string: options end
    return on


def _ssh_envs(step) -> set[str]:
    node = step.input("envs")
    if node is None:
        return set()
    return {part.strip() for part in re.split(r"[,\s]+", node.value) if part.strip()}


def _env_secrets(step, only: set[str] | None = None) -> dict[str, list[str]]:
    """Env var name -> the secrets its value holds, for the step's environment."""
    found = {}
    for name, var in step.env.items():
        if only is not None and name not in only:
            continue
        value = text(var.value)
        names = _expression_secrets(value) if value is not None and "secrets" in value else []
        if names:
            found[name] = names
    return found


# --- secrets in an expression ---------------------------------------------------------------

_SECRET_PATH = lazyre.compile(
    r"(?<![\w.'\"])secrets(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\])?((?:\.[\w-]+|\[[^\]]*\])*)"
)
_BOOLEAN_FUNCTIONS = {"contains", "startswith", "endswith", "hashfiles", "always", "success", "failure", "cancelled"}


def _expression_secrets(text_: str) -> list[str]:
    """Secrets whose value the `${{ }}` expressions of a text yield."""
    return [name for expr in find_expressions(text_) for name in _value_secrets(expr.body)]


def _value_secrets(body: str) -> list[str]:
    """Secrets whose value (or part of it) an expression yields: not `secrets.X != ''`,
    `!secrets.X`, `secrets.X && 'a'` or `contains(secrets.X, 'y')`."""
    if "secrets" not in body:
        return []
    blank = re.sub(r"'(?:[^']|'')*'", lambda m: "'" + " " * (len(m.group(0)) - 2) + "'", body)
    names = []
    for match in _SECRET_PATH.finditer(blank):
        before = blank[: match.start()].rstrip()
        after = blank[match.end() :].lstrip()
        if before.endswith(("==", "!=", "<", ">", "<=", ">=", "!")) or after.startswith(("==", "!=", "<", ">", "&&")):
            continue
        if _enclosing_function(blank, match.start()) in _BOOLEAN_FUNCTIONS:
            continue
        if match.group(1):
            name = match.group(1)
        elif match.group(2) is not None:
            name = body[match.start(2) : match.end(2)]
        else:
            name = "*"
        names.append(name)
    return names


def _enclosing_function(body: str, pos: int) -> str:
    depth = 0
    for i in range(pos - 1, -1, -1):
        char = body[i]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                name = re.search(r"([A-Za-z_]\w*)\s*$", body[:i])
                return name.group(1).lower() if name else ""
            depth -= 1
    return ""


def _secret_label(names: list[str]) -> str:
    labels = []
    for name in names:
        label = "secrets.*" if name == "*" else f"secrets.{name}"
        if label not in labels:
            labels.append(label)
    return ", ".join(labels)


# --- references in shell text ---------------------------------------------------------------

_VAR = lazyre.compile(r"\$(?:\{(#?)([A-Za-z_][A-Za-z0-9_]*)(?=[}:\-+=?#%/^,@\[])|([A-Za-z_][A-Za-z0-9_]*))")


def _refs(script: str, start: int, end: int, *, quotes: bool = True, shell_vars: bool = True,
          into_subst: bool = False) -> list[tuple[str, int, int, object]]:
    """What `script[start:end]` expands: ("expr", start, end, secret names) for `${{ }}` and
    ("var", start, end, name) for `$X` / `${X}` / `${X:-y}` (never `${#X}` or `${X:+y}`). Single quotes stop
    shell variables (not `${{ }}`, which GitHub substitutes first); `$(...)` and backticks are
    skipped unless `into_subst`. `quotes=False` reads a heredoc body, where quotes are literal."""
    found = []
    i, single, double = start, False, False
    while i < end:
        if script.startswith("${{", i):
            close = _expression_end(script, i, end)
            found.append(("expr", i, close, _expression_secrets(script[i:close])))
            i = close
            continue
        char = script[i]
        if single:
            if char == "'":
                single = False
            i += 1
            continue
        if char == "\\":
            i += 2
            continue
        if quotes and char == "'" and not double:
            single = True
            i += 1
            continue
        if quotes and char == '"':
            double = not double
            i += 1
            continue
        if script.startswith("$(", i) or char == "`":
            if into_subst:
                i += 2 if char == "$" else 1
            else:
                i = _subst_end(script, i, end)
            continue
        if char == "$" and shell_vars:
            match = _VAR.match(script, i)
            if match:
                alternate = script.startswith((":+", "+"), match.end())  # `${X:+set}` prints "set"
                if not match.group(1) and not alternate:
                    found.append(("var", i, _var_end(script, match), match.group(2) or match.group(3)))
                i = match.end()
                continue
        i += 1
    return found


def _var_end(script: str, match) -> int:
    if match.group(3):
        return match.end()
    close = script.find("}", match.end())
    return match.end() if close < 0 else close + 1


def _expression_end(script: str, start: int, limit: int) -> int:
    expressions = find_expressions(script[start:])
    if expressions and expressions[0].start == 0:
        return start + expressions[0].end
    return limit


def _subst_end(script: str, i: int, limit: int) -> int:
    if script[i] == "`":
        close = script.find("`", i + 1)
        return limit if close < 0 or close > limit else close + 1
    depth, j = 0, i + 1
    while j < limit:
        char = script[j]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return j + 1
        elif char == "'":
            close = script.find("'", j + 1)
            j = limit if close < 0 else close
        elif char == "\\":
            j += 1
        j += 1
    return limit


# --- commands -------------------------------------------------------------------------------

# Commands that pass what they read on stdin to stdout (transformed or not).
_FILTERS = {"cat", "tee", "base64", "base32", "tr", "sed", "cut", "rev", "xxd", "od", "hexdump", "head", "tail",
            "sort", "uniq", "jq", "yq", "fold", "awk", "gawk", "column", "nl", "grep", "egrep", "fgrep", "iconv",
            "openssl"}
_GREP_SILENT = lazyre.compile(r"^-(?:[a-zA-Z]*[qclL][a-zA-Z]*|-quiet|-silent|-count|-files-with-matches|-files-without-match)$")
_DECLARE = {"declare", "typeset", "local", "readonly", "export"}
_WORKFLOW_COMMAND_SILENT = lazyre.compile(r"::(add-mask|set-output|save-state|stop-commands|set-env|add-path)\b")


def _begin(command) -> int:
    """Where the command's own words start (after `then`, `{`, `VAR=x` prefixes)."""
    return command.words[0].start if command.words else command.start


def _base(word) -> str:
    return word.value.rsplit("/", 1)[-1]


def _passes_through(words) -> bool:
    if not words:
        return False
    name = _base(words[0])
    if name not in _FILTERS:
        return False
    args = [word.value for word in words[1:]]
    if name in ("grep", "egrep", "fgrep"):
        return not any(_GREP_SILENT.match(arg) for arg in args)
    if name == "sed":
        return not any(arg == "-i" or arg.startswith("-i") or arg == "--in-place" for arg in args)
    if name == "openssl":
        return bool(args) and args[0] in ("base64", "enc") and "-out" not in args
    if name in ("base64", "base32", "sort") and any(
        arg in ("-o", "--output") or arg.startswith(("--output=", "-o")) for arg in args
    ):
        return False  # writes a file (macOS `base64 --decode --output=key.p12`)
    if name == "cat":
        return all(arg.startswith("-") for arg in args)
    return True


class _Script:
    def __init__(self, ctx, scalar, env: dict[str, list[str]], shell_node):
        self.ctx, self.scalar = ctx, scalar
        self.script = scalar.value
        self.shell_node, self.shell = shell_node, text(shell_node)
        self.vars: dict[str, list[str]] = dict(env)  # shell vars holding secrets (env and assigned)
        self.exported: set[str] = set(env)
        self.commands = parse(self.script)

    # -- helpers

    def span(self, start: int, end: int):
        return self.ctx.locate(self.scalar, start, max(1, end - start))

    def command_span(self, command):
        return self.span(_begin(command), command.end)

    def first_line(self, command) -> str:
        return self.script[_begin(command) : command.end].split("\n", 1)[0]

    def held(self) -> list[str]:
        """Exported variables holding secrets: what a child process (or a trace) can see."""
        return sorted(name for name in self.vars if name in self.exported)

    def var_label(self, name: str) -> str:
        return _secret_label(self.vars.get(name, []))

    def secrets_of(self, ref) -> list[str]:
        kind, _, _, what = ref
        if kind == "expr":
            return what
        return self.vars.get(what, [])

    def first_secret(self, start: int, end: int, **options) -> str | None:
        """How the first secret that `script[start:end]` expands is described, or None."""
        for ref in _refs(self.script, start, end, **options):
            if self.secrets_of(ref):
                return self.describe(ref)
        return None

    def reaches_log(self, index: int) -> tuple[bool, list]:
        """Does what command `index` writes reach the log? Also the commands it was piped through."""
        through = []
        command = self.commands[index]
        while command.piped_out:
            if index + 1 >= len(self.commands):
                return False, through
            index += 1
            command = self.commands[index]
            if not _passes_through(strip_wrappers(command.words)):
                return False, through
            through.append(command)
        return command.stdout_to_log(), through

    def describe(self, ref) -> str:
        kind, _, _, what = ref
        if kind == "expr":
            return _secret_label(what)
        return f"${what} (from {self.var_label(what)})"

    def print_issue(self, ref, verb: str):
        kind, start, end, what = ref
        if kind == "expr":
            fix = (f"Do not print {_secret_label(what)} to the job log; pass it through env and use it without "
                   f"echoing it (mask derived values with ::add-mask::).")
        else:
            fix = (f"Do not print ${what} to the job log; it holds {self.var_label(what)}, so use it "
                   f"without echoing it (mask derived values with ::add-mask::).")
        return Issue(self.span(start, end), f"{fix} `{verb}` writes it to the log, {_FIX_TAIL}.")

    def print_var_issue(self, word, shown: str):
        """`printenv X` / `declare -p X` of a variable that holds a secret."""
        return Issue(
            self.span(word.start, word.end),
            f"Do not print ${word.value} to the job log; it holds {_secret_label(self.vars[word.value])}, "
            f"so use it without printing it. `{shown}` writes it to the log, {_FIX_TAIL}.",
        )

    # -- the checks

    def check(self):
        tracing = _shell_traces(self.shell)
        trace_from = None  # (command or None for `shell:`) that turned tracing on, unreported
        if tracing and self.shell_node is not None:
            trace_from = ("shell", None)
        for index, command in enumerate(self.commands):
            words = strip_wrappers(command.words)
            name = _base(words[0]) if words else ""
            # tracing: report the `set -x` once, when a traced command uses a secret
            if tracing and trace_from is not None:
                leaked = self.traced_secret(command)
                if leaked:
                    yield self.trace_issue(trace_from, command, leaked)
                    trace_from = None
            if name == "set":
                change = _set_tracing(words)
                if change is True and not tracing:
                    tracing, trace_from = True, ("set", command)
                elif change is False:
                    tracing, trace_from = False, None
            if name in _POSIX_SHELLS and _flags_trace([w.value for w in words[1:]]):
                yield from self.traced_shell(command)
            yield from self.printed(index, command, words, name)
            yield from self.dumps(index, command, words, name)
            self.assign(command, words, name)
        if trace_from is not None:
            yield from self.trace_with_secret_environment(trace_from)

    def tracing_origin(self, trace_from):
        """(node, text) of what turned tracing on: the step's `shell:` or a `set -x` command."""
        kind, command = trace_from
        if kind == "shell":
            return self.shell_node, f"shell: {self.shell}"
        return self.command_span(command), self.first_line(command)

    def trace_with_secret_environment(self, trace_from):
        """Tracing is on and no traced command names a secret, but the environment holds one:
        any command that expands it (a script, a tool reading it) writes it with the trace."""
        held = self.held()
        if not held:
            return
        node, shown = self.tracing_origin(trace_from)
        yield Issue(
            node,
            f"Remove the tracing (`{shown}`) from this step, or turn it off (`set +x`) before any command that "
            f"expands {', '.join('$' + name for name in held)}. The step's environment holds secrets, and a trace "
            f"writes every expanded command to the job log, {_FIX_TAIL}.",
            severity="warning",
            confidence="medium",
        )

    def traced_secret(self, command) -> str | None:
        if self.script.startswith("#", command.start):
            return None
        return self.first_secret(command.start, command.end, into_subst=True)

    def trace_issue(self, trace_from, command, leaked: str):
        words = strip_wrappers(command.words)
        used = f"`{_base(words[0])}`" if words else "an assignment"
        node, shown = self.tracing_origin(trace_from)
        if trace_from[0] == "shell":
            fix = f"Drop `-x` from `{shown}`, or turn tracing off (`set +x`) around commands that use secrets."
        else:
            fix = f"Remove `{shown}` or turn tracing off (`set +x`) before commands that use secrets."
        return Issue(node, f"{fix} The trace writes {used} with {leaked} expanded to the job log, {_FIX_TAIL}.")

    def traced_shell(self, command):
        """`bash -x script.sh`: the script's commands are traced with the step's secrets expanded."""
        direct = self.first_secret(command.start, command.end)
        held = self.held()
        fix = f"Drop `-x` from `{self.first_line(command)}`, or trace without secrets."
        if direct is not None:
            yield Issue(self.command_span(command), f"{fix} The trace writes {direct} to the job log, {_FIX_TAIL}.")
        elif held:
            yield Issue(
                self.command_span(command),
                f"{fix} The environment holds {', '.join('$' + name for name in held)} (from secrets), and the "
                f"trace writes every command that uses them, expanded, to the job log, {_FIX_TAIL}.",
                severity="warning",
                confidence="medium",
            )

    def printed(self, index, command, words, name):
        """echo / printf arguments, and the heredoc or here-string that cat / tee / a filter prints."""
        refs = [
            ref
            for start, end, quotes, shell_vars in self.printed_sources(command, words, name)
            for ref in _refs(self.script, start, end, quotes=quotes, shell_vars=shell_vars)
            if self.secrets_of(ref)
        ]
        if not refs:
            return
        reaches, through = self.reaches_log(index)
        if not reaches:
            return
        verb = name
        for redirect in command.redirects if name not in ("echo", "printf") else []:
            if redirect.op in ("<<", "<<-", "<<<") and redirect.target is not None:
                verb = f"{name} {redirect.op}{redirect.target.text if redirect.op != '<<<' else ''}"
        for ref in refs:
            yield self.print_issue(ref, verb + _piped_names(through))

    def printed_sources(self, command, words, name) -> list[tuple[int, int, bool, bool]]:
        """(start, end, quotes, shell_vars) of the text the command prints, for _refs."""
        if name in ("echo", "printf"):
            args = words[1:]
            if name == "printf" and any(word.value == "-v" or word.value.startswith("-v") for word in args[:2]):
                return []
            if name == "echo":
                while args and re.fullmatch(r"-[neE]+", args[0].value):
                    args = args[1:]
            printed = " ".join(self.script[word.start : word.end] for word in args)
            if _WORKFLOW_COMMAND_SILENT.search(printed):
                return []
            return [(word.start, word.end, True, True) for word in args]
        sources = []
        if words and (_passes_through(words) or name == "tee"):
            for redirect in command.redirects:
                if redirect.op == "<<<" and redirect.target is not None:
                    sources.append((redirect.target.start, redirect.target.end, True, True))
                elif redirect.op in ("<<", "<<-") and command.heredoc is not None:
                    start, end = command.heredoc
                    sources.append((start, end, False, not command.heredoc_quoted))
        return sources

    def dumps(self, index, command, words, name):
        """env / printenv / export -p / declare -p / set: the whole environment (or shell state)."""
        args = [word.value for word in words[1:]]
        if name == "printenv" and any(not arg.startswith("-") for arg in args):
            named = [word for word in words[1:] if word.value in self.vars and word.value in self.exported]
            yield from self.named_prints(index, named, "printenv")
            return
        if name in ("declare", "typeset") and args and args[0].startswith("-") and "p" in args[0]:
            named = [word for word in words[1:] if not word.value.startswith("-")]
            if named:
                yield from self.named_prints(index, [word for word in named if word.value in self.vars], f"{name} -p")
                return
        yield from self.environment_dump(index, command, name, args)

    def named_prints(self, index, words, verb: str):
        if words and self.reaches_log(index)[0]:
            for word in words:
                yield self.print_var_issue(word, f"{verb} {word.value}")

    def environment_dump(self, index, command, name: str, args: list[str]):
        held = self.dumped_vars(name, args)
        if not held:
            return
        reaches, through = self.reaches_log(index)
        if not reaches:
            return
        for piped in through:
            piped_words = strip_wrappers(piped.words)
            if _names_only(piped_words):
                return  # `env | cut -d= -f1`: variable names, not values
            if piped_words and _base(piped_words[0]) in ("grep", "egrep", "fgrep"):
                held = [var for var in held if _grep_may_match(piped_words, var)]
        if not held:
            return
        shown = self.first_line(command) + _piped_names(through)
        listed = ", ".join(f"${var} ({_secret_label(self.vars[var])})" for var in held[:3])
        more = f" and {len(held) - 3} more" if len(held) > 3 else ""
        yield Issue(
            self.command_span(command),
            f"Do not dump the environment with `{shown}` in a step that holds secrets; print only the variables "
            f"you need, by name. It writes {listed}{more} to the job log, {_FIX_TAIL}.",
        )

    def dumped_vars(self, name: str, args: list[str]) -> list[str]:
        exported = self.held()
        if name == "env" and all(arg.startswith("-") and arg not in ("-S", "--split-string") for arg in args):
            return exported
        if name == "printenv" and all(arg.startswith("-") for arg in args):
            return exported
        if name == "export" and all(arg == "-p" for arg in args):
            return exported
        if name in ("declare", "typeset") and args and all(re.fullmatch(r"-[a-zA-Z]*[px][a-zA-Z]*", a) for a in args):
            return exported if all("x" in arg for arg in args) else sorted(self.vars)
        if name == "set" and not args:
            return sorted(self.vars)
        return []

    def assign(self, command, words, name):
        """Track shell variables that hold secrets: `X=${{ secrets.Y }}`, `export X="$TOKEN"`."""
        assignments = list(command.assignments) if not words else []
        exporting = False
        if name in _DECLARE and words and words[0].value == name:
            exporting = name == "export" or any(arg.value.startswith("-") and "x" in arg.value for arg in words[1:])
            for word in words[1:]:
                if re.match(r"[A-Za-z_][A-Za-z0-9_]*\+?=", word.text):
                    assignments.append(word)
                elif exporting and word.value in self.vars:
                    self.exported.add(word.value)
        for word in assignments:
            target = word.text.partition("=")[0]  # `X` or `X+`
            var = target.rstrip("+")
            if "[" in var:
                continue
            names = [secret for ref in _refs(self.script, word.start + len(target) + 1, word.end)
                     for secret in self.secrets_of(ref)]
            if names:
                self.vars[var] = names
                if exporting:
                    self.exported.add(var)
            elif not target.endswith("+"):
                self.vars.pop(var, None)


def _set_tracing(words) -> bool | None:
    """Does this `set` turn tracing on (True), off (False), or leave it (None)?"""
    args = [word.value for word in words[1:]]
    if not args:
        return None
    if any(arg in ("-x", "-o") or (arg.startswith("-") and "x" in arg) for arg in args) and _flags_trace(args):
        return True
    if any(arg in ("+x", "+o") or (arg.startswith("+") and "x" in arg) for arg in args):
        return False
    return None


def _piped_names(through) -> str:
    """` | tee | base64`: the commands a printed value was piped through."""
    if not through:
        return ""
    return " | " + " | ".join(_base(strip_wrappers(c.words)[0]) for c in through)


def _names_only(words) -> bool:
    """Does this filter keep only the `NAME` of `NAME=value` lines?"""
    if not words:
        return False
    name, args = _base(words[0]), " ".join(word.value for word in words[1:])
    if name == "cut":
        return bool(re.search(r"-d\s*=", args) and re.search(r"-f\s*1(?![0-9,-])", args))
    if name in ("awk", "gawk"):
        return bool(re.search(r"-F\s*=", args) and re.search(r"\{\s*print \$1\s*;?\s*\}", args))
    if name == "sed":
        return bool(re.search(r"s(.)=\.\*\1\1", args))
    return False


def _grep_may_match(words, var: str) -> bool:
    """Could `grep` (piped after an env dump) keep the `VAR=...` line?"""
    args = [word.value for word in words[1:]]
    patterns, flags, i = [], 0, 0
    invert = fixed = False
    while i < len(args):
        arg = args[i]
        if arg in ("-e", "--regexp") and i + 1 < len(args):
            patterns.append(args[i + 1])
            i += 2
            continue
        if arg.startswith("-e") and len(arg) > 2:
            patterns.append(arg[2:])
        elif arg.startswith("--regexp="):
            patterns.append(arg.split("=", 1)[1])
        elif arg.startswith("-") and not arg.startswith("--") and len(arg) > 1:
            invert = invert or "v" in arg
            fixed = fixed or "F" in arg
            if "i" in arg:
                flags |= re.I
        elif arg.startswith("--"):
            invert = invert or arg == "--invert-match"
            if arg == "--ignore-case":
                flags |= re.I
        elif not patterns:
            patterns.append(arg)
        i += 1
    if invert or not patterns:
        return True
    line = f"{var}="
    for pattern in patterns:
        if "$" in pattern.lstrip("^").rstrip("$") or (pattern.endswith("$") and not fixed):
            return True  # a variable, or an anchor at the end: cannot tell
        # The pattern comes from the linted file: it is never run as a regular expression (it could
        # be written to backtrack for ever). Literal patterns, `^` anchors and `\|` alternatives
        # are decided; anything else might match.
        anchored = not fixed and pattern.startswith("^")
        for alternative in ([pattern] if fixed else (pattern[1:] if anchored else pattern).split("\\|")):
            if not fixed and any(char in alternative for char in ".[]*+?(){}\\|^"):
                return True
            needle, haystack = (alternative.lower(), line.lower()) if flags else (alternative, line)
            if haystack.startswith(needle) if anchored else needle in haystack:
                return True
    return False
