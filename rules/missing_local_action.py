from cicdlint.model import text
from cicdlint.rule import Issue, rule

# Actions that do not put files in the workspace: a local action used after only these cannot
# have been checked out.
_NO_WORKSPACE = (
    "step-security/harden-runner", "actions/setup-node", "actions/setup-python", "actions/setup-go",
    "actions/setup-java", "actions/setup-dotnet", "aws-actions/configure-aws-credentials",
    "docker/login-action", "docker/setup-buildx-action", "docker/setup-qemu-action",
    "actions/create-github-app-token",
)


@rule(
    id="missing-local-action",
    kinds=("workflow",),
    severity="error",
    summary="A step uses a local action that the repository does not have, or before checking it out",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    For a step with `uses: ./path`, looks for `path/action.yml` (or `action.yaml`, or a
    `Dockerfile`) in the repository, and reports the step when there is none. It also reports a
    local action used before any step of the job checks the repository out.

    It stays silent when it cannot be sure: when the path is built by an expression, when an
    earlier step checks out another repository or into a sub-folder, restores files (artifact,
    cache) or runs a script that mentions the path, on self-hosted runners (whose workspace
    outlives the job), and when the tree being linted is not a whole checkout (no `.git`), since
    then a missing file may only be missing from the copy.

    ## Why is this bad?
    The step fails with "Can't find 'action.yml', 'action.yaml' or 'Dockerfile'": a local path is
    read from the job's workspace, which holds only what earlier steps put there. A renamed or
    moved action folder, or a missing `actions/checkout`, breaks every job that uses it.

    ## Example
    ```yaml
    steps:
      - uses: ./.github/actions/setup  # before actions/checkout
      - uses: actions/checkout@v4
    ```

    ## Use instead
    ```yaml
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/setup
    ```
    Check the repository out first, and point `uses:` at a folder that has an `action.yml`.
    """
    if not ctx.repo.exists(".git"):
        return
    for job in ctx.workflow.jobs:
        if _self_hosted(job):
            continue
        empty = True  # only steps that put nothing in the workspace so far
        earlier = []
        for step in job.steps:
            uses = step.uses
            value = uses.value.strip() if uses is not None else ""
            if value.startswith("./") and "${{" not in value and "@" not in value:
                issue = _check(ctx, step, value, earlier, empty)
                if issue is not None:
                    yield issue
            earlier.append(step)
            empty = empty and step.uses_action(*_NO_WORKSPACE)


def _check(ctx, step, value: str, earlier: list, empty: bool):
    base = value[2:].strip().rstrip("/")
    names = ("action.yml", "action.yaml", "Dockerfile")
    found = any(ctx.repo.exists(f"{base}/{name}" if base else name) for name in names)
    if not found:
        if any(_may_create(other, base) for other in earlier):
            return None
        folder = f"./{base}" if base else "./"
        where = "the folder does not exist" if base and not ctx.repo.exists(base) else "it has no action.yml, action.yaml or Dockerfile"
        return Issue(step.uses, f"'{value}' names no action in this repository: {where}. The step fails with "
                                f"\"Can't find 'action.yml'\". Point `uses:` at the folder of an action ({folder} is not one).")
    if empty:
        return Issue(step.uses, f"'{value}' is used before any step checks out the repository, so the job's workspace "
                                "is empty and the step fails with \"Can't find 'action.yml'\". Add `uses: actions/checkout@v4` "
                                "before it.")
    return None


def _may_create(step, base: str) -> bool:
    """Could this earlier step have put `base` in the workspace other than from this repository?"""
    uses = text(step.node.get("uses"))
    if uses is None:
        script = text(step.node.get("run")) or ""
        words = [part for part in base.split("/") if part and part not in (".github", "actions", ".")]
        return any(word in script for word in words) or not words
    if step.uses_action("actions/checkout"):
        with_ = step.with_
        if with_ is None:
            return False
        repository = text(with_.get("repository"))
        if repository and repository.strip().replace(" ", "") not in ("${{github.repository}}",):
            return True  # another repository
        return text(with_.get("path")) not in (None, "", ".", "./")  # into a sub-folder
    lowered = uses.lower()
    return uses.startswith("docker://") or any(word in lowered for word in ("checkout", "clone", "download", "cache", "unpack", "extract", "sync"))


def _self_hosted(job) -> bool:
    """Is the job (possibly) on a self-hosted runner, whose workspace outlives the job?"""
    labels = [label.strip().lower() for label in job.runner_labels]
    if not labels or any("${{" in label for label in labels):
        return bool(labels) or job.runs_on is not None
    hosted = ("ubuntu-", "windows-", "macos-")
    return not all(label.startswith(hosted) for label in labels)
