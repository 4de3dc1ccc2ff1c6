"""Glob patterns from the configuration, matched in linear time whatever their shape.

The configuration is part of a pull request, so its patterns are hostile input: a regular
expression such as `^(a+)+$` would backtrack for ever, and a naive glob translation such as
`*a*a*a*a*b` -> `.*a.*a.*a.*a.*b` is polynomial of high degree. Globs here are translated as
`fnmatch` does since Python 3.9: every star but the last matches lazily inside an atomic group
(emulated with a lookahead and a backreference), so the matcher never revisits a choice.

Syntax: `*` (within a path segment for path globs), `**` (across segments), `?`, `[abc]`,
`[!abc]`; everything else is literal."""
from __future__ import annotations

import re
from functools import lru_cache

MAX_PATTERN = 1000  # characters; longer patterns are refused by the config check


def _tokens(pattern: str, paths: bool) -> list[str]:
    """Regex pieces, with "*" and "**" kept as markers."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            double = paths and j - i >= 2
            if double and j < n and pattern[j] == "/":
                out.append("**/")
                j += 1
            else:
                out.append("**" if double else "*")
            i = j
        elif char == "?":
            out.append("[^/]" if paths else ".")
            i += 1
        elif char == "[":
            end = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] in ("!", "]") else i + 1)
            if end == -1:
                out.append(re.escape(char))
                i += 1
                continue
            body = pattern[i + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            body = body.replace("\\", "\\\\").replace("^", "\\^")
            out.append(f"[{'^' if negate else ''}{body}]")
            i = end + 1
        else:
            out.append(re.escape(char))
            i += 1
    return out


def translate(pattern: str, paths: bool = False, prefix: str = "g") -> str:
    """A regex (unanchored) for the glob. For path globs `*` does not cross `/`."""
    tokens = _tokens(pattern, paths)
    star_kinds = {"*": "[^/]*" if paths else ".*", "**": ".*", "**/": "(?:.*/)?"}
    stars = [index for index, token in enumerate(tokens) if token in star_kinds]
    pieces: list[str] = []
    group = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in star_kinds and i != stars[-1]:
            j = i + 1
            while j < len(tokens) and tokens[j] not in star_kinds:
                j += 1
            chunk = "".join(tokens[i + 1 : j])
            lazy = star_kinds[token][:-1] + "*?" if token != "**/" else "(?:.*/)??"
            group += 1
            name = f"{prefix}{group}"
            pieces.append(f"(?=(?P<{name}>{lazy}{chunk}))(?P={name})")
            i = j
            continue
        pieces.append(star_kinds.get(token, token))
        i += 1
    return "".join(pieces)


@lru_cache(maxsize=1024)
def compile_path_glob(pattern: str) -> "re.Pattern":
    """A repository-relative path glob: `**` crosses directories, `*` does not; a pattern without
    a slash matches a file name at any depth (as in .gitignore); a trailing `/` means below."""
    if pattern.endswith("/"):
        pattern += "**"
    if "/" not in pattern.rstrip("/"):
        pattern = "**/" + pattern
    return re.compile(translate(pattern.lstrip("/"), paths=True) + r"\Z", re.S)


def match_path(path: str, pattern: str) -> bool:
    return compile_path_glob(pattern).match(path) is not None


def word_globs(patterns) -> str:
    """A regex alternative of the globs (each star atomic, group names kept apart)."""
    return "|".join(f"(?:{translate(pattern, prefix=f'p{index}g')})" for index, pattern in enumerate(patterns)) or "(?!)"
