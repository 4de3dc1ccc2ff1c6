from cicdlint import links
from cicdlint.model import TaskDefinition
from cicdlint.rule import rule


@rule(
    id="unknown-container-name",
    kinds=("workflow",),
    severity="error",
    summary="The render step's container-name is not a container of the task definition",
    tags=("deployment", "ecs"),
)
def check(doc, ctx):
    """## What it does
    Follows the `task-definition:` path of each `aws-actions/amazon-ecs-render-task-definition`
    step to the task definition in the repository and checks that its `container-name:` names a
    container defined there.

    ## Why is this bad?
    The render action replaces the image of the named container. When the name does not match
    (a container renamed in the JSON, a typo, a copy of another service's workflow), the action
    fails at deploy time, after the image was built and pushed, and the service keeps running
    the old version.

    ## Example
    ```yaml
    - uses: aws-actions/amazon-ecs-render-task-definition@v1
      with:
        task-definition: deploy/task-definition.json   # defines the container "my-api"
        container-name: api
        image: ${{ steps.build.outputs.image }}
    ```

    ## Use instead
    ```yaml
    - uses: aws-actions/amazon-ecs-render-task-definition@v1
      with:
        task-definition: deploy/task-definition.json
        container-name: my-api
        image: ${{ steps.build.outputs.image }}
    ```
    Use the `name` of the container whose image the workflow builds, exactly as written in the
    task definition's `containerDefinitions`.
    """
    for ref in links.task_definition_refs(ctx.workflow):
        name_node = ref.step.input("container-name")
        if ref.action != "render" or not ref.container or "*" in ref.container or not ref.literal:
            continue
        names = _container_names(ctx.repo.document(ref.pattern))
        if names is None or ref.container in names:
            continue
        import difflib

        close = difflib.get_close_matches(ref.container, names, n=1)
        hint = f"'{close[0]}'" if close else "one of " + ", ".join(f"'{name}'" for name in names)
        yield name_node, (
            f"Set container-name to {hint}. '{ref.container}' is not a container in {ref.pattern}, "
            "so the render step fails after the image is built and pushed."
        )


def _container_names(doc):
    """Container names of a linked task definition; None when it is not one or did not parse."""
    if doc is None or doc.kind != "taskdef" or doc.errors:
        return None
    return [c.name for c in TaskDefinition(doc).containers if c.name]
