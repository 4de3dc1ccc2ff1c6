from __future__ import annotations

import json

from cicdlint import lazyre
from cicdlint.contexts import is_untrusted
from cicdlint.expressions import Access, Binary, Call, Literal, Not, call_spans, path_of
from cicdlint.notions import expression_sites
from cicdlint.rule import Issue, rule

# Contexts whose value someone can choose: zizmor's list (branch and tag names, actors, SHAs,
# inputs, env values) plus every field the contexts table calls untrusted.
_CONTROLLABLE = ("env", "inputs", "github.actor", "github.triggering_actor", "github.base_ref", "github.head_ref",
                 "github.ref", "github.ref_name", "github.sha", "github.event.inputs", "github.event.client_payload")
_SEPARATORS = lazyre.compile(r"[\s,;|]+")
_CONTAINS = lazyre.compile(r"contains\s*\(\s*'", lazyre.IGNORECASE)  # a string literal first: the only shape reported


@rule(
    id="unsound-contains",
    kinds=("workflow", "action"),
    severity="warning",
    summary="`contains()` with a string as the haystack matches any substring, not one of a list of values",
    tags=("security", "correctness"),
    security_severity=5.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `contains('<string>', <context>)` in expressions (`if:` conditions and `${{ }}`
    anywhere): a string literal as the first argument and a context as the second, as in
    `contains('refs/heads/main refs/heads/develop', github.ref)`. It is a warning when someone
    can choose the context's value (`github.ref`, `github.ref_name`, `github.head_ref`,
    `github.base_ref`, `github.actor`, `github.sha`, `inputs.*`, `env.*`, untrusted event
    fields) and a note for other contexts (`github.event_name`, `matrix.*`).
    `contains(fromJSON('["a", "b"]'), x)` (a real list) and `contains(github.ref, 'refs/tags/')`
    (a string that contains a constant) are fine.

    ## Why is this bad?
    With a string as its first argument, `contains(a, b)` is true when `b` is any substring of
    `a`. The condition is meant as "the ref is main or develop", but it also passes for
    `refs/heads/mai`, `refs/heads/dev` or `refs/heads/main refs`, so anyone who can push a
    branch with such a name (or choose the input) gets past the check: a deploy or release that
    should only run from `main` runs from their branch.

    ## Example
    ```yaml
    steps:
      - run: terraform apply -auto-approve
        if: contains('refs/heads/main refs/heads/develop', github.ref)
    ```

    ## Use instead
    ```yaml
    steps:
      - run: terraform apply -auto-approve
        if: contains(fromJSON('["refs/heads/main", "refs/heads/develop"]'), github.ref)
    ```
    Make the haystack a list with `fromJSON('[...]')`, or compare each value with `==`
    (`github.ref == 'refs/heads/main' || github.ref == 'refs/heads/develop'`).
    """
    if not _CONTAINS.search(doc.text):
        return
    view = ctx.workflow if doc.kind == "workflow" else ctx.action
    for scalar, expression, _ in expression_sites(doc, view):
        if "contains" not in expression.body.lower():
            continue
        tree = expression.tree
        if tree is None:
            continue
        calls = []
        _contains_calls(tree, calls)
        spans = call_spans(scalar.value, expression.start, expression.end, "contains")
        for index, (call, unsound) in enumerate(calls):
            if not unsound:
                continue
            haystack, needle = call.args[0].value, path_of(call.args[1])
            if index < len(spans):
                start, end = spans[index]
                span = ctx.locate(scalar, start, end - start)
            else:
                span = ctx.locate(scalar, expression.start, expression.length)
            yield Issue(span, _message(haystack, needle), severity=None if _controllable(needle) else "note")


def _contains_calls(node, out: list) -> None:
    """Every `contains()` call in textual order, and whether it is unsound."""
    if isinstance(node, Call):
        if node.name == "contains":
            args = node.args
            unsound = (
                len(args) == 2
                and isinstance(args[0], Literal)
                and isinstance(args[0].value, str)
                and path_of(args[1]) is not None
            )
            out.append((node, unsound))
        for arg in node.args:
            _contains_calls(arg, out)
    elif isinstance(node, Access):
        _contains_calls(node.target, out)
        _contains_calls(node.key, out)
    elif isinstance(node, Not):
        _contains_calls(node.operand, out)
    elif isinstance(node, Binary):
        _contains_calls(node.left, out)
        _contains_calls(node.right, out)


def _controllable(path: str) -> bool:
    lowered = path.lower()
    return any(lowered == prefix or lowered.startswith(prefix + ".") for prefix in _CONTROLLABLE) or is_untrusted(lowered)


def _message(haystack: str, needle: str) -> str:
    items = _items(haystack)
    listed = json.dumps(items).replace("'", "''")
    shown = haystack if len(haystack) <= 60 else haystack[:57] + "..."
    bypass = f"'{items[0][:-1]}'" if items and len(items[0]) > 1 else "''"
    comparisons = " || ".join(f"{needle} == '{item}'" for item in items[:2])
    return (
        f"`contains('{shown}', {needle})` is true for any substring of that string ({bypass} passes too), "
        f"not only for the listed values. Write `contains(fromJSON('{listed}'), {needle})` or compare "
        f"with `==` (`{comparisons}`)."
    )


def _items(haystack: str) -> list[str]:
    stripped = haystack.strip()
    if stripped.startswith("["):
        try:
            parsed = json.loads(stripped)
        except ValueError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(item, str) for item in parsed):
            return parsed
        stripped = stripped.strip("[]")
    return [item.strip("\"'") for item in _SEPARATORS.split(stripped) if item.strip("\"'")]
