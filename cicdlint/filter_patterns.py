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


# --- matching ------------------------------------------------------------------------------------
# Patterns come from the linted repository (hostile input), so they are matched by simulating
# their automaton, in O(len(pattern) * len(text)), never by a backtracking regular expression.

_ANY, _NOT_SLASH = "any", "not-slash"


def _tokens(pattern: str) -> list[tuple[object, int, int]] | None:
    """(what one character must be, least, most repeats) per element; None when malformed.
    `what` is a character, a frozenset of characters, _ANY or _NOT_SLASH; most is 1 or -1."""
    tokens: list[list] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\" and i + 1 < n:
            tokens.append([pattern[i + 1], 1, 1])
            i += 2
            continue
        if char == "*":
            if pattern.startswith("**", i):
                tokens.append([_ANY, 0, -1])
                i += 2
            else:
                tokens.append([_NOT_SLASH, 0, -1])
                i += 1
            continue
        if char in "?+" and tokens and tokens[-1][1:] == [1, 1]:
            tokens[-1][1:] = [0, 1] if char == "?" else [1, -1]
            i += 1
            continue
        if char == "[":
            end = pattern.find("]", i + 1)
            if end < 0:
                return None
            members: set[str] = set()
            body = pattern[i + 1 : end]
            j = 0
            while j < len(body):
                if j + 2 < len(body) and body[j + 1] == "-":
                    low, high = ord(body[j]), ord(body[j + 2])
                    members.update(chr(code) for code in range(low, min(high, low + 4096) + 1))
                    j += 3
                else:
                    members.add(body[j])
                    j += 1
            tokens.append([frozenset(members), 1, 1])
            i = end + 1
            continue
        tokens.append([char, 1, 1])
        i += 1
    return [tuple(token) for token in tokens]


def has_wildcards(pattern: str) -> bool:
    """Does the pattern hold an unescaped `*`, `?`, `+` or `[`?"""
    i = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] in "*?+[":
            return True
        i += 1
    return False


def unescape(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern[i] == "\\" and i + 1 < len(pattern):
            i += 1
        out.append(pattern[i])
        i += 1
    return "".join(out)


def filter_match(pattern: str, text: str, ignore_case: bool = False) -> bool:
    """Does `text` match the filter pattern as a whole? Linear in len(pattern) * len(text)."""
    if ignore_case:
        pattern, text = pattern.lower(), text.lower()
    tokens = _tokens(pattern)
    if tokens is None:
        return False
    end = len(tokens)

    def fits(what, char: str) -> bool:
        if what is _ANY:
            return True
        if what is _NOT_SLASH:
            return char != "/"
        if isinstance(what, frozenset):
            return char in what
        return what == char

    def closure(states: set) -> set:
        stack = list(states)
        while stack:
            index, matched = stack.pop()
            if index < end and (tokens[index][1] == 0 or matched):
                state = (index + 1, False)
                if state not in states:
                    states.add(state)
                    stack.append(state)
        return states

    states = closure({(0, False)})
    for char in text:
        following = set()
        for index, matched in states:
            if index >= end:
                continue
            what, _, most = tokens[index]
            if (most == -1 or not matched) and fits(what, char):
                following.add((index, True))
        if not following:
            return False
        states = closure(following)
    return (end, False) in states
