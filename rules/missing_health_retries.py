import re

from cicdlint import lazyre, shell
from cicdlint.expressions import find_expressions
from cicdlint.model import as_scalar, as_seq
from cicdlint.notions import is_deploy_job, is_deploy_step
from cicdlint.rule import rule
from cicdlint.yamlpos import Map, Scalar

# --- Docker options of job services and containers ---------------------------------------------
_HEALTH_CMD = lazyre.compile(r"(?<![\w-])--health-cmd(?=[=\s]|$)")
_HEALTH_RETRIES = lazyre.compile(r"(?<![\w-])--health-retries(?:=|\s+)(\"[^\"]*\"|'[^']*'|\S+)")
_NO_HEALTHCHECK = lazyre.compile(r"(?<![\w-])--no-healthcheck(?![\w-])")
_HEALTH_INTERVAL = lazyre.compile(r"(?<![\w-])--health-interval(?:=|\s+)(\S+)")

# --- post-deploy checks ------------------------------------------------------------------------
HEALTH_NAMES = frozenset(
    ("health", "healthz", "healthcheck", "health-check", "health_check", "healthy", "ready", "readyz",
     "readiness", "livez", "liveness", "alive", "status", "ping", "heartbeat")
)
_HEALTH_VARIABLE = lazyre.compile(r"health|readiness|liveness|readyz|livez", re.I)
_SKIP_HOSTS = lazyre.compile(r"(?:^|\.)(?:github\.com|githubusercontent\.com|slack\.com|discord\.com|"
                         r"githubstatus\.com|statuspage\.io)$", re.I)
RETRY_ACTIONS = ("nick-fields/retry", "nick-invision/retry", "Wandalen/wretry.action", "kaciras/retry-action")
# Actions that poll a URL until it answers: checks after them confirm a service already seen healthy.
WAIT_ACTIONS = ("jon-grey/github-actions-wait-on", "iFaxity/wait-on-action", "JakePartusch/wait-for-netlify-action",
                "cygnetdigital/wait_for_response", "mydea/action-wait-for-api", "emilioschepis/wait-for-endpoint",
                "nev7n/wait_for_response")
_WAIT_COMMANDS = frozenset(("retry", "wait-for-it", "wait-for-it.sh", "wait-for", "wait-for.sh", "wait-on",
                            "dockerize", "wait4x", "until-success"))
_SHELL_NAMES = {"bash", "sh"}
# `curl ... || true`, `curl ... && echo up || echo down`: the answer is only printed.
_ONLY_PRINTED = lazyre.compile(
    r"""(?:[ \t]*(?:&&|\|\|)[ \t]*(?:echo|printf|true|:)(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|[^\s;&|"')]+))*)+"""
    r"""[ \t]*(?:$|[;\n)#])"""
)
# curl / wget options that take an argument (the next word), so it is not the URL.
_CURL_ARG_LONG = frozenset(
    ("--output", "--write-out", "--header", "--user", "--data", "--data-raw", "--data-binary",
     "--data-urlencode", "--data-ascii", "--json", "--request", "--max-time", "--connect-timeout", "--user-agent",
     "--referer", "--cookie", "--cookie-jar", "--retry", "--retry-delay", "--retry-max-time", "--proxy",
     "--cacert", "--capath", "--cert", "--key", "--form", "--form-string", "--resolve", "--upload-file",
     "--config", "--range", "--max-redirs", "--url", "--dump-header", "--trace", "--trace-ascii", "--stderr",
     "--limit-rate", "--interface", "--dns-servers", "--connect-to", "--oauth2-bearer", "--cert-type",
     "--key-type", "--speed-limit", "--speed-time", "--time-cond", "--unix-socket", "--aws-sigv4",
     "--variable", "--expand-url", "--proxy-user", "--netrc-file", "--pass", "--keepalive-time", "--noproxy",
     "--output-dir", "--continue-at", "--local-port", "--max-filesize", "--ciphers", "--tls-max")
)
_CURL_ARG_SHORT = set("oHuwdXmAebcxEFTKrCDYyzUQt")
_CURL_SENDS = frozenset(("-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--data-ascii",
                         "--json", "-F", "--form", "--form-string", "-T", "--upload-file"))
_WGET_ARG_SHORT = set("OotTPUeawiBQlAR")
_WGET_ARG_LONG = frozenset(("--output-document", "--output-file", "--tries", "--timeout", "--header", "--user",
                            "--password", "--directory-prefix", "--user-agent", "--execute", "--wait",
                            "--waitretry", "--post-data", "--post-file", "--method", "--body-data",
                            "--append-output", "--input-file", "--base", "--quota", "--level", "--accept",
                            "--reject", "--read-timeout", "--connect-timeout", "--dns-timeout"))
_VARIABLE = lazyre.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:[:-][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")
_ENV_EXPRESSION = lazyre.compile(r"^env\.([A-Za-z_][A-Za-z0-9_-]*)$")


@rule(
    id="missing-health-retries",
    kinds=("workflow", "action", "taskdef"),
    severity="warning",
    summary="Health check gives up after one try or relies on an implicit retry count",
    tags=("reliability", "health-check"),
)
def check(doc, ctx):
    """## What it does
    Finds health checks that give up too soon or leave their retry count to a default:

    - a job's `services:` entry or `container:` whose `options:` has `--health-cmd` but no
      `--health-retries` (or `--health-retries 0`, which Docker treats as "use the default");
    - an ECS task-definition container `healthCheck` with a `command` but no `retries` (ECS
      silently uses 3), or with `retries` outside the documented range 1-10;
    - a post-deploy check in a deploy job (one that names an `environment:` or deploys; the
      steps from the first deploy step on) that fetches a health URL once: `curl` or
      `wget --tries=1` in `run:` or an SSH action's `script:`, also inside `$(...)`,
      `bash -c '...'` or `ssh host '...'`, that is not inside a `for`/`while`/`until` loop,
      has no `curl --retry N`, and is not run by a retry or wait tool (`retry`, `wait-for-it`,
      `npx wait-on`, `dockerize -wait`) nor preceded by one in the same script. Steps that
      use a retry action (`nick-fields/retry`, `Wandalen/wretry.action`) and steps after a
      wait-for-URL action are not reported.

    A health URL is one with a path segment named `health`, `healthz`, `healthcheck`,
    `health-check`, `health_check`, `healthy`, `ready`, `readyz`, `readiness`, `livez`,
    `liveness`, `alive`, `status`, `ping` or `heartbeat` (optionally with a `_` prefix or a
    file extension; not `live`, which is as often a stream as a probe), after expanding
    variables assigned earlier in the script or set in `env:`; a variable left unresolved
    counts when its own name says health (`$HEALTHCHECK_URL`). Requests that send a body
    (`-d`, `-F`, `--json`, `-X POST`), GitHub, Slack or Discord API calls, and probes whose
    answer is only printed (`curl ... || true`, `curl ... && echo up || echo down`) are not
    checks. `wget` retries 20 times by default, so only `wget --tries=1` (`-t 1`) is a
    one-shot check. Test jobs that start a server and probe it once are not deploy jobs, and
    probes before the job's first deploy step (a smoke test of a freshly built image) are not
    post-deploy checks.

    ## Why is this bad?
    A service container is "unhealthy" after `--health-retries` failed probes; without the
    option Docker uses the image's value or 3, so a database that needs a little longer to start
    on a busy runner fails the job at random, and nobody can tell from the workflow how long it
    waits. In ECS, a missing `retries` means the default of 3 decides when a task is killed and
    replaced; write down the number you mean. A post-deploy check that runs once races the
    rollout: the new version may need a few seconds more to pass its load balancer checks, so
    the check fails (and often triggers a rollback) on a healthy deploy, or passes on a
    momentary success and proves little.

    ## Example
    ```yaml
    jobs:
      test:
        services:
          postgres:
            image: postgres:16
            options: --health-cmd pg_isready --health-interval 10s
      deploy:
        environment: production
        steps:
          - run: aws ecs update-service --cluster prod --service api --force-new-deployment
          - run: curl -f https://api.example.com/health
    ```

    ## Use instead
    ```yaml
    jobs:
      test:
        services:
          postgres:
            image: postgres:16
            options: --health-cmd pg_isready --health-interval 10s --health-timeout 5s --health-retries 5
      deploy:
        environment: production
        steps:
          - run: aws ecs update-service --cluster prod --service api --force-new-deployment
          - run: |
              for i in $(seq 1 30); do
                curl -fsS https://api.example.com/health && exit 0
                sleep 10
              done
              exit 1
    ```
    Give every health check an explicit retry count (`--health-retries`, ECS `retries` 1-10),
    and poll post-deploy checks in a loop or with `curl --retry 10 --retry-delay 5
    --retry-all-errors`.
    """
    if doc.kind == "taskdef":
        yield from _task_definition(ctx)
    elif doc.kind == "workflow":
        for job in ctx.workflow.jobs:
            yield from _container_options(job, ctx)
            if is_deploy_job(job):
                yield from _post_deploy(job.steps, ctx)
    elif doc.kind == "action":
        steps = ctx.action.steps()
        if any(is_deploy_step(step) for step in steps):
            yield from _post_deploy(steps, ctx)


# --- job services and containers ---------------------------------------------------------------


def _container_options(job, ctx):
    targets = [(f"service container '{name}'", node) for name, node in job.services]
    if isinstance(job.container, Map):
        targets.append(("job container", job.container))
    for label, node in targets:
        options = as_scalar(node.get("options"))
        if options is None:
            continue
        text = options.value
        command = _HEALTH_CMD.search(text)
        if command is None or _NO_HEALTHCHECK.search(text):
            continue
        interval = _HEALTH_INTERVAL.search(text)
        every = f" every {interval.group(1)}" if interval else ""
        retries = _HEALTH_RETRIES.search(text)
        if retries is None:
            yield ctx.locate(options, command.start(), len("--health-cmd")), (
                f"Add `--health-retries N` (e.g. 5) to the options of the {label}. It has `--health-cmd`"
                f" but no retry count, so Docker marks it unhealthy after the image's or the default 3 failed"
                f" probes{every}, and the job fails whenever the service starts a little slowly."
            )
            continue
        value = retries.group(1).strip("'\"")
        if value.isdigit() and int(value) == 0:
            yield ctx.locate(options, retries.start(1), len(retries.group(1))), (
                f"Set `--health-retries` of the {label} to the number of failed probes you accept (e.g. 5)."
                f" 0 does not mean 'no retries': Docker reads it as 'inherit', i.e. the image's value or 3."
            )


# --- ECS task definitions ----------------------------------------------------------------------


def _task_definition(ctx):
    for container in ctx.taskdef.containers:
        key, health = container.node.item("healthCheck")
        if not isinstance(health, Map) or not _has_command(health.get("command")):
            continue
        name = container.name or "?"
        retries_key, retries = health.item("retries")
        if retries_key is None:
            yield key, (
                f"Add `retries` (1-10) to the healthCheck of container '{name}'. Without it ECS silently uses 3,"
                " which decides how many failed checks kill and replace a task."
            )
            continue
        count = _integer(retries)
        if count is not None and not 1 <= count <= 10:
            yield retries, (
                f"Set healthCheck `retries` of container '{name}' to a value from 1 to 10 (e.g. 3)."
                f" {count} is outside the range ECS documents for it."
            )


def _has_command(node) -> bool:
    items = [item.value.strip() for item in as_seq(node) if isinstance(item, Scalar)]
    items = [item for item in items if item]
    return bool(items) and items[0].upper() != "NONE"


def _integer(node) -> int | None:
    if not isinstance(node, Scalar):
        return None
    value = node.value.strip()
    return int(value) if re.fullmatch(r"-?\d+", value) else None


# --- post-deploy checks ------------------------------------------------------------------------


def _post_deploy(steps, ctx):
    started = not any(is_deploy_step(step) for step in steps)  # deploy job by `environment:` only
    for step in steps:
        started = started or is_deploy_step(step)
        if step.uses_action(*WAIT_ACTIONS) and started:
            return  # the service was polled until healthy; later checks only confirm it
        if not started or step.uses_action(*RETRY_ACTIONS):
            continue
        if step.run is not None and _shell_name(step.shell) not in _SHELL_NAMES:
            continue  # pwsh, cmd, python: not a shell script we read
        for scalar, _ in step.scripts():
            yield from _script(scalar, step, ctx)


def _shell_name(value: str | None) -> str:
    words = (value or "bash").split()
    return words[0].rsplit("/", 1)[-1] if words else "bash"


def _script(scalar, step, ctx):
    text = scalar.value
    if "curl" not in text and "wget" not in text:
        return
    nested = shell.parse_nested(text)
    assignments = _assignments(nested)
    waited_at = None  # offset of the first retry/wait tool in the script
    for item in nested:
        words = shell.strip_wrappers(item.command.words)
        if not words:
            continue
        name = _command_name(words)
        if name in _WAIT_COMMANDS and waited_at is None:
            waited_at = item.command.start
        if name not in ("curl", "wget"):
            continue
        if item.in_loop or (waited_at is not None and waited_at < item.command.start):
            continue
        if item.via != "substitution" and _ONLY_PRINTED.match(text, item.command.end):
            continue  # a diagnostic: nothing depends on the answer
        if any(_command_name(shell.strip_wrappers(parent.words)) in _WAIT_COMMANDS for parent in item.parents):
            continue
        urls = _curl_urls(words) if name == "curl" else _wget_urls(words)
        if urls is None:  # retries, or not a probe
            continue
        for word in urls:
            resolved = _resolve(word.value, item.command.start, assignments, step.env)
            if not _is_health_url(resolved):
                continue
            shown = _short(word.value)
            if resolved != word.value and "$" not in resolved:
                shown += f"` (`{_short(resolved)}`)"
            else:
                shown += "`"
            if name == "curl":
                fix = ("Retry this post-deploy health check: poll it in a `for`/`until` loop with a sleep, or add"
                       " `--retry 10 --retry-delay 5 --retry-all-errors`.")
            else:
                fix = ("Retry this post-deploy health check: drop `--tries=1` (or set `--tries=10"
                       " --retry-connrefused --waitretry=5`), or poll it in a `for`/`until` loop.")
            yield ctx.locate(scalar, words[0].start, len(words[0].text)), (
                f"{fix} `{name} {shown} runs once, so a new version that needs a few more seconds to pass"
                " its checks fails the deploy, and a single lucky response proves little."
            )
            break


def _short(text: str) -> str:
    text = re.sub(r"(://)[^/@\s]+@", r"\1***@", text)  # never show credentials in a URL
    return text if len(text) <= 80 else text[:77] + "..."


def _command_name(words) -> str:
    if not words:
        return ""
    name = words[0].value.rsplit("/", 1)[-1]
    if name in ("npx", "pnpx", "bunx", "yarn", "pnpm") and len(words) > 1:
        rest = [w.value for w in words[1:] if not w.value.startswith("-")]
        if rest and rest[0] in ("dlx", "exec") and len(rest) > 1:
            rest = rest[1:]
        return rest[0].split("@", 1)[0] if rest else name
    return name


def _assignments(nested) -> dict[str, list[tuple[int, str]]]:
    """Variable -> [(offset, value)] for `X=value` and `export X=value` in the script."""
    found: dict[str, list[tuple[int, str]]] = {}
    for item in nested:
        command = item.command
        words = list(command.assignments)
        if command.words and command.words[0].value in ("export", "local", "declare", "readonly", "typeset"):
            words += [word for word in command.words[1:] if "=" in word.text and not word.text.startswith("-")]
        for word in words:
            name, _, value = word.text.partition("=")
            name = name.rstrip("+")
            if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                found.setdefault(name, []).append((word.start, shell.unquote(value)))
    return found


def _resolve(value: str, at: int, assignments, env, depth: int = 0) -> str:
    """The word with `$VAR`, `${VAR}` and `${{ env.VAR }}` replaced where the value is known."""
    if depth > 3:
        return value

    def lookup(name: str) -> str | None:
        earlier = [text for offset, text in assignments.get(name, ()) if offset < at]
        if earlier:
            return earlier[-1]
        if name in assignments:
            return assignments[name][-1][1]
        variable = env.get(name)
        if variable is not None and isinstance(variable.value, Scalar):
            return variable.value.value
        return None

    def expression(match_text: str, body: str) -> str:
        found = _ENV_EXPRESSION.match(body)
        known = lookup(found.group(1)) if found else None
        return match_text if known is None else _resolve(known, at, assignments, env, depth + 1)

    if "${{" in value:
        pieces, last = [], 0
        for expr in find_expressions(value):
            pieces.append(value[last : expr.start])
            pieces.append(expression(value[expr.start : expr.end], expr.body))
            last = expr.end
        pieces.append(value[last:])
        value = "".join(pieces)

    def variable(match: re.Match) -> str:
        known = lookup(match.group(1) or match.group(2))
        return match.group(0) if known is None else _resolve(known, at, assignments, env, depth + 1)

    return _VARIABLE.sub(variable, value)


def _curl_urls(words):
    """The URL words of a curl command; None when it retries or sends data (not a probe)."""
    urls, index = [], 1
    while index < len(words):
        value = words[index].value
        if value == "--":
            urls.extend(words[index + 1 :])
            break
        if value.startswith("--"):
            option, has_value, inline = value.partition("=")
            argument = inline if has_value else (words[index + 1].value if index + 1 < len(words) else "")
            if option in _CURL_SENDS:
                return None
            if option == "--request" and argument.upper() not in ("GET", "HEAD"):
                return None
            if option == "--retry" and argument != "0":
                return None
            if option == "--url":
                urls.append(words[index + 1] if not has_value and index + 1 < len(words) else words[index])
            index += 2 if option in _CURL_ARG_LONG and not has_value else 1
            continue
        if value.startswith("-") and len(value) > 1:
            letters = value[1:]
            for position, letter in enumerate(letters):
                if letter in _CURL_ARG_SHORT:
                    attached = letters[position + 1 :]
                    argument = attached or (words[index + 1].value if index + 1 < len(words) else "")
                    if f"-{letter}" in _CURL_SENDS:
                        return None
                    if letter == "X" and argument.upper() not in ("GET", "HEAD"):
                        return None
                    index += 1 if attached else 2
                    break
            else:
                index += 1
            continue
        urls.append(words[index])
        index += 1
    return urls


def _wget_urls(words):
    """The URL words of a one-try wget; None when wget keeps its retries (20 by default)."""
    urls, tries, index = [], None, 1
    while index < len(words):
        value = words[index].value
        if value.startswith("--"):
            option, has_value, inline = value.partition("=")
            argument = inline if has_value else (words[index + 1].value if index + 1 < len(words) else "")
            if option == "--tries":
                tries = argument
            if option in ("--post-data", "--post-file", "--body-data", "--body-file"):
                return None
            index += 2 if option in _WGET_ARG_LONG and not has_value else 1
            continue
        if value.startswith("-") and len(value) > 1:
            letters = value[1:]
            for position, letter in enumerate(letters):
                if letter in _WGET_ARG_SHORT:
                    attached = letters[position + 1 :]
                    argument = attached or (words[index + 1].value if index + 1 < len(words) else "")
                    if letter == "t":
                        tries = argument
                    index += 1 if attached else 2
                    break
            else:
                index += 1
            continue
        urls.append(words[index])
        index += 1
    return urls if tries == "1" else None


def _is_health_url(resolved: str) -> bool:
    url = re.sub(r"\$\{\{.*?\}\}", "X", resolved)
    url = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", url.strip())
    url = re.split(r"[?#\s]", url, 1)[0]
    host, _, path = url.partition("/")
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    if _SKIP_HOSTS.search(host):
        return False
    for segment in path.split("/"):
        segment = segment.lower().lstrip("_").split(".", 1)[0]
        if segment in HEALTH_NAMES:
            return True
    # A URL held in a variable or secret whose name says what it is: $HEALTHCHECK_URL.
    if "/" not in resolved.split("://", 1)[-1]:
        names = [m.group(1) or m.group(2) for m in _VARIABLE.finditer(resolved)]
        names += [expr.body for expr in find_expressions(resolved)]
        return any(_HEALTH_VARIABLE.search(name) for name in names)
    return False
