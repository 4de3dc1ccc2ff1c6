from __future__ import annotations

from cicdlint.model import as_map, text
from cicdlint.rule import Issue, rule


@rule(
    id="anonymous-definition",
    kinds=("workflow",),
    severity="note",
    summary="A workflow or job has no `name:`, so the Actions UI shows a file path or an id instead",
    tags=("pedantic",),
    confidence="high",
    default_enabled=False,
)
def check(doc, ctx):
    """## What it does
    Opt-in (pedantic): finds workflows without a top-level `name:` (reported at the first key)
    and jobs without a `name:` (reported at the job's key). Jobs that call a reusable workflow
    (`uses:`) are not reported: the called workflow's jobs carry the names. An empty name counts
    as none; a name that is an expression (`name: Deploy ${{ inputs.env }}`) is fine. Enable it
    with `--select anonymous-definition` or `rules: {anonymous-definition: {enabled: true}}`.

    ## Why is this bad?
    Without a name, the Actions tab lists the workflow by its file path and the checks list of a
    pull request shows job ids (`build`, `test (ubuntu-latest)`), which makes it harder to see
    which workflow ran, to require the right status checks in branch protection, and to review
    what runs with which permissions. It has no security impact by itself.

    ## Example
    ```yaml
    on: push
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: make
    ```

    ## Use instead
    ```yaml
    name: Build
    on: push
    jobs:
      build:
        name: Build and test
        runs-on: ubuntu-latest
        steps:
          - run: make
    ```
    Give the workflow and each job a short, descriptive `name:`.
    """
    root = as_map(doc.root)
    if root is None:
        return
    if not _named(root):
        first = root.pairs[0][0] if root.pairs else root
        yield Issue(first, "Add a `name:` to this workflow (e.g. `name: Build`): without one the Actions tab lists it by its "
                           "file path.")
    for job in ctx.workflow.jobs:
        if job.uses is not None or _named(job.node):
            continue
        yield Issue(job.key, f"Add a `name:` to job '{job.id}' (e.g. `name: {_suggest(job.id)}`): without one the checks list "
                             "shows its id.")


def _named(node) -> bool:
    name = node.get("name")
    if name is None:
        return False
    value = text(name)
    return value is None or (bool(value.strip()) and not name.is_null)


def _suggest(job_id: str) -> str:
    words = job_id.replace("_", " ").replace("-", " ").split()
    return " ".join(words).capitalize() if words else job_id
