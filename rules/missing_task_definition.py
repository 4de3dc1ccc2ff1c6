from cicdlint import links
from cicdlint.rule import rule


@rule(
    id="missing-task-definition",
    kinds=("workflow",),
    severity="error",
    summary="A workflow renders or deploys a task definition file that is not in the repository",
    tags=("deployment", "ecs"),
)
def check(doc, ctx):
    """## What it does
    Finds `aws-actions/amazon-ecs-render-task-definition` and
    `aws-actions/amazon-ecs-deploy-task-definition` steps whose `task-definition:` path names a
    file that does not exist in the repository, and that no earlier step of the job creates or
    downloads (for example with `aws ecs describe-task-definition ... > task-definition.json`).

    ## Why is this bad?
    The path is relative to the repository root. When the file was moved or renamed, the
    workflow still builds and pushes the image, then fails at the deploy step, often only on the
    main branch where nobody is watching. A typo in the path fails the same way.

    ## Example
    ```yaml
    - uses: aws-actions/amazon-ecs-render-task-definition@v1
      with:
        task-definition: deploy/task-defintion.json   # the file is deploy/task-definition.json
        container-name: api
        image: ${{ steps.build.outputs.image }}
    ```

    ## Use instead
    ```yaml
    - uses: aws-actions/amazon-ecs-render-task-definition@v1
      with:
        task-definition: deploy/task-definition.json
        container-name: api
        image: ${{ steps.build.outputs.image }}
    ```
    Point `task-definition:` at the file's path from the repository root, or fetch the current
    definition in an earlier step (`aws ecs describe-task-definition --query taskDefinition`).
    """
    for ref in links.task_definition_refs(ctx.workflow):
        if not ref.literal or ref.pattern.startswith("/") or ctx.repo.exists(ref.pattern):
            continue
        if ctx.repo.path(ref.pattern) is None or links.written_earlier_in_job(ref):
            continue  # outside the repository (reported by nobody: never read), or made in the job
        yield ref.path_node, (
            f"Fix the path '{ref.pattern}' or create the file: no such task definition exists in the "
            f"repository, and no earlier step of job '{ref.step.job.id if ref.step.job else '?'}' makes it. "
            "The deploy will fail after the image is built and pushed."
        )
