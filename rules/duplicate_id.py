from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar


@rule(
    id="duplicate-id",
    kinds=("workflow", "action"),
    severity="error",
    summary="Two steps of a job (or of a composite action) share an id",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds a step `id:` used twice in one job (or one composite action). GitHub compares ids
    without regard to case, so `version` and `Version` are the same id. (Job ids are keys of
    `jobs:`: a key repeated exactly is a `parse-error`, one repeated in another case is the
    schema rules' finding.)

    ## Why is this bad?
    GitHub refuses the workflow ("The identifier 'build' may not be used more than once within
    the same scope"). Even where it would not, `steps.<id>.outputs` could name only one of the
    steps.

    ## Example
    ```yaml
    steps:
      - id: version
        run: echo "v=1" >> "$GITHUB_OUTPUT"
      - id: Version
        run: echo "v=2" >> "$GITHUB_OUTPUT"
    ```

    ## Use instead
    ```yaml
    steps:
      - id: version
        run: echo "v=1" >> "$GITHUB_OUTPUT"
      - id: next-version
        run: echo "v=2" >> "$GITHUB_OUTPUT"
    ```
    Give every step of a job its own id.
    """
    groups = [job.steps for job in ctx.workflow.jobs] if doc.kind == "workflow" else [ctx.action.steps()]
    for steps in groups:
        seen_steps: dict[str, Scalar] = {}
        for step in steps:
            node = step.node.get("id")
            if not isinstance(node, Scalar) or node.is_null or not node.value or "${{" in node.value:
                continue
            first = seen_steps.get(node.value.lower())
            if first is None:
                seen_steps[node.value.lower()] = node
                continue
            same = "" if first.value == node.value else f" (the same as '{first.value}' to GitHub, which ignores the case of ids)"
            where, article = ("job", "a") if step.job is not None else ("action", "an")
            yield Issue(node, f"Another step of this {where} already has the id '{node.value}'{same}. Step ids must be "
                              f"unique in {article} {where}: rename this one, and the `steps.{node.value}` references meant for it.")
