from __future__ import annotations

from cicdlint import lazyre
from cicdlint.model import as_scalar
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map, Scalar, Seq

# `${INTERVAL}`, `<TIMEOUT>`, `{{ interval }}`, `$$$X$$$`, `#{X}`: filled in later.
_PLACEHOLDER = lazyre.compile(r"[$<>{}%#@]")
_NUMBER = lazyre.compile(r"\s*(-?\d+(?:\.\d+)?)\s*$")
# Field -> (lowest, highest, ECS default) in seconds, as documented for RegisterTaskDefinition.
_RANGES = {"interval": (5, 300, 30), "timeout": (2, 60, 5), "startPeriod": (0, 300, None)}
# Shell syntax that only a shell understands: in exec form (`CMD`) it is passed as an argument.
_SHELL_SYNTAX = lazyre.compile(r"\|\||&&|[|;<>`]|\$\(|\$\{?[A-Za-z_]")
_SHELL_WORDS = {"||", "&&", "|", ";", ">", "<", "2>&1", ">/dev/null"}


@rule(
    id="invalid-health-check",
    kinds=("taskdef",),
    severity="error",
    summary="Container health check has a malformed command or values ECS rejects",
    tags=("reliability", "health-check", "correctness"),
)
def check(doc, ctx):
    """## What it does
    Checks the `healthCheck` of every container definition and reports, at the offending
    value:

    - a missing `command` (error, at the `healthCheck` key) or an empty one;
    - a command that does not start with `CMD` or `CMD-SHELL` (error), e.g.
      `["curl -f http://localhost/ || exit 1"]` or `["/bin/sh", "-c", "..."]`;
    - `["CMD-SHELL"]` without a script, or with more than one element after `CMD-SHELL`
      (error, at the first extra element): only the first is the script, the others become the
      shell's `$0`, `$1`, so `["CMD-SHELL", "curl", "-f", "http://localhost/"]` runs a bare
      `curl` that always fails;
    - `["CMD"]` without a program, a `CMD` whose single argument is a whole command line
      (`["CMD", "curl -f http://localhost/"]`), or a `CMD` argument that is shell syntax
      (`||`, `&&`, `|`, `;`, redirections, `$VAR`): exec form runs no shell, so the line is
      looked up as one program name, or `||` is handed to the program as an argument (error);
    - `["NONE"]` on an essential container (note): it turns health checking off (the image's
      own `HEALTHCHECK` too, which ECS would not watch anyway), so ECS only notices when the
      process exits. On a non-essential container it is left alone;
    - `interval` outside 5-300 seconds, `timeout` outside 2-60, `startPeriod` outside 0-300
      (error): `RegisterTaskDefinition` rejects them. Numbers written as strings (`"30"`) count;
    - a `timeout` longer than the `interval` when both are set (warning): Docker starts the
      next probe `interval` seconds after the previous one *finished*, so probes do not overlap,
      but a hung probe then stretches each cycle to `timeout + interval`, and the pair is
      usually swapped (`"interval": 5, "timeout": 30`).

    `retries` is left to `missing-health-retries`, and wrong types (a command written as one
    string) to `ecs-schema`. Not reported: template placeholders
    (`"${HEALTH_INTERVAL}"`, `["${HEALTH_CMD}"]`), a `healthCheck` that is a placeholder, a
    health check whose command is still blank (`[""]`, as templates and the
    `--generate-cli-skeleton` output write it), and a blank skeleton file.

    ## Why is this bad?
    A health check that can never pass marks a healthy container `UNHEALTHY`: the service
    kills and replaces its tasks in a loop, and a deployment never becomes stable. One that
    ECS rejects makes the deploy fail at registration. `CMD` versus `CMD-SHELL` is the
    usual slip: the same line that works in a Dockerfile `HEALTHCHECK CMD curl ... || exit 1`
    (where Docker adds the shell) does not work in exec form in a task definition.

    ## Example
    ```json
    {
      "name": "api",
      "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:2.3.0",
      "healthCheck": {
        "command": ["CMD", "curl -f http://localhost:8080/health || exit 1"],
        "interval": 2,
        "timeout": 90
      }
    }
    ```

    ## Use instead
    ```json
    {
      "name": "api",
      "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:2.3.0",
      "healthCheck": {
        "command": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 60
      }
    }
    ```
    Use `CMD-SHELL` with the whole command line as one string, or `CMD` with the program and
    each argument as separate strings (`["CMD", "/app/healthcheck", "--port", "8080"]`), and
    keep the timings within ECS's ranges with the timeout below the interval.
    """
    taskdef = ctx.taskdef
    if taskdef.is_skeleton:
        return
    for container in taskdef.containers:
        key, health = container.node.item("healthCheck")
        if not isinstance(health, Map):
            continue  # absent, null, or a placeholder string: nothing to read
        if _unfilled(health.get("command")):
            continue  # `"command": [""]`: a template whose values are still to be written
        name = f"container '{container.name}'" if container.name else "this container"
        yield from _command(key, health, name, container.essential)
        yield from _timings(health, name)


def _unfilled(command) -> bool:
    return (
        isinstance(command, Seq)
        and bool(command.items)
        and all(isinstance(item, Scalar) and not item.value.strip() for item in command.items)
    )


def _placeholder(node) -> bool:
    return isinstance(node, Scalar) and bool(_PLACEHOLDER.search(node.value))


def _command(key: Scalar, health: Map, name: str, essential: bool):
    command_key, command = health.item("command")
    if command_key is None or (isinstance(command, Scalar) and command.is_null):
        yield Issue(
            key,
            f"Add a `command` to the health check of {name}, e.g. `[\"CMD-SHELL\", \"curl -f http://localhost/ || "
            "exit 1\"]`. ECS requires one and rejects the task definition without it.",
        )
        return
    if isinstance(command, Scalar):
        return  # a placeholder, or a string where a list belongs (ecs-schema reports the type)
    if not isinstance(command, Seq):
        return
    items = command.items
    if not items:
        yield Issue(
            command,
            f"Give the health check of {name} a command, e.g. `[\"CMD-SHELL\", \"curl -f http://localhost/ || "
            "exit 1\"]`. An empty list is rejected.",
        )
        return
    if not all(isinstance(item, Scalar) for item in items) or any(_placeholder(item) for item in items):
        return  # a placeholder somewhere: the real command is not known yet
    first = items[0]
    mode = first.value.strip()
    if mode == "NONE":
        if essential and len(items) == 1:
            yield Issue(
                first,
                f"Give essential {name} a real health check command instead of `[\"NONE\"]`. NONE turns health "
                "checking off, so ECS only notices when the process exits, not when it hangs.",
                severity="note",
            )
        return
    if mode not in ("CMD", "CMD-SHELL"):
        yield Issue(
            first,
            f"Start the health check command of {name} with \"CMD-SHELL\" followed by the command line as one "
            f"string, or \"CMD\" followed by the program and its arguments. '{_short(mode)}' is neither, so ECS "
            "rejects the command or the check never passes.",
        )
        return
    rest = items[1:]
    if mode == "CMD-SHELL":
        if not rest or not rest[0].value.strip():
            yield Issue(
                first if not rest else rest[0],
                f"Put the command line to run after \"CMD-SHELL\" in the health check of {name}. Without it the "
                "check can never pass.",
            )
        elif len(rest) > 1:
            script = " ".join(item.value for item in rest)
            yield Issue(
                rest[1],
                f"Join the health check command of {name} into one string after \"CMD-SHELL\": "
                f"`[\"CMD-SHELL\", \"{_short(script)}\"]`. The shell runs only '{_short(rest[0].value)}'; the other "
                "elements become its $0, $1..., so the check does not do what it says.",
            )
        return
    # exec form
    if not rest or not rest[0].value.strip():
        yield Issue(
            first if not rest else rest[0],
            f"Name the program to run after \"CMD\" in the health check of {name}. Without it the check can never "
            "pass.",
        )
        return
    program = rest[0].value.strip()
    if len(rest) == 1 and (" " in program or _SHELL_SYNTAX.search(program)):
        yield Issue(
            rest[0],
            f"Use \"CMD-SHELL\" instead of \"CMD\" in the health check of {name} (or split the line into the program "
            f"and its arguments). \"CMD\" runs no shell, so '{_short(program)}' is looked up as one program name "
            "and the check always fails.",
        )
        return
    for item in rest[1:]:
        word = item.value.strip()
        if word in _SHELL_WORDS or word.startswith(("||", "&&")):
            yield Issue(
                item,
                f"Use \"CMD-SHELL\" with the whole line as one string in the health check of {name}. \"CMD\" runs no "
                f"shell, so '{word}' is passed to {program.rsplit('/', 1)[-1]} as an argument.",
            )
            return


def _timings(health: Map, name: str):
    values = {}
    for field, (low, high, _) in _RANGES.items():
        node = as_scalar(health.get(field))
        if node is None or node.is_null or _placeholder(node):
            continue
        match = _NUMBER.match(node.value)
        if not match:
            continue
        number = float(match.group(1))
        values[field] = (node, number)
        if not low <= number <= high:
            yield Issue(
                node,
                f"Set `{field}` of the health check of {name} between {low} and {high} seconds. ECS rejects "
                f"{node.value.strip()}.",
            )
    interval, timeout = values.get("interval"), values.get("timeout")
    if interval and timeout and timeout[1] > interval[1] and _in_range("interval", interval[1]) and _in_range(
        "timeout", timeout[1]
    ):
        yield Issue(
            timeout[0],
            f"Make `timeout` ({_num(timeout[1])}s) shorter than `interval` ({_num(interval[1])}s) in the health check "
            f"of {name}; the two look swapped. A hung probe holds the next one back, so each cycle takes "
            "timeout + interval and a stuck container is noticed late.",
            severity="warning",
        )


def _in_range(field: str, number: float) -> bool:
    low, high, _ = _RANGES[field]
    return low <= number <= high


def _num(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
