from __future__ import annotations

import re
from dataclasses import dataclass

from cicdlint import lazyre
from cicdlint.contexts import classify, delivered
from cicdlint.envfiles import entries, writes
from cicdlint.expressions import find_expressions
from cicdlint.rule import Issue, Location, rule
from cicdlint.shell import parse, variable_refs
from cicdlint.triggers import events, privileged_triggers
from cicdlint.yamlpos import Scalar

# Fields whose text can hold a line break (and so add a line of its own to the file).
MULTILINE_LEAVES = ("body", "message", "description")
WHO = [
    ("github.event.issue.", "anyone who can open an issue"),
    ("github.event.pull_request.head.", "anyone who opens a pull request (it names the branch)"),
    ("github.head_ref", "anyone who opens a pull request (it names the branch)"),
    ("github.event.pull_request.", "anyone who can open a pull request"),
    ("github.event.comment.", "anyone who can comment"),
    ("github.event.review", "anyone who can review a pull request"),
    ("github.event.discussion.", "anyone who can start a discussion"),
    ("github.event.commits.", "whoever writes the commits"),
    ("github.event.head_commit.", "whoever writes the commits"),
    ("github.event.workflow_run.", "whoever opens the pull request behind the triggering run"),
]
DOWNLOADERS = ("actions/download-artifact", "dawidd6/action-download-artifact", "bettermarks/action-artifact-download")
_READS_FILE = lazyre.compile(r"\$\(\s*(?:<\s*\S|(?:cat|head|tail|jq|yq|sed|awk|grep|cut|tr|sort|uniq|xargs)\b)")
_FETCHED = lazyre.compile(
    r"""(?:--json\s+[\w,]*\b|--jq\s+["']?\.|jq\s+(?:-\w+\s+)*["']?[\w\[\]]*\.)(title|body|headRefName|message)\b"""
)
# Where a pull request's or an issue's text comes from (not a milestone or a release).
_FETCH_SOURCE = lazyre.compile(r"\bgh\s+(?:pr|issue)\s+(?:view|list)\b|/pulls\b|/issues\b|\bpulls\.get\b")
_RUN_DOWNLOAD = lazyre.compile(r"\bgh\s+run\s+download\b|\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\bpull/|downloadArtifact")
_PR_REF = lazyre.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(?:sha|branch)"
    r"|refs/pull/|\.merge_commit_sha"
)


@dataclass
class Taint:
    source: str  # a context path, or a description ("the content of pr.txt")
    multiline: bool  # can it hold a line break?
    who: str
    confidence: str = "high"
    node: object = None  # where a hop (env:, an assignment) sets it, for a related location
    hop: str = ""
    read: str = ""  # the command that reads a file of the pull request, for file content


@rule(
    id="github-env-injection",
    kinds=("workflow", "action"),
    severity="error",
    summary="Attacker-controllable text is written to $GITHUB_ENV or $GITHUB_PATH",
    tags=("security", "injection"),
    security_severity=8.5,
    confidence="high",
)
def check(doc, ctx):
    """## What it does
    Finds `run:` scripts that write text an outsider controls to `$GITHUB_ENV` or
    `$GITHUB_PATH` (`>>`, `>`, `| tee -a`, a `{ ...; } >> "$GITHUB_ENV"` group, PowerShell's
    `>> $env:GITHUB_ENV` and `Add-Content`):

    - `${{ }}` of an untrusted context (`github.event.issue.body`, `github.event.pull_request.title`,
      `github.head_ref`, `github.event.head_commit.message` ...) in the written text;
    - a shell variable that holds such text: `$TITLE` with `env: TITLE: ${{
      github.event.pull_request.title }}` (step, job or workflow level), a variable assigned in the
      script from such an expression, `$GITHUB_HEAD_REF`, or a title or body fetched with
      `gh pr view --json` / `jq '.title'`;
    - in a privileged workflow (`pull_request_target`, `workflow_run`, `issue_comment` ...) that
      downloads another run's artifacts (`actions/download-artifact` with `run-id`,
      `gh run download`, `github-script` with `downloadArtifact`) or checks out the pull request's
      code, the content of a file written to the file: `cat pr.txt >> "$GITHUB_ENV"`,
      `echo "PR=$(cat pr/NUMBER)" >> "$GITHUB_ENV"`, also through a variable (medium
      confidence).

    Text that cannot hold a line break (a title, a branch name) written after `NAME=` is reported
    with medium confidence: it sets that variable's value but cannot add other variables. A
    multi-line value written as `NAME<<$DELIMITER` with a random delimiter is not reported.

    ## Why is this bad?
    Every later step of the job runs with the variables in `$GITHUB_ENV` and the directories in
    `$GITHUB_PATH`. A line break in the written text starts a new variable, so an issue body
    such as `x` + newline + `NODE_OPTIONS=--require=/tmp/payload.js` (or `LD_PRELOAD`,
    `BASH_ENV`, `GIT_SSH_COMMAND`) runs the attacker's code in the next steps, with the job's
    token and secrets. An attacker-chosen directory first on `PATH` replaces `git`, `node` or
    `bash` in every later step.

    ## Example
    ```yaml
    on: pull_request_target
    jobs:
      label:
        runs-on: ubuntu-latest
        steps:
          - run: echo "PR_BODY=${{ github.event.pull_request.body }}" >> "$GITHUB_ENV"
          - run: ./scripts/label.sh
            env:
              GH_TOKEN: ${{ secrets.LABEL_TOKEN }}
    ```

    ## Use instead
    ```yaml
    on: pull_request_target
    jobs:
      label:
        runs-on: ubuntu-latest
        steps:
          - run: ./scripts/label.sh
            env:
              PR_BODY: ${{ github.event.pull_request.body }}
              GH_TOKEN: ${{ secrets.LABEL_TOKEN }}
    ```
    Give the value to the steps that need it through their own `env:`. If it must go through
    `$GITHUB_ENV`, validate it first (a pull request number is digits) and write multi-line text
    as `NAME<<$DELIMITER` with a random delimiter (`DELIMITER=$(openssl rand -hex 16)`).
    """
    workflow = ctx.workflow if doc.kind == "workflow" else None
    triggers = events(workflow) if workflow is not None else None
    privileged = privileged_triggers(workflow) if workflow is not None else []
    for step in ctx.steps():
        run = step.run
        if run is None or "GITHUB_" not in run.value and "github." not in run.value:
            continue
        script = run.value
        commands = parse(script)
        found = [write for write in writes(script, commands) if write.target in ("GITHUB_ENV", "GITHUB_PATH")]
        if not found:
            continue
        files = _untrusted_files(step, privileged, script)
        checker = _Script(ctx, step, run, script, commands, triggers, files, privileged)
        yield from checker.check(found)


def _untrusted_files(step, privileged: list[str], script: str) -> str | None:
    """What makes files untrusted before this step runs: a description, or None."""
    if not privileged:
        return None
    job = step.job
    earlier = []
    if job is not None:
        for other in job.steps:
            if other is step:
                break
            earlier.append(other)
    for other in earlier:
        if other.uses_action(*DOWNLOADERS):
            inputs = other.with_
            if inputs is not None and any(name in inputs for name in ("run-id", "run_id", "workflow", "pr", "commit")):
                return "another run's artifacts"
        if other.uses_action("actions/checkout"):
            ref = other.input("ref")
            if ref is not None and _PR_REF.search(ref.value):
                return "the pull request's checked-out code"
        if other.uses_action("actions/github-script"):
            code = other.input("script")
            if code is not None and "downloadArtifact" in code.value:
                return "another run's artifacts"
        if other.run is not None and _RUN_DOWNLOAD.search(other.run.value):
            return "downloaded artifacts or the pull request's code"
    if _RUN_DOWNLOAD.search(script):
        return "downloaded artifacts or the pull request's code"
    return None


class _Script:
    def __init__(self, ctx, step, run: Scalar, script: str, commands, triggers, files, privileged):
        self.ctx = ctx
        self.step = step
        self.run = run
        self.script = script
        self.commands = commands
        self.triggers = triggers
        self.files = files
        self.privileged = privileged
        self._assigned = None

    @property
    def assigned(self) -> dict[str, tuple[str, int]]:
        """Variables assigned in the script: name -> (value text, offset of the value)."""
        if self._assigned is None:
            found = {}
            for command in self.commands:
                words = list(command.assignments)
                if command.name in ("export", "local", "declare", "readonly", "typeset"):
                    words += [word for word in command.args if "=" in word.text]
                for word in words:
                    name, _, value = word.text.partition("=")
                    found.setdefault(name.rstrip("+"), (value, word.start + len(name) + 1))
            self._assigned = found
        return self._assigned

    def check(self, found):
        reported: set[int] = set()
        protected = self._protected_offsets(found)
        for write in found:
            for part in write.parts:
                if part.start in protected:
                    continue
                if part.kind == "file":
                    if self.files and part.start not in reported:
                        reported.add(part.start)
                        yield self._file_issue(write.target, part.text, part.start, len(part.text))
                    continue
                if part.kind != "text":
                    continue
                yield from self._text(write, part, reported)

    def _protected_offsets(self, found) -> set[int]:
        """Parts inside `NAME<<$RANDOM_DELIMITER` blocks: their text cannot end the block."""
        protected = set()
        for entry in entries(found, "GITHUB_ENV"):
            if entry.multiline and entry.random_delimiter:
                protected.update(part.start for part in entry.parts)
        return protected

    def _text(self, write, part, reported):
        line = part.text
        after_name = bool(re.match(r"""^\s*["']?[A-Za-z_][A-Za-z0-9_]*=""", line))
        for expression in find_expressions(line):
            taint = self._expression(expression)
            if taint is None:
                continue
            offset = part.start + expression.start
            if offset in reported:
                continue
            reported.add(offset)
            span = self.ctx.locate(self.run, offset, expression.length)
            yield self._issue(write.target, taint, "${{ " + expression.body + " }}", span, after_name)
        if part.quoted_heredoc:
            return
        for name, start, end, is_length in variable_refs(line):
            if is_length:
                continue
            taint = self._variable(name, 0)
            if taint is None:
                continue
            offset = part.start + start
            if offset in reported:
                continue
            reported.add(offset)
            span = self.ctx.locate(self.run, offset, end - start)
            yield self._issue(write.target, taint, line[start:end], span, after_name)
        for match in re.finditer(r"\$\(", line):
            if self.files and _READS_FILE.match(line, match.start()):
                offset = part.start + match.start()
                if offset in reported:
                    continue
                reported.add(offset)
                end = line.find(")", match.start())
                length = (end + 1 if end >= 0 else len(line)) - match.start()
                span = self.ctx.locate(self.run, offset, length)
                yield self._file_issue(write.target, line[match.start() : match.start() + length], None, None, span)

    # --- what a piece of text holds ----------------------------------------------------------

    def _expression(self, expression) -> Taint | None:
        for path in expression.flowing_contexts():
            taint = self._path(path, self.step.env, 0)
            if taint is not None:
                return taint
        return None

    def _path(self, path: str, env, depth: int) -> Taint | None:
        if path.startswith("env.") and depth < 3:
            name = path.split(".", 2)[1]
            variable = env.get(name)
            if variable is None or not isinstance(variable.value, Scalar):
                return None
            outer = self._outer(variable.level)
            for expression in find_expressions(variable.value.value):
                for inner in expression.flowing_contexts():
                    taint = self._path(inner, outer, depth + 1)
                    if taint is not None:
                        if not taint.node:
                            taint.node, taint.hop = variable.value, f"env.{name} is set here"
                        return taint
            return None
        if classify(path).level != "untrusted" or not delivered(path, self.triggers):
            return None
        leaf = path.rsplit(".", 1)[-1]
        multiline = leaf in MULTILINE_LEAVES or path.endswith("changes.body.from")
        return Taint(path, multiline, _who(path))

    def _outer(self, level: str):
        job = self.step.job
        if job is None:
            return {}
        return {"step": job.env, "job": job.workflow.env}.get(level, {})

    def _variable(self, name: str, depth: int) -> Taint | None:
        if depth > 3:
            return None
        if name in self.assigned:
            value, offset = self.assigned[name]
            for expression in find_expressions(value):
                taint = self._expression(expression)
                if taint is not None:
                    taint.node = taint.node or self.ctx.locate(self.run, offset, len(value))
                    taint.hop = taint.hop or f"${name} is assigned here"
                    return taint
            match = _FETCHED.search(value)
            if match and "$(" in value and (_FETCH_SOURCE.search(value) or _FETCH_SOURCE.search(self.script)):
                return Taint(
                    f"the {match.group(1)} read by this command", match.group(1) in ("body", "message"),
                    "anyone who can open a pull request or an issue", "medium",
                    self.ctx.locate(self.run, offset, len(value)), f"${name} is assigned here",
                )
            match = _READS_FILE.search(value) if self.files else None
            if match:
                end = value.find(")", match.start())
                return Taint(
                    "a file", True, "the pull request's author", "medium",
                    self.ctx.locate(self.run, offset, len(value)), f"${name} is read from a file here",
                    read=value[match.start() : end + 1 if end >= 0 else len(value)],
                )
            for inner, _, _, is_length in variable_refs(_without_substitutions(value)):
                if not is_length and inner != name:
                    taint = self._variable(inner, depth + 1)
                    if taint is not None:
                        return taint
            return None
        variable = self.step.env.get(name)
        if variable is not None and isinstance(variable.value, Scalar):
            taint = self._path(f"env.{name}", self.step.env, 0)
            if taint is not None:
                return taint
        if name == "GITHUB_HEAD_REF" and delivered("github.head_ref", self.triggers):
            return Taint("the pull request's branch name", False, _who("github.head_ref"))
        return None

    # --- messages -----------------------------------------------------------------------------

    def _issue(self, target: str, taint: Taint, shown: str, span, after_name: bool) -> Issue:
        related = []
        if taint.node is not None:
            related.append(Location(self.ctx.doc.path, self.ctx.span(taint.node), taint.hop))
        if taint.read:
            issue = self._file_issue(target, shown, None, None, span, taint.read)
            issue.related = related
            return issue
        source = taint.source if shown in ("${{ " + taint.source + " }}",) else f"{shown} ({taint.source})"
        if target == "GITHUB_PATH":
            message = (
                f"Do not add {source} to $GITHUB_PATH. {_cap(taint.who)} controls it, and a directory on PATH that "
                "they choose can replace git, node or bash in every later step of the job."
            )
            return Issue(span, message, confidence="medium", related=related)
        confidence = taint.confidence
        if taint.multiline:
            why = (
                f"{_cap(taint.who)} controls this text: a line break in it adds any variable, such as NODE_OPTIONS "
                "or LD_PRELOAD, to every later step of the job"
            )
        elif after_name:
            confidence = "medium"
            why = (
                f"{_cap(taint.who)} controls this text and so the value every later step of the job sees (it cannot "
                "hold a line break, so it cannot add other variables)"
            )
        else:
            why = (
                f"{_cap(taint.who)} controls the whole line, so they choose the variable it sets, such as NODE_OPTIONS "
                "or LD_PRELOAD, for every later step of the job"
            )
        message = (
            f"Pass {source} to the steps that need it through their env: instead of writing it to $GITHUB_ENV "
            f"(or validate it first). {why}."
        )
        return Issue(span, message, confidence=confidence, related=related)

    def _file_issue(self, target: str, what: str, offset, length, span=None, read: str = "") -> Issue:
        """`what` is the file or command that reads it; with `read`, a variable read by `read`."""
        if span is None:
            span = self.ctx.locate(self.run, offset, length)
        if read:
            subject = f"`{what}` (read by `{read}`)"
        elif what.startswith("$("):
            subject = f"`{what}`"
        else:
            subject = f"the content of `{what}`"
        trigger = self.privileged[0] if self.privileged else "privileged"
        if target == "GITHUB_PATH":
            fix = f"Do not add a directory from {subject} to $GITHUB_PATH"
            why = "a directory on PATH that they choose can replace git, node or bash in every later step"
        else:
            fix = f"Validate {subject} (for example, that a number is only digits) before writing it to $GITHUB_ENV"
            why = (
                "a line break in it adds any variable, such as NODE_OPTIONS, to every later step, and those steps run "
                "with this workflow's secrets"
            )
        return Issue(
            span,
            f"{fix}. This {trigger} workflow reads {self.files}, which the pull request's author can write: {why}.",
            confidence="medium",
        )


def _without_substitutions(value: str) -> str:
    """The text without its `$(...)` and backquoted commands (their words are not the value)."""
    out, i = [], 0
    while i < len(value):
        if value.startswith("$(", i) and not value.startswith("$((", i):
            depth, j = 1, i + 2
            while j < len(value) and depth:
                depth += {"(": 1, ")": -1}.get(value[j], 0)
                j += 1
            i = j
        elif value[i] == "`":
            end = value.find("`", i + 1)
            i = len(value) if end < 0 else end + 1
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _cap(text_: str) -> str:
    return text_[:1].upper() + text_[1:]


def _who(path: str) -> str:
    for prefix, who in WHO:
        if path.startswith(prefix):
            return who
    return "an outsider"
