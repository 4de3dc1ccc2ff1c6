from __future__ import annotations

import re

from cicdlint import lazyre
from cicdlint.conditions import step_can_run
from cicdlint.expressions import find_expressions
from cicdlint.model import text
from cicdlint.permissions import job_permissions
from cicdlint.rule import Issue, Location, rule
from cicdlint.shell import parse, strip_wrappers
from cicdlint.triggers import describe, trigger_key

# Events that run with the base repository's secrets and can carry a pull request's code.
PWN_EVENTS = ("pull_request_target", "workflow_run", "issue_comment")

# Context paths naming the pull request's head, and the event under which they are set.
HEAD_CONTEXTS = {
    "github.event.pull_request.head.sha": "pull_request_target",
    "github.event.pull_request.head.ref": "pull_request_target",
    "github.event.pull_request.head.repo.full_name": "pull_request_target",
    "github.event.pull_request.head.repo.clone_url": "pull_request_target",
    "github.head_ref": "pull_request_target",
    "github.event.workflow_run.head_sha": "workflow_run",
    "github.event.workflow_run.head_branch": "workflow_run",
    "github.event.workflow_run.head_commit.id": "workflow_run",
    "github.event.workflow_run.head_repository.full_name": "workflow_run",
    "github.event.workflow_run.head_repository.clone_url": "workflow_run",
    "github.event.workflow_run.pull_requests.*.head.sha": "workflow_run",
    "github.event.workflow_run.pull_requests.*.head.ref": "workflow_run",
}
# Head contexts that name a branch: without `repository:` pointing at the fork, actions/checkout
# looks for that branch in the base repository, so only same-repository pull requests are
# checked out (a fork's branch is not there).
BRANCH_CONTEXTS = frozenset(
    (
        "github.event.pull_request.head.ref",
        "github.head_ref",
        "github.event.workflow_run.head_branch",
        "github.event.workflow_run.pull_requests.*.head.ref",
    )
)
FORK_REPOSITORY_CONTEXTS = frozenset(
    (
        "github.event.pull_request.head.repo.full_name",
        "github.event.pull_request.head.repo.clone_url",
        "github.event.workflow_run.head_repository.full_name",
        "github.event.workflow_run.head_repository.clone_url",
    )
)
# Context paths that hold a pull request number (used in `refs/pull/N/head`).
NUMBER_CONTEXTS = {
    "github.event.pull_request.number": "pull_request_target",
    "github.event.number": "pull_request_target",
    "github.event.issue.number": "issue_comment",
    "github.event.workflow_run.pull_requests.*.number": "workflow_run",
}
_PULL_REF = lazyre.compile(r"(?:^|[/+:\s])pull/([^/\s]+)/(head|merge)\b")

# Triage actions that read the pull request through the API and run none of its code: a
# workflow made only of these gets no note.
TRIAGE_ACTIONS = (
    "actions/labeler",
    "actions/stale",
    "actions/first-interaction",
    "actions/add-to-project",
    "amannn/action-semantic-pull-request",
    "kentaro-m/auto-assign-action",
    "toshimaru/auto-author-assign",
    "srvaroa/labeler",
    "github/issue-labeler",
)
# Actions that build or run the code in the workspace.
BUILD_ACTIONS = (
    "docker/build-push-action",
    "docker/bake-action",
    "pre-commit/action",
    "github/codeql-action/autobuild",
    "gradle/gradle-build-action",
    "cypress-io/github-action",
    "borales/actions-yarn",
    "jfrog/frogbot",
)
# Commands that read the checked-out files without running them.
READ_ONLY_COMMANDS = frozenset(
    (
        "echo", "printf", "cat", "ls", "cd", "pwd", "test", "[", "[[", "true", "false", "exit", "export", "set",
        "unset", "mkdir", "cp", "mv", "rm", "touch", "grep", "egrep", "head", "tail", "wc", "sort", "uniq", "diff",
        "jq", "yq", "sed", "awk", "cut", "tr", "find", "tee", "date", "sleep", "basename", "dirname", "shasum",
        "sha256sum", "md5sum", "base64", "curl", "wget", "zip", "unzip", "tar", "gzip", "git", "gh", "stat", "file",
        "readlink", "realpath", "xargs", "read", "env", "printenv", "which", "du", "df", "chmod", "ln", "rsync",
        "yes", "seq", "column", "fold", "paste", "comm", "cmp", "nl", "rev", "fmt", "envsubst", "hash", "type",
    )
)
# `git` subcommands that run code from the checkout (submodule commands, LFS filters).
RUNNING_GIT = frozenset(("submodule", "lfs"))
# Commands that set up the machine and run nothing from the workspace.
SYSTEM_COMMANDS = frozenset(
    (
        "apt-get", "apt", "yum", "dnf", "apk", "brew", "choco", "snap", "nvidia-smi", "uname", "whoami", "id",
        "free", "nproc", "lscpu", "hostname", "openssl", "ssh-keyscan", "ssh-agent", "ssh-add",
    )
)
SHELL_NOISE = frozenset(
    ("local", "return", "shift", "break", "continue", "function", "declare", "typeset", "trap", "wait", "case", "esac")
)
# Checkout refuses fork code under these events from v6.1 on, unless allow-unsafe-pr-checkout.
PROTECTED_EVENTS = ("pull_request_target", "workflow_run")


@rule(
    id="dangerous-trigger",
    kinds=("workflow",),
    severity="error",
    summary="A privileged workflow (pull_request_target, workflow_run, issue_comment) runs a pull request's code",
    tags=("security", "untrusted-input"),
    security_severity=9.0,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds "pwn requests": workflows started by `pull_request_target`, `workflow_run` or
    `issue_comment` whose job checks out the pull request's head and then runs it:

    - `actions/checkout` with a `ref:` (or `repository:`) of the pull request's head:
      `github.event.pull_request.head.sha` / `.head.ref`, `github.head_ref`,
      `refs/pull/${{ github.event.pull_request.number }}/merge`,
      `github.event.workflow_run.head_sha` / `.head_branch`, or
      `refs/pull/${{ github.event.issue.number }}/head` for a comment on a pull request;
    - a script that does the same: `gh pr checkout`, `git fetch origin pull/N/head`,
      `git checkout <head sha>`;

    followed, in the same job, by a `run:` step that does more than read files (`npm install`,
    `make`, `pip install .`, `./script.sh`), a local action (`uses: ./...`) or an action that
    builds the workspace (`docker/build-push-action`, `pre-commit/action`, `jfrog/frogbot`).
    The error is reported at the `ref:` value (or the checkout command). A context only counts
    under its own event (`github.event.workflow_run.head_sha` under `workflow_run` ...).

    Not reported:
    - jobs and steps whose `if:` excludes pull requests from forks
      (`github.event.pull_request.head.repo.full_name == github.repository`,
      `!github.event.pull_request.head.repo.fork`, `github.event.pull_request.merged`,
      `github.event_name == 'push'`), also through `needs:`;
    - `actions/checkout` v6.1 and later under `pull_request_target` and `workflow_run`: it
      refuses fork code unless `allow-unsafe-pr-checkout: true` is set (a SHA pin is judged by
      its `# vX.Y.Z` comment);
    - a checkout into a subdirectory (`path: pr`) whose files are only read by the base
      branch's tools; entering it (`cd pr`, `working-directory: pr`, `make -C pr`,
      `bash pr/x.sh`, `uses: ./pr/action`) counts as running it;
    - reusable workflows (`on: workflow_call`), whose event is their caller's.

    A branch name (`github.head_ref`, `.head.ref`, `.head_branch`) without a `repository:` of
    the fork is reported with low confidence: checkout looks for the branch in the base
    repository, where a fork's branch does not exist.

    Jobs gated on a label, an author association, an actor, a permission check or an
    `environment:` are reported with medium confidence: the gate approves a pull request whose
    author can still push to it (with an environment and a fixed SHA, approvers must review
    that exact commit).

    A `pull_request_target`, `workflow_run` or `issue_comment` workflow without such a job gets
    a note at the trigger, like zizmor's `dangerous-triggers`: these events are safe only as
    long as nobody adds such a checkout. Workflows made only of triage actions
    (`actions/labeler`, `actions/stale` ...) get no note.

    ## Why is this bad?
    These events run with the base repository's secrets and a `GITHUB_TOKEN` that can write,
    even when a stranger opens the pull request from a fork. Checking out the pull request and
    running its build scripts, tests, package manager hooks or local actions runs the stranger's
    code with those secrets: they can push to the repository, publish releases or steal
    credentials (the "pwn request" of GitHub Security Lab; exploited against many projects).

    ## Example
    ```yaml
    on: pull_request_target
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
            with:
              ref: ${{ github.event.pull_request.head.sha }}
          - run: npm ci && npm test
    ```

    ## Use instead
    ```yaml
    on: pull_request
    jobs:
      test:
        runs-on: ubuntu-latest
        permissions:
          contents: read
        steps:
          - uses: actions/checkout@v4
          - run: npm ci && npm test
    ```
    Build and test pull requests under `pull_request`, which runs fork code without secrets and
    with a read-only token. If a privileged step is needed (commenting, labelling), put it in a
    separate `workflow_run` workflow that downloads the results as data and never executes them.
    """
    workflow = ctx.workflow
    events = [event for event in PWN_EVENTS if event in workflow.triggers]
    if not events:
        return
    reported_events: set[str] = set()
    checked_out: dict[str, object] = {}  # event -> first head checkout node that runs nothing
    for job in workflow.jobs:
        for node, event, what, index, rest, path, branch_only in _head_checkouts(job, events, ctx, doc.lines):
            runner = _first_runner(job, index, event, rest, path)
            if runner is None:
                checked_out.setdefault(event, node)
                continue
            reported_events.add(event)
            yield _pwn_issue(doc, ctx, job, job.steps[index], node, event, what, runner, branch_only)
    if _triage_only(workflow):
        return
    for event in events:
        if event not in reported_events:
            yield from _note(doc, ctx, event, checked_out.get(event))


def _pwn_issue(doc, ctx, job, step, node, event, what, runner, branch_only):
    """The error at a head checkout (`node`) that `runner` then runs."""
    runner_label, runner_node = runner
    gate = _gate(job, step)
    message = (
        f"Do not run the pull request's code in this {event} workflow: build and test it "
        f"in a `pull_request` workflow, and keep privileged steps apart. "
        f"Job '{job.id}' checks out {what} and then runs {runner_label}, {_exposure(job.workflow, job)} "
        f"({event} {describe(event)})."
    )
    if gate:
        if gate.startswith("the environment") and _is_commit(what):
            message += f" The job waits for {gate}: its approvers must review that exact commit."
        else:
            message += f" The job is gated on {gate}, but the pull request can change after it was approved."
    confidence = "medium" if gate else None
    if branch_only:
        message += (
            " The branch is looked up in this repository, so a fork's pull request fails to check "
            "out; it is exploitable only if `repository:` is added or the branch exists here."
        )
        confidence = "low"
    related = []
    if runner_node is not None:
        related.append(Location(doc.path, ctx.span(runner_node), "runs the checked-out code"))
    return Issue(node, message, confidence=confidence, related=related)


def _note(doc, ctx, event, checkout):
    """The note at the trigger of a privileged event whose workflow runs no pull request code;
    `checkout`: a head checkout whose code nothing runs, or None."""
    key = trigger_key(ctx.workflow, event)
    if key is None:
        return
    if checkout is not None:
        message = (
            f"Keep this {event} workflow from running the pull request's code: it checks out the "
            f"pull request's head (line {ctx.span(checkout).start_line}) but runs none of it. "
            f"{event} {describe(event)}."
        )
        related = [Location(doc.path, ctx.span(checkout), "checks out the pull request's head")]
        yield Issue(key, message, severity="note", confidence="medium", related=related)
    else:
        message = (
            f"Make sure no job of this {event} workflow checks out or runs a pull request's code "
            f"(prefer `pull_request` when no secrets are needed). {event} {describe(event)}."
        )
        yield Issue(key, message, severity="note", confidence="medium")


def _triage_only(workflow) -> bool:
    """Is every step of every job a triage action (and no job calls a reusable workflow)?"""
    if not workflow.jobs:
        return False
    for job in workflow.jobs:
        if job.uses is not None or not job.steps:
            return False
        if not all(step.uses_action(*TRIAGE_ACTIONS) for step in job.steps):
            return False
    return True


def _head_checkouts(job, events, ctx, lines):
    """(node, event, description, step index, offset in the step's script after which to look
    for code being run, checkout path) for each step of the job that puts the pull request's
    head in the workspace under one of `events`."""
    for step in job.steps:
        if step.uses_action("actions/checkout"):
            found = _checkout_ref(step, events)
            if found is None:
                continue
            node, event, what, branch_only = found
            if event in PROTECTED_EVENTS and _refuses_fork_checkout(step, lines, ctx):
                continue
            if step_can_run(step, event):
                yield node, event, what, step.index, None, _checkout_path(step), branch_only
        elif step.run is not None:
            for command, after, event, what in _script_checkouts(step, events):
                if step_can_run(step, event):
                    node = ctx.locate(step.run, command.start, command.end - command.start)
                    yield node, event, what, step.index, after, None, False


def _checkout_path(step) -> str | None:
    """The checkout's `path:` relative to the workspace, or None for the workspace itself."""
    path = text(step.input("path"))
    if not path:
        return None
    path = path.strip().strip("/")
    if path.startswith("./"):
        path = path[2:]
    if path in ("", ".") or "${{" in path:
        return None
    return path


def _refuses_fork_checkout(step, lines, ctx) -> bool:
    """Does this actions/checkout refuse fork pull request code under pull_request_target and
    workflow_run (v6.1 and later, unless `allow-unsafe-pr-checkout: true`)?"""
    allow = step.input("allow-unsafe-pr-checkout")
    if allow is not None and (allow.value.strip().lower() == "true" or "${{" in allow.value):
        return False
    version = _action_version(step, lines, ctx)
    return version is not None and version >= (6, 1)


_VERSION = lazyre.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$")
_COMMENT_VERSION = lazyre.compile(r"#.*?\bv?(\d+)(?:\.(\d+))?(?:\.(\d+))?\b")


def _action_version(step, lines, ctx) -> tuple[int, int] | None:
    """(major, minor) of the action's ref, or of the version comment after a SHA pin. A major
    tag (`@v6`) follows the latest release of that major: minor is taken as 99."""
    uses = step.uses
    if uses is None or "@" not in uses.value:
        return None
    ref = uses.value.rsplit("@", 1)[1].strip()
    match = _VERSION.match(ref)
    if match is None and re.fullmatch(r"[0-9a-f]{40}", ref):
        line = ctx.span(uses).start_line
        comment = lines[line - 1] if 0 < line <= len(lines) else ""
        match = _COMMENT_VERSION.search(comment[comment.find("#"):] if "#" in comment else "")
        if match is None:
            return None
        return int(match.group(1)), int(match.group(2) or 0)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)) if match.group(2) is not None else 99


def _checkout_ref(step, events):
    """(node, event, what, branch_only) when the checkout step's `ref:` or `repository:` is the
    head; branch_only: a branch name looked up in the base repository (no fork code)."""
    for name in ("ref", "repository"):
        node = step.input(name)
        if node is None:
            continue
        found = _head_value(node.value, events, allow_pull_ref=(name == "ref"))
        if found is not None:
            event, path = found
            branch_only = path in BRANCH_CONTEXTS and not _names_fork(step.input("repository"))
            return node, event, f"`{name}: {_short(node.value)}`", branch_only
    return None


def _names_fork(node) -> bool:
    if node is None:
        return False
    return any(
        path in FORK_REPOSITORY_CONTEXTS
        for expression in find_expressions(node.value)
        for path in expression.flowing_contexts()
    )


def _context_events(value: str, events, tables, flowing: bool = True):
    """(event, context) for each context of the value's expressions that one of the tables
    (context -> event) maps to one of the events; `flowing=False` also counts tested contexts."""
    for expression in find_expressions(value):
        for path in expression.flowing_contexts() if flowing else expression.contexts():
            event = next((table[path] for table in tables if path in table), None)
            if event in events:
                yield event, path


def _head_value(value: str, events, allow_pull_ref: bool = True):
    """(event, context) when a value names the pull request's head under one of the events."""
    if "${{" not in value:
        return None
    found = next(_context_events(value, events, (HEAD_CONTEXTS,)), None)
    if found is not None or not allow_pull_ref:
        return found
    for number in _pull_numbers(value):  # `refs/pull/${{ github.event.number }}/merge`
        found = next(_context_events(number, events, (NUMBER_CONTEXTS,), flowing=False), None)
        if found is not None:
            return found
    return None


def _pull_numbers(value: str) -> list[str]:
    """The number parts of `pull/N/head` and `pull/N/merge` refs in a text, as written."""
    expressions = find_expressions(value)
    masked, pieces, last = [], [], 0
    for index, expression in enumerate(expressions):
        masked.append(value[last:expression.start])
        masked.append(f"\x00{index}\x00")
        pieces.append(value[expression.start:expression.end])
        last = expression.end
    masked.append(value[last:])
    found = []
    for match in _PULL_REF.finditer("".join(masked)):
        number = match.group(1)
        found.append(re.sub(r"\x00(\d+)\x00", lambda m: pieces[int(m.group(1))], number))
    return found


_SWITCHING_GIT = frozenset(("checkout", "switch", "reset", "merge", "rebase", "cherry-pick", "worktree", "pull"))


def _script_checkouts(step, events):
    """(command, offset after which code runs, event, what) for the commands of a `run:` script
    that check out a pull request: `gh pr checkout`, `git fetch ... pull/N/head` followed by a
    `git checkout`/`switch`/`reset`, `git pull ... pull/N/head`, `git checkout <head sha>`."""
    script = step.run.value
    env_heads = _env_heads(step, events)
    fetched = None  # (command, event, what) of a fetch waiting for its checkout
    for command in parse(script):
        words = strip_wrappers(command.words)
        if len(words) < 2:
            continue
        name, sub = words[0].value, words[1].value
        rest = " ".join(word.value for word in words[2:])
        label = _short(_command_text(script, command))
        if name in ("gh", "hub") and sub == "pr" and len(words) > 2 and words[2].value == "checkout":
            event = _event_of_text(rest, events, env_heads) or _default_event(events)
            if event is not None:
                yield command, command.end, event, f"a pull request (`{label}`)"
                return
        elif name == "git":
            numbers = _pull_numbers(rest)
            if numbers:
                event = _event_of_text(" ".join(numbers), events, env_heads) or _default_event(events)
                if event is None:
                    continue
                if sub in _SWITCHING_GIT:
                    yield command, command.end, event, f"a pull request (`{label}`)"
                    return
                if sub == "fetch":
                    fetched = (command, event, f"a pull request (`{label}`)")
                continue
            if sub in _SWITCHING_GIT and fetched is not None:
                yield fetched[0], command.end, fetched[1], fetched[2]
                return
            if sub in ("checkout", "switch", "reset"):
                event = _event_of_text(rest, events, env_heads, heads_only=True)
                if event is not None:
                    yield command, command.end, event, f"the pull request's head (`{label}`)"
                    return


def _env_heads(step, events) -> dict[str, str]:
    """Shell variables whose `env:` value names the head or number of the pull request."""
    found = {}
    for name, var in step.env.items():
        value = text(var.value)
        if not value or "${{" not in value:
            continue
        for event, _ in _context_events(value, events, (HEAD_CONTEXTS, NUMBER_CONTEXTS)):
            found[name] = event  # the last one wins
    return found


def _event_of_text(text_: str, events, env_heads, heads_only: bool = False):
    """The event under which a command's text names the pull request's head (or number), or None."""
    tables = (HEAD_CONTEXTS,) if heads_only else (HEAD_CONTEXTS, NUMBER_CONTEXTS)
    found = next(_context_events(text_, events, tables), None)
    if found is not None:
        return found[0]
    for name, event in env_heads.items():
        if re.search(rf"\$\{{?{re.escape(name)}\b", text_):
            if heads_only and not _is_head_var(name):
                continue
            return event
    return None


def _is_head_var(name: str) -> bool:
    lowered = name.lower()
    return any(part in lowered for part in ("sha", "ref", "branch", "head"))


def _default_event(events):
    """A pull request fetched by number in a privileged workflow: any of its events will do."""
    return events[0] if events else None


def _first_runner(job, index, event, rest_offset, path):
    """(label, node) of what runs the checked-out code after the checkout: the first local
    action, build action or well-known build command, else the first command that may run it.
    With a checkout `path:`, only what runs inside that directory counts."""
    steps = job.steps
    weak = None
    if rest_offset is not None:
        step = steps[index]
        found = _running_command(step.run.value[rest_offset:], None)
        if found is not None:
            if found[1]:
                return f"`{found[0]}`", step.run
            weak = (f"`{found[0]}`", step.run)
    default_dir = _default_working_directory(job)
    for step in steps[index + 1:]:
        if not step_can_run(step, event):
            continue
        uses = text(step.node.get("uses"))
        if uses:
            target = uses.strip()
            if target.startswith("./"):
                if path is None or _under(target[2:], path):
                    return f"the local action `{target}`", step.uses
                continue
            if path is None and step.uses_action(*BUILD_ACTIONS):
                return f"`{target.split('@')[0]}`", step.uses
            continue
        if step.run is None:
            continue
        directory = text(step.node.get("working-directory")) or default_dir
        inside = path is None or (directory is not None and _under(_relative(directory), path))
        found = _running_command(step.run.value, None if inside else path)
        if found is not None:
            if found[1]:
                return f"`{found[0]}`", step.run
            weak = weak or (f"`{found[0]}`", step.run)
    return weak


def _default_working_directory(job) -> str | None:
    return next((text(node) for node in job.run_defaults("working-directory") if text(node)), None)


def _relative(directory: str) -> str:
    directory = directory.strip()
    for prefix in ("${{ github.workspace }}/", "$GITHUB_WORKSPACE/", "${GITHUB_WORKSPACE}/", "./"):
        if directory.startswith(prefix):
            directory = directory[len(prefix):]
    return directory.strip("/")


def _under(directory: str, path: str) -> bool:
    directory = directory.strip("/")
    return directory == path or directory.startswith(path + "/")


_FUNCTION_DEF = lazyre.compile(r"^[\w-]+\(\)?$")


def _running_command(script: str, path: str | None) -> tuple[str, bool] | None:
    """The first command of a script that may run code from the workspace, or None.

    With `path`, the checked-out code is in that directory and the script runs elsewhere:
    only a command that enters the directory (`cd`) or runs a file from it counts.
    Returns (command text, whether it is a well-known build or test command)."""
    weak = None
    for command in parse(script):
        words = strip_wrappers(command.words)
        if not words:
            continue
        name = words[0].value
        if _FUNCTION_DEF.match(name) or name in SHELL_NOISE or any(w.value in ("]", "]]") for w in words):
            continue
        if path is not None:
            if name in ("cd", "pushd") and len(words) > 1 and _enters(words, path):
                path = None  # the rest of the script runs inside the checkout
                continue
            if not _enters(words, path):
                continue
        if name in READ_ONLY_COMMANDS:
            if name == "git" and len(words) > 1 and words[1].value in RUNNING_GIT:
                return _command_text(script, command), False
            if name in ("xargs", "find") and any(w.value in ("-exec", "sh", "bash") for w in words):
                return _command_text(script, command), False
            continue
        if name in SYSTEM_COMMANDS or (name in ("pip", "pip3", "npm", "gem", "go", "cargo") and _installs_named(words)):
            continue
        found = _command_text(script, command), _is_build(words)
        if found[1]:
            return found
        weak = weak or found
    return weak


BUILD_COMMANDS = frozenset(
    (
        "make", "cmake", "ninja", "npm", "npx", "yarn", "pnpm", "bun", "node", "deno", "python", "python3", "pip",
        "pip3", "uv", "poetry", "pipenv", "tox", "nox", "pytest", "go", "cargo", "rustc", "mvn", "gradle",
        "./gradlew", "./mvnw", "ant", "sbt", "dotnet", "msbuild", "bundle", "rake", "ruby", "gem", "composer", "php",
        "docker", "docker-compose", "podman", "buildah", "skaffold", "tilt", "bazel", "bazelisk", "pre-commit",
        "terraform", "tofu", "terragrunt", "ansible-playbook", "mix", "swift", "xcodebuild", "flutter", "dart",
        "just", "task", "hatch", "pdm", "rye", "perl", "bash", "sh", "zsh", "pwsh", "source", ".", "tsc", "jest",
        "mocha", "vitest", "playwright", "cypress", "hugo", "jekyll", "mkdocs", "sphinx-build",
    )
)


def _is_build(words) -> bool:
    name = words[0].value
    return name in BUILD_COMMANDS or name.startswith("./") or ("/" in name and not name.startswith("/usr/"))


INTERPRETERS = frozenset(("source", ".", "bash", "sh", "zsh", "python", "python3", "node", "ruby", "perl", "pwsh"))
DIRECTORY_OPTIONS = frozenset(
    ("-C", "--prefix", "--cwd", "--directory", "--manifest-path", "-chdir", "--project", "--project-dir", "-f", "--file")
)


def _enters(words, path: str) -> bool:
    """Does the command run something inside `path` (cd into it, run a file from it, point a
    build tool at it)? A path given as data (`python check.py pr/`) does not count."""
    name = words[0].value
    first_operand = next((i for i, w in enumerate(words[1:], start=1) if not w.value.startswith("-")), None)
    for i, word in enumerate(words):
        value = word.value.strip()
        for prefix in ("./", "${{ github.workspace }}/", "$GITHUB_WORKSPACE/", "${GITHUB_WORKSPACE}/"):
            if value.startswith(prefix):
                value = value[len(prefix):]
        if not _under(value.rstrip("/"), path):
            continue
        if i == 0:
            return True
        if name in ("cd", "pushd") or (name in INTERPRETERS and i == first_operand):
            return True
        if words[i - 1].value in DIRECTORY_OPTIONS:
            return True
        if name in ("pip", "pip3") and words[i - 1].value in ("install", "-e", "--editable"):
            return True
    return False


def _installs_named(words) -> bool:
    """`pip install requests`, `npm install -g pkg`, `go install x@v1`: packages by name, not the
    workspace (`pip install .`, `npm install`, `npm ci` run the workspace's code)."""
    if len(words) < 3 or words[1].value not in ("install", "i", "add"):
        return False
    args = [w.value for w in words[2:]]
    if any(arg in (".", "-e", "--editable", "-r", "--requirement") or arg.startswith((".", "/", "-r")) for arg in args):
        return False
    names = [arg for arg in args if not arg.startswith("-")]
    if words[0].value == "npm" and "-g" not in args and "--global" not in args:
        return False
    return bool(names)


def _command_text(script: str, command) -> str:
    return " ".join(script[command.start:command.end].split())


def _short(value: str, limit: int = 70) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 3] + "..."


_GATE_CONTEXTS = (
    ("author_association", "an author association"),
    (".labels", "a label"),
    ("github.event.label.name", "a label"),
    ("github.actor", "the actor"),
    ("github.triggering_actor", "the actor"),
    ("github.event.sender.login", "the sender"),
    ("github.event.comment.user.login", "the commenter"),
    ("github.event.review.state", "a review"),
)


def _is_commit(what: str) -> bool:
    return any(name in what for name in ("head.sha", "head_sha", "head_commit.id"))


def _exposure(workflow, job) -> str:
    perms = job_permissions(workflow, job)
    if perms.declared and perms.valid:
        writes = perms.write_scopes()
        if writes:
            return f"with the base repository's secrets and a token that can write {', '.join(writes)}"
        return "with the base repository's secrets and caches (the token is read-only here)"
    return "with the base repository's secrets and, by default, a token that can write"


_PERMISSION_CHECK = lazyre.compile(r"collaborators/[^\s\"']*/permission|check-user-permission|check-actor-permission|repository-permission|getCollaboratorPermissionLevel", re.I)


def _checks_permission(job) -> bool:
    """Does a step of the job check the actor's permission on the repository?"""
    for step in job.steps:
        body = " ".join(filter(None, (text(step.node.get("uses")), text(step.node.get("run")), text(step.input("script")))))
        if _PERMISSION_CHECK.search(body):
            return True
    return False


def _gate(job, step) -> str | None:
    """What a maintainer has to do before the job runs (a label, an approval ...), or None."""
    for node in (job.if_, step.if_ if step is not None else None):
        value = text(node)
        if not value:
            continue
        for needle, label in _GATE_CONTEXTS:
            if needle in value:
                return label
    if job.environment is not None:
        return f"the environment '{job.environment_name or 'expression'}'"
    if _checks_permission(job):
        return "a permission check"
    for name in job.needs:
        needed = job.workflow.job(name)
        if needed is not None and _checks_permission(needed):
            return f"a permission check in job '{name}'"
        if needed is not None and needed.environment is not None:
            return f"the environment '{needed.environment_name or 'expression'}' of job '{name}'"
        value = text(needed.if_) if needed is not None else None
        if value and any(needle in value for needle, _ in _GATE_CONTEXTS):
            return f"a check in job '{name}'"
    return None

