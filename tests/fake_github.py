"""A stand-in for the GitHub REST API on 127.0.0.1, for the `--online` checks' tests.

It answers the requests cicdlint/online.py makes, in the shapes the API documents
(`GET /repos/{o}/{r}`, `/branches`, `/tags` with `per_page`/`page` and a `Link` header,
`/compare/{base}...{head}`), from a small model of repositories: their default branch, branches,
tags and which commits each ref's history holds. No network is involved."""
from __future__ import annotations

import json
import threading
import time
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MODEL = Path(__file__).with_name("fake_github_repos.json")


class FakeGitHub:
    def __init__(self, repos: dict, token: str = "test-token"):
        self.repos = {name.lower(): spec for name, spec in repos.items()}
        self.token = token
        self.requests: list[str] = []
        self.mode = None  # None | "rate-limit" | "unauthorized" | "server-error" | "slow"
        self.delay = 0.0

    # --- answers ---------------------------------------------------------------------------
    def answer(self, path: str, query: dict, headers) -> tuple[int, object, dict]:
        if self.mode == "rate-limit":
            return 403, {"message": "API rate limit exceeded"}, {
                "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 600)}
        if self.mode == "unauthorized" or headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}, {}
        if self.mode == "server-error":
            return 502, {"message": "Server Error"}, {}
        parts = path.strip("/").split("/")
        if len(parts) < 3 or parts[0] != "repos":
            return 404, {"message": "Not Found"}, {}
        spec = self.repos.get(f"{parts[1]}/{parts[2]}".lower())
        if spec is None:
            return 404, {"message": "Not Found"}, {}
        full = f"{parts[1]}/{parts[2]}"
        rest = parts[3:]
        if not rest:
            return 200, {"id": 1, "name": parts[2], "full_name": full, "default_branch": spec["default_branch"],
                         "private": False}, {}
        if rest == ["branches"]:
            items = [{"name": name, "commit": {"sha": sha, "url": f"https://api.github.com/repos/{full}/commits/{sha}"},
                      "protected": name == spec["default_branch"]} for name, sha in spec["branches"].items()]
            return self._page(path, items, query)
        if rest == ["tags"]:
            items = [{"name": name, "zipball_url": f"https://api.github.com/repos/{full}/zipball/refs/tags/{name}",
                      "tarball_url": f"https://api.github.com/repos/{full}/tarball/refs/tags/{name}",
                      "commit": {"sha": sha, "url": f"https://api.github.com/repos/{full}/commits/{sha}"},
                      "node_id": "REF_x"} for name, sha in spec["tags"].items()]
            return self._page(path, items, query)
        if rest[0] == "compare" and len(rest) >= 2:
            base, _, head = "/".join(rest[1:]).partition("...")
            ref = base.removeprefix("refs/heads/").removeprefix("refs/tags/")
            # history is keyed by ref name; "tags/NAME" when a branch of the same name exists
            history = spec.get("history", {}).get(f"tags/{ref}" if base.startswith("refs/tags/") else ref)
            if history is None:
                history = spec.get("history", {}).get(ref)
            known = {sha for shas in spec.get("history", {}).values() for sha in shas}
            known |= set(spec["branches"].values()) | set(spec["tags"].values()) | set(spec.get("fork_commits", []))
            if history is None or head not in known:
                return 404, {"message": "Not Found"}, {}
            head_of = (spec["tags"] if base.startswith("refs/tags/") else spec["branches"]).get(ref)
            if head == head_of:
                status = "identical"
            elif head in history:
                status = "behind"
            else:
                status = "diverged"
            return 200, {"status": status, "ahead_by": 0 if status != "diverged" else 1,
                         "behind_by": 1 if status == "behind" else 0, "total_commits": 0, "commits": [], "files": []}, {}
        return 404, {"message": "Not Found"}, {}

    def _page(self, path, items, query):
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            headers["Link"] = f'<http://127.0.0.1{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return 200, chunk, headers


def _handler(fake: FakeGitHub):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            parsed = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(parsed.path)
            fake.requests.append(path + (f"?{parsed.query}" if parsed.query else ""))
            if fake.mode == "slow" or fake.delay:
                time.sleep(fake.delay or 2)
            status, body, headers = fake.answer(path, urllib.parse.parse_qs(parsed.query), self.headers)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


@contextmanager
def serve(monkeypatch, tmp_path, repos: dict | None = None):
    """Run the stand-in API and point cicdlint's online checks at it (token, cache dir)."""
    from cicdlint import online

    fake = FakeGitHub(repos if repos is not None else json.loads(MODEL.read_text()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    monkeypatch.setenv("CICDLINT_GITHUB_API_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("GH_TOKEN", fake.token)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CICDLINT_CACHE_DIR", raising=False)
    online.reset()
    try:
        yield fake
    finally:
        online.reset()
        server.shutdown()
        server.server_close()
