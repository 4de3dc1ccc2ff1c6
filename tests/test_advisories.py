"""The bundled advisory snapshot, how versions are judged against it, and the script that
rebuilds it (from an OSV checkout and from the REST API served by a local HTTP server)."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from cicdlint import advisories

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("gen_advisories", ROOT / "scripts" / "gen_advisories.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ids(target, version, pinned_sha=False):
    return sorted((m.advisory_id, m.fixed, m.partial) for m in advisories.judge(target, version, pinned_sha=pinned_sha))


def test_snapshot_has_the_required_cases():
    data = advisories.load()
    assert data["snapshot"][:2] == "20" and len(data["snapshot"]) == 10
    assert data["advisory_count"] == len(data["advisories"]) >= 30
    tj = data["advisories"]["GHSA-mrrh-fwg8-r2c3"]
    assert tj["aliases"] == ["CVE-2025-30066"] and tj["severity"] == "high"
    assert any(e["id"] == "GHSA-mrrh-fwg8-r2c3" for e in data["packages"]["tj-actions/changed-files"])
    assert data["advisories"]["GHSA-qmg3-hpqr-gqvc"]["aliases"] == ["CVE-2025-30154"]
    for name in ("reviewdog/action-setup", "reviewdog/action-shellcheck", "reviewdog/action-typos",
                 "reviewdog/action-staticcheck", "reviewdog/action-ast-grep", "reviewdog/action-composite-template"):
        assert any(e["id"] == "GHSA-qmg3-hpqr-gqvc" for e in data["packages"][name]), name
    # every package name is normalised and every entry points at a known advisory
    for name, entries in data["packages"].items():
        assert name == name.lower() and not name.startswith("http") and name.count("/") >= 1
        assert all(e["id"] in data["advisories"] for e in entries)


@pytest.mark.parametrize(
    "target, version, expected",
    [
        # exact versions against `fixed` and `last_affected` bounds
        ("tj-actions/changed-files", "v44.5.1", [("GHSA-mrrh-fwg8-r2c3", "46.0.1", False)]),
        ("tj-actions/changed-files", "46.0.1", []),
        ("tj-actions/changed-files", "v40.2.3", [("GHSA-mcph-m25j-8j63", "41", False), ("GHSA-mrrh-fwg8-r2c3", "46.0.1", False)]),
        ("actions/download-artifact", "v4.1.6", [("GHSA-cxww-7g56-2vh6", "4.1.7", False)]),
        ("actions/download-artifact", "v4.1.7", []),
        ("actions/download-artifact", "v3.0.2", []),  # below `introduced`
        # moving tags follow their series
        ("tj-actions/changed-files", "v35", [("GHSA-mcph-m25j-8j63", "41", False), ("GHSA-mrrh-fwg8-r2c3", "46.0.1", False)]),
        ("tj-actions/changed-files", "v46", []),
        ("actions/download-artifact", "v4", []),  # the fix 4.1.7 is inside the series
        ("actions/download-artifact", "v4.1", []),  # 4.1.x reached 4.1.7
        ("actions/download-artifact", "v4.0", [("GHSA-cxww-7g56-2vh6", "4.1.7", False)]),
        ("Azure/setup-kubectl", "v3", []),  # fixed "3" means 3.0.0
        ("azure/setup-kubectl", "v2", [("GHSA-p756-rfxh-x63h", "3", False)]),
        # explicit versions: the advisory names the moving tag itself
        ("reviewdog/action-setup", "v1", [("GHSA-qmg3-hpqr-gqvc", None, False)]),
        ("reviewdog/action-setup", "v1.3.0", []),
        # a range without a fix, bounded by last_known_affected_version_range
        # no fix in the 2.x range: the fix of the advisory's other range is suggested
        ("github/codeql-action/init", "v2", [("GHSA-vqf5-2xx6-9wfm", "3.28.3", False)]),
        ("github/codeql-action/init", "v3", []),
        ("github/codeql-action/upload-sarif", "3.28.2", [("GHSA-vqf5-2xx6-9wfm", "3.28.3", False)]),
        # pre-releases sort before their release
        ("SonarSource/sonarqube-scan-action", "v6.0.0-rc.1", [("GHSA-5xq9-5g24-4g6f", "6.0.0", False)]),
        ("SonarSource/sonarqube-scan-action", "v6.0.0", []),
        # a package with a path covers that path only; `owner/repo` covers every path
        ("pytorch/pytorch/.github/actions/filter-test-configs", "v2.0.0", [("GHSA-hw6r-g8gj-2987", None, False)]),
        ("pytorch/pytorch/.github/actions/other", "v2.0.0", []),
        ("kartverket/github-workflows/.github/workflows/run-terraform.yml", "v2.7.4", [("GHSA-f9qj-7gh3-mhj4", "2.7.5", False)]),
        # not versions, or unknown packages
        ("tj-actions/changed-files", "main", []),
        ("tj-actions/changed-files", "v35.x", []),
        ("nobody/nothing", "v1", []),
        ("tj-actions", "v1", []),
    ],
)
def test_judge(target, version, expected):
    assert ids(target, version) == expected


def test_pinned_sha_with_a_moving_tag_comment_is_partial_when_the_fix_is_in_the_series():
    assert ids("actions/download-artifact", "v4", pinned_sha=True) == [("GHSA-cxww-7g56-2vh6", "4.1.7", True)]
    assert ids("dawidd6/action-download-artifact", "v3", pinned_sha=True) == [("GHSA-5xr6-xhww-33m4", "6", False)]
    assert ids("actions/download-artifact", "v5", pinned_sha=True) == []


@pytest.mark.parametrize(
    "rest, expected",
    [
        (" # v44.5.1", "v44.5.1"),
        ("  # 4.2.2", "4.2.2"),
        (" # tag=v1.2.3", "v1.2.3"),
        (" # renovate: tag=v2.0.0-beta.1", "v2.0.0-beta.1"),
        (" ##v46.0.5", "v46.0.5"),
        (" # v4", "v4"),
        (" # pinned 2024", None),
        (" # expect: some-rule@13", None),
        ("", None),
        (" x # v1.2.3", None),
    ],
)
def test_comment_version(rest, expected):
    assert advisories.comment_version(rest) == expected


def test_hostile_versions_never_raise():
    for text in ("", "v", "vv1", "1." * 500, "9" * 5000, "v1.2.3.4.5.6", "v1-" + "a." * 300, None, 5):
        advisories.judge("tj-actions/changed-files", text)
        advisories.parse_version(text)


# --- the generator script ------------------------------------------------------------------

def _osv(ghsa, name, events=None, versions=None, modified="2025-01-02T00:00:00Z", ecosystem="GitHub Actions", **extra):
    affected = {"package": {"ecosystem": ecosystem, "name": name}}
    if events is not None:
        affected["ranges"] = [{"type": "ECOSYSTEM", "events": events}]
    if versions is not None:
        affected["versions"] = versions
    affected.update(extra)
    return {
        "id": ghsa, "modified": modified, "published": "2024-12-01T00:00:00Z", "aliases": ["CVE-2024-1", "PYSEC-1"],
        "summary": "  A   summary  ", "affected": [affected],
        "database_specific": {"severity": "HIGH", "github_reviewed": True},
    }


def _write(root: Path, record: dict, month="2024/12"):
    folder = root / "advisories" / "github-reviewed" / month / record["id"]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{record['id']}.json").write_text(json.dumps(record))


def test_script_from_checkout(tmp_path):
    checkout = tmp_path / "db"
    _write(checkout, _osv("GHSA-aaaa-aaaa-aaaa", "Owner/Action", [{"introduced": "0"}, {"fixed": "2.0.0"}]))
    _write(checkout, _osv("GHSA-bbbb-bbbb-bbbb", "https://github.com/owner/repo/.github/actions/x",
                          [{"introduced": "0"}], database_specific={"last_known_affected_version_range": "< 1.5.0"},
                          modified="2025-06-30T10:00:00Z"), month="2025/06")
    _write(checkout, _osv("GHSA-cccc-cccc-cccc", "owner/pinned", versions=["1"]))
    _write(checkout, _osv("GHSA-dddd-dddd-dddd", "left-pad", [{"introduced": "0"}], ecosystem="npm"))
    withdrawn = _osv("GHSA-eeee-eeee-eeee", "owner/gone", [{"introduced": "0"}])
    withdrawn["withdrawn"] = "2025-01-01T00:00:00Z"
    _write(checkout, withdrawn)
    (checkout / "advisories" / "github-reviewed" / "2024" / "12" / "GHSA-broken.json").write_text("{not json")
    out = tmp_path / "out.json"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_advisories.py"), "--checkout", str(checkout),
                             "--output", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert data["snapshot"] == "2025-06-30"
    assert sorted(data["advisories"]) == ["GHSA-aaaa-aaaa-aaaa", "GHSA-bbbb-bbbb-bbbb", "GHSA-cccc-cccc-cccc"]
    assert data["advisories"]["GHSA-aaaa-aaaa-aaaa"] == {
        "aliases": ["CVE-2024-1"], "summary": "A summary", "severity": "high", "published": "2024-12-01"}
    assert data["packages"]["owner/action"] == [{"id": "GHSA-aaaa-aaaa-aaaa", "ranges": [{"introduced": "0", "fixed": "2.0.0"}], "versions": []}]
    assert data["packages"]["owner/repo/.github/actions/x"][0]["ranges"] == [{"introduced": "0", "until": "1.5.0"}]
    assert data["packages"]["owner/pinned"][0]["versions"] == ["1"]


def test_events_to_ranges():
    script = _script()
    assert script.ranges_from_events([{"introduced": "0"}, {"fixed": "1.0"}, {"introduced": "2.0"}, {"last_affected": "2.5"},
                                      {"introduced": "3.0"}]) == [
        {"introduced": "0", "fixed": "1.0"}, {"introduced": "2.0", "last_affected": "2.5"}, {"introduced": "3.0"}]
    assert script.ranges_from_rest(">= 4.0.0, < 4.1.7") == ([{"introduced": "4.0.0", "fixed": "4.1.7"}], [])
    assert script.ranges_from_rest("<= 45.0.7") == ([{"introduced": "0", "last_affected": "45.0.7"}], [])
    assert script.ranges_from_rest("= 1") == ([], ["1"])


class _AdvisoryAPI(BaseHTTPRequestHandler):
    pages = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        body, link = self.pages.get(self.path, (None, None))
        if body is None or self.headers.get("Authorization") != "Bearer t0ken":
            self.send_response(404)
            self.end_headers()
            return
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if link:
            self.send_header("Link", f'<http://127.0.0.1:{self.server.server_port}{link}>; rel="next"')
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def test_script_from_rest_api(tmp_path, monkeypatch):
    first = [{
        "ghsa_id": "GHSA-mrrh-fwg8-r2c3", "cve_id": "CVE-2025-30066", "summary": "tj-actions changed-files",
        "severity": "high", "published_at": "2025-03-15T06:30:34Z", "updated_at": "2025-03-24T14:23:37Z", "withdrawn_at": None,
        "vulnerabilities": [{"package": {"ecosystem": "actions", "name": "tj-actions/changed-files"},
                             "vulnerable_version_range": "<= 45.0.7", "first_patched_version": "46.0.1"}],
    }]
    second = [{
        "ghsa_id": "GHSA-qmg3-hpqr-gqvc", "cve_id": "CVE-2025-30154", "summary": "reviewdog", "severity": "high",
        "published_at": "2025-03-19T15:19:12Z", "updated_at": "2025-03-19T15:19:12Z", "withdrawn_at": None,
        "vulnerabilities": [{"package": {"ecosystem": "actions", "name": "reviewdog/action-setup"},
                             "vulnerable_version_range": "= 1", "first_patched_version": None},
                            {"package": {"ecosystem": "npm", "name": "x"}, "vulnerable_version_range": "< 1"}],
    }]
    _AdvisoryAPI.pages = {
        "/advisories?ecosystem=actions&type=reviewed&per_page=100": (first, "/advisories?page=2"),
        "/advisories?page=2": (second, None),
    }
    server = HTTPServer(("127.0.0.1", 0), _AdvisoryAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("CICDLINT_GITHUB_API_URL", f"http://127.0.0.1:{server.server_port}")
        monkeypatch.setenv("GH_TOKEN", "t0ken")
        out = tmp_path / "out.json"
        assert _script().main(["--api", "--output", str(out)]) == 0
    finally:
        server.shutdown()
        server.server_close()
    data = json.loads(out.read_text())
    assert data["snapshot"] == "2025-03-24"
    assert data["packages"]["tj-actions/changed-files"][0]["ranges"] == [{"introduced": "0", "fixed": "46.0.1"}]
    assert data["packages"]["reviewdog/action-setup"][0]["versions"] == ["1"]
    # the supplement adds the other reviewdog actions the advisory's text names
    assert data["packages"]["reviewdog/action-typos"][0] == {"id": "GHSA-qmg3-hpqr-gqvc", "ranges": [], "versions": ["1"], "supplement": True}
    assert "x" not in data["packages"]


def test_version_option_prints_the_snapshot_date_and_loading_is_lazy():
    code = (
        "import sys, cicdlint.cli, cicdlint.engine; cicdlint.engine.load_rules();"
        "assert 'cicdlint.advisories' not in sys.modules, 'advisories imported with the rules';"
        "from click.testing import CliRunner;"
        "r = CliRunner().invoke(cicdlint.cli.cli, ['--version']);"
        "print(r.output)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert f"advisory snapshot {advisories.load()['snapshot']}" in result.stdout
