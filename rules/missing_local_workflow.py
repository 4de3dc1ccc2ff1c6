from cicdlint import lazyre
from cicdlint.actions import workflow_interface
from cicdlint.rule import Issue, rule

_ROOTED = lazyre.compile(r"\.github/workflows/[^/]+\.ya?ml")


@rule(
    id="missing-local-workflow",
    kinds=("workflow",),
    severity="error",
    summary="A job calls a local reusable workflow that does not exist or cannot be called",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    For a job with `uses: ./.github/workflows/x.yml`, reports a path outside `.github/workflows/`
    (GitHub reads reusable workflows only from that folder, not from sub-folders), a file that the
    repository does not have, and a workflow that has no `workflow_call` trigger. A missing file
    is reported only when the tree being linted is a whole checkout (it has `.git`): a copy of
    some files says nothing about the others.

    ## Why is this bad?
    GitHub refuses to start the run ("workflow was not found", "references to workflows must be
    rooted in '.github/workflows'", "workflow is not reusable as it is missing a `on.workflow_call`
    trigger"): every job of the calling workflow fails.

    ## Example
    ```yaml
    jobs:
      test:
        uses: ./.github/workflows/ci/test.yml
    ```

    ## Use instead
    ```yaml
    jobs:
      test:
        uses: ./.github/workflows/test.yml
    ```
    Keep reusable workflows directly in `.github/workflows/`, and give them an `on: workflow_call:` trigger.
    """
    complete = None
    for job in ctx.workflow.jobs:
        uses = job.uses
        value = uses.value.strip() if uses is not None else ""
        if not value.startswith("./") or "${{" in value or "@" in value:
            continue
        relative = value[2:]
        if not _ROOTED.fullmatch(relative):
            yield Issue(uses, f"'{value}' is not directly in .github/workflows/: GitHub reads reusable workflows only from "
                              "that folder (not from sub-folders or elsewhere) and refuses to start the run.")
            continue
        doc_called = ctx.repo.document(relative)
        if doc_called is None:
            if complete is None:
                complete = ctx.repo.exists(".git")
            if complete and not ctx.repo.exists(relative):
                yield Issue(uses, f"'{value}' does not exist in this repository, so GitHub refuses to start the run "
                                  "(\"workflow was not found\").")
            continue
        if doc_called.kind == "workflow" and workflow_interface(doc_called) is None:
            yield Issue(uses, f"'{value}' has no `workflow_call` trigger, so it cannot be called from another workflow: "
                              "GitHub refuses to start the run. Add `on: workflow_call:` to it.")
