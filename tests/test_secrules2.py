"""Shared pieces and options of the second security pack: expression sites and call spans, the
opt-in pedantic rules, rule options, and odd shapes that must not crash a rule."""
from __future__ import annotations

import textwrap

import pytest

from cicdlint.config import Settings
from cicdlint.engine import lint_file, load_rules
from cicdlint.expressions import call_spans
from cicdlint.rule import REGISTRY

load_rules()

PACK = (
    "concurrency-limits", "anonymous-definition", "undocumented-permissions", "github-app-token", "dependabot-execution",
    "dependabot-cooldown", "unsound-contains", "unsound-ternary", "unredacted-secrets", "secret-exfiltration",
    "reverse-shell", "untyped-dispatch-input",
)


def lint(tmp_path, text, rule_id, name=".github/workflows/ci.yml", **settings):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    findings, _, _ = lint_file(path, path.name, True, Settings(root=tmp_path, **settings))
    return [f for f in findings if f.rule_id in (rule_id, "internal-error")]


# --- call spans ------------------------------------------------------------------------------


def test_call_spans_in_textual_order_skipping_strings():
    text = "x ${{ contains('contains(a)', b) || !CONTAINS (c, format('{0}', contains(d, e))) }}"
    spans = call_spans(text, 0, len(text), "contains")
    assert [text[start:end] for start, end in spans] == [
        "contains('contains(a)', b)",
        "CONTAINS (c, format('{0}', contains(d, e)))",
        "contains(d, e)",
    ]


def test_call_spans_need_a_call_and_a_word_boundary():
    text = "notcontains(a) x.contains(b) contains c"
    assert call_spans(text, 0, len(text), "contains") == []


def test_unclosed_call_ends_at_the_limit():
    text = "fromJSON(secrets.X"
    assert call_spans(text, 0, len(text), "fromjson") == [(0, len(text))]


# --- opt-in rules ---------------------------------------------------------------------------

UNNAMED = """\
    on: push
    permissions:
      contents: write
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: make
    """


@pytest.mark.parametrize("rule_id", ["anonymous-definition", "undocumented-permissions"])
def test_pedantic_rules_are_opt_in(tmp_path, rule_id):
    assert not REGISTRY[rule_id].default_enabled
    assert "pedantic" in REGISTRY[rule_id].tags
    assert lint(tmp_path, UNNAMED, rule_id) == []
    assert lint(tmp_path, UNNAMED, rule_id, select=["*"]) == []
    assert lint(tmp_path, UNNAMED, rule_id, select=[rule_id])
    assert lint(tmp_path, UNNAMED, rule_id, rules={rule_id: {"enabled": True}})


@pytest.mark.parametrize("rule_id", [rule for rule in PACK if rule not in ("anonymous-definition", "undocumented-permissions")])
def test_security_rules_are_on_by_default(rule_id):
    rule = REGISTRY[rule_id]
    assert rule.default_enabled and "security" in rule.tags and rule.security_severity is not None


# --- options -------------------------------------------------------------------------------

PUSH = """\
    name: CI
    on: [push, workflow_call]
    jobs:
      test:
        name: Test
        runs-on: ubuntu-latest
        steps:
          - run: make test
    """


def test_concurrency_limits_events_option(tmp_path):
    assert lint(tmp_path, PUSH, "concurrency-limits", select=["concurrency-limits"]) == []
    found = lint(tmp_path, PUSH, "concurrency-limits", select=["concurrency-limits"],
                 rules={"concurrency-limits": {"events": ["*"]}})
    assert [(f.span.start_line, f.severity) for f in found] == [(2, "note")]
    found = lint(tmp_path, PUSH, "concurrency-limits", select=["concurrency-limits"],
                 rules={"concurrency-limits": {"events": ["push"]}})
    assert len(found) == 1 and "`push`" in found[0].message


def test_undocumented_permissions_include_read(tmp_path):
    text = """\
        name: CI
        on: push
        permissions:
          contents: read
          issues: read
          actions: none
        jobs: {}
        """
    rule = "undocumented-permissions"
    assert lint(tmp_path, text, rule, select=[rule]) == []
    found = lint(tmp_path, text, rule, select=[rule], rules={rule: {"include-read": True}})
    assert [f.span.start_line for f in found] == [5]


def test_undocumented_permissions_directive_is_not_an_explanation(tmp_path):
    text = """\
        name: CI
        on: push
        permissions:
          contents: write # zizmor: ignore[excessive-permissions]
          issues: write # zizmor: ignore[excessive-permissions] comments on the issue
        jobs: {}
        """
    rule = "undocumented-permissions"
    assert [f.span.start_line for f in lint(tmp_path, text, rule, select=[rule])] == [4]


def test_dependabot_cooldown_min_days(tmp_path):
    text = """\
        version: 2
        updates:
          - package-ecosystem: npm
            directory: /
            cooldown:
              default-days: 3
        """
    rule = "dependabot-cooldown"
    assert len(lint(tmp_path, text, rule, name=".github/dependabot.yml", select=[rule])) == 1
    assert lint(tmp_path, text, rule, name=".github/dependabot.yml", select=[rule], rules={rule: {"min-days": 3}}) == []


def test_dependabot_cooldown_checks_every_update(tmp_path):
    # zizmor stops at the first update whose cooldown is long enough.
    text = """\
        version: 2
        updates:
          - package-ecosystem: npm
            directory: /
            cooldown: {default-days: 7}
          - package-ecosystem: pip
            directory: /
        """
    rule = "dependabot-cooldown"
    assert [f.span.start_line for f in lint(tmp_path, text, rule, name=".github/dependabot.yml", select=[rule])] == [6]


# --- odd shapes ----------------------------------------------------------------------------

ODD = [
    "on: pull_request_target\njobs: [1, 2]\nconcurrency: [x]\npermissions: [write-all]\n",
    "on: {workflow_dispatch: {inputs: [a, b]}, pull_request_target: ~}\njobs:\n  a: x\n  b:\n    steps: {run: 1}\n",
    "on: {workflow_dispatch: {inputs: {a: [1], b: ~, c: {options: x}}}}\njobs:\n  a:\n    permissions: {contents: [write]}\n"
    "    concurrency: {}\n    steps:\n      - uses: actions/create-github-app-token@v2\n        with: [owner]\n"
    "      - uses: tibdex/github-app-token@v2\n        with: ~\n      - run: [curl]\n"
    "      - run: \"curl -d @- -H ${{ secrets }} -T\"\n        env: [x]\n"
    "      - run: \"nc -e\\nsocat exec:\\nbash -i >& /dev/tcp/\\nexec 3<>/dev/tcp/x/1; sh <&\"\n"
    "      - run: echo ${{ contains('a', ) }} ${{ a && || b }} ${{ fromJSON( }} ${{ fromJSON(secrets.X)[ }}\n",
]


@pytest.mark.parametrize("text", ODD)
def test_odd_workflows_do_not_crash(tmp_path, text):
    path = tmp_path / ".github" / "workflows" / "odd.yml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    findings, _, _ = lint_file(path, path.name, True, Settings(root=tmp_path, select=list(PACK)))
    assert not [f for f in findings if f.rule_id == "internal-error"], [f.message for f in findings]


@pytest.mark.parametrize("text", [
    "version: 2\nupdates: x\n",
    "version: 2\nupdates:\n  - ~\n  - [a]\n  - {cooldown: [1], insecure-external-code-execution: [allow]}\n"
    "  - {cooldown: {default-days: [7]}, open-pull-requests-limit: [0]}\n  - {cooldown: ~}\n",
])
def test_odd_dependabot_files_do_not_crash(tmp_path, text):
    path = tmp_path / ".github" / "dependabot.yml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    findings, _, _ = lint_file(path, path.name, True, Settings(root=tmp_path, select=list(PACK)))
    assert not [f for f in findings if f.rule_id == "internal-error"], [f.message for f in findings]
