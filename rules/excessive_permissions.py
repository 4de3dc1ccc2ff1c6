from __future__ import annotations

from cicdlint.oidc import job_use
from cicdlint.permissions import job_permissions, workflow_permissions
from cicdlint.rule import Issue, rule
from cicdlint.triggers import events
from cicdlint.yamlpos import Map

# Write access to these scopes cannot change code, releases, packages or what reviewers see.
_LOW_IMPACT = {"checks", "statuses", "models"}


@rule(
    id="excessive-permissions",
    kinds=("workflow",),
    severity="warning",
    summary="GITHUB_TOKEN permissions are undeclared, write-all, or granted to jobs that do not need them",
    tags=("security", "permissions"),
    security_severity=5.5,
    confidence="medium",
)
def check(doc, ctx):
    """## What it does
    Checks the `permissions:` that the workflow gives its jobs' `GITHUB_TOKEN`:

    - **No `permissions:` at all.** When neither the workflow nor any job declares
      `permissions:`, the token gets the repository's default, which in older repositories and
      in many organisations is write access to contents, packages, pull requests, issues,
      actions and more. Reported once, at the `on:` key. When some jobs declare their
      permissions and others do not (and the workflow declares none), each job without them
      is reported at its key. A reusable workflow (`on: workflow_call` only) is not reported:
      its caller decides what the token can do.
    - **`write-all`**, at the workflow or a job level: an error, at the value.
    - **`read-all`**, at the workflow or a job level: a note, at the value. It grants read
      access to every scope (workflow runs and artifacts, security alerts, packages,
      deployments...), where a build usually needs `contents: read` only. It cannot write, so
      it is a note (OpenSSF Scorecard accepts it at the top of a workflow); in a private
      repository it still shows every step more than the job needs.
    - **Write scopes at the workflow level shared by several jobs.** A `contents: write` (or
      any other write scope) in the top-level `permissions:` goes to every job that does not
      declare its own, so with two or more such jobs, the ones that only build or test get it
      too. Reported at the scope's entry; checks, statuses and models writes are notes.
    - **`id-token: write` for jobs that never request an OIDC token.** A job requests one
      through a cloud login action (configure-aws-credentials with `role-to-assume`,
      google-github-actions/auth with `workload_identity_provider`, azure/login with
      `client-id`), trusted publishing (pypa/gh-action-pypi-publish, `npm publish`,
      `twine upload`, `uv publish` ...), attestations and keyless signing (actions/attest-*,
      `cosign sign`), actions/deploy-pages, Docker Hub's OIDC login, or a script that reads
      `ACTIONS_ID_TOKEN_REQUEST_URL` or calls `core.getIDToken()`. Only jobs made entirely of
      actions known not to request a token and of scripts without any such sign are reported:
      a local action, a reusable workflow, an unlisted third-party action, or a tool that may
      fetch a token by itself (terraform, pulumi, goreleaser, a `release`/`publish` script)
      makes the job's use unknown and it is left alone.

    ## Why is this bad?
    Whatever runs in a job (every action, every dependency a build script downloads, a
    compromised tool) can use the job's token. A token that can push to the repository,
    create releases or publish packages turns any such compromise into a supply-chain attack
    on the repository itself; `id-token: write` lets it mint OIDC tokens for every cloud role
    and package registry that trusts the repository. Least privilege limits the damage to what
    the job actually needs.

    ## Example
    ```yaml
    on:
      push:
        branches: [main]
    permissions:
      contents: write
      id-token: write
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: make test
      release:
        needs: test
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: gh release create "v$(cat VERSION)" --generate-notes
            env:
              GH_TOKEN: ${{ github.token }}
    ```

    ## Use instead
    ```yaml
    on:
      push:
        branches: [main]
    permissions:
      contents: read
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: make test
      release:
        needs: test
        runs-on: ubuntu-latest
        permissions:
          contents: write
        steps:
          - uses: actions/checkout@v4
          - run: gh release create "v$(cat VERSION)" --generate-notes
            env:
              GH_TOKEN: ${{ github.token }}
    ```
    Declare `permissions: contents: read` (or `{}`) at the top of every workflow, grant write
    scopes in the jobs that need them, and grant `id-token: write` only to the jobs that log in
    to a cloud or publish with OIDC.
    """
    workflow = ctx.workflow
    jobs = workflow.jobs
    if not jobs:
        return
    wf_perms = workflow_permissions(workflow)
    # `job in inheriting` on a list inside a loop over jobs is quadratic: keep a set of their ids
    inheriting = [job for job in jobs if job.node.key("permissions") is None]
    inherits = {id(job) for job in inheriting}

    # (b) write-all and read-all, anywhere
    for perms in [wf_perms] + [job_permissions(workflow, job) for job in jobs if id(job) not in inherits]:
        if not perms.declared:
            continue
        where = "the workflow" if perms.source == "workflow" else "this job"
        if perms.shorthand == "write-all":
            yield Issue(
                perms.node,
                f"Replace `permissions: write-all` with the scopes {where} needs (e.g. `contents: read`, plus "
                f"`contents: write` only where it pushes). `write-all` lets every step write code, releases, "
                f"packages, workflow runs and mint OIDC tokens.",
                severity="error",
                confidence="high",
            )
        elif perms.shorthand == "read-all":
            yield Issue(
                perms.node,
                f"Replace `permissions: read-all` with the scopes {where} reads (usually just `contents: read`). "
                f"`read-all` lets every step read every scope: workflow runs, logs and artifacts (`actions`), "
                f"security alerts (`security-events`), packages, deployments, issues and discussions, which in "
                f"a private repository is far more than a build needs.",
                severity="note",
                confidence="high",
            )

    # (a) no permissions declared
    triggers = [event for event in events(workflow) if event]
    if not wf_perms.declared and triggers and triggers != ["workflow_call"]:
        if len(inheriting) == len(jobs):
            node = workflow.node.key("on") or workflow.node.key("jobs")
            if node is not None:
                yield Issue(
                    node,
                    "Add a top-level `permissions:` block (e.g. `permissions: contents: read`) and grant write "
                    "scopes only in the jobs that need them. Neither the workflow nor any of its jobs declares "
                    "`permissions:`, so the GITHUB_TOKEN gets the repository default, which can be write access "
                    "to most scopes.",
                )
        else:
            for job in inheriting:
                yield Issue(
                    job.key,
                    f"Add `permissions:` to job '{job.id}' (e.g. `contents: read`). Other jobs of this workflow "
                    f"declare theirs, but this one gets the repository default GITHUB_TOKEN permissions, which "
                    f"can be write access to most scopes.",
                )

    if not wf_perms.declared or not isinstance(wf_perms.node, Map):
        yield from _job_id_tokens(workflow, jobs, inheriting)
        return

    # (c) workflow-level write scopes shared by 2+ jobs
    if len(inheriting) >= 2:
        names = _job_list(inheriting)
        for scope in wf_perms.write_scopes():
            if scope == "id-token":
                continue
            yield Issue(
                wf_perms.node.key(scope),
                f"Move `{scope}: write` from the workflow's `permissions:` to the job that needs it, and keep "
                f"`{scope}: read` (or nothing) at the top. At the workflow level it goes to all "
                f"{len(inheriting)} jobs that declare no permissions ({names}).",
                severity="note" if scope in _LOW_IMPACT else None,
            )

    # (d) id-token: write at the workflow level
    if wf_perms.level("id-token") == "write" and inheriting:
        verdicts = {job.id: job_use(job) for job in inheriting}
        idle = [job for job in inheriting if verdicts[job.id][0] == "none"]
        users = [job for job in inheriting if verdicts[job.id][0] != "none"]
        node = wf_perms.node.key("id-token")
        if idle and not users:
            yield Issue(
                node,
                f"Remove `id-token: write`: no job of this workflow requests an OIDC token "
                f"({_job_list(idle)} {'use' if len(idle) > 1 else 'uses'} no cloud login, trusted publishing or "
                f"signing). It lets every step mint tokens for any cloud role or registry that trusts this "
                f"repository.",
            )
        elif idle:
            known = all(verdicts[job.id][0] == "uses" for job in users)
            plural = len(users) > 1
            verb = ("request" if plural else "requests") if known else "may request"
            yield Issue(
                node,
                f"Grant `id-token: write` only in the job{'s' if plural else ''} that {verb} an OIDC token "
                f"({_job_list(users)}), not at the workflow level. {_job_list(idle)} "
                f"{'get' if len(idle) > 1 else 'gets'} it too and never {'use' if len(idle) > 1 else 'uses'} it.",
            )
    yield from _job_id_tokens(workflow, jobs, inheriting)


def _job_id_tokens(workflow, jobs, inheriting):
    """(d) `id-token: write` in a job's own permissions, in a job that never requests a token."""
    inherits = {id(job) for job in inheriting}
    for job in jobs:
        if id(job) in inherits:
            continue
        perms = job_permissions(workflow, job)
        if perms.level("id-token") != "write" or perms.shorthand or not isinstance(perms.node, Map):
            continue
        verdict, _ = job_use(job)
        if verdict == "none":
            yield Issue(
                perms.node.key("id-token"),
                f"Remove `id-token: write` from job '{job.id}': none of its steps requests an OIDC token (no "
                f"cloud login, trusted publishing or signing). It lets every step mint tokens for any cloud role "
                f"or registry that trusts this repository.",
            )


def _job_list(jobs, limit: int = 4) -> str:
    names = [f"'{job.id}'" for job in jobs[:limit]]
    more = f" and {len(jobs) - limit} more" if len(jobs) > limit else ""
    return ", ".join(names) + more
