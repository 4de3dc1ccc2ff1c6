from __future__ import annotations

from cicdlint.expressions import Binary, Call, Literal, Not, analyse, find_expressions, path_of
from cicdlint.rule import Issue, rule
from cicdlint.triggers import activity_types, events
from cicdlint.yamlpos import Scalar

# Contexts that name whoever caused the run, not who wrote the code it runs on.
SPOOFABLE_NAMES = ("github.actor", "github.triggering_actor", "github.event.sender.login")
SPOOFABLE_IDS = ("github.actor_id", "github.triggering_actor_id", "github.event.sender.id")
# User ids of bots (and Dependabot's integration id, often mistaken for one).
BOT_IDS = {"49699333": "dependabot[bot]", "27856297": "dependabot-preview[bot]", "29139614": "renovate[bot]", "29110": "dependabot"}
BOT_PREFIXES = ("dependabot", "renovate", "github-actions", "pre-commit-ci", "mergify", "allcontributors")
# Contexts that name the author of the pull request: a bot check on them is sound.
AUTHOR_CONTEXTS = ("github.event.pull_request.user.login", "github.event.pull_request.user.id",
                   "github.event.issue.user.login", "github.event.pull_request.user.type")

# Contexts that, compared with this repository, keep pull requests from forks out.
SAME_REPOSITORY_CONTEXTS = ("github.event.pull_request.head.repo.full_name",
                            "github.event.workflow_run.head_repository.full_name")
FORK_FLAGS = ("github.event.pull_request.head.repo.fork", "github.event.workflow_run.head_repository.fork")

PR_EVENTS = ("pull_request_target", "pull_request", "pull_request_review", "pull_request_review_comment")
OTHER_PRIVILEGED = ("issue_comment", "issues", "discussion", "discussion_comment")


@rule(
    id="spoofable-bot-condition",
    kinds=("workflow", "action"),
    severity="error",
    summary="An `if:` trusts `github.actor` to be a bot, which someone else's pull request can arrange",
    tags=("security", "access-control"),
    security_severity=8.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds job and step `if:` conditions that let a bot through by checking who caused the run:
    `github.actor == 'dependabot[bot]'` (any name ending in `[bot]`), also through
    `github.triggering_actor`, `github.event.sender.login`, a bot's numeric `github.actor_id`,
    `contains(fromJSON('["dependabot[bot]", "renovate[bot]"]'), github.actor)`,
    `contains(github.actor, '[bot]')`, `endsWith(github.actor, '[bot]')` and
    `startsWith(github.actor, 'dependabot')`.

    The severity follows the triggers: an error in a `pull_request_target` or `workflow_run`
    workflow (high confidence when the bot check alone decides, medium when it is one part of an
    `&&`); a warning for `issue_comment`, `issues` and `discussion` workflows, reusable workflows
    (`workflow_call`, the caller's event decides) and composite actions; a note for
    `pull_request` workflows (a fork's run has no secrets and a read-only token). Negative checks
    (`github.actor != 'dependabot[bot]'`, used to skip bots) and conditions that also check the
    pull request's author (`github.event.pull_request.user.login == 'dependabot[bot]' &&
    github.actor == 'dependabot[bot]'`, also in the job's `if:`) are not reported.

    ## Why is this bad?
    `github.actor` is whoever caused this run, not who wrote the code or text it works on.
    Anyone can open a pull request from a fork, turn on Dependabot in the fork and let Dependabot
    push to the pull request's branch: the next `pull_request_target` run has `dependabot[bot]`
    as its actor, while the pull request's code is the attacker's. A job that auto-approves,
    auto-merges or builds "Dependabot" pull requests with secrets then does it for the attacker.

    ## Example
    ```yaml
    on: pull_request_target
    jobs:
      automerge:
        if: github.actor == 'dependabot[bot]'
        runs-on: ubuntu-latest
        permissions:
          contents: write
          pull-requests: write
        steps:
          - run: gh pr merge --auto --squash "$PR_URL"
            env:
              PR_URL: ${{ github.event.pull_request.html_url }}
              GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
    ```

    ## Use instead
    ```yaml
    on: pull_request_target
    jobs:
      automerge:
        if: github.event.pull_request.user.login == 'dependabot[bot]'
        runs-on: ubuntu-latest
        permissions:
          contents: write
          pull-requests: write
        steps:
          - run: gh pr merge --auto --squash "$PR_URL"
            env:
              PR_URL: ${{ github.event.pull_request.html_url }}
              GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}
    ```
    Check the pull request's author (`github.event.pull_request.user.login`), which only the
    bot that opened the pull request has, instead of the actor of the run.
    """
    if doc.kind == "workflow":
        workflow = ctx.workflow
        level = _level(workflow, events(workflow))
        if level is None:
            return
        for job in workflow.jobs:
            job_anchored = _anchored_condition(job.if_)
            if not job_anchored:
                yield from _report(job.if_, level, "job")
            for step in job.steps:
                if not job_anchored:
                    yield from _report(step.if_, level, "step")
    else:
        level = ("warning", None, "composite")
        for step in ctx.steps():
            yield from _report(step.if_, level, "step")


def _level(workflow, triggers: list[str]):
    """(severity, confidence cap, kind) for the workflow's triggers, or None: not reported."""
    if "workflow_run" in triggers:
        return ("error", None, "workflow_run")
    if "pull_request_target" in triggers:
        types = activity_types(workflow, "pull_request_target")
        if types is None or "synchronize" in types:
            return ("error", None, "pull_request_target")
        # Without `synchronize` no push to the pull request's branch starts a run: the actor of
        # `opened` is the author; of `labeled`, `closed` and `reopened` someone with access.
        return ("note", "low", "no_synchronize")
    if any(event in OTHER_PRIVILEGED for event in triggers):
        return ("warning", "medium", "comment")
    if "workflow_call" in triggers:
        return ("warning", "medium", "reusable")
    if any(event in PR_EVENTS for event in triggers):
        return ("note", "low", "pull_request")
    return None


def _bodies(node) -> list[str]:
    if not isinstance(node, Scalar):
        return []
    value = node.value
    found = find_expressions(value)
    if not found:
        return [value]
    return [expression.body for expression in found]


def _report(node, level, where: str):
    severity, cap, kind = level
    for body in _bodies(node):
        analysis = analyse(body)
        if not analysis.parsed:
            continue
        checks = []
        _walk(analysis.tree, True, True, checks)
        if not checks:
            continue
        shown, dominating = checks[0][0], any(check[1] for check in checks)
        confidence = "high" if dominating else "medium"
        if cap == "medium" and confidence == "high":
            confidence = "medium"
        elif cap == "low":
            confidence = "low"
        yield Issue(node, _message(shown, kind, where), severity=severity, confidence=confidence)
        return


def _message(shown: str, kind: str, where: str) -> str:
    if kind == "workflow_run":
        fix = (
            "Identify the bot by the author of the pull request behind the run (look the pull request up with "
            f"the API and check its `user.login`) instead of `{shown}`"
        )
    elif kind in ("pull_request_target", "pull_request", "no_synchronize"):
        fix = f"Check `github.event.pull_request.user.login` (who opened the pull request) instead of `{shown}`"
    else:
        fix = (
            "Identify the bot by something only it controls (for a pull request, "
            f"`github.event.pull_request.user.login`) instead of `{shown}`"
        )
    why = (
        "The actor is whoever caused this run: when a bot pushes to someone else's pull request (a fork can turn "
        f"Dependabot on), the bot is the actor and this {where} runs for code the bot did not write"
    )
    tail = {
        "pull_request": " (a `pull_request` run from a fork gets no secrets, so the risk is small)",
        "no_synchronize": " (without the `synchronize` type a push to the branch does not start this workflow, so "
        "the risk is small)",
        "reusable": " (how much this matters depends on the event of the calling workflow)",
        "composite": " (how much this matters depends on the event of the workflow that uses this action)",
    }.get(kind, "")
    return f"{fix}. {why}{tail}."


# --- the expression tree -------------------------------------------------------------------------


def _walk(node, positive: bool, dominating: bool, out: list) -> None:
    """Collect positive spoofable bot checks: (text, dominating)."""
    if isinstance(node, Not):
        _walk(node.operand, not positive, dominating, out)
        return
    if isinstance(node, Binary):
        if node.op in ("&&", "||"):
            conjunction = (node.op == "&&") == positive  # `!(a || b)` is `!a && !b`
            if conjunction and (_anchored(node.left, positive) or _anchored(node.right, positive)):
                return
            keeps = dominating and not conjunction
            _walk(node.left, positive, keeps, out)
            _walk(node.right, positive, keeps, out)
            return
        if node.op in ("==", "!="):
            shown = _comparison(node)
            if shown is not None:
                if positive == (node.op == "=="):
                    out.append((shown, dominating))
            return
        return
    if isinstance(node, Call):
        shown = _call(node)
        if shown is not None:
            if positive:
                out.append((shown, dominating))
            return
        for arg in node.args:
            _walk(arg, positive, False, out)


def _literal(node) -> str | None:
    if isinstance(node, Literal) and node.value is not None and not isinstance(node.value, bool):
        value = node.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)
    return None


def _is_bot_name(value: str) -> bool:
    return value.lower().endswith("[bot]")


def _comparison(node: Binary) -> str | None:
    for context, other in ((node.left, node.right), (node.right, node.left)):
        path = path_of(context)
        value = _literal(other)
        if path is None or value is None:
            continue
        if path in SPOOFABLE_NAMES and _is_bot_name(value):
            return f"{path} == '{value}'"
        if path in SPOOFABLE_IDS and value.strip() in BOT_IDS:
            return f"{path} == {value.strip()} ({BOT_IDS[value.strip()]})"
    return None


def _call(node: Call) -> str | None:
    if len(node.args) != 2:
        return None
    first, second = node.args
    first_path, second_path = path_of(first), path_of(second)
    if node.name == "contains":
        # contains(fromJSON('["dependabot[bot]", ...]'), github.actor) / contains('a[bot] b[bot]', github.actor)
        if second_path in SPOOFABLE_NAMES:
            haystack = _literal(first)
            if haystack is None and isinstance(first, Call) and first.name == "fromjson" and first.args:
                haystack = _literal(first.args[0])
            if haystack is not None and "[bot]" in haystack.lower():
                return f"contains(..., {second_path})"
            return None
        if first_path in SPOOFABLE_NAMES:
            needle = _literal(second)
            if needle is not None and ("[bot]" in needle.lower() or needle.lower().startswith(BOT_PREFIXES)):
                return f"contains({first_path}, '{needle}')"
        return None
    if node.name in ("endswith", "startswith") and first_path in SPOOFABLE_NAMES:
        needle = _literal(second)
        if needle is None:
            return None
        lowered = needle.lower()
        if (node.name == "endswith" and "[bot]" in lowered) or (
            node.name == "startswith" and lowered.startswith(BOT_PREFIXES)
        ):
            function = "endsWith" if node.name == "endswith" else "startsWith"
            return f"{function}({first_path}, '{needle}')"
    return None


def _anchored(node, positive: bool) -> bool:
    """Does this operand check the pull request's author against a bot (positively)?"""
    if isinstance(node, Not):
        return _anchored(node.operand, not positive)
    if isinstance(node, Binary):
        if node.op in ("&&", "||"):
            conjunction = (node.op == "&&") == positive
            if conjunction:
                return _anchored(node.left, positive) or _anchored(node.right, positive)
            return _anchored(node.left, positive) and _anchored(node.right, positive)
        if node.op in ("==", "!="):
            for context, other in ((node.left, node.right), (node.right, node.left)):
                path, value = path_of(context), _literal(other)
                if positive == (node.op == "=="):
                    if path in AUTHOR_CONTEXTS and value is not None:
                        return True
                    if path in SAME_REPOSITORY_CONTEXTS and (
                        path_of(other) == "github.repository" or (value is not None and "/" in value)
                    ):
                        return True
                if path in FORK_FLAGS and isinstance(other, Literal) and isinstance(other.value, bool):
                    return (positive == (node.op == "==")) == (other.value is False)
        return False
    if path_of(node) in FORK_FLAGS:
        return not positive  # `!github.event.pull_request.head.repo.fork`
    if isinstance(node, Call) and node.name == "contains" and positive and len(node.args) == 2:
        return path_of(node.args[1]) in AUTHOR_CONTEXTS
    return False


def _anchored_condition(node) -> bool:
    bodies = _bodies(node)
    if len(bodies) != 1:
        return False
    analysis = analyse(bodies[0])
    return analysis.parsed and _anchored(analysis.tree, True)
