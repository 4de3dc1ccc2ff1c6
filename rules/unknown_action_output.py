from cicdlint.actions import close_matches, output_refs, quoted_list, step_action
from cicdlint.rule import Issue, rule


@rule(
    id="unknown-action-output",
    kinds=("workflow", "action"),
    severity="error",
    summary="An expression reads an output that the step's action does not declare",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Checks `steps.<id>.outputs.<name>` (in `${{ }}` expressions and bare `if:` conditions) when the
    step `<id>` uses an action whose outputs are known: a popular public action from cicdlint's
    table, at the version the step names, or a local action (`uses: ./path`) whose `action.yml`
    declares its outputs. Names are compared case-insensitively. Whether the step exists at all
    is another rule's business; `run:` steps, which can set any output, are not checked, nor are
    actions that run your code (`actions/github-script`, command runners, SSH actions) or name
    their outputs after their inputs (`dorny/paths-filter`). A JavaScript or Docker action can set
    outputs that its `action.yml` does not declare: the table adds the names its code sets
    literally. For a release newer than the table knows, only a spelling variant of a known output
    is reported.

    ## Why is this bad?
    An output the action never sets reads as an empty string, without any error: the `if:` that
    tests it is never true, the tag that uses it is empty, the deploy gets no image. A typo
    (`steps.meta.outputs.tag` for `tags`) or an output renamed by a new major version is enough.

    ## Example
    ```yaml
    - id: meta
      uses: docker/metadata-action@v5
      with:
        images: ghcr.io/acme/app
    - uses: docker/build-push-action@v6
      with:
        tags: ${{ steps.meta.outputs.tag }}
    ```

    ## Use instead
    ```yaml
    - uses: docker/build-push-action@v6
      with:
        tags: ${{ steps.meta.outputs.tags }}
    ```
    Use an output that the action's version declares in its `action.yml`.
    """
    refs = [ref for ref in output_refs(ctx) if ref.context == "steps"]
    if not refs:
        return
    ids_by_job: dict[int, dict[str, object]] = {}
    for ref in refs:
        steps = _steps_by_id(ref.job, ctx, ids_by_job)
        step = steps.get(ref.target.lower())
        if step is None:
            continue
        known = step_action(step, ctx)
        if known is None or not known.unknown_output(ref.name):
            continue
        yield Issue(ctx.locate(ref.scalar, ref.offset, ref.length), _message(ref, known))


def _steps_by_id(job, ctx, cache: dict) -> dict:
    key = id(job)
    if key not in cache:
        steps = job.steps if job is not None else ctx.steps()
        by_id: dict[str, object] = {}
        for step in steps:
            if step.id:
                by_id.setdefault(step.id.strip().lower(), step)
        cache[key] = by_id
    return cache[key]


def _message(ref, known) -> str:
    where = known.label if known.exact else f"{known.label} (in any version cicdlint knows of)"
    names = known.output_names()
    hints = close_matches(ref.name, names)
    if hints:
        advice = f"Did you mean '{hints[0]}'?"
    elif names:
        advice = f"Its outputs are {quoted_list(names)}."
    else:
        advice = "It declares no outputs."
    return (
        f"'{ref.name}' is not an output of {where}, which step '{ref.target}' uses. {advice} "
        "An output the action does not set reads as an empty string."
    )
