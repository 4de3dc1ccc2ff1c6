import math
import re

from cicdlint import lazyre, shell
from cicdlint.model import number
from cicdlint.rule import Issue, rule

_NUMBER = lazyre.compile(r"\s*(-?\d+(?:\.\d+)?)\s*")
# A field of --deployment-configuration, shorthand (`minimumHealthyPercent=50`) or JSON
# (`"minimumHealthyPercent": 50`, also with the quotes escaped inside a double-quoted word).
_FIELD = r'(?<![A-Za-z]){name}(?:\\?")?\s*[:=]\s*(?:\\?")?(-?\d+(?:\.\d+)?)(?![\w.$])'
_MIN_FIELD = lazyre.compile(_FIELD.format(name="minimumHealthyPercent"))
_MAX_FIELD = lazyre.compile(_FIELD.format(name="maximumPercent"))
_SUBCOMMANDS = ("create-service", "update-service")
# Options whose value we read; every other option's value is skipped as a plain word.
_VALUE_OPTIONS = ("--deployment-configuration", "--desired-count", "--cluster", "--service", "--service-name",
                  "--scheduling-strategy", "--deployment-controller")


@rule(
    id="min-healthy-percent-below-100",
    kinds=("service", "workflow", "action"),
    severity="warning",
    summary="ECS rolling deployment may stop running tasks before replacements are healthy",
    tags=("reliability", "deployment"),
    options={"minimum": 100},
    options_schema={
        "minimum": {
            "type": "integer",
            "minimum": 0,
            "maximum": 100,
            "description": "lowest accepted deploymentConfiguration.minimumHealthyPercent",
        }
    },
)
def check(doc, ctx):
    """## What it does
    Finds ECS services whose `deploymentConfiguration.minimumHealthyPercent` is below the
    configured floor (option `minimum`, default 100), in create-service / update-service input
    JSON, `describe-services` output (`{"services": [...]}`) and create-service output
    (`{"service": {...}}`). Numbers written as strings (`"50"`) count too.

    In workflows and composite actions it reads the `--deployment-configuration` given to
    `aws ecs create-service` / `aws ecs update-service` in `run:` scripts (and SSH actions'
    scripts, also inside `$(...)` or `bash -c '...'`), in shorthand
    (`maximumPercent=200,minimumHealthyPercent=50`) or JSON
    (`'{"minimumHealthyPercent": 50}'`), and reports the number in the script. There the
    service and cluster come from `--service` / `--service-name` and `--cluster`, the rounding
    from `--desired-count`, and the job counts as production when its environment (or the
    workflow's file name) says so. A value read from a file (`file://...`), a variable or a
    `${{ }}` expression is not judged, nor is a call with `--scheduling-strategy DAEMON` or a
    `--deployment-controller` of type `CODE_DEPLOY` / `EXTERNAL`.

    The finding is a warning, and an error when the service, its cluster or the file path
    looks like production (the shared production patterns): a non-production service may trade
    capacity for cost on purpose (a one-task dev service on a single EC2 host with static port
    mappings cannot deploy at 100), but a production service must not.

    Not reported: a service without `minimumHealthyPercent` (ECS then uses 100 for replica
    services), a `DAEMON` service (ECS cannot start a second copy of a daemon task on an
    instance, so it must stop the old one first; there the setting is how many instances may be
    down at once), a service whose `deploymentController` is `CODE_DEPLOY` or `EXTERNAL`
    (ECS ignores these percentages; the blue/green or external controller decides), a service
    with `desiredCount: 0` or one whose rounded-up lower limit still keeps every task (ECS
    rounds up, so 1 task at 50% keeps 1 running), and values that are template placeholders.

    ## Why is this bad?
    During a rolling deployment ECS may stop old tasks until only `minimumHealthyPercent` of
    `desiredCount` are running, before the new tasks are healthy. At 50 half the capacity is
    gone for the length of the deploy; at 0 every task can be stopped at once, which is an
    outage on every release, and a longer one when the new version does not start. Traffic
    that the service was sized for lands on the remaining tasks, or nowhere.

    ## Example
    ```json
    {
      "serviceName": "api",
      "cluster": "production",
      "desiredCount": 4,
      "deploymentConfiguration": {
        "maximumPercent": 100,
        "minimumHealthyPercent": 50
      }
    }
    ```

    ## Use instead
    ```json
    {
      "serviceName": "api",
      "cluster": "production",
      "desiredCount": 4,
      "deploymentConfiguration": {
        "maximumPercent": 200,
        "minimumHealthyPercent": 100,
        "deploymentCircuitBreaker": {"enable": true, "rollback": true}
      }
    }
    ```
    Set `minimumHealthyPercent` to 100 and give ECS room to start the new tasks first with a
    `maximumPercent` above 100 (200 is the default). On EC2 with static host ports, use dynamic
    port mapping (`hostPort: 0`) or spare instances so that the extra tasks can be placed.
    """
    floor = ctx.options.get("minimum", 100)
    if not isinstance(floor, (int, float)) or isinstance(floor, bool):
        floor = 100
    if doc.kind in ("workflow", "action"):
        yield from _check_scripts(ctx, floor)
        return
    for service in ctx.services:
        config = service.deployment_configuration
        if config is None:
            continue
        value = config.get("minimumHealthyPercent")
        percent = number(value)
        if percent is None or percent >= floor:
            continue
        if (service.scheduling_strategy or "").upper() == "DAEMON":
            continue
        if service.deployment_controller != "ECS":
            continue
        desired = number(service.node.get("desiredCount"))
        if desired is not None and (desired <= 0 or _kept(desired, percent) >= desired):
            continue  # no tasks, or ECS rounds the lower limit up to every task (1 task at 50%)
        production = ctx.production.matches(service.name, service.cluster, doc.path)
        maximum = number(config.get("maximumPercent"))
        message = _message(percent, floor, service.name, production, desired, maximum)
        yield Issue(value, message, severity="error" if production else None)


def _message(percent: float, floor: float, service_name, production: bool, desired, maximum) -> str:
    name = f"service '{service_name}'" if service_name else "this service"
    room = ""
    if maximum is not None and maximum <= floor:  # ECS could then neither start nor stop a task
        room = f" and raise maximumPercent above it (it is {_show(maximum)}) so ECS can start new tasks first"
    where = " in production" if production else ""
    shown = _show(percent)
    if percent <= 0:
        loss = "every task can be stopped at once"
    elif desired:
        loss = f"as few as {_kept(desired, percent)} of {_show(desired)} tasks may be running"
    else:
        loss = f"as few as {shown}% of the desired tasks may be running"
    target = f"to {_show(floor)}" if floor >= 100 else f"to at least {_show(floor)}"
    return (
        f"Set minimumHealthyPercent {target}{room}. With {shown}, a rolling deploy of {name}{where}"
        f" may stop old tasks before their replacements are healthy: {loss}."
    )


def _check_scripts(ctx, floor: float):
    """`aws ecs create-service` / `update-service` with `--deployment-configuration` in `run:`
    scripts (and SSH actions' scripts)."""
    for step in ctx.steps():
        for script, _ in step.scripts():
            text = script.value
            if "deployment-configuration" not in text or "ecs" not in text:
                continue
            for nested in shell.parse_nested(text):
                found = _cli_call(nested.command.words)
                if found is None:
                    continue
                options, config = found
                match = _MIN_FIELD.search(config.text, config.offset)
                if match is None:
                    continue  # a file://, a variable, an expression: the number is not here
                percent = float(match.group(1))
                if percent >= floor:
                    continue
                if (_value(options, "--scheduling-strategy") or "").upper() == "DAEMON":
                    continue
                if re.search(r"CODE_DEPLOY|EXTERNAL", _value(options, "--deployment-controller") or "", re.I):
                    continue
                desired_text = _value(options, "--desired-count")
                desired = float(desired_text) if desired_text and _NUMBER.fullmatch(desired_text) else None
                if desired is not None and (desired <= 0 or _kept(desired, percent) >= desired):
                    continue
                service_name = _value(options, "--service") or _value(options, "--service-name")
                cluster = _value(options, "--cluster")
                if service_name and not re.fullmatch(r"[\w.:/-]+", service_name):
                    service_name = None  # a variable or an expression: not a name to show
                production = ctx.production.matches(service_name, cluster) or (
                    step.job is not None and ctx.production.job(step.job)
                )
                maximum_match = _MAX_FIELD.search(config.text, config.offset)
                maximum = float(maximum_match.group(1)) if maximum_match else None
                message = _message(percent, floor, service_name, production, desired, maximum)
                offset = config.start + match.start(1)
                number = match.group(1)
                if text[offset : offset + len(number)] != number:  # positions shifted by unquoting
                    offset = text.find(number, config.start)
                    if offset < 0:
                        continue
                yield Issue(ctx.locate(script, offset, len(number)), message,
                            severity="error" if production else None)


class _OptionValue:
    """An option's value inside a word: `--opt value` (offset 0) or `--opt=value`."""

    def __init__(self, word, offset: int):
        self.word = word
        self.text = word.text
        self.start = word.start
        self.offset = offset

    @property
    def value(self) -> str:
        return shell.unquote(self.text[self.offset :])


def _cli_call(words):
    """The options of an `aws ecs create-service|update-service` call that sets
    --deployment-configuration, and that option's value; None for any other command."""
    words = shell.strip_wrappers(words)
    if not words or words[0].value.rsplit("/", 1)[-1] != "aws":
        return None
    index = next((i for i, word in enumerate(words) if word.value == "ecs"), None)
    if index is None or index + 1 >= len(words) or words[index + 1].value not in _SUBCOMMANDS:
        return None
    options: dict[str, _OptionValue] = {}
    rest = words[index + 2 :]
    i = 0
    while i < len(rest):
        word = rest[i]
        name = word.value
        if name.startswith("--") and "=" in name:
            name = name.split("=", 1)[0]
            if name in _VALUE_OPTIONS:
                options.setdefault(name, _OptionValue(word, word.text.index("=") + 1))
        elif name in _VALUE_OPTIONS and i + 1 < len(rest):
            options.setdefault(name, _OptionValue(rest[i + 1], 0))
            i += 1
        i += 1
    config = options.get("--deployment-configuration")
    return (options, config) if config is not None else None


def _value(options: dict, name: str) -> str | None:
    option = options.get(name)
    return option.value if option is not None else None



def _kept(desired: float, percent: float) -> int:
    """The tasks ECS keeps running: the lower limit is rounded up."""
    return math.ceil(desired * percent / 100 - 1e-9)


def _show(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
