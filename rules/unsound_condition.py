from __future__ import annotations

from cicdlint.envfiles import entries, writes
from cicdlint.expressions import Binary, Call, Literal, Not, analyse, find_expressions, path_of
from cicdlint.rule import Issue, rule
from cicdlint.triggers import input_type
from cicdlint.yamlpos import Scalar

FALSE_LOOKING = {"false", "0", "no", "off", "n"}
BOOLEAN_FUNCTIONS = {"contains", "startswith", "endswith", "success", "always", "cancelled", "failure"}


@rule(
    id="unsound-condition",
    kinds=("workflow", "action"),
    severity="error",
    summary="An `if:` condition does not test what it seems to: GitHub reads it as a non-empty string",
    tags=("security", "correctness"),
    security_severity=7.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds job and step `if:` conditions that are always true:

    - a `${{ }}` expression with text around it: `if: ${{ a }} && b`,
      `if: "${{ github.event_name == 'push' }} "` (a space inside the quotes), two expressions
      joined outside the braces (`${{ a }} || ${{ b }}`), or an `if: |` / `if: >` block around
      `${{ }}` (the block keeps its final line break). GitHub then evaluates the whole value as a
      string template, and any non-empty string, `"false\\n"` included, is true;
    - a string that always holds text used as a truth value (warning): a boolean
      `workflow_dispatch` input read as `github.event.inputs.NAME` (the string `'true'` or
      `'false'`), an `env.NAME` set to `false` or to the result of a comparison (environment
      values are strings), a step or job output that the workflow sets to the string `false`,
      and the string literal `${{ 'false' }}`.

    A condition that is one `${{ }}` and nothing else, a condition without `${{ }}`
    (`if: github.ref == 'refs/heads/main'`), `if: false` and `if: 'false'` (GitHub evaluates
    the text `false`) and block scalars with the `|-` / `>-` indicator are sound.

    ## Why is this bad?
    The condition guards something: a deploy that should only run on `main`, a step that must
    not run for pull requests from forks, a job kept away from secrets. A condition that is
    always true silently removes that guard, and nothing in the run log says so.

    ## Example
    ```yaml
    jobs:
      deploy:
        if: |
          ${{ github.ref == 'refs/heads/main' }}
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy.sh
            if: ${{ github.event_name == 'push' }} && ${{ !github.event.repository.fork }}
          - run: ./publish.sh
            if: github.event.inputs.publish
    ```

    ## Use instead
    ```yaml
    jobs:
      deploy:
        if: github.ref == 'refs/heads/main'
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy.sh
            if: ${{ github.event_name == 'push' && !github.event.repository.fork }}
          - run: ./publish.sh
            if: inputs.publish
    ```
    Put the whole condition inside one `${{ }}`, or leave `${{ }}` out. With a block scalar use
    `|-` or `>-` so the value has no final line break. Compare strings explicitly
    (`steps.check.outputs.changed == 'true'`) or read booleans from `inputs`.
    """
    workflow = ctx.workflow if doc.kind == "workflow" else None
    conditions = []
    if workflow is not None:
        for job in workflow.jobs:
            conditions.append((job.if_, job, None))
            for step in job.steps:
                conditions.append((step.if_, job, step))
    else:
        for step in ctx.steps():
            conditions.append((step.if_, None, step))
    for node, job, step in conditions:
        if not isinstance(node, Scalar) or node.style is None and node.value in ("", "~", "null"):
            continue
        issue = _wrapped_text(node, "step" if step is not None else "job")
        if issue is not None:
            yield issue
            continue
        yield from _string_truth(ctx, workflow, job, step, node)


# --- text around ${{ }} ------------------------------------------------------------------------


def _wrapped_text(node: Scalar, what: str) -> Issue | None:
    value = node.value
    if "${{" not in value:
        return None
    found = find_expressions(value)
    if not found:
        return None
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(value):
        return None
    shown = value if len(value) <= 70 else value[:67] + "..."
    shown = shown.replace("\n", "\\n")
    if len(found) == 1 and not value[: found[0].start].strip() and not value[found[0].end :].strip():
        if node.style in ("|", ">"):
            fix = f"Use `{node.style}-` instead of `{node.style}` for this `if:` (or write it on one line)"
            why = "The block keeps its final line break, so GitHub reads"
        else:
            fix = "Remove the white space around `${{ }}` in this `if:`"
            why = "GitHub reads"
        why += f" '{shown}' as a string"
    else:
        fix = "Put the whole condition inside one `${{ }}` (or drop `${{ }}`)"
        why = f"With text outside the braces, GitHub reads '{shown}' as a string template"
    return Issue(node, f"{fix}. {why}, and a non-empty string is always true: this {what} always runs.")


# --- strings used as truth values --------------------------------------------------------------


def _string_truth(ctx, workflow, job, step, node: Scalar):
    value = node.value
    found = find_expressions(value)
    body = found[0].body if found else value
    analysis = analyse(body)
    if not analysis.parsed:
        return
    for operand in _truth_operands(analysis.tree):
        reason = _always_text(ctx, workflow, job, step, operand)
        if reason is None:
            continue
        shown, why, fix = reason
        yield Issue(
            node,
            f"{fix}: {why}, and any non-empty string, 'false' included, is true, so this condition does not "
            "test what it seems to.",
            severity="warning",
        )
        return


def _truth_operands(tree):
    """The sub-expressions whose truthiness decides the condition (not compared ones)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Binary) and node.op in ("&&", "||"):
            stack.extend((node.right, node.left))
        elif isinstance(node, Not):
            stack.append(node.operand)
        else:
            yield node


def _always_text(ctx, workflow, job, step, operand):
    """(shown, why, fix) when the operand is a string that is never empty, else None."""
    if isinstance(operand, Literal) and isinstance(operand.value, str):
        if operand.value.strip().lower() in FALSE_LOOKING:
            return (
                operand.value,
                f"'{operand.value}' is a string",
                f"Write `false` instead of the string '{operand.value}'",
            )
        return None
    path = path_of(operand)
    if path is None:
        return None
    parts = path.split(".")
    if workflow is not None and path.startswith("github.event.inputs.") and len(parts) == 4:
        name = parts[3]
        if input_type(workflow, name) == "boolean":
            return (
                path,
                f"{path} is the boolean input '{name}' as the string 'true' or 'false'",
                f"Read the input as `inputs.{name}` (a real boolean) or compare `{path} == 'true'`",
            )
        return None
    if parts[0] == "env" and len(parts) == 2 and step is not None:
        variable = step.env.get(parts[1])
        if variable is not None and isinstance(variable.value, Scalar) and _env_is_boolean_text(variable.value):
            return (
                path,
                f"env.{parts[1]} holds the string '{_env_text(variable.value)}' (environment values are strings)",
                f"Compare `env.{parts[1]} == 'true'`",
            )
        return None
    if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs" and step is not None:
        steps = job.steps if job is not None else ctx.steps()
        if _output_written_false(steps, parts[1], parts[3]):
            return (
                path,
                f"step '{parts[1]}' sets the output '{parts[3]}' to the string 'false'",
                f"Compare `{path} == 'true'`",
            )
        return None
    if parts[0] == "needs" and len(parts) == 4 and parts[2] == "outputs" and workflow is not None:
        producer = workflow.job(parts[1])
        outputs = producer.outputs if producer is not None else None
        definition = outputs.get(parts[3]) if outputs is not None else None
        if isinstance(definition, Scalar):
            for expression in find_expressions(definition.value):
                tree = expression.tree
                inner = path_of(tree) if tree is not None else None
                if inner is None:
                    continue
                bits = inner.split(".")
                if len(bits) == 4 and bits[0] == "steps" and bits[2] == "outputs":
                    if _output_written_false(producer.steps, bits[1], bits[3]):
                        return (
                            path,
                            f"job '{parts[1]}' sets the output '{parts[3]}' to the string 'false'",
                            f"Compare `{path} == 'true'`",
                        )
        return None
    return None


def _env_text(value: Scalar) -> str:
    return value.value if "${{" not in value.value else "true' or 'false"


def _env_is_boolean_text(value: Scalar) -> bool:
    raw = value.value.strip()
    if "${{" not in raw:
        return raw.lower() in FALSE_LOOKING
    found = find_expressions(raw)
    if len(found) != 1 or found[0].start != 0 or found[0].end != len(raw):
        return False
    tree = found[0].tree
    if isinstance(tree, Binary) and tree.op in ("==", "!=", "<", "<=", ">", ">="):
        return True
    if isinstance(tree, Not):
        return True
    if isinstance(tree, Literal) and isinstance(tree.value, bool):
        return True
    return isinstance(tree, Call) and tree.name in BOOLEAN_FUNCTIONS


def _output_written_false(steps, step_id: str, output: str) -> bool:
    """Does the step with this id write `output=false` to $GITHUB_OUTPUT?"""
    for step in steps:
        if step.id != step_id:
            continue
        for scalar, where in step.scripts():
            if where != "run":
                continue
            for entry in entries(writes(scalar.value), "GITHUB_OUTPUT"):
                if entry.name != output or entry.multiline:
                    continue
                value = "".join(part.text for part in entry.parts).strip().strip("\"'").strip()
                if value.lower() == "false":
                    return True
        return False
    return False

