"""The opt-in `--online` checks against the stand-in GitHub API (tests/fake_github.py, a server on
127.0.0.1): findings, the disk cache, and what happens when the API cannot answer (a warning on
stderr, never a finding, never a crash). No test reaches the network."""
from __future__ import annotations

import json
import socket
from pathlib import Path

from click.testing import CliRunner

from cicdlint import online
from cicdlint.cli import cli
from cicdlint.config import Settings
from cicdlint.engine import lint_file, load_rules
from fake_github import MODEL, serve

load_rules()
ONLINE_RULES = ["impostor-commit", "ref-confusion", "ref-version-mismatch", "stale-action-ref"]

WORKFLOW = """\
name: CI
on: push
permissions: {}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@c7d749a2d57b4b375d1ebcd17cfbfb60c676f18e
      - uses: acme/deploy-action@v1
      - uses: actions/checkout@8ade135a41bc03ea155e62e844d188df1ea18608 # v4.2.2
      - uses: acme/setup-tool@5b0a7e4c3d2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d
"""
EXPECTED = [(8, "impostor-commit"), (9, "ref-confusion"), (10, "ref-version-mismatch"), (11, "stale-action-ref")]


def _write(tmp_path: Path, text: str = WORKFLOW) -> Path:
    path = tmp_path / "repo" / ".github" / "workflows" / "ci.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _lint(path: Path, rules=ONLINE_RULES, online_flag=True):
    findings, _, _ = lint_file(path, path.name, True, Settings(select=list(rules), online=online_flag, root=path.parent))
    return sorted((f.span.start_line, f.rule_id) for f in findings)


def test_findings(monkeypatch, tmp_path):
    with serve(monkeypatch, tmp_path):
        assert _lint(_write(tmp_path)) == EXPECTED


def test_off_by_default_asks_nothing(monkeypatch, tmp_path):
    with serve(monkeypatch, tmp_path) as fake:
        assert _lint(_write(tmp_path), online_flag=False) == []
        assert fake.requests == []


def test_no_token_warns_and_asks_nothing(monkeypatch, tmp_path, capsys):
    with serve(monkeypatch, tmp_path) as fake:
        monkeypatch.delenv("GH_TOKEN")
        assert _lint(_write(tmp_path)) == []
        assert fake.requests == []
    assert "needs a GitHub token" in capsys.readouterr().err


def test_disk_cache_is_reused_until_it_expires(monkeypatch, tmp_path):
    path = _write(tmp_path)
    with serve(monkeypatch, tmp_path) as fake:
        assert _lint(path) == EXPECTED
        first = len(fake.requests)
        assert first > 0
        online.reset()  # a new run: only the disk cache is left
        assert _lint(path) == EXPECTED
        assert len(fake.requests) == first, "the second run asked again"
        files = list((tmp_path / "cache" / "cicdlint" / "online").rglob("*.json"))
        assert files
        for file in files:  # age every entry past the expiry
            entry = json.loads(file.read_text())
            entry["time"] -= 7200
            file.write_text(json.dumps(entry))
        online.reset()
        assert _lint(path) == EXPECTED
        assert len(fake.requests) == 2 * first
        # the cache is keyed by token too: another token asks again
        online.reset()
        monkeypatch.setenv("GH_TOKEN", "another-token")
        fake.token = "another-token"
        assert _lint(path) == EXPECTED
        assert len(fake.requests) == 3 * first


def test_cache_off(monkeypatch, tmp_path):
    with serve(monkeypatch, tmp_path):
        monkeypatch.setenv("CICDLINT_ONLINE_CACHE_TTL", "0")
        assert _lint(_write(tmp_path)) == EXPECTED
        assert not (tmp_path / "cache" / "cicdlint").exists()


def test_rate_limit_warns_once_and_stops_asking(monkeypatch, tmp_path, capsys):
    with serve(monkeypatch, tmp_path) as fake:
        fake.mode = "rate-limit"
        assert _lint(_write(tmp_path)) == []
        assert len(fake.requests) == 1, fake.requests
    err = capsys.readouterr().err
    assert err.count("rate limit") == 1 and "resets at" in err


def test_refused_token(monkeypatch, tmp_path, capsys):
    with serve(monkeypatch, tmp_path) as fake:
        fake.mode = "unauthorized"
        assert _lint(_write(tmp_path)) == []
    assert "refused the token (HTTP 401)" in capsys.readouterr().err


def test_server_error_is_not_a_finding(monkeypatch, tmp_path, capsys):
    with serve(monkeypatch, tmp_path) as fake:
        fake.mode = "server-error"
        assert _lint(_write(tmp_path)) == []
    assert "HTTP 502" in capsys.readouterr().err


def test_no_network(monkeypatch, tmp_path, capsys):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with serve(monkeypatch, tmp_path):
        monkeypatch.setenv("CICDLINT_GITHUB_API_URL", f"http://127.0.0.1:{port}")
        assert _lint(_write(tmp_path)) == []
    assert "cannot reach the GitHub API" in capsys.readouterr().err


def test_timeout(monkeypatch, tmp_path, capsys):
    with serve(monkeypatch, tmp_path) as fake:
        fake.delay = 1.0
        monkeypatch.setenv("CICDLINT_ONLINE_TIMEOUT", "0.2")
        assert _lint(_write(tmp_path)) == []
        assert len(fake.requests) == 1  # the first timeout stops the run's requests
    assert "cannot reach the GitHub API" in capsys.readouterr().err


def test_missing_repository_is_a_warning(monkeypatch, tmp_path, capsys):
    text = WORKFLOW.replace("acme/setup-tool", "acme/gone")
    with serve(monkeypatch, tmp_path):
        assert _lint(_write(tmp_path, text)) == EXPECTED[:3]
    assert "acme/gone does not exist or is private" in capsys.readouterr().err


def test_paging_and_comparison_budget(monkeypatch, tmp_path, capsys):
    repos = json.loads(MODEL.read_text())
    big = {"default_branch": "main", "branches": {"main": "9" * 40}, "tags": {}, "history": {"main": ["9" * 40]},
           "fork_commits": ["6" * 40]}
    for index in range(250):  # three pages of tags; the one that matters is on the last page
        big["tags"][f"v1.0.{index}"] = f"{index:040x}"
    for index in range(60):  # more branches than one commit may be compared with
        big["branches"][f"feature-{index}"] = f"{index + 1000:040x}"
        big["history"][f"feature-{index}"] = [f"{index + 1000:040x}"]
    repos["acme/big"] = big
    text = WORKFLOW + (
        "      - uses: acme/big@00000000000000000000000000000000000000f9 # v1.0.249\n"
        "      - uses: acme/big@6666666666666666666666666666666666666666\n"
    )
    with serve(monkeypatch, tmp_path, repos) as fake:
        assert _lint(_write(tmp_path, text)) == EXPECTED  # the v1.0.249 pin matches; the fork commit is undecided
        assert any("page=3" in request for request in fake.requests)
    assert "too many branches and tags" in capsys.readouterr().err


def test_known_vulnerable_action_resolves_bare_shas_online(monkeypatch, tmp_path):
    text = WORKFLOW.splitlines(keepends=True)[:7] + [
        "      - uses: tj-actions/changed-files@0e58ed8671d6b60d0890c21b07f8835ace038e67\n",
        "      - uses: tj-actions/changed-files@ed68ef82c095e0d48ec87eccea555d944a631a4c\n",
    ]
    path = _write(tmp_path, "".join(text))
    assert _lint(path, ["known-vulnerable-action"], online_flag=False) == []
    with serve(monkeypatch, tmp_path):
        assert _lint(path, ["known-vulnerable-action"]) == [(8, "known-vulnerable-action")]


def test_cli_online_flag(monkeypatch, tmp_path):
    path = _write(tmp_path)
    with serve(monkeypatch, tmp_path):
        result = CliRunner().invoke(cli, ["check", "--online", "--no-config", "--format", "json", "--select",
                                          ",".join(ONLINE_RULES), str(path)])
        assert result.exit_code == 1, result.output
        found = sorted((f["line"], f["rule"]) for f in json.loads(result.stdout)["findings"])
        assert found == EXPECTED
        online.reset()
        result = CliRunner().invoke(cli, ["check", "--no-config", "--select", ",".join(ONLINE_RULES), str(path)])
        assert result.exit_code == 0, result.output
        monkeypatch.delenv("GH_TOKEN")
        result = CliRunner().invoke(cli, ["check", "--online", "--no-config", "--select", ",".join(ONLINE_RULES), str(path)])
        assert result.exit_code == 0 and "needs a GitHub token" in result.stderr
