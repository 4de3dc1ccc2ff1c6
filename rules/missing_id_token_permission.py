from __future__ import annotations

from cicdlint.oidc import required_by
from cicdlint.permissions import job_permissions
from cicdlint.rule import Issue, Location, rule
from cicdlint.triggers import events


@rule(
    id="missing-id-token-permission",
    kinds=("workflow",),
    severity="error",
    summary="A step logs in with OIDC but the job's token cannot request an OIDC token (id-token: write)",
    tags=("security", "permissions", "correctness"),
    security_severity=3.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds jobs with a step that requests a GitHub OIDC token while the job's `GITHUB_TOKEN`
    is not allowed to (`id-token: write` is missing):

    - `aws-actions/configure-aws-credentials` with `role-to-assume` and no static keys
      (`aws-access-key-id`, or `AWS_ACCESS_KEY_ID` in the environment), no
      `web-identity-token-file` and no `role-chaining`, on a GitHub-hosted runner;
    - `google-github-actions/auth` with `workload_identity_provider` (and no `credentials_json`);
    - `azure/login` with `client-id` and no `creds` (not `auth-type: IDENTITY`);
    - `pypa/gh-action-pypi-publish` without `password` (trusted publishing);
    - `actions/attest-build-provenance`, `actions/attest-sbom`, `actions/attest`,
      `actions/deploy-pages`, and `npm publish --provenance`.

    When the job (or the workflow) declares `permissions:` without `id-token: write`, the
    `permissions` key that applies is reported. When nothing declares permissions, the job's key
    is reported: no repository default grants `id-token: write`. A reusable workflow
    (`on: workflow_call` only) that declares no permissions is left alone, because its caller
    decides what its token can do; one that declares permissions without `id-token: write` is
    reported, as a callee can only narrow what the caller grants.

    Not reported: configure-aws-credentials on a self-hosted or custom runner (it may sign the
    AssumeRole call with the runner's instance role), after another credentials step in the
    same job, or with AWS keys in the environment; steps in local or reusable actions, which
    this file does not show.

    ## Why is this bad?
    The step fails at run time ("Credentials could not be loaded", "Unable to get
    ACTIONS_ID_TOKEN_REQUEST_URL env variable", "Trusted publishing exchange failure"), usually
    in the deploy or release job, after the build has already run. Teams then often "fix" it by
    going back to long-lived cloud keys or registry tokens stored as secrets, which is the
    weaker setup OIDC was meant to replace.

    ## Example
    ```yaml
    permissions:
      contents: read
    jobs:
      deploy:
        runs-on: ubuntu-latest
        steps:
          - uses: aws-actions/configure-aws-credentials@v4
            with:
              role-to-assume: arn:aws:iam::123456789012:role/github-deploy
              aws-region: eu-west-1
    ```

    ## Use instead
    ```yaml
    permissions:
      contents: read
    jobs:
      deploy:
        runs-on: ubuntu-latest
        permissions:
          contents: read
          id-token: write
        steps:
          - uses: aws-actions/configure-aws-credentials@v4
            with:
              role-to-assume: arn:aws:iam::123456789012:role/github-deploy
              aws-region: eu-west-1
    ```
    Grant `id-token: write` in the job that logs in (a job's `permissions:` replaces the
    workflow's, so list `contents: read` and any other scope the job needs with it).
    """
    workflow = ctx.workflow
    reusable_only = events(workflow) == ["workflow_call"]
    by_key: dict[int, list] = {}  # id(permissions key) -> [(perms, job, step, what, node)]
    order: list[int] = []
    for job in workflow.jobs:
        needs = []
        for step in job.steps:
            found = required_by(step)
            if found is not None:
                needs.append((step, found[0], found[1]))
        if not needs:
            continue
        perms = job_permissions(workflow, job)
        if perms.declared:
            if not perms.valid or perms.level("id-token") == "write" or perms.key is None:
                continue
            if id(perms.key) not in by_key:
                by_key[id(perms.key)] = []
                order.append(id(perms.key))
            by_key[id(perms.key)].extend((perms, job, step, what, node) for step, what, node in needs)
            continue
        if reusable_only:
            continue  # the caller grants the token
        step, what, node = needs[0]
        yield Issue(
            job.key,
            f"Add `permissions:` with `id-token: write` (and `contents: read`) to job '{job.id}'. "
            f"{_step_name(step)} uses {what}, which requests an OIDC token, and the default GITHUB_TOKEN never "
            f"has `id-token: write`, so the step fails.",
            confidence="high" if "workflow_call" not in events(workflow) else "medium",
            related=_related(ctx, needs),
        )
    for key_id in order:
        entries = by_key[key_id]
        perms = entries[0][0]
        jobs = []
        for _, job, _, _, _ in entries:
            if job.id not in jobs:
                jobs.append(job.id)
        step, what = entries[0][2], entries[0][3]
        granted = _granted(perms)
        owner = "these" if perms.source == "job" else "the workflow's"
        if perms.source == "job":
            fix = f"Add `id-token: write` to the `permissions:` of job '{jobs[0]}'."
        else:
            names = ", ".join(f"'{job}'" for job in jobs)
            fix = (f"Add `id-token: write` to the `permissions:` of job{'s' if len(jobs) > 1 else ''} {names} "
                   f"(with `contents: read`), or to the workflow's.")
        yield Issue(
            perms.key,
            f"{fix} {_step_name(step)} uses {what}, which requests an OIDC token, but "
            f"{owner} permissions {granted}, so the step fails.",
            related=_related(ctx, [(s, w, n) for _, _, s, w, n in entries]),
        )


def _granted(perms) -> str:
    if perms.shorthand:
        return f"are `{perms.shorthand}`, which does not include `id-token: write`"
    level = perms.level("id-token")
    if level and perms.nodes.get("id-token") is not None:
        return f"set `id-token: {level}`"
    return "leave `id-token` out (every scope not listed is `none`)"


def _step_name(step) -> str:
    name = step.name
    if name and "${{" not in name:
        return f"Step '{name}'"
    return f"Step {step.index + 1}"


def _related(ctx, needs) -> list:
    related = []
    for step, what, node in needs:
        target = node if node is not None else step.node
        related.append(Location(ctx.doc.path, ctx.span(target), f"requests an OIDC token ({what})"))
    return related
