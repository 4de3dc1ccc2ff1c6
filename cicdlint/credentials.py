"""Credential formats that are secrets whatever they are called, and how to show one safely."""
from __future__ import annotations


from . import lazyre
from .records import Record

# (what it is, pattern with the token in group 1)
FORMATS = (
    ("AWS access key id", lazyre.compile(r"(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])")),
    ("GitHub token", lazyre.compile(r"(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36,255})(?![A-Za-z0-9])")),
    ("GitHub token", lazyre.compile(r"(?<![A-Za-z0-9_])(github_pat_[A-Za-z0-9_]{60,255})(?![A-Za-z0-9_])")),
    ("Slack token", lazyre.compile(r"(?<![A-Za-z0-9])(xox[baprs]-[A-Za-z0-9-]{10,250})(?![A-Za-z0-9-])")),
    ("Slack webhook URL", lazyre.compile(r"(https://hooks\.slack\.com/services/T[A-Za-z0-9]{6,}/B[A-Za-z0-9]{6,}/[A-Za-z0-9]{16,})")),
    ("private key", lazyre.compile(r"(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)")),
    ("Stripe live key", lazyre.compile(r"(?<![A-Za-z0-9])((?:sk|rk)_live_[0-9A-Za-z]{20,247})(?![A-Za-z0-9])")),
    ("Google API key", lazyre.compile(r"(?<![A-Za-z0-9_-])(AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])")),
    ("npm token", lazyre.compile(r"(?<![A-Za-z0-9_])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])")),
    ("PyPI token", lazyre.compile(r"(?<![A-Za-z0-9_-])(pypi-AgE[A-Za-z0-9_-]{50,})")),
    ("GitLab token", lazyre.compile(r"(?<![A-Za-z0-9_-])(glpat-[A-Za-z0-9_-]{20,})(?![A-Za-z0-9_-])")),
)
# Key material after a BEGIN line: optional headers (`Proc-Type: ...`), then base64.
_KEY_MATERIAL = lazyre.compile(r"(?:\s|\\n)*(?:[A-Za-z-]+: [^\n]*(?:\n|\\n)+)*(?:\s|\\n)*[A-Za-z0-9+/=]{40,}")
_PLACEHOLDER_BODY = lazyre.compile(r"(?i)x{4}|\*{3}|0{6}|example|sample|dummy|fake|redacted|placeholder|your|test|1234567")
# Every format above contains one of these: one search rules out most text.
_HINT = lazyre.compile(r"AKIA|ASIA|gh[pousr]_|github_pat_|xox[baprs]-|hooks\.slack|PRIVATE KEY|_live_|AIza|npm_|pypi-|glpat-")
_PREFIX = lazyre.compile(r"^(?:AKIA|ASIA|gh[pousr]_|github_pat_|xox[baprs]-|(?:sk|rk)_live_|AIza|npm_|pypi-|glpat-)")


class Match(Record):
    __slots__ = ("kind", "start", "token")

    def __init__(self, kind: str, start: int, token: str):
        self.kind = kind  # e.g. "GitHub token"
        self.start = start  # offset of the token in the searched text
        self.token = token

    @property
    def length(self) -> int:
        return len(self.token)


def find(text: str) -> list[Match]:
    """Real-looking credentials in a known format: not `ghp_xxxx...`, AWS's documented example
    key, a private-key header with no key after it, or a GitHub expression."""
    if not _HINT.search(text):
        return []
    found = []
    for kind, pattern in FORMATS:
        for match in pattern.finditer(text):
            token = match.group(1)
            if "${{" in token or not _real_token(token, kind):
                continue
            if kind == "private key" and not _KEY_MATERIAL.match(text, match.end(1)):
                continue  # a header written around a variable (`printf -- "-----BEGIN ...%s"`)
            found.append(Match(kind, match.start(1), token))
    return found


def _real_token(token: str, kind: str) -> bool:
    if kind == "private key":
        return True
    body = _PREFIX.sub("", token)
    probe = token.rsplit("/", 1)[-1] if kind == "Slack webhook URL" else body
    return not _PLACEHOLDER_BODY.search(probe) and len(set(body)) >= 6


def article(kind: str) -> str:
    """`a GitHub token`, `an AWS access key id`."""
    return ("an " if kind[0].lower() in "aeiou" else "a ") + kind


def redact(value: str) -> str:
    """At most the first 4 characters, never the whole value."""
    value = value.strip()
    return value[:4] + "***" if len(value) >= 12 else "***"

