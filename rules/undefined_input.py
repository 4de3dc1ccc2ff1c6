from cicdlint import exprcheck
from cicdlint.rule import rule


@rule(
    id="undefined-input",
    kinds=("workflow", "action"),
    severity="error",
    summary="`inputs.<name>` is not declared by the workflow's triggers or the action's `inputs:`",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks that each `inputs.<name>` names an input declared under
    `on.workflow_dispatch.inputs` or `on.workflow_call.inputs` (in a workflow) or under
    `inputs:` (in an action), and each `github.event.inputs.<name>` an input of
    `workflow_dispatch`, with a did-you-mean. Names are case-insensitive. In a workflow with
    neither trigger, `inputs` is always empty.

    ## Why is this bad?
    An input that is not declared cannot be given: the expression is always empty, so a
    deploy goes to the default environment or a flag never takes effect, without an error.
    Callers of a reusable workflow are rejected when they pass an input it does not declare,
    so the misspelt name cannot even be supplied.

    ## Example
    ```yaml
    on:
      workflow_dispatch:
        inputs:
          environment:
            type: choice
            options: [staging, production]
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - run: ./deploy.sh "${{ inputs.enviroment }}"
    ```

    ## Use instead
    ```yaml
          - run: ./deploy.sh "${{ inputs.environment }}"
    ```
    """
    return exprcheck.input_issues(doc, ctx)
