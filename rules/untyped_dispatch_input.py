from __future__ import annotations

from cicdlint import lazyre
from cicdlint.model import as_map, as_scalar, as_seq
from cicdlint.rule import Issue, rule
from cicdlint.triggers import trigger_config


_NUMBER = lazyre.compile(r"-?\d+(?:\.\d+)?")


@rule(
    id="untyped-dispatch-input",
    kinds=("workflow",),
    severity="note",
    summary="A `workflow_dispatch` input has no `type:`, so it takes any text",
    tags=("security",),
    security_severity=2.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `workflow_dispatch` inputs without a `type:`. GitHub then treats the input as free
    text. When the definition shows what was meant, the message says so, and some are
    warnings:

    - `options:` without `type: choice`: the options apply only to choice inputs (the
      `unexpected-key` syntax rule reports the stray key itself);
    - a `default:` of `true` / `false` (suggests `type: boolean`) or a number (`type: number`),
      quoted or not.

    Inputs with an explicit `type: string` are not reported: free text was chosen on purpose
    (what the workflow does with the text is template-injection's concern). checkov's
    CKV_GHA_7 instead fails every `workflow_dispatch` that has any inputs at all (the SLSA
    rule that user parameters must not shape a build); that flags booleans and choices alike
    and is not what this rule checks.

    ## Why is this bad?
    An untyped input accepts any string, from the form and from the API
    (`gh workflow run -f name=...`): a typo runs the workflow with a value nobody expected,
    `'false'` is a non-empty, truthy string in `if:` conditions, and every value has to be
    validated by the script. `type: boolean`, `number`, `choice` and `environment` make GitHub
    check the value before the run starts and show a proper control in the form.

    ## Example
    ```yaml
    on:
      workflow_dispatch:
        inputs:
          environment:
            description: Where to deploy
            options: [staging, production]
          dry-run:
            default: false
    ```

    ## Use instead
    ```yaml
    on:
      workflow_dispatch:
        inputs:
          environment:
            description: Where to deploy
            type: choice
            options: [staging, production]
          dry-run:
            type: boolean
            default: false
    ```
    Give every input a `type:`; use `type: string` for text that really is free.
    """
    config = trigger_config(ctx.workflow, "workflow_dispatch")
    inputs = as_map(config.get("inputs")) if config is not None else None
    if inputs is None:
        return
    for name, key, definition in inputs.items():
        spec = as_map(definition)
        if spec is not None and "type" in spec:
            continue
        if spec is not None and spec.get("options") is not None:
            options = [item.value for item in as_seq(spec.get("options")) if as_scalar(item) is not None]
            shown = ", ".join(options[:4]) + (", ..." if len(options) > 4 else "")
            yield Issue(
                key,
                f"Add `type: choice` to input '{name}': `options:`"
                + (f" ({shown})" if shown else "")
                + " apply only to choice inputs, and without a type the input is free text.",
            )
            continue
        suggestion = _suggest(spec)
        yield Issue(key, f"Add `type: {suggestion}` to input '{name}'{_why(suggestion)}: without a type, GitHub accepts any "
                         "text for it.")


def _suggest(spec) -> str:
    default = as_scalar(spec.get("default")) if spec is not None else None
    value = default.value.strip().lower() if default is not None and not default.is_null else ""
    if value in ("true", "false"):
        return "boolean"
    if value and _NUMBER.fullmatch(value):
        return "number"
    return "string"


def _why(suggestion: str) -> str:
    if suggestion == "boolean":
        return " (its default is a boolean; as text, 'false' is a non-empty, truthy string)"
    if suggestion == "number":
        return " (its default is a number)"
    return " (or boolean, number, choice, environment)"
