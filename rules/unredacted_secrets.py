from __future__ import annotations

from cicdlint import lazyre
from cicdlint.expressions import Access, Binary, Call, Literal, Not, Star, call_spans, find_expressions, path_of
from cicdlint.model import text
from cicdlint.notions import expression_sites
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Map

_FROMJSON = lazyre.compile(r"fromjson\s*\(", lazyre.IGNORECASE)
_BOOLEAN_CALLS = frozenset(("contains", "startswith", "endswith"))
_COMPARISONS = frozenset(("==", "!=", "<", "<=", ">", ">="))


@rule(
    id="unredacted-secrets",
    kinds=("workflow", "action"),
    severity="warning",
    summary="A secret parsed with `fromJSON()` yields fields that GitHub does not mask in logs",
    tags=("security", "secrets"),
    security_severity=6.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `fromJSON()` applied to a secret: `fromJSON(secrets.CREDS).password`,
    `fromJSON(secrets.CREDS)['key']`, `fromJSON(secrets.CREDS)` passed on whole, and
    `fromJSON(secrets[name])`. (`fromJSON(toJSON(secrets)).NAME` is the whole secret `NAME`,
    which is masked.) An `env.NAME` whose `env:` value
    is a secret (`CREDS: ${{ secrets.CREDS }}`) counts too, at medium confidence. A result
    used only as a truth value (an `if:` condition, a comparison, `contains()`) is not reported:
    it reveals nothing.

    ## Why is this bad?
    GitHub masks a secret in the logs by searching for its exact value. A field parsed out of
    a JSON secret is a different string, so it is printed in clear text wherever it appears:
    in the step's `env:` listing at the top of every step log, in an action's inputs shown in
    debug logs, in a matrix value that becomes part of a job name, in anything a command
    echoes. The same goes for the whole object re-serialised with different spacing.

    ## Example
    ```yaml
    steps:
      - run: ./deploy.sh
        env:
          USERNAME: ${{ fromJSON(secrets.DEPLOY_CREDENTIALS).username }}
          PASSWORD: ${{ fromJSON(secrets.DEPLOY_CREDENTIALS).password }}
    ```

    ## Use instead
    ```yaml
    steps:
      - run: ./deploy.sh
        env:
          USERNAME: ${{ secrets.DEPLOY_USERNAME }}
          PASSWORD: ${{ secrets.DEPLOY_PASSWORD }}
    ```
    Store each field as its own secret, so that GitHub knows each value and masks it. If the
    JSON must stay one secret, pass it whole (`CREDS: ${{ secrets.CREDS }}`) and parse it in
    the script after registering each field with `echo "::add-mask::$FIELD"`.
    """
    if not _FROMJSON.search(doc.text):
        return
    view = ctx.workflow if doc.kind == "workflow" else ctx.action
    secret_env = _secret_env_names(ctx, doc)
    for scalar, expression, is_condition in expression_sites(doc, view):
        if is_condition or "fromjson" not in expression.body.lower():
            continue
        tree = expression.tree
        if tree is None:
            continue
        found = []
        _leaks(tree, secret_env, found, boolean=False)
        if not found:
            continue
        spans = call_spans(scalar.value, expression.start, expression.end, "fromJSON")
        calls = []
        _fromjson_calls(tree, calls)
        for call, field, source, via_env in found:
            index = next((i for i, c in enumerate(calls) if c is call), None)
            if index is not None and index < len(spans):
                start, end = spans[index]
                end = _access_end(scalar.value, end, expression.end)
                span = ctx.locate(scalar, start, end - start)
            else:
                span = ctx.locate(scalar, expression.start, expression.length)
            yield Issue(span, _message(source, field, via_env), confidence="medium" if via_env else None)


def _secret_env_names(ctx, doc) -> dict[str, str]:
    """env var name -> the secret its value is (`NAME: ${{ secrets.X }}` at any level)."""
    levels = []
    if doc.kind == "workflow":
        levels.append(ctx.workflow.node.get("env"))
        for job in ctx.workflow.jobs:
            levels.append(job.node.get("env"))
    for step in ctx.steps():
        levels.append(step.node.get("env"))
    found = {}
    for env in levels:
        if not isinstance(env, Map):
            continue
        for name, _, value in env.items():
            value_text = text(value)
            if not value_text or "secrets" not in value_text.lower():
                continue
            expressions = find_expressions(value_text)
            if len(expressions) == 1 and value_text.strip() == value_text[expressions[0].start:expressions[0].end]:
                path = path_of(expressions[0].tree) if expressions[0].tree is not None else None
                if path and path.startswith("secrets"):
                    found[name] = path
    return found


def _fromjson_calls(node, out: list) -> None:
    if isinstance(node, Call):
        if node.name == "fromjson":
            out.append(node)
        for arg in node.args:
            _fromjson_calls(arg, out)
    elif isinstance(node, Access):
        _fromjson_calls(node.target, out)
        _fromjson_calls(node.key, out)
    elif isinstance(node, Not):
        _fromjson_calls(node.operand, out)
    elif isinstance(node, Binary):
        _fromjson_calls(node.left, out)
        _fromjson_calls(node.right, out)


def _leaks(node, secret_env: dict, found: list, boolean: bool, field: str | None = None) -> None:
    """(call, field, secret, via_env) for each `fromJSON(<secret>)` whose value can be shown."""
    if isinstance(node, Access):
        keys, base = [], node
        while isinstance(base, Access):
            keys.append(base.key)
            base = base.target
        keys.reverse()
        for key in keys:
            if not isinstance(key, (Literal, Star)):
                _leaks(key, secret_env, found, boolean)
        names = [str(key.value) if isinstance(key, Literal) else "*" for key in keys]
        _leaks(base, secret_env, found, boolean, ".".join(names) if isinstance(base, Call) else None)
        return
    if isinstance(node, Call):
        if node.name == "fromjson" and len(node.args) == 1 and not boolean:
            source, via_env = _secret_source(node.args[0], secret_env)
            if source is not None:
                found.append((node, field, source, via_env))
                return
        inner_boolean = boolean or node.name in _BOOLEAN_CALLS
        for arg in node.args:
            _leaks(arg, secret_env, found, inner_boolean)
        return
    if isinstance(node, Not):
        _leaks(node.operand, secret_env, found, True)
    elif isinstance(node, Binary):
        inner_boolean = boolean or node.op in _COMPARISONS
        _leaks(node.left, secret_env, found, inner_boolean)
        _leaks(node.right, secret_env, found, inner_boolean)


def _secret_source(arg, secret_env: dict) -> tuple[str | None, bool]:
    path = path_of(arg)
    if path is not None:
        if path == "secrets" or path.startswith("secrets."):
            return path, False
        if path.startswith("env.") and path.count(".") == 1 and path[4:] in secret_env:
            return f"{path} ({secret_env[path[4:]]})", True
        return None, False
    return None, False


def _access_end(value: str, pos: int, limit: int) -> int:
    """Extend a span over `.field` / `['key']` accesses that follow a call."""
    i = pos
    while i < limit:
        if value[i] == ".":
            j = i + 1
            while j < limit and (value[j].isalnum() or value[j] in "_-*"):
                j += 1
            if j == i + 1:
                break
            i = j
        elif value[i] == "[":
            close = value.find("]", i)
            if close < 0 or close >= limit:
                break
            i = close + 1
        else:
            break
    return i


def _message(source: str, field: str | None, via_env: bool) -> str:
    what = f"fromJSON({source.split(' ')[0]})" + (f".{field}" if field else "")
    what = what.replace("secrets.*", "secrets[...]")
    source = "the secret" if source == "secrets.*" else source
    if field:
        shown = f"`{what}` is not masked in logs: GitHub masks the exact value of {source}, not the field '{field}' parsed out of it."
        fix = f"Store '{field}' as a secret of its own and use that secret here."
    else:
        shown = (f"`{what}` is not masked in logs: GitHub masks the exact value of {source}, not the values parsed out of "
                 "it or the object written out again.")
        fix = "Store each field as a secret of its own, or pass the secret whole and parse it in the script after `::add-mask::` of each field."
    if via_env:
        fix += " (The env variable holds the secret, so parsing it has the same effect.)"
    return f"{shown} {fix}"
