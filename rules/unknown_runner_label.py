import fnmatch

from cicdlint import runners
from cicdlint.events import is_placeholder
from cicdlint.rule import Issue, rule


@rule(
    id="unknown-runner-label",
    kinds=("workflow",),
    severity="error",
    summary="`runs-on:` asks for a label no runner has: a retired, mistyped or non-existent GitHub-hosted label",
    tags=("correctness",),
    options={"self-hosted-labels": []},
    options_schema={
        "self-hosted-labels": {
            "type": "array",
            "items": {"type": "string"},
            "description": "labels (globs, e.g. 'linux-*') of your self-hosted runners, never reported",
        }
    },
)
def check(doc, ctx):
    """## What it does
    Checks the labels of each job's `runs-on:` (with `${{ matrix.os }}` resolved against the
    matrix's values) against GitHub's hosted runner labels:

    - a retired label (`ubuntu-20.04`, `windows-2019`, `macos-13`, `macos-14`) is an error
      that says when it was retired and what to use instead;
    - a label shaped like a hosted one for an image GitHub does not have (`ubuntu-23.04`,
      `macos-16`, `windows-2021`) is an error; a version newer than the newest known image
      is left alone, in case GitHub added it since;
    - a label within two typing mistakes of a hosted label (`ubuntu-lastest`,
      `windows-latst`, `self-hosed`), or plainly meant as one (`ubuntu`, `linux-latest`), is
      an error with the label that was probably meant;
    - a label with commas in it (`runs-on: 'self-hosted, linux'`) is an error: several labels
      are written as a list.

    - `ubuntu-latest`, `windows-latest` or `macos-latest` beside `self-hosted` is a warning:
      GitHub's runners never have the `self-hosted` label, so only a self-hosted runner given
      that custom label could run the job.

    Other labels are taken for custom ones and left alone: the other labels of a list that has
    `self-hosted`, a runner group (`runs-on: {group: ...}`), larger runners named after a hosted
    label (`ubuntu-24.04-16core`), and any label you list in the rule's `self-hosted-labels`
    option (globs, compared without regard to case), which are never reported.

    ## Why is this bad?
    No GitHub-hosted runner has such a label, so the job waits in the queue until it is
    cancelled (or, for a retired image, fails at once with "This is a scheduled ... brownout"
    / "The configuration ... is not supported"). Nothing runs, and the check that should
    have protected the branch never reports.

    ## Example
    ```yaml
    jobs:
      test:
        runs-on: ubuntu-20.04
      build:
        runs-on: ubuntu-lastest
    ```

    ## Use instead
    ```yaml
    jobs:
      test:
        runs-on: ubuntu-24.04
      build:
        runs-on: ubuntu-latest
    ```
    For a self-hosted runner whose label looks like a hosted one, list it in `.cicdlint.yml`:

    ```yaml
    rules:
      unknown-runner-label:
        self-hosted-labels: ["ubuntu-20.04", "gpu-*"]
    ```
    """
    configured = [pattern.lower() for pattern in ctx.options.get("self-hosted-labels") or [] if isinstance(pattern, str)]
    seen: set[int] = set()
    for job in ctx.workflow.jobs:
        if job.uses is not None or job.runs_on is None:
            continue
        found = runners.runs_on(job)
        if found is None or found.group:
            continue
        if found.fixed_self_hosted:
            yield from _latest_beside_self_hosted(job, found.fixed, configured, seen)
            continue
        labels = []
        # The written labels, unless a matrix value (or an expression) may add `self-hosted`.
        if not found.any_unknown and not any(option.self_hosted for option in found.options):
            labels.extend(found.fixed)
        if not found.fixed or not found.any_unknown:
            for option in found.options:
                if option.unknown:
                    continue
                if option.self_hosted:
                    yield from _latest_beside_self_hosted(job, option.labels, configured, seen)
                else:
                    labels.extend(option.labels)
        for label in labels:
            if id(label.node) in seen:
                continue
            seen.add(id(label.node))
            message = _problem(label.value, configured)
            if message:
                if label.from_matrix:
                    message += f" (It is a value of the matrix of job '{job.id}', which `runs-on` uses.)"
                yield Issue(label.node, message)


def _latest_beside_self_hosted(job, labels, configured: list, seen: set):
    """`[self-hosted, ubuntu-latest]`: GitHub's runners never have `self-hosted`, so only a
    self-hosted runner given the custom label `ubuntu-latest` can run the job."""
    for label in labels:
        lowered = label.value.strip().lower()
        if not lowered.endswith("-latest") or not runners.is_hosted(lowered) or id(label.node) in seen:
            continue
        if any(fnmatch.fnmatchcase(lowered, pattern) for pattern in configured):
            continue
        seen.add(id(label.node))
        yield Issue(
            label.node,
            f"'{label.value}' is a GitHub-hosted label, but GitHub's runners never have the label 'self-hosted', so job "
            f"'{job.id}' runs only on a self-hosted runner that was given the custom label '{label.value}'. To use "
            "GitHub's runner, remove 'self-hosted'; if your runners do carry this label, list it in this rule's "
            "`self-hosted-labels` option.",
            severity="warning",
            confidence="medium",
        )


def _problem(value: str, configured: list) -> str | None:
    label = value.strip()
    lowered = label.lower()
    if not label or "${{" in label or is_placeholder(label):
        return None
    if any(fnmatch.fnmatchcase(lowered, pattern) for pattern in configured):
        return None
    if "," in label:
        parts = [part.strip() for part in label.split(",") if part.strip()]
        return (f"'{label}' is one label with commas in it, which no runner has, so the job never starts. Write the "
                f"labels as a list: [{', '.join(parts)}].")
    meant = runners.table().get("near_misses", {}).get(lowered)
    if meant:
        return (f"'{label}' is not a GitHub-hosted runner label, so the job waits for a runner that never comes. "
                f"Did you mean '{meant}'? If it is the label of a self-hosted runner, list it in this rule's "
                "`self-hosted-labels` option.")
    if runners.is_hosted(label) or runners.is_preset(label):
        return None
    gone = runners.retired(label)
    if gone:
        date, instead = gone
        return (f"GitHub retired the '{label}' runner image on {date}: jobs asking for it no longer run. "
                f"Use {_quote(instead)}.")
    if runners.extends_known(label):
        return None  # a larger runner named after a hosted label
    shape = runners.hosted_shape(label)
    if shape is not None:
        os_name, version = shape
        if version > runners.newest_version(os_name):
            return None  # newer than this list: perhaps added since
        same_os = [known for known in runners.table()["hosted"] if known.startswith(os_name + "-") and "-cores" not in known]
        hint = " GitHub's hosted " + os_name + " labels are " + ", ".join(f"'{known}'" for known in same_os) + "."
        return (f"There is no GitHub-hosted runner '{label}', so the job waits for a runner that never comes.{hint} "
                "If it is the label of a self-hosted runner, add `self-hosted` to `runs-on` or list it in this "
                "rule's `self-hosted-labels` option.")
    close = runners.closest_known(label)
    if close is None:
        return None
    return (f"'{label}' is not a GitHub-hosted runner label, so the job waits for a runner that never comes. "
            f"Did you mean '{close}'? If it is the label of a self-hosted runner, list it in this rule's "
            "`self-hosted-labels` option.")


def _quote(instead: str) -> str:
    return instead if "'" in instead else f"'{instead}'"
