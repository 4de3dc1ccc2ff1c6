from __future__ import annotations

from cicdlint import lazyre
from cicdlint.conditions import job_can_run
from cicdlint.expressions import find_expressions
from cicdlint.model import text
from cicdlint.permissions import job_permissions
from cicdlint.rule import Issue, Location, rule
from cicdlint.shell import parse, strip_wrappers
from cicdlint.triggers import privileged_triggers

# Actions that push with the credentials a checkout left behind.
PUSH_ACTIONS = ("stefanzweifel/git-auto-commit-action", "EndBug/add-and-commit", "actions-js/push")

_VERSION = lazyre.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$")
_COMMENT_VERSION = lazyre.compile(r"\bv?(\d+)(?:\.(\d+))?(?:\.(\d+))?\b")
_SHA = lazyre.compile(r"[0-9a-f]{40}")


@rule(
    id="checkout-persist-credentials",
    kinds=("workflow", "action"),
    severity="warning",
    summary="actions/checkout leaves the job's token on disk for every later step",
    tags=("security", "credentials"),
    security_severity=5.5,
    confidence="medium",
)
def check(doc, ctx):
    """## What it does
    Finds `actions/checkout` steps (in workflows and composite actions) that do not set
    `persist-credentials: false`, reported at the `uses:` value:

    - a warning by default: the token stays on disk for the rest of the job;
    - an error when a later `actions/upload-artifact` step of the job uploads a path that holds
      the checkout's `.git` directory (`.`, `${{ github.workspace }}`, `**`, the checkout's
      `path:`), with an upload-artifact that includes hidden files (before v4.4, or
      `include-hidden-files: true`) and a checkout before v6 (which keeps the token in
      `.git/config`);
    - an error when the job runs for an event that outsiders can cause
      (`pull_request_target`, `workflow_run`, `issue_comment`, `issues` ...), whose
      untrusted input makes a script injection or a malicious dependency more likely to reach
      the token;
    - a note when a later step pushes (`git push`, `git-auto-commit-action`): the job needs
      credentials, but only that step should get them.

    `persist-credentials: true` written out is taken as intended and only reported when an
    artifact would leak it. A value that is an expression is not reported. A checkout that is
    the last step of a workflow job is not reported (nothing runs after it, and its post step
    removes the credentials); in a composite action it is, since the steps of the calling job
    that come after the action can read them.

    ## Why is this bad?
    By default actions/checkout writes the `GITHUB_TOKEN` (or the `token:` you give it, often
    a long-lived personal access token) into `.git/config` (from v6 on, into a file under
    `$RUNNER_TEMP` that git is pointed at), where every later step can read it: third-party
    actions, package install scripts, test code. Uploading the workspace as an artifact
    publishes `.git/config` with the token to anyone who can download the artifact
    (the "ArtiPACKED" attack, found in many large open source projects).

    ## Example
    ```yaml
    steps:
      - uses: actions/checkout@v4
      - run: npm ci && npm run build
      - uses: actions/upload-artifact@v3
        with:
          name: site
          path: .
    ```

    ## Use instead
    ```yaml
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - run: npm ci && npm run build
      - uses: actions/upload-artifact@v4
        with:
          name: site
          path: dist/
    ```
    Set `persist-credentials: false` and upload only the build output. A step that has to push
    can authenticate on its own, e.g.
    `git push "https://x-access-token:${GITHUB_TOKEN}@github.com/${GITHUB_REPOSITORY}.git"`
    with `GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` in that step's `env:`.
    """
    lines = doc.lines
    workflow = ctx.workflow if doc.kind == "workflow" else None
    privileged = privileged_triggers(workflow) if workflow is not None else []
    for step in ctx.steps():
        if not step.uses_action("actions/checkout"):
            continue
        persist = step.input("persist-credentials")
        explicit = False
        if persist is not None:
            value = persist.value.strip()
            if "${{" in value or value.upper() != "TRUE":
                continue  # false (checkout takes anything but "true" as false), or unknown
            explicit = True
        steps = step.job.steps if step.job is not None else step.action.steps()
        later = [other for other in steps if other.index > step.index]
        if not later and step.job is not None:
            # nothing runs after it in the job, and its post step removes the credentials; in a
            # composite action the calling job's later steps still run after it
            continue
        checkout_version = _version(step.uses, lines, ctx)
        target = _display(step.uses.value)
        token = _token_name(step)
        what = f"the token {token}" if token else "the job's GITHUB_TOKEN"
        where = "in a file under $RUNNER_TEMP" if checkout_version and checkout_version >= (6, 0) else "in .git/config"
        upload = _leaking_upload(step, later, checkout_version, lines, ctx)
        if upload is not None:
            upload_step, path, confidence = upload
            message = (
                f"Set `persist-credentials: false` on '{target}', or upload only build output. It leaves "
                f"{what} in .git/config, and the upload-artifact step (line {ctx.span(upload_step.uses).start_line}) "
                f"uploads `{path}` with that .git directory: anyone who can download the artifact gets the token."
            )
            related = [Location(doc.path, ctx.span(upload_step.uses), "uploads the checkout's .git directory")]
            yield Issue(step.uses, message, severity="error", confidence=confidence, related=related)
            continue
        if explicit:
            continue
        pusher = _pushes(later)
        if pusher is not None:
            message = (
                f"Set `persist-credentials: false` on '{target}' and authenticate only the step that pushes "
                f"({pusher}). The checkout leaves {what} {where} for every step of the job."
            )
            yield Issue(step.uses, message, severity="note", confidence="low")
            continue
        events = [event for event in privileged if job_can_run(step.job, event)] if step.job is not None else []
        if events and not _read_only(workflow, step.job, token):
            message = (
                f"Set `persist-credentials: false` on '{target}'. It leaves {what} {where}, readable by every "
                f"later step, in a job that runs for {events[0]}: outsiders control that event's input, so an "
                f"injected command or a malicious dependency can take the token."
            )
            yield Issue(step.uses, message, severity="error", confidence="medium")
            continue
        readers = "every later step of the job" if step.job is not None else (
            "the later steps of this action and every step of the calling job that runs after it")
        message = (
            f"Set `persist-credentials: false` on '{target}' unless a later step needs git credentials. "
            f"It leaves {what} {where}, readable by {readers} (third-party actions, install scripts, tests)."
        )
        yield Issue(step.uses, message)


def _display(uses: str) -> str:
    """`actions/checkout@v4`, or `actions/checkout` when pinned to a SHA."""
    uses = uses.strip()
    name, _, ref = uses.partition("@")
    return name if _SHA.fullmatch(ref) else uses


def _read_only(workflow, job, token) -> bool:
    """Is the persisted token the job's GITHUB_TOKEN, declared without any write scope?"""
    if token is not None:
        return False
    perms = job_permissions(workflow, job)
    return perms.declared and perms.valid and not perms.write_scopes()


def _token_name(step) -> str | None:
    """`secrets.X` when the checkout is given a token other than GITHUB_TOKEN."""
    token = step.input("token") or step.input("ssh-key")
    if token is None:
        return None
    for expression in find_expressions(token.value):
        for name in expression.secret_names():
            if name.upper() != "GITHUB_TOKEN" and name != "*":
                return f"`secrets.{name}`"
    return None


def _version(uses, lines, ctx) -> tuple[int, int] | None:
    """(major, minor) of an action's ref, or of the version comment after a SHA pin; a major
    tag (`@v4`) follows that major's latest release (minor 99). None when unknown."""
    if uses is None or "@" not in uses.value:
        return None
    ref = uses.value.rsplit("@", 1)[1].strip()
    match = _VERSION.match(ref)
    if match is not None:
        return int(match.group(1)), int(match.group(2)) if match.group(2) is not None else 99
    if _SHA.fullmatch(ref):
        line = ctx.span(uses).start_line
        source = lines[line - 1] if 0 < line <= len(lines) else ""
        comment = source[source.find("#") + 1:] if "#" in source else ""
        found = _COMMENT_VERSION.search(comment)
        if found is not None:
            return int(found.group(1)), int(found.group(2) or 0)
    return None


def _leaking_upload(checkout, later, checkout_version, lines, ctx):
    """(upload step, path, confidence) of a later upload-artifact that uploads the checkout's
    .git directory with the token in it, or None."""
    if checkout_version is not None and checkout_version >= (6, 0):
        return None  # v6 keeps the token out of .git/config
    directory = _checkout_dir(checkout)
    if directory is None:
        return None
    for step in later:
        if not step.uses_action("actions/upload-artifact"):
            continue
        path_node = step.input("path")
        if path_node is None:
            continue
        path = next((p for p in _patterns(path_node.value) if _covers(p, directory)), None)
        if path is None:
            continue
        hidden = step.input("include-hidden-files")
        if hidden is not None and hidden.value.strip().lower() == "true":
            return step, path, "high"
        version = _version(step.uses, lines, ctx)
        if version is None:
            return step, path, "medium"  # a branch or an unlabelled SHA: may be older than v4.4
        if version < (4, 4):
            return step, path, "high"
    return None


def _checkout_dir(step) -> str | None:
    """The checkout's directory relative to the workspace ('' for the workspace), or None."""
    node = step.input("path")
    path = node.value.strip() if node is not None else ""
    if "${{" in path:
        return None
    path = path.strip("/")
    while path.startswith("./"):
        path = path[2:]
    return "" if path in ("", ".") else path


_WORKSPACE = lazyre.compile(r"^(\$\{\{\s*github\.workspace\s*\}\}|\$\{?GITHUB_WORKSPACE\}?)/?")


def _patterns(value: str) -> list[str]:
    found = []
    for raw in value.splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith(("!", "#")):
            continue
        found.append(pattern)
    return found


def _covers(pattern: str, directory: str) -> bool:
    """Does an upload pattern include `<directory>/.git`?"""
    normal = _WORKSPACE.sub("", pattern).strip()
    while normal.startswith("./"):
        normal = normal[2:]
    normal = normal.rstrip("/")
    if "${{" in normal or normal.startswith("/") or normal.startswith("~"):
        return False
    if normal in ("", ".", "*", "**", "**/*", "**/.git", "..", "../"):
        return True
    parts = normal.split("/")
    target = (directory.split("/") if directory else []) + [".git"]
    # the pattern's fixed prefix must lead to the .git directory, and the rest may match it
    for index, part in enumerate(parts):
        if any(char in part for char in "*?["):
            return index < len(target) and all(rest in ("*", "**") for rest in parts[index:])
        if index >= len(target) or part != target[index]:
            return False
    return len(parts) <= len(target)


def _pushes(later) -> str | None:
    """What pushes with the persisted credentials among the later steps, or None."""
    for step in later:
        if step.uses_action(*PUSH_ACTIONS):
            return f"`{text(step.node.get('uses')).split('@')[0]}`"
        if step.run is None:
            continue
        script = step.run.value
        if "push" not in script and "gh-deploy" not in script and "gh-pages" not in script:
            continue
        for command in parse(script):
            words = [word.value for word in strip_wrappers(command.words)]
            if not words:
                continue
            if words[0] == "git" and "push" in words[1:4]:
                if any("://" in word or "@github.com" in word for word in words):
                    continue  # pushes with credentials of its own
                return "`git push`"
            if words[0] == "git" and "subtree" in words and "push" in words:
                return "`git subtree push`"
            if words[:2] == ["mkdocs", "gh-deploy"] or (words[0] == "mike" and ("--push" in words or "-p" in words)):
                return f"`{' '.join(words[:2])}`"
            if "gh-pages" in words[:2]:
                return "`gh-pages`"
    return None
