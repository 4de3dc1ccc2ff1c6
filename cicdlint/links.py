"""Links between files: a workflow that renders or deploys an ECS task definition by path.

`aws-actions/amazon-ecs-render-task-definition` and `amazon-ecs-deploy-task-definition` take a
`task-definition:` path relative to the repository root. Following it lets the task definition be
linted with the workflow, lets rules check the workflow against the file (container names), and
lets findings in the file point back at the workflow that deploys it. The files themselves are
read through `ctx.repo` (cicdlint/repository.py), never here."""
from __future__ import annotations

from . import lazyre
from .model import Step, Workflow, text

RENDER_ACTION = "aws-actions/amazon-ecs-render-task-definition"
DEPLOY_ACTION = "aws-actions/amazon-ecs-deploy-task-definition"
_ENV_EXPRESSION = lazyre.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\$\{\{.*?\}\}")


class TaskDefinitionRef:
    """One `task-definition:` input of a render or deploy step."""

    __slots__ = ("step", "action", "path_node", "pattern", "container")

    def __init__(self, step: Step, action: str, path_node, pattern: str, container: str | None):
        self.step = step
        self.action = action  # "render" | "deploy"
        self.path_node = path_node  # the task-definition input's Scalar
        self.pattern = pattern  # repo-relative path; `*` where an expression could not be resolved
        self.container = container  # the render step's container-name, resolved the same way

    @property
    def literal(self) -> bool:
        return "*" not in self.pattern


def task_definition_refs(workflow: Workflow) -> list[TaskDefinitionRef]:
    refs = []
    for step in workflow.steps():
        if step.uses_action(RENDER_ACTION):
            action = "render"
        elif step.uses_action(DEPLOY_ACTION):
            action = "deploy"
        else:
            continue
        node = step.input("task-definition")
        pattern = resolve(step, node)
        if not pattern or not pattern.strip("*/."):
            continue  # e.g. `${{ steps.render.outputs.task-definition }}`: a file made in the job
        container = resolve(step, step.input("container-name")) if action == "render" else None
        refs.append(TaskDefinitionRef(step, action, node, _normalise(pattern), container))
    return refs


def resolve(step: Step, node) -> str | None:
    """The input's text with `${{ env.X }}` replaced by X's literal value, other expressions by `*`."""
    value = text(node)
    if value is None:
        return None

    def replace(match):
        variable = step.env.get(match.group(1)) if match.group(1) else None
        resolved = text(variable.value) if variable is not None else None
        return resolved if resolved is not None and "${{" not in resolved else "*"

    return _ENV_EXPRESSION.sub(replace, value.strip())


def _normalise(pattern: str) -> str:
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


def written_earlier_in_job(ref: TaskDefinitionRef) -> bool:
    """Does a step before this one in the job make or fetch the file (e.g. `aws ecs
    describe-task-definition ... > task-definition.json`, or an artifact download)?"""
    job = ref.step.job
    if job is None:
        return False
    name = ref.pattern.rsplit("/", 1)[-1]
    for step in job.steps[: ref.step.index]:
        run = text(step.node.get("run"))
        if run and name in run:
            return True
        if step.uses_action("actions/download-artifact", "actions/cache", "actions/cache/restore"):
            return True
    return False
