"""Filter patterns of `on.<event>.branches/tags/paths` (GitHub's filter pattern cheat sheet):
`*`, `**`, `?` and `+` (zero/one or more of the preceding character), `[...]` character sets and
ranges, a leading `!` to negate, `\\` to escape a special character.

`glob_errors(pattern, ref=True)` returns (offset, message) for each mistake: syntax GitHub
rejects or that can never match (a branch or tag name never holds a space, `~ ^ : \\`, never
starts with `/` nor ends with `/` or `.`; a path filter never starts with `./`). It follows
actionlint's glob.go, minus its `[x]` style remark (a one-character set matches fine)."""
from __future__ import annotations

_REF_BAD_CHARS = " \t~^:"


def glob_errors(pattern: str, ref: bool) -> list[tuple[int, str]]:
    """Mistakes in one filter pattern: (offset in the pattern, or -1 for the whole pattern, message)."""
    if not ref:
        stripped = pattern.strip()
        if stripped != pattern:
            return [(-1, "it has leading or trailing white space, which a path never has")]
        bare = stripped[1:] if stripped.startswith("!") else stripped
        if bare in (".", "..") or bare.startswith(("./", "../")):
            return [(-1, "paths are matched from the repository root without `./` or `../`: write `" + _without_dots(bare) + "`")]
    if pattern == "":
        return [(-1, "the pattern is empty")]
    errors: list[tuple[int, str]] = []
    i = 0
    n = len(pattern)
    preceding_ok = False  # may `?` / `+` follow what came before?
    if pattern[0] == "!":
        if n == 1:
            return [(0, "`!` negates the pattern that follows it, and nothing follows")]
        i = 1
    elif ref and pattern[0] == "/":
        errors.append((0, "a branch or tag name never starts with `/`"))
        i = 1
        preceding_ok = True
    while i < n:
        char = pattern[i]
        ok_after = True
        if char == "\\":
            following = pattern[i + 1] if i + 1 < n else ""
            if following in ("[", "?", "*"):
                if ref:
                    errors.append((i, f"a branch or tag name never holds `{following}`, so the escaped `\\{following}` never matches"))
                i += 1
            elif following in ("+", "\\", "!"):
                i += 1
            elif ref:
                errors.append((i, "`\\` escapes only the special characters `[ ? * + \\ !`, and a branch or tag name never "
                                  "holds `\\` (regular expressions such as `\\d` are not supported)"))
                if following:
                    i += 1
        elif char in "?+":
            if not preceding_ok:
                what = "zero or one" if char == "?" else "one or more"
                errors.append((i, f"`{char}` ({what} of the preceding character) must follow an ordinary character, "
                                  "not the start of the pattern or another special character"))
            ok_after = False
        elif char == "*":
            ok_after = False
        elif char == "[":
            end = _char_class(pattern, i, errors)
            if end is None:
                return errors
            i = end
        elif char in "\r\n":
            errors.append((i, "a pattern cannot hold a line break"))
        elif ref and char in _REF_BAD_CHARS:
            shown = {" ": "a space", "\t": "a tab"}.get(char, f"`{char}`")
            hint = " (regular expressions are not supported)" if char == "^" else ""
            errors.append((i, f"a branch or tag name never holds {shown}{hint}"))
        preceding_ok = ok_after
        i += 1
    if ref and pattern[-1] in "/." and not pattern.endswith("\\."):
        errors.append((n - 1, f"a branch or tag name never ends with `{pattern[-1]}`"))
    return errors


def _char_class(pattern: str, start: int, errors: list) -> int | None:
    """Check `[...]` starting at `start`; the offset of its `]`, or None when it is not closed."""
    n = len(pattern)
    i = start + 1
    if i < n and pattern[i] == "]":
        errors.append((start, "`[]` is an empty character set, which matches nothing"))
        return i
    while i < n:
        char = pattern[i]
        if char == "]":
            return i
        if i + 1 < n and pattern[i + 1] == "-":
            if i + 2 >= n:
                break
            end = pattern[i + 2]
            if end == "]":
                errors.append((i + 2, f"the range `{char}-` in `[...]` has no end"))
                return i + 2
            if char > end:
                errors.append((i + 2, f"the range `{char}-{end}` is backwards (`{char}` comes after `{end}`): write `{end}-{char}`"))
            i += 3
            continue
        i += 1
    errors.append((start, "`[` opens a character set that is never closed with `]`"))
    return None


def _without_dots(path: str) -> str:
    while path.startswith(("./", "../")):
        path = path.split("/", 1)[1]
    return path if path not in (".", "..", "") else "**"


def pattern_regex(pattern: str) -> tuple[str, bool]:
    """(a regular expression for a filter pattern, whether it holds wildcards). `\\x` is a
    literal x, `*` anything but `/`, `**` anything, `?`/`+` zero-or-one/one-or-more of the
    preceding character, `[...]` a character set."""
    import re

    out: list[str] = []
    wild = False
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if char == "*":
            wild = True
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*")
        elif char in "?+" and out:
            wild = True
            out.append(char)
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                out.append(re.escape(char))
            else:
                wild = True
                out.append("[" + pattern[i + 1 : end].replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out), wild
