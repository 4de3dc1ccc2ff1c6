"""cicdlint.actions: versions named by `uses:`, the table of popular actions, local action and
reusable workflow interfaces; and scripts/gen_action_inputs.py, which builds the table."""
from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path

import pytest

from cicdlint import actions
from cicdlint.loaders import load

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_action_inputs", ROOT / "scripts" / "gen_action_inputs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "ref, key, numbers",
    [
        ("v4", "v4", (4,)),
        ("v4.1.2", "v4", (4, 1, 2)),
        ("4.1", "v4", (4, 1)),
        ("V3.0", "v3", (3, 0)),
        ("v2.x", "v2", (2,)),
        ("release/v1", "v1", (1,)),
        ("releases/v2", "v2", (2,)),
        ("login-to-gar/v1.0.3", "v1", (1, 0, 3)),
        ("get-vault-secrets-v1.1.0", "v1", (1, 1, 0)),
        ("v6-beta", "v6", (6,)),
        ("2026.08.14.1", "v2026", (2026, 8, 14, 1)),
        ("main", None, None),
        ("stable", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_version_key(ref, key, numbers):
    assert actions.version_key(ref) == key
    assert actions.version_tuple(ref) == numbers


@pytest.mark.parametrize(
    "comment, ref",
    [
        ("# v4.2.2", "v4.2.2"),
        ("#v4", "v4"),
        ("# tag=v4.2.2", "v4.2.2"),
        ("# pin@v4.1.0", "v4.1.0"),
        ("# ratchet:actions/checkout@v4", "v4"),
        ("# login-to-gar/v1.0.3", "login-to-gar/v1.0.3"),
        ("# v4.2.2 (2024-10-23)", "v4.2.2"),
        ("# v4.2.2 # expect: x", "v4.2.2"),
        ("# main", None),
        ("# pinned by renovate", None),
        ("#", None),
        (None, None),
    ],
)
def test_comment_ref(comment, ref):
    assert actions.comment_ref(comment) == ref


def test_newer_release_ignores_patches_above_one():
    assert actions.newer_release((4, 5, 0), (4, 4, 0))
    assert not actions.newer_release((4, 4, 9), (4, 4, 0))
    assert not actions.newer_release((4,), (4, 4, 0))
    assert actions.newer_release((0, 0, 26), (0, 0, 25))  # below 1.0 every digit counts one further
    assert not actions.newer_release((0, 5, 2, 1), (0, 5, 2))


def test_lookup_names_the_version_of_a_tag_a_comment_or_a_branch():
    exact = actions.lookup("actions/checkout@v4")
    assert exact.exact and exact.label == "actions/checkout@v4" and not exact.stale
    pinned = actions.lookup("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", "# v4.2.2")
    assert pinned.exact and pinned.label == "actions/checkout@v4.2.2"
    branch = actions.lookup("actions/checkout@main")
    assert branch.exact and branch.version == "main"
    bare = actions.lookup("actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683")
    assert not bare.exact and len(bare.versions) > 1
    assert actions.lookup("Actions/Checkout@v4").exact  # owner and name are case-insensitive
    newer = actions.lookup("actions/checkout@v999")  # a major newer than the table's
    assert newer.newer_major and newer.stale and newer.deprecation("fetch-depth") is None
    assert actions.lookup("someone/unknown@v1") is None
    assert actions.lookup("actions/checkout") is None
    assert actions.lookup("actions/checkout@${{ matrix.ref }}") is None


def test_inputs_are_case_insensitive_and_checked_against_the_named_version():
    v4 = actions.lookup("actions/checkout@v4")
    assert not v4.unknown_input("Fetch-Depth")
    assert v4.unknown_input("fetch_depth")
    assert v4.unknown_input("args")  # a JavaScript action: `args` is for Docker actions
    assert actions.close_matches("fetch_depth", v4.input_names()) == ["fetch-depth"]
    # `version` is an input of actions/setup-node v1 and v2 only.
    assert actions.lookup("actions/setup-node@v6").unknown_input("version")
    assert not actions.lookup("actions/setup-node@v1").unknown_input("version")
    bare = actions.lookup("actions/setup-node@0123456789abcdef0123456789abcdef01234567")
    assert not bare.unknown_input("version")  # some version has it


def test_a_version_newer_than_the_table_is_not_checked_for_names():
    newer = actions.lookup("actions/checkout@v4.99.0")
    assert newer.exact and newer.stale
    assert not newer.unknown_input("an-input-added-since")
    assert not newer.unknown_output("an-output-added-since")
    assert newer.required_inputs() == []
    # ...but a spelling variant of a known name is still a mistake.
    assert newer.unknown_input("fetch_depth") and newer.unknown_input("depth-fetch")
    assert newer.unknown_output("commit_") and not newer.unknown_output("COMMIT") and not newer.unknown_output("sbom")
    assert actions.variant_of("node_version", ["node-version", "cache"]) == "node-version"
    assert actions.variant_of("node-version", ["node-version"]) is None


def test_required_and_deprecated_inputs():
    credentials = actions.lookup("aws-actions/configure-aws-credentials@v4")
    assert [declared.name for declared in credentials.required_inputs()] == ["aws-region"]
    assert actions.lookup("docker/setup-buildx-action@v3").deprecation("CONFIG") == "Use buildkitd-config instead"
    assert actions.lookup("docker/setup-buildx-action@v3").deprecation("buildkitd-config") is None


def test_table_is_one_action_a_line_and_valid_json():
    content = actions.DATA.read_text(encoding="utf-8")
    table = json.loads(content)
    assert table["schema"] == 2
    names = [name for name in table if name not in ("schema", "index")]
    assert len(names) >= 100
    for prefix in ("actions/checkout", "aws-actions/configure-aws-credentials", "docker/build-push-action",
                   "github/codeql-action/init"):
        assert prefix in names
    lines = content.split("\n")
    assert len(lines) == len(names) + 3  # the opening line, one line per action, "}" and the final newline
    assert set(actions._lines()) == set(names) == set(table["index"])
    content_bytes, base, index = actions._index()
    for name, (start, end) in list(index.items())[:50]:
        assert json.loads(content_bytes[base + start : base + end]) == table[name]


def test_table_is_read_only_when_a_document_uses_an_action():
    code = textwrap.dedent(
        """
        import sys
        from cicdlint import actions
        from cicdlint.engine import load_rules
        load_rules()
        assert actions._index.cache_info().currsize == 0, "read at import"
        """
    )
    import subprocess

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def _doc(tmp_path, name, content):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(content), encoding="utf-8")
    return load(path, name, True)


def test_action_interface_of_odd_shapes(tmp_path):
    odd = actions.action_interface(_doc(tmp_path, "a/action.yml", "name: x\ninputs: [a, b]\nruns: 3\n"))
    assert odd.inputs is None  # a shape we do not read: anything goes
    empty = actions.action_interface(_doc(tmp_path, "b/action.yml", "name: x\nruns: {using: node20, main: x.js}\n"))
    assert empty.inputs == {} and empty.outputs is None  # a JavaScript action may set any output
    composite = actions.action_interface(_doc(tmp_path, "c/action.yml", """\
        name: x
        inputs:
          A: {required: true}
          b: {required: true, default: ""}
          c: {deprecationMessage: use d}
          d:
        outputs: {Out: {value: x}}
        runs: {using: composite, steps: []}
        """))
    assert composite.inputs["a"].required and not composite.inputs["b"].required
    assert composite.inputs["c"].deprecated == "use d" and composite.inputs["d"].deprecated is None
    assert composite.outputs == {"out": "Out"}


def test_workflow_interface(tmp_path):
    assert actions.workflow_interface(_doc(tmp_path, ".github/workflows/a.yml", "on: push\njobs: {}\n")) is None
    assert actions.workflow_interface(_doc(tmp_path, ".github/workflows/b.yml", "on: workflow_call\njobs: {}\n")).inputs == {}
    assert actions.workflow_interface(_doc(tmp_path, ".github/workflows/c.yml", "on: [push, workflow_call]\njobs: {}\n")) is not None
    called = actions.workflow_interface(_doc(tmp_path, ".github/workflows/d.yml", """\
        on:
          workflow_call:
            inputs:
              Flag: {type: boolean, required: true}
              n: {type: number, required: true, default: 1}
            secrets:
              token: {required: true}
            outputs:
              url: {value: x}
        jobs: {}
        """))
    assert called.inputs["flag"].required and called.inputs["flag"].type == "boolean"
    assert not called.inputs["n"].required
    assert called.secrets["token"].required
    assert called.outputs == {"url": "url"}
    odd = actions.workflow_interface(_doc(tmp_path, ".github/workflows/e.yml", "on: {workflow_call: {inputs: [x]}}\njobs: {}\n"))
    assert odd.inputs is None and odd.secrets is None


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(content), encoding="utf-8")


def test_build_merges_the_tags_of_a_major_version(tmp_path):
    generator = _generator()
    base = tmp_path / "ymls" / "acme" / "tool"
    _write(base / "@v1.0.0" / "action.yml", """\
        inputs:
          old: {required: true}
          token: {required: true}
        outputs: {a: {description: x}}
        runs: {using: node20, main: x.js}
        """)
    _write(base / "@v1.2.0" / "action.yml", """\
        inputs:
          token: {required: true}
          old: {deprecationMessage: "Use   `new`\\n instead."}
          new: {default: x}
        outputs: {b: {description: x}}
        runs: {using: node20, main: x.js}
        """)
    _write(base / "v2" / "action.yml", "inputs: {token: {}}\nruns: {using: docker, image: Dockerfile}\n")
    _write(base / "@main" / "action.yml", "inputs: {token: {}, extra: {}}\nruns: {using: docker, image: Dockerfile}\n")
    _write(base / "@~0" / "action.yml", "inputs: {historic: {}}\nruns: {using: docker, image: Dockerfile}\n")
    (base / "@outputs.json").write_text(json.dumps({"names": ["set-in-code"]}), encoding="utf-8")
    usage = tmp_path / "actions.txt"
    usage.write_text("acme/tool 3 v1.5.0,v2\n", encoding="utf-8")
    output = tmp_path / "table.json"
    generator.main(["build", str(tmp_path / "ymls"), "-o", str(output), "--usage", str(usage)])
    table = json.loads(output.read_text(encoding="utf-8"))
    entry = table["acme/tool"]
    assert set(entry["v"]) == {"v1", "v2", "@main"}
    v1 = entry["s"][entry["v"]["v1"]]
    assert v1["i"] == {"new": 2, "old": 4, "token": 1}  # old: required in one tag only; deprecated by the newest
    assert v1["d"] == {"old": "Use `new` instead."}
    assert v1["o"] == ["a", "b", "set-in-code"]
    assert entry["s"][entry["v"]["v2"]]["k"] == "docker"
    assert entry["n"] == {"v1": "1.2.0", "v2": "2"}
    assert entry["st"] == ["v1"]  # the usage names v1.5.0, newer than the files
    history = entry["s"][entry["h"]]
    assert {"historic", "extra", "token", "old", "new"} <= set(history["i"])


def test_select_and_collect_from_a_git_mirror(tmp_path):
    import subprocess

    generator = _generator()
    work = tmp_path / "acme+tool" / "repo"
    work.mkdir(parents=True)

    def git(*args):
        subprocess.run(["git", "-C", str(work), *args], check=True, capture_output=True,
                       env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                            "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})

    git("init", "-q", "-b", "main")
    _write(work / "action.yml", "inputs: {a: {}}\nruns: {using: node20, main: index.js}\n")
    _write(work / "index.js", "core.setOutput('result', 1)\n")
    git("add", "-A")
    git("commit", "-qm", "one")
    git("tag", "v1.0.0")
    _write(work / "action.yml", "inputs: {a: {}, b: {}}\nruns: {using: node20, main: index.js}\n")
    git("commit", "-qam", "two")
    _write(work / "action.yml", "inputs: {c: {}}\nruns: {using: node20, main: index.js}\n")
    git("commit", "-qam", "three")
    corpus = tmp_path / "corpus" / ".github" / "workflows"
    _write(corpus / "ci.yml", "jobs:\n  a:\n    steps:\n      - uses: acme/tool@0123456789abcdef0123456789abcdef01234567 # v1.0.0\n")
    selection = tmp_path / "actions.txt"
    from contextlib import redirect_stdout
    import io

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        generator.main(["select", str(tmp_path / "corpus"), "--top", "5"])
    selection.write_text(buffer.getvalue(), encoding="utf-8")
    assert buffer.getvalue().split() == ["acme/tool", "1", "v1.0.0"]
    out = tmp_path / "ymls"
    generator.main(["collect", str(selection), "--mirrors", str(tmp_path), "--out", str(out)])
    assert (out / "acme" / "tool" / "@v1.0.0" / "action.yml").is_file()
    assert (out / "acme" / "tool" / "@main" / "action.yml").is_file()
    history = sorted(path.read_text() for path in out.glob("acme/tool/@~*/action.yml"))
    assert any("b: {}" in text for text in history)  # the commit between the tag and the branch
    assert json.loads((out / "acme" / "tool" / "@outputs.json").read_text()) == {"names": ["result"]}


def test_scan_outputs_reads_literal_names():
    generator = _generator()
    names = generator.scan_outputs({
        "a.js": "core.setOutput('digest', d); core.setOutput(`json`, j); core.setOutput(name, v)",
        "b.sh": 'echo "version=$V" >> "$GITHUB_OUTPUT"\necho "notes<<EOF" >> $GITHUB_OUTPUT\necho "${k}=1" >> $GITHUB_OUTPUT',
        "c.py": "print('::set-output name=legacy::1')",
    })
    assert names == ["digest", "json", "version", "notes", "legacy"]


RULES = ("unknown-action-input", "missing-action-input", "deprecated-action-input", "unknown-action-output",
         "unknown-workflow-input", "missing-workflow-input", "workflow-input-type", "unknown-workflow-secret",
         "missing-workflow-secret", "unknown-workflow-output", "missing-local-action", "missing-local-workflow",
         "invalid-docker-action")

HOSTILE = [
    "on: push\njobs: [1, 2]\n",
    "on: push\njobs:\n  a: 1\n  b: {steps: {x: 1}}\n  c: {uses: {x: 1}, with: [1], secrets: [1]}\n",
    "on: push\njobs:\n  a:\n    runs-on: [ubuntu-latest]\n    steps:\n      - uses: [actions/checkout@v4]\n      - uses: 12\n"
    "      - uses: actions/checkout@v4\n        with: [a, b]\n      - uses: actions/checkout@v4\n        with: \"x\"\n"
    "      - uses: aws-actions/configure-aws-credentials@v4\n        with: ${{ fromJSON(vars.X) }}\n"
    "      - {uses: ./../../../etc, with: {a: 1}}\n      - uses: \"./\\0x\"\n      - uses: docker://\n"
    "      - if: {a: 1}\n        run: echo ${{ steps.x.outputs }} ${{ steps..outputs.y }} ${{ steps['a'].outputs[ }}\n",
    "on: push\njobs:\n  a:\n    uses: ./.github/workflows/../../../../etc/passwd.yml\n  b:\n    uses: ./.github/workflows/self.yml\n"
    "    with: {x: [1]}\n    secrets: {y: {z: 1}}\n  c:\n    needs: [b]\n    runs-on: ubuntu-latest\n    if: needs.b.outputs.x\n"
    "    steps: [{run: \"${{ needs.b.outputs['y'] }}\"}]\n",
]


@pytest.mark.parametrize("content", HOSTILE)
def test_hostile_shapes_never_raise(tmp_path, content):
    from cicdlint.config import Settings
    from cicdlint.engine import lint_file, load_rules

    load_rules()
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    path = root / ".github" / "workflows" / "self.yml"
    _write(path, content)
    _write(root / "action.yml", "name: x\nruns: {using: composite, steps: [1, {uses: 3}]}\noutputs: [1]\n")
    for target in (path, root / "action.yml"):
        findings, _, _ = lint_file(target, target.name, True, Settings(select=list(RULES), root=root))
        assert not [f for f in findings if f.rule_id == "internal-error"], [f.message for f in findings]


def test_many_jobs_calling_a_workflow_is_linear(tmp_path):
    from cicdlint.config import Settings
    from cicdlint.engine import lint_file, load_rules

    load_rules()
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    _write(root / ".github" / "workflows" / "called.yml",
           "on:\n  workflow_call:\n    inputs: {a: {type: string, required: true}}\n    outputs: {o: {value: x}}\njobs: {}\n")
    jobs = "".join(
        f"  j{i}:\n    uses: ./.github/workflows/called.yml\n    with: {{b: 1}}\n" for i in range(3000)
    )
    jobs += "  last:\n    runs-on: ubuntu-latest\n    needs: [j1]\n    steps:\n" + "".join(
        f"      - run: echo ${{{{ needs.j{i}.outputs.p }}}}\n" for i in range(3000)
    )
    path = root / ".github" / "workflows" / "many.yml"
    _write(path, "on: push\njobs:\n" + jobs)
    findings, _, _ = lint_file(path, path.name, True, Settings(select=list(RULES), root=root))
    counts = {rule: sum(1 for f in findings if f.rule_id == rule) for rule in RULES}
    assert counts["unknown-workflow-input"] == 3000
    assert counts["missing-workflow-input"] == 3000
    assert counts["unknown-workflow-output"] == 3000


def test_table_is_not_read_for_a_workflow_without_remote_actions(tmp_path):
    from cicdlint.config import Settings
    from cicdlint.engine import lint_file, load_rules

    load_rules()
    path = tmp_path / ".github" / "workflows" / "ci.yml"
    _write(path, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ steps.x.outputs.y }}\n"
                 "      - uses: ./.github/actions/local\n      - uses: docker://alpine:3\n")
    actions._index.cache_clear()
    lint_file(path, "ci.yml", True, Settings(select=list(RULES), root=tmp_path))
    assert actions._index.cache_info().currsize == 0
    _write(path, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n")
    lint_file(path, "ci.yml", True, Settings(select=list(RULES), root=tmp_path))
    assert actions._index.cache_info().currsize == 1


def test_collect_can_download(tmp_path, monkeypatch):
    """The network mode: refs from `git ls-remote`, files from raw.githubusercontent.com (both
    stubbed here), history from the GitHub API."""
    generator = _generator()
    files = {
        ("c1", "action.yml"): "inputs: {a: {}}\nruns: {using: node20, main: x.js}\n",
        ("c2", "action.yml"): "inputs: {a: {}, b: {}}\nruns: {using: node20, main: x.js}\n",
        ("c0", "action.yml"): "inputs: {old: {}}\nruns: {using: node20, main: x.js}\n",
    }
    monkeypatch.setattr(generator, "_ls_remote", lambda repo: ({"v1.0.0": "c1", "main": "c2", "feature": "c9"}, "main"))
    monkeypatch.setattr(generator, "_download", lambda repo, commit, path: files.get((commit, path)))
    monkeypatch.setattr(generator, "_api_history", lambda repo, branch, paths: ["c2", "c0"])
    selection = tmp_path / "actions.txt"
    selection.write_text("acme/tool 2 v1.0.0\n", encoding="utf-8")
    out = tmp_path / "ymls"
    generator.main(["collect", str(selection), "--download", "--out", str(out)])
    written = sorted(path.parent.name for path in out.glob("acme/tool/*/action.yml"))
    assert written == ["@main", "@v1.0.0", "@~0", "@~1"]
    assert "old" in (out / "acme" / "tool" / "@~1" / "action.yml").read_text()
