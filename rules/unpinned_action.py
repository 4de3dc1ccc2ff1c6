import fnmatch

from cicdlint import lazyre
from cicdlint.rule import Issue, rule

_SHA = lazyre.compile(r"[0-9a-f]{40}")
_SHORT_SHA = lazyre.compile(r"[0-9a-f]{7,39}")
_VERSION_TAG = lazyre.compile(r"v?\d+(\.\d+)*([-+.][0-9A-Za-z.-]+)?")
POLICIES = ("sha", "tag", "any")


@rule(
    id="unpinned-action",
    kinds=("workflow", "action"),
    severity="warning",
    summary="Action or reusable workflow is not pinned to a full commit SHA",
    tags=("security", "supply-chain"),
    security_severity=6.5,
    options={"policies": {}},
    options_schema={
        "policies": {
            "type": "object",
            "description": "owner/repo glob -> 'sha' (default), 'tag' (version tags allowed) or 'any'",
            "additionalProperties": {"enum": ["sha", "tag", "any"]},
        }
    },
)
def check(doc, ctx):
    """## What it does
    Finds `uses:` references (steps, composite action steps, and jobs that call a reusable
    workflow) that are not pinned to a full 40-character commit SHA. A branch (`@main`, `@master`, `@releases/v4`) is reported as an
    error, a version tag (`@v4`, `@v4.1.2`) as a warning. Local actions (`./path`) and
    references to the workflow's own repository and commit (`$/path`) are fine. `docker://`
    images (steps and Docker actions' `runs.image`) are checked by `unpinned-container-image`.

    ## Why is this bad?
    Tags and branches are movable: whoever controls the action's repository (or steals its
    maintainer's token) can point them at new code, which then runs in your workflow with your
    secrets and `GITHUB_TOKEN`. This is how the tj-actions/changed-files compromise reached
    thousands of repositories in 2025. A branch moves on every push, so it also changes what your
    build does without any change on your side. Only a full commit SHA is immutable.

    ## Example
    ```yaml
    steps:
      - uses: actions/checkout@v4
      - uses: aquasecurity/trivy-action@master
    ```

    ## Use instead
    ```yaml
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - uses: aquasecurity/trivy-action@18f2510ee396bbf400402947b394f2dd8c87dbb0 # 0.29.0
    ```
    Pin the commit SHA and keep the version in a comment so that Dependabot or Renovate can
    update both. To allow version tags for trusted owners, set a policy per `owner/repo` glob:

    ```yaml
    rules:
      unpinned-action:
        policies:
          "actions/*": tag      # version tags allowed (branches still reported)
          "my-org/*": any       # anything goes
    ```
    """
    policies = ctx.options.get("policies") or {}
    for node in _uses_nodes(doc, ctx):
        issue = _check_uses(node, policies)
        if issue:
            yield issue


def _uses_nodes(doc, ctx):
    for step in ctx.steps():
        if step.uses is not None:
            yield step.uses
    if doc.kind == "workflow":
        for job in ctx.workflow.jobs:
            if job.uses is not None:
                yield job.uses


def _check_uses(node, policies):
    uses = node.value.strip()
    if not uses or uses.startswith(("./", "$/", "docker://")) or "${{" in uses:
        return None  # `docker://` images: unpinned-container-image
    if "@" not in uses:
        return Issue(node, f"Add a full commit SHA to '{uses}' ('{uses}@<sha>'). Without a ref it cannot run.", severity="error")
    target, ref = uses.rsplit("@", 1)
    if _SHA.fullmatch(ref):
        return None
    policy = _policy_for(target, policies)
    if policy == "any":
        return None
    if _SHORT_SHA.fullmatch(ref) and not _VERSION_TAG.fullmatch(ref):
        return Issue(
            node,
            f"Pin '{target}' to the full 40-character commit SHA. '{ref}' is an abbreviated SHA, which "
            "can become ambiguous and is resolved like a branch or tag name.",
        )
    if _VERSION_TAG.fullmatch(ref):
        if policy == "tag":
            return None
        return Issue(
            node,
            f"Pin '{uses}' to a full 40-character commit SHA (keep the tag in a comment). "
            f"The tag '{ref}' can be moved to other code by whoever controls '{target}'.",
        )
    return Issue(
        node,
        f"Pin '{uses}' to a full 40-character commit SHA (keep the version in a comment). "
        f"'{ref}' looks like a branch: it changes with every push, which is worse than a version tag.",
        severity="error",
    )


def _policy_for(target: str, policies: dict) -> str:
    """The most specific matching policy: exact `owner/repo[/path]`, then globs by length."""
    repo = "/".join(target.split("/")[:2])
    for name in (target, repo):
        if name in policies:
            return policies[name]
    matching = [pattern for pattern in policies if fnmatch.fnmatchcase(target, pattern) or fnmatch.fnmatchcase(repo, pattern)]
    if matching:
        return policies[max(matching, key=len)]
    return "sha"
