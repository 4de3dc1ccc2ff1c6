from cicdlint.jobgraph import ID
from cicdlint.model import as_map
from cicdlint.rule import Issue, rule
from cicdlint.yamlpos import Scalar


@rule(
    id="invalid-id",
    kinds=("workflow", "action"),
    severity="error",
    summary="A job or step id that GitHub does not accept",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds job ids (the keys under `jobs:`) and step `id:` values that do not follow GitHub's
    id syntax: a letter or `_` first, then only letters, digits, `-` and `_`
    (`^[A-Za-z_][A-Za-z0-9_-]*$`).

    ## Why is this bad?
    GitHub refuses a workflow with such a job id ("The identifier 'build.v2' is invalid"), and a
    step id such as `my step` or `1st` cannot be referred to as `steps.<id>` in expressions.

    ## Example
    ```yaml
    jobs:
      build.v2:
        runs-on: ubuntu-latest
        steps:
          - id: 1st-step
            run: make
    ```

    ## Use instead
    ```yaml
    jobs:
      build-v2:
        runs-on: ubuntu-latest
        steps:
          - id: first-step
            run: make
    ```
    Replace dots, spaces and other characters with `-` or `_`, and start with a letter or `_`.
    """
    if doc.kind == "workflow":
        jobs = as_map(doc.root.get("jobs"))
        for name, key, _ in jobs.items() if jobs is not None else []:
            if not ID.fullmatch(name) and "${{" not in name:
                yield Issue(key, _message("job", name))
    for step in ctx.steps():
        node = step.node.get("id")
        if not isinstance(node, Scalar) or node.is_null or not node.value or "${{" in node.value:
            continue  # an empty id is the schema rules' finding
        if not ID.fullmatch(node.value):
            yield Issue(node, _message("step", node.value))


def _message(what: str, name: str) -> str:
    import re

    fixed = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "id"
    if not re.match(r"[A-Za-z_]", fixed):
        fixed = "_" + fixed
    return (f"'{name}' is not a valid {what} id: an id starts with a letter or `_` and holds only letters, digits, "
            f"`-` and `_`. Write '{fixed}', for example.")
