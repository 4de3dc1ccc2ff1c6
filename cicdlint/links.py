"""Links between files: a workflow that renders or deploys an ECS task definition by path.

`aws-actions/amazon-ecs-render-task-definition` and `amazon-ecs-deploy-task-definition` take a
`task-definition:` path relative to the repository root. Following it lets the task definition be
linted with the workflow, lets rules check the workflow against the file (container names), and
lets findings in the file point back at the workflow that deploys it."""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from . import lazyre
from .model import Step, Workflow, text
from .rule import Span

RENDER_ACTION = "aws-actions/amazon-ecs-render-task-definition"
DEPLOY_ACTION = "aws-actions/amazon-ecs-deploy-task-definition"
_ENV_EXPRESSION = lazyre.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\$\{\{.*?\}\}")


@dataclass
class TaskDefinitionRef:
    """One `task-definition:` input of a render or deploy step."""

    step: Step
    action: str  # "render" | "deploy"
    path_node: object  # the task-definition input's Scalar
    pattern: str  # repo-relative path; `*` where an expression could not be resolved
    container: str | None  # the render step's container-name, resolved the same way

    @property
    def literal(self) -> bool:
        return "*" not in self.pattern


def repository_root(path: Path) -> Path | None:
    """The nearest folder above `path` with a `.github` folder or a `.git` entry."""
    try:
        directory = path.resolve().parent
    except OSError:
        return None
    for candidate in (directory, *directory.parents):
        if (candidate / ".github").is_dir() or (candidate / ".git").exists():
            return candidate
    return None


def workflow_repository_root(path: Path) -> Path | None:
    """The repository a workflow file belongs to: the folder holding its `.github`."""
    resolved = path.resolve()
    if resolved.parent.name == "workflows" and resolved.parent.parent.name == ".github":
        return resolved.parent.parent.parent
    return repository_root(path)


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


def target_path(root: Path, ref: TaskDefinitionRef) -> Path | None:
    """The file a literal reference names, whether or not it exists."""
    if not ref.literal or ref.pattern.startswith("/"):
        return None
    return root / ref.pattern


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


# --- the reverse direction: which workflows deploy this task definition ---------------------------

_REPOSITORY_REFS: dict[Path, list[tuple[Path, object, TaskDefinitionRef]]] = {}


def refs_in_repository(root: Path) -> list[tuple[Path, object, TaskDefinitionRef]]:
    """(workflow path, its Document, ref) for every task-definition reference in the repository's
    workflows, read once per process."""
    if root in _REPOSITORY_REFS:
        return _REPOSITORY_REFS[root]
    from .loaders import load

    found = []
    directory = root / ".github" / "workflows"
    for path in sorted(directory.glob("*.y*ml")) if directory.is_dir() else []:
        try:
            content = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if RENDER_ACTION not in content and DEPLOY_ACTION not in content:
            continue
        doc = load(path, path.as_posix(), True)
        if doc is None or doc.kind != "workflow" or doc.composed is None:
            continue
        found.extend((path, doc, ref) for ref in task_definition_refs(Workflow(doc)))
    _REPOSITORY_REFS[root] = found
    return found


def refs_to(taskdef_path: Path) -> list[tuple[Path, Span, TaskDefinitionRef]]:
    """(workflow path, span of its task-definition input, ref) for each workflow step of the
    task definition's repository that renders or deploys this file."""
    root = repository_root(taskdef_path)
    if root is None:
        return []
    try:
        relative = taskdef_path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return []
    return [
        (path, doc.span_of(ref.path_node), ref)
        for path, doc, ref in refs_in_repository(root)
        if fnmatch.fnmatchcase(relative, ref.pattern)
    ]


def rendered_containers(taskdef_path: Path) -> list[str]:
    """Container names (fnmatch patterns) whose image a render step of the repository's
    workflows replaces in this file: the image written in the file is only a placeholder."""
    return [
        ref.container
        for _, _, ref in refs_to(taskdef_path)
        if ref.action == "render" and ref.container and ref.step.input("image") is not None
    ]
