"""Opt-in checks that ask the GitHub REST API about the actions a workflow uses
(`cicdlint check --online`, with a token in `GH_TOKEN` or `GITHUB_TOKEN`).

What is asked, per `owner/repo` (each answer cached on disk and in memory):
- `GET /repos/{owner}/{repo}`: the default branch;
- `GET /repos/{owner}/{repo}/branches` and `/tags` (paged, 100 a page): every branch and tag
  and the commit it points at (the tags endpoint gives the commit of annotated tags too);
- `GET /repos/{owner}/{repo}/compare/{base}...{sha}`: is the pinned commit in the history of
  a branch or tag (`behind` or `identical`)?

A commit that GitHub serves for `owner/repo` but that is in the history of none of its branches
and tags comes from a fork in the same network: an impostor commit (zizmor's `impostor-commit`
audit asks the same questions). How many comparisons one commit may cost is bounded; when the
bound is reached before an answer, the commit is left alone.

Failures never become findings: with no token, no network, a timeout, a rate limit, a 401/403
or a 5xx, a warning goes to stderr once and the checks that needed the answer report nothing.
After a rate limit or a network failure no further request is made in this run.

Environment: `CICDLINT_GITHUB_API_URL` (default `https://api.github.com`, e.g. a GitHub
Enterprise `https://ghe.example.com/api/v3`, or a local test server), `CICDLINT_ONLINE_TIMEOUT`
(seconds per request, default 10), `CICDLINT_ONLINE_CACHE_TTL` (seconds, default 3600; 0 turns
the disk cache off). The answers are kept in `online/` under cicdlint's cache directory
(`$CICDLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/cicdlint`, `~/.cache/cicdlint`...), one JSON file
per request, keyed by the URL and a hash of the token.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

DEFAULT_API = "https://api.github.com"
PAGE = 100
MAX_PAGES = 10  # 1,000 branches or tags per repository
MAX_COMPARISONS = 50  # per pinned commit, after the cheap checks

_memory: dict[str, tuple[int, object]] = {}
_warned: set[str] = set()
_broken: list[str] = []  # a reason once the API cannot be used for the rest of the run
_stats = {"requests": 0, "cache_hits": 0}


class Unavailable(Exception):
    """The API could not answer (the reason is in the message); nothing may be concluded."""


def token() -> str | None:
    return os.environ.get("GH_TOKEN") or os.environ.get("GITHUB_TOKEN") or None


def api_base() -> str:
    return (os.environ.get("CICDLINT_GITHUB_API_URL") or DEFAULT_API).rstrip("/")


def reset() -> None:
    """Forget the in-memory answers, warnings and failures (tests; a new run)."""
    _memory.clear()
    _repos.clear()
    _verdicts.clear()
    _warned.clear()
    _broken.clear()
    _stats.update(requests=0, cache_hits=0)


def stats() -> dict:
    return dict(_stats)


def warn(key: str, message: str) -> None:
    if key not in _warned:
        _warned.add(key)
        sys.stderr.write(f"cicdlint: --online: {message}\n")


def _float_env(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


def _cache_dir() -> Path:
    from .cache import cache_directory  # $CICDLINT_CACHE_DIR, else the user cache directory

    return Path(cache_directory()) / "online"


def _cache_key(url: str) -> str:
    # keyed by request and by token (a private repository answers differently per token)
    import hashlib

    return hashlib.sha256(f"{url}\n{hashlib.sha256((token() or '').encode()).hexdigest()}".encode()).hexdigest()


def _read_cache(key: str, ttl: float):
    if ttl <= 0:
        return None
    path = _cache_dir() / key[:2] / f"{key}.json"
    try:
        if not path.is_file():
            return None
        entry = json.loads(path.read_text(encoding="utf-8"))
        if time.time() - float(entry["time"]) > ttl:
            return None
        return int(entry["status"]), entry["body"], entry.get("link")
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_cache(key: str, status: int, body, link) -> None:
    if _float_env("CICDLINT_ONLINE_CACHE_TTL", 3600) <= 0:
        return
    folder = _cache_dir() / key[:2]
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = folder / f".{key}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps({"time": time.time(), "status": status, "body": body, "link": link}),
                             encoding="utf-8")
        os.replace(temporary, folder / f"{key}.json")
    except OSError:
        pass  # a cache that cannot be written is only slower


def get(path: str):
    """(status, JSON body, Link header) for `GET {api}{path}`; 200 and 404 are answers (cached),
    anything else raises Unavailable."""
    if _broken:
        raise Unavailable(_broken[0])
    if not token():
        raise Unavailable("no token")
    url = api_base() + path
    key = _cache_key(url)
    if key in _memory:
        _stats["cache_hits"] += 1
        return _memory[key]
    cached = _read_cache(key, _float_env("CICDLINT_ONLINE_CACHE_TTL", 3600))
    if cached is not None:
        _stats["cache_hits"] += 1
        _memory[key] = cached
        return cached
    answer = _request(url)
    _memory[key] = answer
    _write_cache(key, *answer)
    return answer


def _request(url: str):
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token()}",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "cicdlint",
    })
    _stats["requests"] += 1
    timeout = _float_env("CICDLINT_ONLINE_TIMEOUT", 10) or 10
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.loads(response.read(20_000_000).decode("utf-8") or "null")
            return response.status, body, response.headers.get("Link")
    except urllib.error.HTTPError as error:
        if error.code in (404, 422):  # no such repository / ref / commit: an answer
            return 404, None, None
        remaining = error.headers.get("X-RateLimit-Remaining") if error.headers else None
        if error.code == 429 or (error.code == 403 and (remaining == "0" or error.headers.get("Retry-After"))):
            reset_at = error.headers.get("X-RateLimit-Reset") if error.headers else None
            when = ""
            if reset_at and reset_at.isdigit():
                when = f" (it resets at {time.strftime('%H:%M:%S', time.localtime(int(reset_at)))})"
            reason = f"the GitHub API rate limit is reached{when}; the online checks are skipped for the rest of the run"
            _broken.append(reason)
            warn("rate", reason)
            raise Unavailable(reason) from None
        if error.code in (401, 403):
            reason = (f"the GitHub API refused the token (HTTP {error.code}); check GH_TOKEN / GITHUB_TOKEN; "
                      "the online checks are skipped")
            _broken.append(reason)
            warn("auth", reason)
            raise Unavailable(reason) from None
        reason = f"the GitHub API answered HTTP {error.code} for {url}; that check is skipped"
        warn(f"http-{error.code}", reason)
        raise Unavailable(reason) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        detail = getattr(error, "reason", error)
        reason = f"cannot reach the GitHub API at {api_base()} ({detail}); the online checks are skipped"
        _broken.append(reason)
        warn("network", reason)
        raise Unavailable(reason) from None


def _quote(part: str) -> str:
    import urllib.parse

    return urllib.parse.quote(part, safe="")


def _repo_path(owner: str, repo: str) -> str:
    return f"/repos/{_quote(owner)}/{_quote(repo)}"


def _paged(path: str) -> tuple[list, bool]:
    """Every item of a paged list, and whether the list is complete (False: capped at MAX_PAGES)."""
    items = []
    for page in range(1, MAX_PAGES + 1):
        status, body, link = get(f"{path}?per_page={PAGE}&page={page}")
        if status != 200 or not isinstance(body, list):
            return items, status == 200 or page > 1
        items.extend(body)
        if len(body) < PAGE or (link is not None and 'rel="next"' not in link):
            return items, True
    return items, False


class Repo:
    """What the API says about one repository: None when it does not exist (or is private)."""

    __slots__ = ("default_branch", "branches", "tags", "complete")

    def __init__(self, default_branch, branches, tags, complete):
        self.default_branch = default_branch
        self.branches = branches  # name -> commit sha
        self.tags = tags  # name -> commit sha
        self.complete = complete  # every branch and tag was listed


_repos: dict[str, Repo | None] = {}


def repo(owner: str, repo_name: str) -> Repo | None:
    """The repository's refs; None when it does not exist. Raises Unavailable."""
    key = f"{owner}/{repo_name}".lower()
    if key in _repos:
        return _repos[key]
    base = _repo_path(owner, repo_name)
    status, body, _ = get(base)
    if status == 404 or not isinstance(body, dict):
        _repos[key] = None
        return None
    branches, complete_b = _paged(f"{base}/branches")
    tags, complete_t = _paged(f"{base}/tags")
    found = Repo(
        body.get("default_branch") if isinstance(body.get("default_branch"), str) else None,
        _heads(branches),
        _heads(tags),
        complete_b and complete_t,
    )
    _repos[key] = found
    return found


def _heads(items: list) -> dict[str, str]:
    heads = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            commit = item.get("commit")
            sha = commit.get("sha") if isinstance(commit, dict) else None
            if isinstance(sha, str):
                heads[item["name"]] = sha.lower()
    return heads


def contains(owner: str, repo_name: str, base: str, sha: str) -> bool:
    """Is `sha` in the history of the branch or tag `base`? (404: no.) Raises Unavailable."""
    status, body, _ = get(f"{_repo_path(owner, repo_name)}/compare/{_quote(base)}...{_quote(sha)}")
    if status != 200 or not isinstance(body, dict):
        return False
    return body.get("status") in ("behind", "identical")


class Verdict:
    """Where a pinned commit lives in its repository."""

    __slots__ = ("tags", "on_default", "branch", "tag_history", "impostor")

    def __init__(self, tags, on_default, branch, tag_history, impostor):
        self.tags = tags  # tags that point at the commit
        self.on_default = on_default  # in the default branch's history
        self.branch = branch  # a branch whose history holds it (the default one first)
        self.tag_history = tag_history  # a tag whose history holds it
        self.impostor = impostor  # True: in no branch's or tag's history (all were checked)


_verdicts: dict[str, Verdict | None] = {}


def commit_verdict(owner: str, repo_name: str, sha: str) -> Verdict | None:
    """Where the commit is, or None when the API cannot say (unavailable, no such repository,
    too many refs to check)."""
    sha = sha.lower()
    key = f"{owner}/{repo_name}@{sha}".lower()
    if key in _verdicts:
        return _verdicts[key]
    try:
        verdict = _commit_verdict(owner, repo_name, sha)
    except Unavailable:
        return None  # not remembered: the failure is reported once, and nothing is concluded
    _verdicts[key] = verdict
    return verdict


def _commit_verdict(owner: str, repo_name: str, sha: str) -> Verdict | None:
    found = repo(owner, repo_name)
    if found is None:
        warn(f"missing:{owner}/{repo_name}".lower(),
             f"{owner}/{repo_name} does not exist or is private to this token; its pins are not checked")
        return None
    tagged = sorted(name for name, head in found.tags.items() if head == sha)
    if tagged:
        return Verdict(tagged, None, None, None, False)
    default = found.default_branch if found.default_branch in found.branches else None
    if default is not None and found.branches[default] == sha:
        return Verdict([], True, default, None, False)
    if default is not None and contains(owner, repo_name, f"refs/heads/{default}", sha):
        return Verdict([], True, default, None, False)
    heads = [name for name, head in found.branches.items() if head == sha]
    if heads:
        return Verdict([], False, heads[0], None, False)
    budget = MAX_COMPARISONS
    for name in found.branches:
        if name == default:
            continue
        if budget == 0:
            return _undecided(owner, repo_name, sha)
        budget -= 1
        if contains(owner, repo_name, f"refs/heads/{name}", sha):
            return Verdict([], False, name, None, False)
    # newest-looking tags first: a commit of a release line is most likely under its latest tags
    for name in sorted(found.tags, key=_tag_order, reverse=True):
        if budget == 0:
            return _undecided(owner, repo_name, sha)
        budget -= 1
        if contains(owner, repo_name, f"refs/tags/{name}", sha):
            return Verdict([], False, None, name, False)
    if not found.complete:
        return _undecided(owner, repo_name, sha)
    return Verdict([], False, None, None, True)


def _undecided(owner: str, repo_name: str, sha: str) -> None:
    warn(f"undecided:{owner}/{repo_name}@{sha}".lower(),
         f"{owner}/{repo_name} has too many branches and tags to place commit {sha[:12]} "
         f"(more than {MAX_COMPARISONS} comparisons or {MAX_PAGES * PAGE} refs); it is not checked")
    return None


def _tag_order(name: str):
    from .advisories import parse_version

    version = parse_version(name)
    return (1, version.key()) if version is not None else (0, ((0,), 0, ()))


def tag_for_commit(owner: str, repo_name: str, sha: str) -> str | None:
    """The longest tag name that points at the commit (`v4.1.2` rather than `v4`), or None."""
    try:
        found = repo(owner, repo_name)
    except Unavailable:
        return None
    if found is None:
        return None
    names = [name for name, head in found.tags.items() if head == sha.lower()]
    return max(names, key=len) if names else None


def refs(owner: str, repo_name: str) -> Repo | None:
    """`repo()` that returns None instead of raising when the API cannot answer."""
    try:
        return repo(owner, repo_name)
    except Unavailable:
        return None


def enabled(ctx) -> bool:
    """Does this run use the online checks? (`--online`, and a token to ask with.)"""
    settings = getattr(ctx, "settings", None)
    if not getattr(settings, "online", False):
        return False
    if not token():
        warn("token", "needs a GitHub token in GH_TOKEN or GITHUB_TOKEN; the online checks are skipped")
        return False
    return True
