from __future__ import annotations

import re

from cicdlint import lazyre, shell
from cicdlint.rule import Issue, rule

_DOWNLOADERS = {"curl", "wget"}
_SHELLS = {"sh", "bash", "zsh", "dash", "ash", "ksh"}
# Interpreters that run the program they read on standard input when given no script.
_INTERPRETERS = lazyre.compile(r"(?:python[0-9.]*|perl|ruby|node|php)$")
# Options that make the interpreter run code from the command line, not standard input.
_INLINE_CODE = {"-c", "-m", "-e", "-E", "-r", "-p", "--eval", "--print", "--command"}
# Short options that take a value, per consumer (the value is the next word).
_SHELL_VALUE_OPTIONS = {"-o", "+o", "-O", "+O", "--rcfile", "--init-file"}
_PYTHON_VALUE_OPTIONS = {"-W", "-X", "-Q"}
# curl short options that take a value: a cluster such as `-fsSLo out` stops at the first one.
_CURL_VALUE_LETTERS = set("AbcCdDeEFhHKmoOQrtTuUwxXyYz")
_PROCESS_SUBSTITUTION = lazyre.compile(
    r"(?:^|(?<=[\s;&|(]))(?:sudo\s+(?:-\S+\s+)*)?(?:\S*/)?(?P<name>bash|sh|zsh|dash|ksh|source|\.|python[0-9.]*)"
    r"(?:\s+-[^\s<]*)*\s+<\("
)
_MAX_SHOWN = 80


@rule(
    id="curl-pipe-shell",
    kinds=("workflow", "action"),
    severity="warning",
    summary="Script downloaded with curl or wget is run straight from the network",
    tags=("security", "supply-chain"),
    security_severity=6.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `run:` scripts (of workflows and composite actions) and SSH action `script:` inputs
    that run what `curl` or `wget` download without saving and checking it first:

    - a download piped into a shell: `curl -fsSL https://get.example.sh | sh`,
      `wget -qO- https://example.com/install | sudo bash`, `curl ... | sudo -E bash -`,
      `curl ... | bash -s -- --version 1.2` (also through `| tee install.log |`);
    - a download piped into an interpreter that reads its program from standard input:
      `curl ... | python3`, `| python -`, `| perl`, `| ruby`, `| node`;
    - a download run by a shell as its script: `bash <(curl -sL ...)`, `source <(curl ...)`,
      `sh -c "$(curl -fsSL ...)"`, `eval "$(wget -qO- ...)"`;
    - the same inside `$(...)`, `bash -c '...'`, `ssh host '...'` and `bash <<EOF` heredocs.

    Not reported: a download piped into a program that only reads data (`| jq`, `| tar xz`,
    `| grep`, `| tee file`, `| python -c "import json..."`, `| python -m json.tool`,
    `| bash script.sh`); `wget` without `-O-` (it writes a file, not standard output); `curl -o
    file` / `-O`; `bash -c "$(...)"` where the download is only an argument of the inner script.

    ## Why is this bad?
    The runner executes whatever the server (or anyone able to change the file on it, or on the
    way to it) returns at that moment, with the job's secrets, `GITHUB_TOKEN` and, for `sudo`,
    root on the machine. Nothing records what ran, the script can change between two runs of
    the same commit, and a truncated download can run half a script. Installer URLs such as
    `raw.githubusercontent.com/.../main/install.sh` follow a branch, so every push to that
    repository runs in your pipeline.

    ## Example
    ```yaml
    steps:
      - name: Install tools
        run: |
          curl -fsSL https://get.docker.com | sh
          wget -qO- https://raw.githubusercontent.com/nvm-sh/nvm/master/install.sh | bash
    ```

    ## Use instead
    ```yaml
    steps:
      - uses: docker/setup-buildx-action@b5ca514318bd6ebac0fb2aedd5d36ec1b5c232a2 # v3.10.0
      - name: Install tool
        run: |
          curl -fsSLo tool.tar.gz https://example.com/releases/v1.4.2/tool-linux-amd64.tar.gz
          echo "6d1c...e2f9  tool.tar.gz" | sha256sum -c -
          tar xzf tool.tar.gz
    ```
    Download the installer to a file at a fixed version, verify its checksum (or signature)
    against a value kept in the repository, then run it. Better still, use a setup action
    pinned to a commit SHA, or the distribution's package manager.
    """
    for step in ctx.steps():
        for scalar, _where in step.scripts():
            script = scalar.value
            if "curl" not in script and "wget" not in script:
                continue
            seen: set[int] = set()
            for word, consumer, how in _findings(script):
                if word.start in seen:
                    continue
                seen.add(word.start)
                yield Issue(ctx.locate(scalar, word.start, word.end - word.start), _message(word, _url(script, word), consumer, how))


def _findings(script: str):
    """(downloader word, consumer name, how) for every download that is run."""
    nested = shell.parse_nested(script)
    for index, item in enumerate(nested):
        command = item.command
        words = shell.strip_wrappers(command.words)
        if not words or not _downloads_to_stdout(words):
            continue
        if command.piped_out:
            consumer = _consumer(nested, index)
            if consumer is not None:
                yield words[0], consumer, "pipe"
                continue
        if item.via == "substitution" and item.parents and not command.piped_out:
            runner = _runs_substitution(item.parents[-1], command)
            if runner:
                yield words[0], runner, "substitution"
    for match in _PROCESS_SUBSTITUTION.finditer(script):
        start = match.end()
        end = _close_paren(script, start)
        inner = shell.parse(script[start:end])
        for position, command in enumerate(inner):
            words = shell.strip_wrappers(command.words)
            if words and not command.piped_out and _downloads_to_stdout(words):
                # only the last command of the pipeline inside `<( )` feeds the shell
                word = words[0]
                yield shell.Word(word.text, word.start + start, word.end + start), match.group("name"), "process"


def _same_level(a, b) -> bool:
    return len(a.parents) == len(b.parents) and all(x is y for x, y in zip(a.parents, b.parents)) and a.via == b.via


def _consumer(nested, index: int) -> str | None:
    """The shell or interpreter that runs what the command at `index` prints, or None."""
    current = nested[index]
    while True:
        following = next((item for item in nested[index + 1 :] if _same_level(current, item)), None)
        if following is None:
            return None
        words = shell.strip_wrappers(following.command.words)
        if not words:
            return None
        name = words[0].value.rsplit("/", 1)[-1]
        if name == "tee" and following.command.piped_out:  # `| tee install.log | sh`
            index = nested.index(following)
            current = following
            continue
        return name if _runs_stdin(name, [word.value for word in words[1:]]) else None


def _runs_stdin(name: str, args: list[str]) -> bool:
    """Does `name args...` execute the program it reads on standard input?"""
    if name in _SHELLS:
        value_options = _SHELL_VALUE_OPTIONS
    elif _INTERPRETERS.fullmatch(name):
        value_options = _PYTHON_VALUE_OPTIONS
    else:
        return False
    i = 0
    while i < len(args):
        value = args[i]
        if value in ("-", "/dev/stdin"):
            return True
        if value == "--":
            return i + 1 >= len(args)  # `bash -- file`: a script file
        if value in _INLINE_CODE or (name in _SHELLS and value.startswith("-") and not value.startswith("--") and "c" in value[1:]):
            return False
        if name in _SHELLS and value.startswith("-") and not value.startswith("--") and "s" in value[1:]:
            return True  # `bash -s -- args`: the script is standard input
        if value in value_options:
            i += 2
            continue
        if value.startswith(("-", "+")):
            i += 1
            continue
        return False  # a script file: standard input is only data
    return True


def _runs_substitution(parent, command) -> str | None:
    """`sh -c "$(curl ...)"` / `eval "$(curl ...)"`: the parent runs the substitution's output."""
    words = shell.strip_wrappers(parent.words)
    if not words:
        return None
    name = words[0].value.rsplit("/", 1)[-1]
    if name == "eval":
        body = words[1:]
    elif name in _SHELLS:
        body = []
        for index, word in enumerate(words[1:-1], start=1):
            value = word.value
            if value.startswith("-") and not value.startswith("--") and "c" in value[1:]:
                body = [words[index + 1]]
                break
            if not value.startswith(("-", "+")):
                break
    else:
        return None
    for word in body:
        # the substitution must be the start of the code, not an argument inside it
        if word.start <= command.start < word.end:
            prefix = word.text[: max(0, command.start - word.start)]
            if prefix.lstrip("\"'").rstrip("(`").rstrip("$") == "":
                return name
    return None


def _downloads_to_stdout(words) -> bool:
    name = words[0].value.rsplit("/", 1)[-1]
    if name not in _DOWNLOADERS:
        return False
    args = [word.value for word in words[1:]]
    if not any(_looks_like_url(arg) for arg in args):
        return False
    if name == "wget":
        for i, arg in enumerate(args):
            if arg in ("-O-", "--output-document=-", "-O/dev/stdout", "--output-document=/dev/stdout"):
                return True
            if arg in ("-O", "--output-document") and i + 1 < len(args) and args[i + 1] in ("-", "/dev/stdout"):
                return True
            if re.fullmatch(r"-[a-zA-NP-Z]*O-?", arg):  # -qO- / -qO -
                if arg.endswith("-") or (i + 1 < len(args) and args[i + 1] in ("-", "/dev/stdout")):
                    return True
        return False
    for arg in args:  # curl: standard output unless told to write a file
        if arg.startswith(("--output", "--remote-name")) and not arg.startswith("--output-dir"):
            return False
        if arg.startswith("-") and not arg.startswith("--"):
            for letter in arg[1:]:
                if letter in "oO":
                    return False
                if letter in _CURL_VALUE_LETTERS:
                    break
    return True


def _looks_like_url(arg: str) -> bool:
    if arg.startswith("-"):
        return False
    return "://" in arg or "$" in arg or bool(re.match(r"[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?:[:/]|$)", arg))


def _close_paren(script: str, start: int) -> int:
    depth, i = 1, start
    while i < len(script):
        char = script[i]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        elif char in "'\"":
            close = script.find(char, i + 1)
            i = len(script) if close < 0 else close
        i += 1
    return len(script)


def _message(word, url: str, consumer: str, how: str) -> str:
    tool = word.value.rsplit("/", 1)[-1]
    if len(url) > _MAX_SHOWN:
        url = url[: _MAX_SHOWN - 3] + "..."
    shown = f"{tool} {url}".strip()
    if how == "pipe":
        what = f"`{shown} | {consumer}` runs the download straight from the network"
    elif how == "process":
        what = f"`{consumer} <({shown})` runs the download straight from the network"
    else:
        what = f"`{consumer}` runs the output of `$({shown})` as code"
    return (
        "Download the installer, verify its checksum or signature, then run it; or use a pinned "
        f"setup action. {what}: the runner executes whatever the server returns at that moment, "
        "with the job's secrets and token."
    )


def _url(script: str, word) -> str:
    """The first URL-like argument after the downloader word (no headers or other options)."""
    for found in shell.parse(script[word.start : word.start + 2000]):
        for arg in found.words[1:]:
            if _looks_like_url(arg.value):
                return arg.value
        break
    return ""
