from cicdlint.events import event_configs, is_placeholder, scalars
from cicdlint.filter_patterns import filter_match, has_wildcards, unescape
from cicdlint.model import Workflow, text
from cicdlint.rule import Issue, rule


@rule(
    id="workflow-run-unknown-workflow",
    kinds=("workflow",),
    severity="error",
    summary="`workflow_run.workflows` names a workflow that the repository does not have",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks each name in `on.workflow_run.workflows` against the `name:` of the repository's
    workflows in `.github/workflows/` (and, for a workflow without `name:`, its file path,
    which is then its name). It runs only when the file is in a repository's
    `.github/workflows/` directory, so that every workflow it could mean is seen; names with
    wildcards, expressions or template placeholders are left alone.

    ## Why is this bad?
    `workflow_run` fires only for workflows of the same repository whose name matches. A name
    that matches none (a typo, or a workflow renamed since) means the workflow never runs, and
    nothing tells you: there is no error, just no run.

    ## Example
    ```yaml
    # .github/workflows/deploy.yml; ci.yml says `name: CI`
    on:
      workflow_run:
        workflows: [Build]
        types: [completed]
    ```

    ## Use instead
    ```yaml
    on:
      workflow_run:
        workflows: [CI]
        types: [completed]
    ```
    Use the `name:` of the workflow to follow, exactly as written in its file.
    """
    configs = [config for event, _, config in event_configs(ctx.workflow) if event == "workflow_run"]
    if not configs:
        return
    values = [value for value in scalars(configs[0].get("workflows")) if value.value.strip()]
    if not values:
        return
    names = _names(doc, ctx)
    if names is None:
        return
    exact, lowered = names
    patterns = 200
    for value in values:
        name = value.value.strip()
        if "${{" in name or is_placeholder(name) or "$" in name:
            continue
        if name in exact or name.lower() in lowered:
            continue
        if "\\" in name or has_wildcards(name):
            # GitHub reads the names as filter patterns (`C/C\+\+` for `C/C++`).
            patterns -= 1
            if patterns < 0:
                continue  # hundreds of patterns: the rest are left alone
            if any(filter_match(name, known, ignore_case=True) for known in exact):
                continue
            if has_wildcards(name):
                continue  # a pattern that matches nothing we can see: leave it
            name = unescape(name)
            if name in exact or name.lower() in lowered:
                continue
        yield Issue(value, _message(name, exact))


def _names(doc, ctx):
    """(names, lower-cased names and file names) of the repository's workflows, or None when
    they cannot all be seen (the file is not in `.github/workflows/`, or a name is dynamic)."""
    repo = ctx.repo
    workflows = repo.workflows()
    if not workflows:
        return None
    own = doc.abspath.resolve()
    if not any(other.abspath.resolve() == own for other in workflows):
        return None
    exact: set[str] = set()
    lowered: set[str] = set()
    for other in workflows:
        path = other.abspath.resolve()
        try:
            relative = path.relative_to(repo.root.resolve()).as_posix()
        except ValueError:
            return None
        name_node = Workflow(other).node.get("name") if hasattr(other.root, "get") else None
        name = text(name_node)
        if name is not None and "${{" in name:
            return None
        if name and name.strip():
            exact.add(name.strip())
        else:
            exact.add(relative)
        file_name = relative.rsplit("/", 1)[-1]
        lowered.update({relative.lower(), file_name.lower(), file_name.rsplit(".", 1)[0].lower()})
        if name:
            lowered.add(name.strip().lower())
    return exact, lowered


def _message(name: str, exact: set) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(exact), n=1, cutoff=0.6)
    hint = f"Did you mean '{close[0]}'?" if close else (
        "The repository's workflows are " + ", ".join(f"'{known}'" for known in sorted(exact)[:12])
        + (", ..." if len(exact) > 12 else "") + ".")
    return (f"No workflow of this repository is named '{name}', so this workflow_run trigger never fires (it only "
            f"follows workflows of the same repository, by their `name:`). {hint}")
