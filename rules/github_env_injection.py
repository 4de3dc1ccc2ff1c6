from __future__ import annotations

from cicdlint import dataflow, lazyre
from cicdlint.envfiles import entries
from cicdlint.notions import _memo
from cicdlint.rule import Issue, Location, rule
from cicdlint.triggers import privileged_triggers
from cicdlint.yamlpos import Scalar

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
_RUN_DOWNLOAD = lazyre.compile(r"\bgh\s+run\s+download\b|\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\bpull/|downloadArtifact")
_AFTER_NAME = lazyre.compile(r"""^\s*["']?[A-Za-z_][A-Za-z0-9_]*=""")
_PR_REF = lazyre.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(?:sha|branch)"
    r"|refs/pull/|\.merge_commit_sha"
)


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
    `$GITHUB_PATH`: `>>` / `>` (also to a variable that holds the file's name, as after
    `F=$GITHUB_ENV`), `| tee -a`, `tee -a ... <<<`, `printf ... >>`, a `{ ...; } >> "$GITHUB_ENV"`
    group, PowerShell's `>> $env:GITHUB_ENV`, `Add-Content`, `Set-Content` and
    `Out-File -Append`, and cmd's `>> %GITHUB_ENV%`:

    - `${{ }}` of an untrusted context (`github.event.issue.body`, `github.event.pull_request.title`,
      `github.head_ref`, `github.event.head_commit.message` ...) in the written text, also
      through `env:`, matrix values, step and job outputs (followed like `template-injection`
      does);
    - a variable that holds such text: `$TITLE` (PowerShell `$env:TITLE`, cmd `%TITLE%`) with
      `env: TITLE: ${{ github.event.pull_request.title }}` (step, job or workflow level, or
      written to `$GITHUB_ENV` by an earlier step), a variable assigned in the script from such a
      value (`T="$TITLE"`, `read`, a loop, `$(echo "$TITLE" | cut ...)`), `$GITHUB_HEAD_REF`, a
      field of `$GITHUB_EVENT_PATH` read with `jq`, or a title or body fetched with
      `gh pr view --json` / `jq '.title'`;
    - in a privileged workflow (`pull_request_target`, `workflow_run`, `issue_comment` ...) that
      downloads another run's artifacts (`actions/download-artifact` with `run-id`,
      `gh run download`, `github-script` with `downloadArtifact`) or checks out the pull request's
      code, the content of a file written to the file: `cat pr.txt >> "$GITHUB_ENV"`,
      `echo "PR=$(cat pr/NUMBER)" >> "$GITHUB_ENV"`, also through a variable (medium
      confidence).

    Only text that one of the workflow's triggers can deliver is reported (an issue's title in a
    workflow that no issue event starts is empty).
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
    privileged = privileged_triggers(workflow) if workflow is not None else []
    flow = dataflow.of(ctx)
    for step in ctx.steps():
        run = step.run
        if run is None or "GITHUB_" not in run.value.upper() and "github." not in run.value.lower():
            continue
        script = flow.script(step, run)
        found = [write for write in script.writes if write.target in ("GITHUB_ENV", "GITHUB_PATH")]
        if not found:
            continue
        files = _untrusted_files(step, privileged, run.value)
        yield from _Script(ctx, step, run, script, files, privileged).check(found)


def _untrusted_files(step, privileged: list[str], script: str) -> str | None:
    """What makes files untrusted before this step runs: a description, or None."""
    if not privileged:
        return None
    job = step.job
    if job is not None:
        before = _memo(job, "untrusted-files", lambda: _untrusted_files_by_step(job))
        if step.index < len(before) and before[step.index]:
            return before[step.index]
    if _RUN_DOWNLOAD.search(script):
        return "downloaded artifacts or the pull request's code"
    return None


def _untrusted_files_by_step(job) -> list[str | None]:
    """For each step of the job, what an earlier step made untrusted (downloads, a checkout of the
    pull request), or None. One pass over the job."""
    found, current = [], None
    for other in job.steps:
        while len(found) < other.index:
            found.append(current)
        found.append(current)
        current = current or _makes_files_untrusted(other)
    return found


def _makes_files_untrusted(other) -> str | None:
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
    return None


class _Script:
    def __init__(self, ctx, step, run: Scalar, script, files, privileged):
        self.ctx = ctx
        self.step = step
        self.run = run
        self.flow = script  # the script's data flow
        self.files = files
        self.privileged = privileged

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
        after_name = bool(_AFTER_NAME.match(line))
        for piece in self.flow.pieces(line, part.start, part.quoted_heredoc):
            if piece.start in reported:
                continue
            origin = piece.origin
            if origin.untrusted:
                reported.add(piece.start)
                span = self.ctx.locate(self.run, piece.start, piece.end - piece.start)
                yield self._issue(write.target, origin, piece.shown, span, after_name)
                continue
            if not self.files:
                continue
            if piece.kind == "variable":
                read = self._read_from_file(piece)
                if read is not None:
                    reported.add(piece.start)
                    span = self.ctx.locate(self.run, piece.start, piece.end - piece.start)
                    yield read(span)
            elif piece.kind == "substitution" and _READS_FILE.match(piece.shown):
                reported.add(piece.start)
                span = self.ctx.locate(self.run, piece.start, piece.end - piece.start)
                yield self._file_issue(write.target, piece.shown, None, None, span)

    def _read_from_file(self, piece):
        """For `$X` where the script set X from a file (`X=$(cat pr/NUMBER)`): a function making the issue."""
        name = piece.shown.lstrip("$").strip("{}").split(":", 1)[-1] if piece.shown.startswith("$") else piece.shown.strip("%")
        assigned = match = None
        for candidate in self.flow.live_assignments(name, piece.start):
            match = _READS_FILE.search(candidate.value)
            if match:
                assigned = candidate
                break
        if assigned is None:
            return None
        end = assigned.value.find(")", match.start())
        command = assigned.value[match.start() : end + 1 if end >= 0 else len(assigned.value)]
        hop = self.ctx.locate(self.run, assigned.offset, max(1, assigned.value_offset - assigned.offset + len(assigned.value)))
        related = [Location(self.ctx.doc.path, hop, f"${name} is read from a file here")]

        def make(span):
            issue = self._file_issue("GITHUB_ENV", piece.shown, None, None, span, command)
            issue.related = related
            return issue

        return make

    # --- messages -----------------------------------------------------------------------------

    def _issue(self, target: str, origin, shown: str, span, after_name: bool) -> Issue:
        related = []
        for hop in origin.hops:
            hop_span = hop.span(self.ctx.doc)
            if hop_span is not None:
                related.append(Location(self.ctx.doc.path, hop_span, hop.describe()))
        source = origin.source if shown == "${{ " + origin.source + " }}" else f"{shown} ({origin.source})"
        if origin.hops and not (len(origin.hops) == 1 and origin.hops[0].how.startswith("set by the runner")):
            source = f"{shown}, which holds {origin.source} ({origin.trail()}),"
        who = _who(origin)
        if target == "GITHUB_PATH":
            message = (
                f"Do not add {source} to $GITHUB_PATH. {_cap(who)} controls it, and a directory on PATH that "
                "they choose can replace git, node or bash in every later step of the job."
            )
            return Issue(span, message, confidence="medium", related=related)
        confidence = "medium" if origin.who else None
        if origin.multiline:
            why = (
                f"{_cap(who)} controls this text: a line break in it adds any variable, such as NODE_OPTIONS "
                "or LD_PRELOAD, to every later step of the job"
            )
        elif after_name:
            confidence = "medium"
            why = (
                f"{_cap(who)} controls this text and so the value every later step of the job sees (it cannot "
                "hold a line break, so it cannot add other variables)"
            )
        else:
            why = (
                f"{_cap(who)} controls the whole line, so they choose the variable it sets, such as NODE_OPTIONS "
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


def _cap(text_: str) -> str:
    return text_[:1].upper() + text_[1:]


def _who(origin) -> str:
    if origin.who:
        return _subject(origin.who)
    for prefix, who in WHO:
        if origin.source.startswith(prefix):
            return who
    return "an outsider"


def _subject(sentence: str) -> str:
    """"Anyone who can comment writes the comment ..." -> "anyone who can comment"."""
    for verb in (" controls ", " chooses ", " writes "):
        if verb in sentence:
            sentence = sentence.split(verb, 1)[0]
            break
    return sentence[:1].lower() + sentence[1:]
