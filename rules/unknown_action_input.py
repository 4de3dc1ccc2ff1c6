from cicdlint.actions import DOCKER_INPUTS, close_matches, quoted_list, step_action
from cicdlint.rule import Issue, rule


@rule(
    id="unknown-action-input",
    kinds=("workflow", "action"),
    severity="error",
    summary="A step passes an input that its action does not declare",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks each `with:` key of a step against the inputs that its action declares in its
    `action.yml`: for popular public actions from cicdlint's table of their inputs at every major
    version, for local actions (`uses: ./path`) from the file in the repository. Names are compared
    case-insensitively, as GitHub does. The version checked is the one the step names: the tag
    (`@v4`, `@v4.1.2`), or for a commit SHA the version in the comment after it
    (`@<sha> # v4.2.2`). When the version cannot be told (a bare SHA, an unknown branch), the input
    is reported only if no known version of the action declares it.

    ## Why is this bad?
    The runner does not stop on an unknown input: it prints a warning that nobody reads and runs
    the action without it. A typo such as `node_version` for `node-version`, or an input that a new
    major version renamed, silently leaves the setting at its default: the build uses another Node
    version, the cache key is not the one you wrote, the upload takes the wrong path.

    ## Example
    ```yaml
    - uses: actions/setup-node@v4
      with:
        node_version: 20
    ```

    ## Use instead
    ```yaml
    - uses: actions/setup-node@v4
      with:
        node-version: 20
    ```
    Use the input names that the action's version documents (its `action.yml`); when an input was
    renamed in a new major version, use the new name or stay on the old version.
    """
    for step in ctx.steps():
        known = step_action(step, ctx)
        with_ = step.with_
        if known is None or with_ is None:
            continue
        for name, key, _ in with_.items():
            if known.unknown_input(name):
                yield Issue(key, _message(name, known))


def _message(name: str, known) -> str:
    where = known.label if known.exact else f"{known.label} (in any version cicdlint knows of)"
    if name.lower() in DOCKER_INPUTS:
        return (
            f"'{name}' is not an input of {where}: `with: {name}` is only read by Docker container actions, "
            f"and this one is not. Pass the value through one of its inputs."
        )
    if known.source == "local" and known.versions[0].misplaced_inputs:
        return (
            f"'{name}' is not an input of {where}: its action.yml declares its inputs under `on.workflow_call`, "
            "which only reusable workflows read. Move them to a top-level `inputs:` in the action.yml "
            "(the runner warns about every undeclared input, and their `default`s are not applied)."
        )
    names = known.input_names()
    hints = close_matches(name, names)
    if hints:
        advice = f"Did you mean '{hints[0]}'?"
    elif names:
        advice = f"Its inputs are {quoted_list(names)}."
    else:
        advice = "It declares no inputs."
    return f"'{name}' is not an input of {where}. {advice} The runner ignores unknown inputs with only a warning."
