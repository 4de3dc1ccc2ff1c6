from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar


@rule(
    id="duplicate-id",
    kinds=("workflow", "action"),
    severity="error",
    summary="Two steps of a job share an id, or two job ids differ only in case",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds a step `id:` used twice in one job (or one composite action), and job ids that
    differ only in case (`build` and `Build`). GitHub compares ids without regard to case.
    Keys repeated exactly are already a `parse-error`.

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
    Give every step of a job, and every job of a workflow, its own id.
    """
    if doc.kind == "workflow":
        jobs = as_map(doc.root.get("jobs"))
        seen: dict[str, str] = {}
        for name, key, _ in jobs.items() if jobs is not None else []:
            first = seen.get(name.lower())
            if first is None:
                seen[name.lower()] = name
            elif first != name:  # an exact repeat is a parse-error
                yield Issue(key, f"Job id '{name}' is the same as '{first}' to GitHub, which ignores the case of ids. "
                                 "Give this job another id.")
        groups = [job.steps for job in ctx.workflow.jobs]
    else:
        groups = [ctx.action.steps()]
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
