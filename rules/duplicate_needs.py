from cicdlint.jobgraph import needs_entries
from cicdlint.rule import Issue, rule


@rule(
    id="duplicate-needs",
    kinds=("workflow",),
    severity="warning",
    summary="A job lists the same job twice in `needs:`",
    tags=("correctness",),
)
def check(doc, ctx):
    """## What it does
    Finds a `needs:` list that names the same job more than once (job ids are compared
    without regard to case, as GitHub does).

    ## Why is this bad?
    The repeat adds nothing: either it is left over from an edit, or it was meant to be
    another job, which the job then does not wait for.

    ## Example
    ```yaml
    deploy:
      needs: [build, test, build]
    ```

    ## Use instead
    ```yaml
    deploy:
      needs: [build, test, lint]
    ```
    Remove the repeat, or name the job that was meant.
    """
    for job in ctx.workflow.jobs:
        seen = {}
        for entry in needs_entries(job):
            name = entry.value.strip()
            first = seen.get(name.lower())
            if first is None:
                seen[name.lower()] = name
            else:
                same = "" if first == name else f" (as '{first}': job ids ignore case)"
                yield Issue(entry, f"Job '{job.id}' already needs '{name}'{same}. Remove the repeat, or name the job that was meant.")
