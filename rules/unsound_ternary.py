from __future__ import annotations

import json
import math

from cicdlint.expressions import Access, Binary, Call, Context, Literal, Not, Star, path_of
from cicdlint.notions import expression_sites
from cicdlint.rule import Issue, rule
from cicdlint.triggers import input_type

_CANONICAL = {
    "fromjson": "fromJSON", "tojson": "toJSON", "startswith": "startsWith", "endswith": "endsWith",
    "hashfiles": "hashFiles",
}
_BOOLEAN_CALLS = frozenset(("contains", "startswith", "endswith", "success", "always", "failure", "cancelled"))
_COMPARISONS = frozenset(("==", "!=", "<", "<=", ">", ">="))
_NOT_CONSTANT = object()


@rule(
    id="unsound-ternary",
    kinds=("workflow", "action"),
    severity="warning",
    summary="A `cond && value || fallback` pseudo-ternary whose value can be falsy yields the fallback instead",
    tags=("security", "correctness"),
    security_severity=3.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds expressions that use `cond && value || fallback` as a ternary when `value` can be
    falsy, so the expression yields `fallback` even though `cond` is true:

    - `value` is a constant that is falsy: `''`, `0`, `false`, `null`, or an expression of
      constants such as `fromJSON('false')` or `format('{0}', '')` (high confidence);
    - `value` is a boolean that can be false (a comparison, `!x`, `contains()` /
      `startsWith()` / `endsWith()`, or a `boolean` / `number` workflow input) and `fallback`
      is a truthy constant such as `true` (medium confidence): `inputs.dry-run = false` then
      yields `true`.

    An expression made only of constants (`true && '' || 'x'`) and plain boolean logic
    (`a && b == 'x' || c` with a non-constant `c`) are not reported.

    ## Why is this bad?
    `&&` and `||` return one of their operands: `a && b` is `b` when `a` is truthy, and
    `(a && b) || c` is `c` whenever `a && b` is falsy, including when `b` itself is falsy.
    The value the author meant for the true case can never come out: a `dry-run` switch that is
    always on, a flag that is always passed, a tag that is never empty. The mistake is silent,
    and such expressions often decide what is published or deployed.

    ## Example
    ```yaml
    env:
      SUFFIX: ${{ github.ref == 'refs/heads/main' && '' || '-dev' }}
      DRY_RUN: ${{ github.event_name == 'workflow_dispatch' && inputs.dry-run || true }}
    ```

    ## Use instead
    ```yaml
    env:
      SUFFIX: ${{ github.ref != 'refs/heads/main' && '-dev' || '' }}
      DRY_RUN: ${{ case(github.event_name == 'workflow_dispatch', inputs.dry-run, true) }}
    ```
    Use `case(cond, value, fallback)`, or invert the condition so that the true branch is the
    truthy one (`!cond && fallback || value` when `fallback` is truthy).
    """
    if "&&" not in doc.text or "||" not in doc.text:
        return
    view = ctx.workflow if doc.kind == "workflow" else ctx.action
    workflow = ctx.workflow if doc.kind == "workflow" else None
    for scalar, expression, _ in expression_sites(doc, view):
        body = expression.body
        if "&&" not in body or "||" not in body:
            continue
        tree = expression.tree
        if tree is None:
            continue
        found = []
        _unsound(tree, workflow, found)
        for condition, value, fallback, certain in found:
            span = ctx.locate(scalar, expression.start, expression.length)
            yield Issue(span, _message(condition, value, fallback, certain), confidence=None if certain else "medium")


def _unsound(node, workflow, found: list) -> None:
    """(condition, value, fallback, certain) for each pseudo-ternary with a falsy-able value."""
    if _constant(node) is not _NOT_CONSTANT:
        return
    if isinstance(node, Binary) and node.op == "||":
        operands = []
        _or_operands(node, operands)
        for index, operand in enumerate(operands[:-1]):
            if not (isinstance(operand, Binary) and operand.op == "&&"):
                continue
            value = _constant(operand.right)
            fallback = operands[index + 1] if index + 2 == len(operands) else Binary("||", operands[index + 1], operands[-1])
            if value is not _NOT_CONSTANT:
                if not _truthy(value):
                    found.append((operand.left, operand.right, fallback, True))
                continue
            following = _constant(operands[index + 1])
            if following is not _NOT_CONSTANT and _truthy(following) and _can_be_false(operand.right, workflow):
                found.append((operand.left, operand.right, operands[index + 1], False))
        for operand in operands:
            _unsound(operand, workflow, found)
        return
    if isinstance(node, Binary):
        _unsound(node.left, workflow, found)
        _unsound(node.right, workflow, found)
    elif isinstance(node, Not):
        _unsound(node.operand, workflow, found)
    elif isinstance(node, Call):
        for arg in node.args:
            _unsound(arg, workflow, found)
    elif isinstance(node, Access):
        _unsound(node.target, workflow, found)
        _unsound(node.key, workflow, found)


def _or_operands(node, out: list) -> None:
    if isinstance(node, Binary) and node.op == "||" and _constant(node) is _NOT_CONSTANT:
        _or_operands(node.left, out)
        _or_operands(node.right, out)
    else:
        out.append(node)


def _can_be_false(node, workflow) -> bool:
    """A non-constant value that is a boolean (or a number) and so can be falsy."""
    if isinstance(node, Not) or (isinstance(node, Binary) and node.op in _COMPARISONS):
        return True
    if isinstance(node, Call) and node.name in _BOOLEAN_CALLS:
        return True
    path = path_of(node)
    if workflow is not None and path is not None and path.startswith("inputs.") and path.count(".") == 1:
        return input_type(workflow, path.split(".", 1)[1]) in ("boolean", "number")
    return False


# --- constants -----------------------------------------------------------------------------------


def _truthy(value) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True  # true, objects and arrays


def _constant(node):
    """The value of an expression made only of constants, or _NOT_CONSTANT."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Not):
        value = _constant(node.operand)
        return _NOT_CONSTANT if value is _NOT_CONSTANT else not _truthy(value)
    if isinstance(node, Binary):
        left = _constant(node.left)
        if left is _NOT_CONSTANT:
            return _NOT_CONSTANT
        right = _constant(node.right)
        if right is _NOT_CONSTANT:
            return _NOT_CONSTANT
        if node.op == "&&":
            return right if _truthy(left) else left
        if node.op == "||":
            return left if _truthy(left) else right
        if node.op in ("==", "!="):
            same = _loose(left) == _loose(right)
            return same if node.op == "==" else not same
        return _NOT_CONSTANT
    if isinstance(node, Call):
        args = [_constant(arg) for arg in node.args]
        if any(arg is _NOT_CONSTANT for arg in args):
            return _NOT_CONSTANT
        return _call(node.name, args)
    return _NOT_CONSTANT


def _loose(value):
    """GitHub compares strings case-insensitively."""
    return value.lower() if isinstance(value, str) else value


def _call(name: str, args: list):
    try:
        if name == "fromjson" and len(args) == 1 and isinstance(args[0], str):
            return json.loads(args[0])
        if name == "format" and args and isinstance(args[0], str):
            text = args[0]
            for index, arg in enumerate(args[1:]):
                text = text.replace("{" + str(index) + "}", _text(arg))
            return text
        if name in ("contains", "startswith", "endswith") and len(args) == 2:
            haystack, needle = args
            if isinstance(haystack, list):
                return name == "contains" and any(_loose(item) == _loose(needle) for item in haystack)
            haystack, needle = _text(haystack).lower(), _text(needle).lower()
            return {"contains": needle in haystack, "startswith": haystack.startswith(needle),
                    "endswith": haystack.endswith(needle)}[name]
        if name == "tojson" and len(args) == 1:
            return json.dumps(args[0], indent=2)
    except (ValueError, RecursionError):
        return _NOT_CONSTANT
    return _NOT_CONSTANT


def _text(value) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else json.dumps(value)


# --- messages ------------------------------------------------------------------------------------


def _message(condition, value, fallback, certain: bool) -> str:
    cond, val, fall = render(condition), render(value), render(fallback)
    inverted = "!" + render(condition, 8)
    if certain:
        return (
            f"`{cond} && {val} || {fall}` always yields {fall}: {val} is falsy, so `&&` falls through to `||` even "
            f"when {cond} is true. Write `case({cond}, {val}, {fall})`, or invert the condition "
            f"(`{inverted} && {fall} || {val}`) when {fall} is truthy."
        )
    return (
        f"`{cond} && {val} || {fall}` yields {fall} whenever {val} is false (or 0), even when {cond} is true, so "
        f"{val} can never come out as false. Write `case({cond}, {val}, {fall})`."
    )


def render(node, parent: int = 0) -> str:
    """Expression text for a syntax tree (for messages)."""
    if isinstance(node, Literal):
        value = node.value
        if isinstance(value, str):
            return "'" + value.replace("'", "''") + "'"
        return _text(value) if value is not None else "null"
    if isinstance(node, Context):
        return node.name
    if isinstance(node, Star):
        return "*"
    if isinstance(node, Access):
        target = render(node.target, 9)
        key = node.key
        if isinstance(key, Star):
            return f"{target}.*"
        if isinstance(key, Literal) and isinstance(key.value, str) and key.value.replace("-", "_").isidentifier():
            return f"{target}.{key.value}"
        return f"{target}[{render(key)}]"
    if isinstance(node, Call):
        return f"{_CANONICAL.get(node.name, node.name)}({', '.join(render(arg) for arg in node.args)})"
    if isinstance(node, Not):
        return "!" + render(node.operand, 8)
    if isinstance(node, Binary):
        rank = {"||": 1, "&&": 2, "==": 3, "!=": 3}.get(node.op, 4)
        text = f"{render(node.left, rank)} {node.op} {render(node.right, rank + 1)}"
        return f"({text})" if rank < parent else text
    return "?"
