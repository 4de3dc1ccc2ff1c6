from cicdlint import runners
from cicdlint.rule import Issue, rule


@rule(
    id="conflicting-runner-labels",
    kinds=("workflow",),
    severity="error",
    summary="`runs-on:` asks for labels that no single runner has (e.g. two operating systems)",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds a `runs-on:` label list that mixes GitHub-hosted labels of different images
    (`[ubuntu-latest, windows-latest]`, `[ubuntu-22.04, ubuntu-24.04]`), or, with
    `self-hosted`, different operating systems (`[self-hosted, linux, windows]`).
    `${{ matrix.os }}` in the list is resolved against the matrix's values. Labels that are
    compatible (`[ubuntu-latest, ubuntu-24.04]`, `[ubuntu-latest, linux]`) are fine.

    ## Why is this bad?
    A job runs on one runner that has every label of the list. No runner is both Linux and
    Windows, so the job waits in the queue until it is cancelled. Running a job on several
    platforms is what a matrix is for.

    ## Example
    ```yaml
    jobs:
      test:
        runs-on: [ubuntu-latest, windows-latest]
    ```

    ## Use instead
    ```yaml
    jobs:
      test:
        strategy:
          matrix:
            os: [ubuntu-latest, windows-latest]
        runs-on: ${{ matrix.os }}
    ```
    """
    seen: set[int] = set()
    for job in ctx.workflow.jobs:
        if job.uses is not None or job.runs_on is None:
            continue
        found = runners.runs_on(job)
        if found is None or found.group or found.odd:
            continue
        self_hosted = found.fixed_self_hosted
        state = _State()
        for issue in state.add(found.fixed, self_hosted, job.id, seen):
            yield issue
        for option in found.options:
            if option.unknown:
                continue
            branch = state.copy()
            for issue in branch.add(option.labels, self_hosted or option.self_hosted, job.id, seen):
                yield issue


class _State:
    """The images every label so far allows, and the first label that constrained them."""

    __slots__ = ("images", "first")

    def __init__(self, images=None, first=None):
        self.images = images
        self.first = first

    def copy(self) -> "_State":
        return _State(self.images, self.first)

    def add(self, labels, self_hosted: bool, job_id: str, seen: set):
        for label in labels:
            images = _images(label.value, self_hosted)
            if images is None:
                continue
            if self.images is None:
                self.images, self.first = images, label
                continue
            if self.images & images:
                self.images = self.images & images
                continue
            if id(label.node) in seen:
                continue
            seen.add(id(label.node))
            where = f" (a value of the matrix of job '{job_id}')" if label.from_matrix else ""
            yield Issue(label.node, f"'{label.value}'{where} and '{self.first.value}' are labels of different runners: "
                                    "no runner has both, so the job never starts. Use one of them, or a matrix to run "
                                    "the job on each.")


def _images(label: str, self_hosted: bool):
    lowered = label.strip().lower()
    if self_hosted:
        return runners.hosted_images(lowered) if lowered in runners.table()["self_hosted_os"] else None
    return runners.hosted_images(lowered)
