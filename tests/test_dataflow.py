"""The data-flow module: where the text of an expression or a shell variable comes from."""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from cicdlint import dataflow
from cicdlint.envfiles import entries, writes
from cicdlint.expressions import find_expressions
from cicdlint.loaders import Document
from cicdlint.model import Action, Workflow
from cicdlint.shell import parse, variable_refs
from cicdlint.yamlpos import compose


def _flow(text: str, kind: str = "workflow"):
    text = textwrap.dedent(text)
    doc = Document(path="ci.yml", abspath=Path("ci.yml"), text=text, composed=compose(text), kind=kind)
    view = Workflow(doc) if kind == "workflow" else Action(doc)
    return view, dataflow.for_view(view)


def _step(view, job_id: str, index: int):
    return next(job for job in view.jobs if job.id == job_id).steps[index]


def _origin(flow, step, text: str):
    return flow.expression(find_expressions(text)[0], step)


ENV_WORKFLOW = """
on: issues
env:
  TITLE: ${{ github.event.issue.title }}
  REGION: ${{ vars.REGION }}
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      BODY: ${{ github.event.issue.body }}
      AGAIN: ${{ env.TITLE }}
    steps:
      - env:
          TITLE: constant
          NUMBER: ${{ github.event.issue.number }}
          OUTER: ${{ env.BODY }}
        run: echo
      - run: echo
"""


def test_env_levels_and_hops():
    view, flow = _flow(ENV_WORKFLOW)
    first, second = _step(view, "a", 0), _step(view, "a", 1)
    # the step's own env wins over the workflow's
    assert _origin(flow, first, "${{ env.TITLE }}").level == "safe"
    title = _origin(flow, second, "${{ env.TITLE }}")
    assert (title.level, title.source) == ("untrusted", "github.event.issue.title")
    assert [hop.describe() for hop in title.hops] == ["env.TITLE is set in the workflow's `env:`"]
    # a job env value read from the workflow's
    again = _origin(flow, second, "${{ env.AGAIN }}")
    assert again.source == "github.event.issue.title"
    assert [hop.what for hop in again.hops] == ["env.AGAIN", "env.TITLE"]
    # a step env value read from the job's
    outer = _origin(flow, first, "${{ env.OUTER }}")
    assert outer.source == "github.event.issue.body" and outer.multiline
    assert _origin(flow, first, "${{ env.NUMBER }}").level == "safe"
    assert _origin(flow, second, "${{ env.REGION }}").level == "safe"
    # expressions read env names case-insensitively, and name them as the env spells them
    lower = _origin(flow, second, "${{ env.body }}")
    assert lower.untrusted and lower.hops[0].what == "env.BODY"
    unknown = _origin(flow, second, "${{ env.NOT_SET }}")
    assert unknown.level == "opaque"


def test_hop_spans_point_at_the_setting():
    view, flow = _flow(ENV_WORKFLOW)
    title = _origin(flow, _step(view, "a", 1), "${{ env.TITLE }}")
    span = title.hops[0].span(view.doc)
    assert span.start_line == 4 and view.doc.lines[3][span.start_col - 1 :].startswith("${{ github.event.issue.title }}")


def test_github_env_writes_reach_later_steps_only():
    view, flow = _flow(
        """
        on: pull_request_target
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ env.NOTE }}"
              - env:
                  T: ${{ github.event.pull_request.title }}
                run: |
                  echo "NOTE=$T" >> "$GITHUB_ENV"
              - run: echo "${{ env.NOTE }} $NOTE"
        """
    )
    before, writer, after = (_step(view, "a", index) for index in range(3))
    assert _origin(flow, before, "${{ env.NOTE }}").level == "opaque"
    late = _origin(flow, after, "${{ env.NOTE }}")
    assert late.untrusted
    assert late.hops[0].how == "written to $GITHUB_ENV by step 2"
    shell = flow.script(after, after.run).variable("NOTE", 40)
    assert shell.untrusted and shell.hops[0].what == "$NOTE"


def test_step_and_job_outputs():
    view, flow = _flow(
        """
        on: pull_request_target
        jobs:
          meta:
            runs-on: ubuntu-latest
            outputs:
              title: ${{ steps.m.outputs.title }}
              sha: ${{ steps.m.outputs.sha }}
            steps:
              - id: m
                env:
                  TITLE: ${{ github.event.pull_request.title }}
                run: |
                  echo "title=$TITLE" >> "$GITHUB_OUTPUT"
                  echo "sha=${{ github.event.pull_request.head.sha }}" >> $GITHUB_OUTPUT
                  printf 'printed=%s\\n' "$TITLE" | tee -a "$GITHUB_OUTPUT"
                  echo "::set-output name=legacy::$TITLE"
              - id: cond
                uses: haya14busa/action-cond@v1
                with:
                  cond: true
                  if_true: ${{ steps.m.outputs.title }}
                  if_false: none
              - id: comment
                uses: peter-evans/find-comment@v3
              - run: echo
          use:
            needs: meta
            runs-on: ubuntu-latest
            steps:
              - run: echo
        """
    )
    last = _step(view, "meta", 3)
    assert _origin(flow, last, "${{ steps.m.outputs.title }}").untrusted
    assert _origin(flow, last, "${{ steps.M.outputs.Title }}").untrusted  # ids and names are case-insensitive
    assert _origin(flow, last, "${{ steps.m.outputs.sha }}").level == "safe"
    assert _origin(flow, last, "${{ steps.m.outputs.printed }}").untrusted
    assert _origin(flow, last, "${{ steps.m.outputs.legacy }}").untrusted
    assert _origin(flow, last, "${{ steps.m.outputs.unwritten }}").level == "opaque"
    copied = _origin(flow, last, "${{ steps.cond.outputs.value }}")
    assert copied.untrusted and copied.hops[0].how.startswith("an output of haya14busa/action-cond")
    comment = _origin(flow, last, "${{ steps.comment.outputs.comment-body }}")
    assert comment.untrusted and "comment" in comment.who
    assert _origin(flow, last, "${{ steps.comment.outputs.comment-id }}").level == "opaque"
    use = _step(view, "use", 0)
    title = _origin(flow, use, "${{ needs.meta.outputs.title }}")
    assert title.untrusted
    assert [hop.what for hop in title.hops] == ["needs.meta.outputs.title", "steps.m.outputs.title", "$TITLE"]
    assert _origin(flow, use, "${{ needs.meta.outputs.sha }}").level == "safe"


def test_matrix():
    view, flow = _flow(
        """
        on: [repository_dispatch, issues]
        jobs:
          dynamic:
            runs-on: ubuntu-latest
            strategy:
              matrix: ${{ fromJSON(github.event.client_payload.targets) }}
            steps:
              - run: echo
          listed:
            runs-on: ubuntu-latest
            strategy:
              matrix:
                os: [ubuntu-latest]
                title: ["${{ github.event.issue.title }}"]
                include:
                  - os: windows-latest
                    extra: ${{ github.event.issue.body }}
            steps:
              - run: echo
        """
    )
    dynamic = _origin(flow, _step(view, "dynamic", 0), "${{ matrix.target }}")
    assert (dynamic.level, dynamic.source) == ("unknown", "github.event.client_payload.targets")
    listed = _step(view, "listed", 0)
    assert _origin(flow, listed, "${{ matrix.os }}").level == "safe"
    assert _origin(flow, listed, "${{ matrix.title }}").untrusted
    assert _origin(flow, listed, "${{ matrix.extra }}").source == "github.event.issue.body"
    assert _origin(flow, listed, "${{ toJSON(matrix) }}").untrusted


@pytest.mark.parametrize(
    "script, name, level",
    [
        ('T="$TITLE"\necho "$T"', "T", "untrusted"),
        ("T=$(echo \"$TITLE\" | cut -c1-20)\necho $T", "T", "untrusted"),
        ("T=$(echo \"$TITLE\" | tr -cd '[:alnum:]')\necho $T", "T", "opaque"),
        ('T="$TITLE"\nT=fixed\necho $T', "T", "safe"),
        ('if x; then T="$TITLE"; else T=fixed; fi\necho $T', "T", "untrusted"),
        ('read -r T <<< "$TITLE"\necho $T', "T", "untrusted"),
        ('echo "$TITLE" | read -r T\necho $T', "T", "untrusted"),
        ("for T in $TITLE; do echo $T; done", "T", "untrusted"),
        ("T=$(jq -r .issue.title \"$GITHUB_EVENT_PATH\")\necho $T", "T", "untrusted"),
        ("T=$(jq -r .issue.number \"$GITHUB_EVENT_PATH\")\necho $T", "T", "safe"),
        ("echo $GITHUB_HEAD_REF", "GITHUB_HEAD_REF", "safe"),  # issues events carry no head ref
        ('T="${#TITLE}"\necho $T', "T", "safe"),
        ("echo $HOME", "HOME", "safe"),
        ("echo $SOMETHING", "SOMETHING", "opaque"),
    ],
)
def test_shell_variables(script, name, level):
    body = "".join(f"          {line}\n" for line in script.split("\n"))
    view, flow = _flow(
        "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n"
        "      TITLE: ${{ github.event.issue.title }}\n    steps:\n      - run: |\n" + body
    )
    step = _step(view, "a", 0)
    flow_script = flow.script(step, step.run)
    assert flow_script.variable(name, len(step.run.value)).level == level


def test_powershell_and_cmd_variables():
    view, flow = _flow(
        """
        on: issue_comment
        jobs:
          a:
            runs-on: windows-latest
            env:
              COMMENT: ${{ github.event.comment.body }}
            steps:
              - run: |
                  $text = $env:COMMENT
                  Add-Content -Path $env:GITHUB_ENV -Value "A=$text"
              - shell: cmd
                run: echo B=%COMMENT%>> %GITHUB_ENV%
        """
    )
    pwsh, cmd = _step(view, "a", 0), _step(view, "a", 1)
    pieces = flow.script(pwsh, pwsh.run).pieces('"A=$text"', pwsh.run.value.index('"A='))
    assert [(piece.shown, piece.origin.level) for piece in pieces] == [("$text", "untrusted")]
    script = flow.script(cmd, cmd.run)
    entry = entries(script.writes, "GITHUB_ENV")[0]
    assert entry.name == "B" and script.entry_origin(entry).untrusted


def test_composite_action_inputs_and_steps():
    view, flow = _flow(
        """
        name: x
        description: y
        inputs:
          title: {description: t}
        runs:
          using: composite
          steps:
            - id: a
              shell: bash
              run: echo "t=${{ inputs.title }}" >> "$GITHUB_OUTPUT"
            - shell: bash
              run: echo "${{ steps.a.outputs.t }} ${{ github.event.issue.title }}"
        """,
        kind="action",
    )
    last = view.steps()[1]
    assert _origin(flow, last, "${{ steps.a.outputs.t }}").level == "unknown"
    # a composite action runs for any event of its caller
    assert _origin(flow, last, "${{ github.event.issue.title }}").untrusted


def test_fields_no_trigger_delivers_are_empty():
    view, flow = _flow(
        """
        on: push
        env:
          T: ${{ github.event.pull_request.title }}
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: echo
        """
    )
    assert _origin(flow, _step(view, "a", 0), "${{ env.T }}").level == "safe"


def test_cached_on_the_view_and_answers_reused():
    view, flow = _flow(ENV_WORKFLOW)
    assert dataflow.for_view(view) is flow
    step = _step(view, "a", 1)
    first = _origin(flow, step, "${{ env.AGAIN }}")
    assert _origin(flow, step, "${{ env.AGAIN }}").hops[1] is first.hops[1]


def test_cycles_and_long_chains_end_in_opaque():
    jobs = ["on: issues", "jobs:"]
    count = 400
    for index in range(count):
        source = "${{ github.event.issue.title }}" if index == 0 else f"${{{{ needs.j{index - 1}.outputs.x }}}}"
        jobs += [f"  j{index}:", "    runs-on: ubuntu-latest", "    outputs:", f"      x: {source}", "    steps: [{run: echo}]"]
    jobs += ["  a:", "    runs-on: ubuntu-latest", "    outputs:", "      x: ${{ needs.b.outputs.x }}", "    steps: [{run: echo}]"]
    jobs += ["  b:", "    runs-on: ubuntu-latest", "    outputs:", "      x: ${{ needs.a.outputs.x }}", "    steps: [{run: echo}]"]
    view, flow = _flow("\n".join(jobs) + "\n")
    step = _step(view, "a", 0)
    assert _origin(flow, step, "${{ needs.a.outputs.x }}").level == "opaque"
    near = _origin(flow, step, "${{ needs.j5.outputs.x }}")
    assert near.untrusted and len(near.hops) == 6
    assert _origin(flow, step, f"${{{{ needs.j{count - 1}.outputs.x }}}}").level == "opaque"  # beyond MAX_DEPTH


def test_hostile_shapes_do_not_raise():
    view, flow = _flow(
        """
        on: issues
        env: [not, a, map]
        jobs:
          a:
            runs-on: ubuntu-latest
            strategy: {matrix: [1, 2]}
            outputs: just text
            env: {X: {nested: map}}
            steps:
              - id: [odd]
                run: echo
              - uses: frabert/replace-string-action@v2
                with: not-a-map
                id: r
              - run: echo
        """
    )
    step = _step(view, "a", 2)
    for text in ("${{ env.X }}", "${{ matrix.x }}", "${{ steps.r.outputs.replaced }}", "${{ needs.a.outputs.x }}",
                 "${{ steps.odd.outputs.x }}", "${{ env.Y }}"):
        assert _origin(flow, step, text).level in ("safe", "opaque")


def test_action_table_is_data_loaded_on_first_use():
    assert dataflow.code_inputs("actions/github-script") == {"script": "js"}
    assert dataflow.code_inputs("mikefarah/yq")["cmd"] == "shell"
    assert dataflow.code_inputs("appleboy/ssh-action")["script"] == "ssh"
    assert dataflow.code_inputs("actions/checkout") == {}
    assert dataflow.code_inputs(None) == {}
    source = Path(dataflow.__file__).read_text(encoding="utf-8")
    assert "action_table()" not in source.split("def action_table", 1)[0]  # not called at import


# --- the readers the data flow is built on -------------------------------------------------------


@pytest.mark.parametrize(
    "script, target, value",
    [
        ('F=$GITHUB_ENV\necho "X=$T" >> $F', "GITHUB_ENV", '$T"'),
        ('export OUT="${GITHUB_OUTPUT}"\necho "x=1" >> "$OUT"', "GITHUB_OUTPUT", '1"'),
        ('tee -a "$GITHUB_OUTPUT" <<< "x=$T"', "GITHUB_OUTPUT", '$T"'),
        ('Add-Content $Env:GITHUB_ENV "X=$env:T"', "GITHUB_ENV", '$env:T"'),
        ('Set-Content -Path $env:GITHUB_ENV -Value "X=$b"', "GITHUB_ENV", '$b"'),
        ('$f = $env:GITHUB_ENV\nAdd-Content -Path $f -Value "X=1"', "GITHUB_ENV", '1"'),
        ("echo X=%T%>> %GITHUB_ENV%", "GITHUB_ENV", "%T%"),
        ('echo "::set-output name=x::$T"', "GITHUB_OUTPUT", '$T"'),
    ],
)
def test_env_file_writes(script, target, value):
    found = entries(writes(script), target)
    assert found and "".join(part.text for part in found[0].parts) == value


def test_unmatched_lines_and_blocks_of_file_content():
    unmatched: list = []
    found = entries(writes('echo "$BODY" >> "$GITHUB_OUTPUT"\necho "K<<EOF" >> $GITHUB_OUTPUT\ncat f >> $GITHUB_OUTPUT\necho EOF >> $GITHUB_OUTPUT'), "GITHUB_OUTPUT", unmatched)
    assert [part.text for part in unmatched] == ['"$BODY"']
    assert found[0].name == "K" and [part.kind for part in found[0].parts] == ["file"]


def test_shell_reader_notes_conditional_commands_and_loops():
    commands = parse("A=1\nif x; then B=2; fi\nC=3 && D=4\nfor i in a b; do E=5; done\ncase $x in a) F=6 ;; esac\nG=7")
    conditional = {word.text.split("=")[0]: command.conditional for command in commands for word in command.assignments}
    assert conditional == {"A": False, "B": True, "C": False, "D": True, "E": True, "F": True, "G": False}
    assert [command.loop_header for command in commands if command.loop_header] == ["for"]


def test_variable_reference_dialects():
    assert [ref[0] for ref in variable_refs('"$env:A ${env:B} $c"', "pwsh")] == ["A", "B", "c"]
    assert [ref[0] for ref in variable_refs("echo %A% !B!", "cmd")] == ["A", "B"]
    assert [ref[0] for ref in variable_refs("echo '$A' \"$B\"")] == ["B"]


def test_no_compile_at_import(monkeypatch):
    import re

    for name in [name for name in sys.modules if name == "cicdlint.dataflow"]:
        monkeypatch.delitem(sys.modules, name)
    calls = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs))
    import cicdlint.dataflow  # noqa: F401

    assert calls == []
