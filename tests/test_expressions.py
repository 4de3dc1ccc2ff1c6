"""The `${{ }}` finder, tokenizer, parser and what an expression reads and lets flow."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cicdlint import expressions
from cicdlint.expressions import (
    Access, Binary, Call, Context, Literal, Not, ParseError, Star, analyse, find_expressions, parse,
    reads_secret, secret_names, tokenize,
)
from cicdlint.loaders import Document
from cicdlint.yamlpos import compose


def one(text: str):
    found = find_expressions(text)
    assert len(found) == 1, found
    return found[0]


# --- finding expressions --------------------------------------------------------------------------


def test_spans_are_offsets_in_the_string():
    text = "echo ${{ github.sha }} and ${{ inputs.name }}"
    first, second = find_expressions(text)
    assert text[first.start : first.end] == "${{ github.sha }}"
    assert text[second.start : second.end] == "${{ inputs.name }}"
    assert first.body == "github.sha"
    assert second.length == len("${{ inputs.name }}")


def test_closing_braces_inside_a_string_do_not_end_the_expression():
    text = "x ${{ format('}}{0}', github.event.issue.title) }} y"
    expr = one(text)
    assert text[expr.end - 2 : expr.end] == "}}"
    assert expr.body == "format('}}{0}', github.event.issue.title)"
    assert expr.contexts() == ["github.event.issue.title"]


def test_quote_outside_an_expression_is_ignored():
    text = "echo '${{ github.actor }}' it's ${{ github.sha }}"
    assert [expr.body for expr in find_expressions(text)] == ["github.actor", "github.sha"]


def test_unterminated_expression_is_not_reported_and_does_not_raise():
    assert find_expressions("echo ${{ github.sha") == []
    assert [e.body for e in find_expressions("${{ a }} ${{ b")] == ["a"]


def test_unclosed_quote_falls_back_to_first_closing_braces():
    expr = one("echo ${{ 'abc }} tail")
    assert expr.body == "'abc"
    assert not expr.parsed


def test_located_in_a_block_scalar():
    text = textwrap.dedent(
        """\
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: |
                  echo start
                  echo "${{ github.event.issue.title }}"
        """
    )
    composed = compose(text)
    doc = Document(path="ci.yml", abspath=Path("ci.yml"), text=text, composed=composed, kind="workflow")
    run = doc.root.get("jobs").get("build").get("steps").items[0].get("run")
    expr = one(run.value)
    span = composed.locate(run, expr.start, expr.length)
    assert (span.start_line, span.start_col) == (8, 17)
    assert text[span.start_offset : span.end_offset] == "${{ github.event.issue.title }}"


# --- tokenizer and parser -----------------------------------------------------------------------


def test_tokens():
    assert tokenize("a.b == 'it''s' && !c[0] || 0x1F >= -1.5e3") == [
        ("name", "a"), ("op", "."), ("name", "b"), ("op", "=="), ("string", "'it''s'"), ("op", "&&"),
        ("op", "!"), ("name", "c"), ("op", "["), ("number", "0"), ("op", "]"), ("op", "||"),
        ("number", "0x1F"), ("op", ">="), ("number", "-1.5e3"),
    ]


@pytest.mark.parametrize(
    "body, value",
    [("null", None), ("true", True), ("false", False), ("42", 42), ("-7", -7), ("0xff", 255),
     ("1.5", 1.5), ("2e3", 2000.0), ("'it''s'", "it's"), ("''", "")],
)
def test_literals(body, value):
    assert parse(body) == Literal(value)


def test_precedence():
    tree = parse("a.x == 'x' && !b.y || c.z")
    assert isinstance(tree, Binary) and tree.op == "||"
    left = tree.left
    assert left.op == "&&"
    assert left.left == Binary("==", Access(Context("a"), Literal("x")), Literal("x"))
    assert left.right == Not(Access(Context("b"), Literal("y")))


def test_comparison_binds_tighter_than_equality():
    tree = parse("1 < 2 == true")
    assert tree.op == "==" and tree.left.op == "<"


def test_parentheses_and_calls():
    tree = parse("(inputs.a || 'x') && startsWith(github.ref, 'refs/tags/')")
    assert tree.op == "&&"
    assert tree.left.op == "||"
    assert tree.right == Call("startswith", (Access(Context("github"), Literal("ref")), Literal("refs/tags/")))


def test_filters_and_indexes():
    assert parse("a.*.b") == Access(Access(Context("a"), Star()), Literal("b"))
    assert parse("a[*]") == Access(Context("a"), Star())
    assert parse("a['b-c']") == Access(Context("a"), Literal("b-c"))
    assert parse("fromJSON(x).y") == Access(Call("fromjson", (Context("x"),)), Literal("y"))


def test_call_without_arguments():
    assert parse("success()") == Call("success", ())


@pytest.mark.parametrize("body", ["", "a ||", "(a", "a b", "f(a,", "a[1", "'open", "a.", "a == == b", "#"])
def test_parse_errors(body):
    with pytest.raises(ParseError):
        parse(body)


def test_deep_nesting_does_not_raise():
    body = "!" * 5000 + "github.event.issue.title"
    analysis = analyse(body)
    assert analysis.contexts == ("github.event.issue.title",)


# --- contexts read ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, paths",
    [
        ("github.event.issue.title", ["github.event.issue.title"]),
        ("github['event']['issue'].title", ["github.event.issue.title"]),
        ("github.event.commits[0].message", ["github.event.commits.*.message"]),
        ("github.event.pull_request.labels.*.name", ["github.event.pull_request.labels.*.name"]),
        ("steps.build-image.outputs.tag", ["steps.build-image.outputs.tag"]),
        ("needs.setup.outputs['version']", ["needs.setup.outputs.version"]),
        ("contains(github.event.pull_request.labels.*.name, 'deploy') && env.STAGE == 'prod'",
         ["github.event.pull_request.labels.*.name", "env.STAGE"]),
        ("format('{0}-{1}', matrix.os, inputs.version)", ["matrix.os", "inputs.version"]),
        ("GitHub.Event.Issue.Title", ["github.event.issue.title"]),
        ("Steps.Build.Outputs.Tag || Needs.Setup.Result", ["steps.Build.outputs.Tag", "needs.Setup.result"]),
        ("github.event.Inputs.Name", ["github.event.inputs.Name"]),
        ("secrets[inputs.name]", ["secrets.*", "inputs.name"]),
        ("'github.event.issue.title'", []),
        ("unknownthing.x", []),
        ("github.sha || github.sha", ["github.sha"]),
    ],
)
def test_contexts(body, paths):
    assert one("${{ " + body + " }}").contexts() == paths


def test_fallback_extracts_contexts_with_a_regex():
    expr = one("${{ github.event.issue.title || }}")
    assert not expr.parsed
    assert expr.tree is None
    assert expr.contexts() == ["github.event.issue.title"]
    assert expr.flowing_contexts() == ["github.event.issue.title"]


# --- flowing contexts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, flowing",
    [
        ("github.event.issue.title", ["github.event.issue.title"]),
        ("contains(github.event.issue.title, 'x')", []),
        ("startsWith(github.head_ref, 'x') || endsWith(github.head_ref, 'y')", []),
        ("format('{0}', github.event.issue.title)", ["github.event.issue.title"]),
        ("inputs.a || github.head_ref", ["inputs.a", "github.head_ref"]),
        ("github.event_name == 'issues' && github.event.issue.body || 'none'", ["github.event.issue.body"]),
        ("github.event.issue.title && 'yes'", []),
        ("github.event.issue.title == 'x'", []),
        ("!github.event.issue.title", []),
        ("toJSON(github.event)", ["github.event"]),
        ("fromJSON(steps.meta.outputs.json).tags", ["steps.meta.outputs.json"]),
        ("join(github.event.commits.*.message, ' ')", ["github.event.commits.*.message"]),
        ("hashFiles('**/package-lock.json')", []),
        ("case(github.ref == 'refs/heads/main', 'prod', inputs.env)", ["inputs.env"]),
        ("github.event[inputs.field]", ["github.event.*"]),
        ("success() && github.event.pull_request.head.ref", ["github.event.pull_request.head.ref"]),
    ],
)
def test_flowing_contexts(body, flowing):
    assert one("${{ " + body + " }}").flowing_contexts() == flowing


# --- secrets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, dynamic",
    [
        ("secrets.TOKEN", False),
        ("secrets['TOKEN']", False),
        ("secrets[inputs.secret_name]", True),
        ("secrets[format('{0}_KEY', matrix.env)]", True),
        ("toJSON(secrets)", True),
        ("secrets.*", True),
        ("github.token", False),
        ("steps[secrets.X].outputs.y", False),
    ],
)
def test_dynamic_secret_access(body, dynamic):
    assert one("${{ " + body + " }}").dynamic_secret_access() is dynamic


def test_dynamic_secret_access_in_fallback():
    assert one("${{ toJSON(secrets) || }}").dynamic_secret_access()
    assert one("${{ secrets[inputs.x] || }}").dynamic_secret_access()
    assert not one("${{ secrets.X || }}").dynamic_secret_access()


def test_secret_names_keep_their_signature():
    assert secret_names("a ${{ secrets.A }} b ${{ secrets['B'] || secrets[x.y] }}") == ["A", "B", "*"]
    assert secret_names("${{ toJSON(secrets) }}") == ["*"]
    assert secret_names("no expression") == []
    assert reads_secret("token: ${{ secrets.GH_TOKEN }}")
    assert not reads_secret("echo secrets")
    assert one("${{ secrets.A }}").secret_names() == ["A"]


def test_functions():
    assert one("${{ format('{0}', toJSON(github)) }}").functions() == ["format", "tojson"]


def test_analysis_is_cached_by_body():
    expressions.analyse.cache_clear()
    find_expressions("${{ github.sha }}")[0].contexts()
    find_expressions("x ${{ github.sha }} y")[0].flowing_contexts()
    info = expressions.analyse.cache_info()
    assert info.misses == 1 and info.hits == 1
