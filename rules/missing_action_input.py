from cicdlint.actions import quoted_list, step_action
from cicdlint.rule import Issue, rule


@rule(
    id="missing-action-input",
    kinds=("workflow", "action"),
    severity="error",
    summary="A step leaves out an input that its action requires",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Reports a step that does not pass an input that its action declares `required: true` without a
    `default` (popular public actions from cicdlint's table, at the version the step names; local
    actions from their `action.yml`). When the version cannot be told, the input is reported only if
    every known version requires it; for a release newer than the table knows, nothing is reported.
    A few actions mark an input required and do without it (they fall back to another input or to
    the environment): the table's generator lists them, and they are not reported.

    ## Why is this bad?
    GitHub starts the step anyway: the runner does not enforce `required`. The action then fails
    with "Input required and not supplied", or, worse, goes on with an empty value, late in the
    job and after the work before it has been done.

    ## Example
    ```yaml
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        role-to-assume: arn:aws:iam::123456789012:role/deploy
    ```

    ## Use instead
    ```yaml
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        role-to-assume: arn:aws:iam::123456789012:role/deploy
        aws-region: eu-west-1
    ```
    Pass every required input under `with:`.
    """
    for step in ctx.steps():
        known = step_action(step, ctx)
        if known is None or step.uses is None:
            continue
        node = step.node.get("with")
        with_ = step.with_
        if node is not None and with_ is None:
            continue  # `with:` written as an expression or an odd shape: cannot tell
        given = {name.lower() for name, _, _ in with_.items()} if with_ is not None else set()
        missing = [declared for declared in known.required_inputs() if declared.name.lower() not in given]
        if missing:
            yield Issue(step.uses, _message(missing, known))


def _message(missing, known) -> str:
    names = quoted_list(declared.name for declared in missing)
    plural = "inputs" if len(missing) > 1 else "input"
    return (
        f"{known.label} requires the {plural} {names}, which this step does not pass under `with:`. "
        f"The runner does not check required inputs: the action fails, or runs with an empty value."
    )
