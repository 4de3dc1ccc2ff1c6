from cicdlint.jobgraph import job_ids, needs_entries
from cicdlint.rule import Issue, rule


@rule(
    id="needs-unknown-job",
    kinds=("workflow",),
    severity="error",
    summary="`needs:` names a job that the workflow does not have",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds `needs:` entries that name no job of the workflow (job ids are compared without
    regard to case, as GitHub does), and suggests the closest job id.

    ## Why is this bad?
    GitHub refuses to start the workflow: every run fails at once with "The workflow is not
    valid. Job 'deploy' depends on unknown job 'tests'". It usually comes from a typo or from
    renaming or deleting the job that is needed.

    ## Example
    ```yaml
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - run: make test
      deploy:
        needs: tests
        runs-on: ubuntu-latest
        steps:
          - run: make deploy
    ```

    ## Use instead
    ```yaml
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - run: make test
      deploy:
        needs: test
        runs-on: ubuntu-latest
        steps:
          - run: make deploy
    ```
    Name a job of the same workflow. A job of another workflow cannot be needed: chain
    workflows with `workflow_run` or call a reusable workflow as a job instead.
    """
    workflow = ctx.workflow
    ids = job_ids(workflow)
    if not ids:
        return
    suggestions = 20  # did-you-mean costs a pass over the ids: only for the first findings
    candidates = list(ids)[:1000]
    for job in workflow.jobs:
        for entry in needs_entries(job):
            name = entry.value.strip()
            if name.lower() in ids:
                continue
            suggestions -= 1
            yield Issue(entry, _message(job.id, name, ids, candidates if suggestions >= 0 else []))


def _message(job_id: str, name: str, ids: dict, candidates: list) -> str:
    import difflib

    close = difflib.get_close_matches(name.lower(), candidates, n=1, cutoff=0.6) if candidates else []
    if close:
        hint = f"Did you mean '{ids[close[0]]}'?"
    elif len(ids) <= 8:
        hint = "The workflow's jobs are " + ", ".join(f"'{name}'" for name in ids.values()) + "."
    else:
        hint = "Name one of the workflow's jobs."
    return (f"Job '{job_id}' needs '{name}', which is not a job of this workflow, so GitHub refuses to run "
            f"the workflow. {hint}")
