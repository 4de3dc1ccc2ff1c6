"""A small, forgiving shell reader for `run:` and SSH `script:` bodies.

It splits a script into simple commands with the offset of every word, and notes for each
command what a linter needs: where its standard output goes (the job log, a pipe, a file),
whether it runs inside a loop, and the heredoc it reads. `${{ ... }}` expressions, quotes,
`$(...)` and backticks are kept whole inside a word. It never fails: odd input gives odd words.
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lazyre
from .records import MutableRecord

_LOOP_START = {"for", "while", "until", "select"}
_PREFIX_KEYWORDS = {"if", "then", "else", "elif", "do", "!", "{", "(", "time", "exec"}
_CLOSERS = {"fi", "done", "esac", "}", ")"}
_TO_LOG = {"/dev/stdout", "/dev/stderr", "/dev/tty", "&1", "&2"}
_ASSIGNMENT = lazyre.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")


class Word(MutableRecord):
    __slots__ = ("text", "start", "end")

    def __init__(self, text: str, start: int, end: int):
        self.text = text  # as written, quotes included
        self.start = start  # offset in the script
        self.end = end

    @property
    def value(self) -> str:
        """The word with quotes removed (no expansion)."""
        return unquote(self.text)


class Redirect(MutableRecord):
    __slots__ = ("op", "fd", "target")

    def __init__(self, op: str, fd: str, target: Word | None):
        self.op = op  # ">", ">>", "<", "<<", "<<<", "&>", ">&", ...
        self.fd = fd  # "1", "2", "&" or ""
        self.target = target


class Command(MutableRecord):
    __slots__ = ("words", "start", "end", "redirects", "assignments", "piped_out", "piped_in", "loop_depth", "line_has_loop", "heredoc", "heredoc_quoted", "or_fallback", "group_piped_out", "loop_header", "conditional")

    def __init__(
        self,
        words: list[Word],
        start: int,
        end: int,
        redirects: list[Redirect] | None = None,
        assignments: list[Word] | None = None,
        piped_out: bool = False,
        piped_in: bool = False,
        loop_depth: int = 0,
        line_has_loop: bool = False,
        heredoc: tuple[int, int] | None = None,
        heredoc_quoted: bool = False,
        or_fallback: bool = False,
        group_piped_out: bool = False,
        loop_header: str = "",
        conditional: bool = False,
    ):
        self.words = words
        self.start = start
        self.end = end
        self.redirects = redirects if redirects is not None else []
        self.assignments = assignments if assignments is not None else []
        self.piped_out = piped_out  # stdout feeds the next command
        self.piped_in = piped_in
        self.loop_depth = loop_depth
        self.line_has_loop = line_has_loop
        self.heredoc = heredoc  # body offsets in the script
        self.heredoc_quoted = heredoc_quoted
        self.or_fallback = or_fallback  # followed by `||`
        self.group_piped_out = group_piped_out  # inside `{ ...; } | cmd` (or a loop / subshell piped on)
        self.loop_header = loop_header  # "for" / "select": the words are `NAME in ITEMS...`
        self.conditional = conditional  # inside `if`, `case` or a loop, or after `&&` / `||`: it may not run

    @property
    def name(self) -> str:
        return self.words[0].value if self.words else ""

    @property
    def args(self) -> list[Word]:
        return self.words[1:]

    def stdout_to_log(self) -> bool:
        """Does what this command prints reach the job log?"""
        if self.piped_out or self.group_piped_out:
            return False
        for redirect in self.redirects:
            if redirect.op in (">", ">>", ">|", "&>", "&>>") and redirect.fd in ("", "1", "&"):
                target = redirect.target.value if redirect.target else ""
                if target not in _TO_LOG:
                    return False
        return True

    @property
    def in_loop(self) -> bool:
        return self.loop_depth > 0 or self.line_has_loop


def unquote(text: str) -> str:
    out, i, length = [], 0, len(text)
    while i < length:
        char = text[i]
        if char == "'":
            end = text.find("'", i + 1)
            end = length if end < 0 else end
            out.append(text[i + 1 : end])
            i = end + 1
        elif char == '"':
            i += 1
            while i < length and text[i] != '"':
                if text[i] == "\\" and i + 1 < length and text[i + 1] in '"\\$`':
                    i += 1
                out.append(text[i])
                i += 1
            i += 1
        elif char == "\\" and i + 1 < length:
            out.append(text[i + 1])
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


class _Lexer:
    def __init__(self, script: str):
        self.s = script
        self.n = len(script)
        self.i = 0

    def skip_blank(self) -> None:
        s, n = self.s, self.n
        while self.i < n:
            char = s[self.i]
            if char in " \t\r":
                self.i += 1
            elif char == "\\" and self.i + 1 < n and s[self.i + 1] == "\n":
                self.i += 2
            elif char == "\\" and s.startswith("\r\n", self.i + 1):
                self.i += 3
            else:
                return

    def word(self) -> Word:
        """Read one word from the current position (which is not blank or an operator)."""
        s, n, start = self.s, self.n, self.i
        while self.i < n:
            char = s[self.i]
            if char in " \t\r\n;&|<>" or (char in "()" and self.i == start):
                if char in "<>" and self.i > start and s[start:self.i].isdigit():
                    break  # `2>`: the fd belongs to the redirect
                break
            if char == ")":
                break
            if s.startswith("${{", self.i):
                end = s.find("}}", self.i + 3)
                self.i = n if end < 0 else end + 2
            elif char == "'":
                end = s.find("'", self.i + 1)
                self.i = n if end < 0 else end + 1
            elif char == '"':
                self.i = self._double_quoted(self.i + 1)
            elif char == "\\":
                self.i += 2
            elif s.startswith("$(", self.i) or s.startswith("<(", self.i) or s.startswith(">(", self.i):
                self.i = self._balanced(self.i + 2)
            elif char == "`":
                end = s.find("`", self.i + 1)
                self.i = n if end < 0 else end + 1
            elif s.startswith("${", self.i):
                end = s.find("}", self.i + 2)
                self.i = n if end < 0 else end + 1
            else:
                self.i += 1
        return Word(s[start : self.i], start, self.i)

    def _double_quoted(self, i: int) -> int:
        s, n = self.s, self.n
        while i < n:
            if s[i] == "\\":
                i += 2
            elif s[i] == '"':
                return i + 1
            elif s.startswith("${{", i):
                end = s.find("}}", i + 3)
                i = n if end < 0 else end + 2
            elif s.startswith("$(", i):
                i = self._balanced(i + 2)
            else:
                i += 1
        return n

    def _balanced(self, i: int) -> int:
        s, n, depth = self.s, self.n, 1
        while i < n and depth:
            char = s[i]
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            elif char == "'":
                end = s.find("'", i + 1)
                i = n - 1 if end < 0 else end
            elif char == '"':
                i = self._double_quoted(i + 1) - 1
            elif char == "\\":
                i += 1
            i += 1
        return i


_REDIRECT = lazyre.compile(r"(\d*|&)(>>|>&|>\||&>>|&>|<<<|<<-|<<|<>|<&|>|<)")
_OPERATOR = lazyre.compile(r"\|\||&&|\|&|;;|[;&|\n()]")


@lru_cache(maxsize=1024)
def parse(script: str) -> list[Command]:
    """The simple commands of a script, in order. Cached: many rules read the same script, so
    callers must not change what it returns."""
    lexer = _Lexer(script)
    commands: list[Command] = []
    current: Command | None = None
    pending_heredocs: list[tuple[Command, str, bool]] = []
    loop_depth = 0
    line_loop = False
    piped_in = False
    s = script
    groups: list[tuple[str, int]] = []  # each open `{`, `(`, `do`, `if` and where in `commands` it starts
    closed_group: int | None = None  # the group closed by the current `}` / `)` / `done` / `fi`
    after_logic = False  # the next command follows `&&` or `||`
    case_depth = 0

    def finish(piped: bool = False, or_fallback: bool = False):
        nonlocal current, piped_in, closed_group
        if closed_group is not None:
            # `{ ...; } > file`, `done | sort`: the group's output goes where its closer says
            outputs = [r for r in (current.redirects if current else []) if ">" in r.op and r.fd in ("", "1", "&")]
            for inner in commands[closed_group:]:
                inner.redirects.extend(outputs)
                inner.group_piped_out = inner.group_piped_out or piped
            closed_group = None
        if current is not None:
            current.piped_out = piped
            current.or_fallback = or_fallback
            if current.words or current.redirects or current.assignments:
                commands.append(current)
        current = None
        piped_in = piped

    while True:
        lexer.skip_blank()
        if lexer.i >= lexer.n:
            break
        char = s[lexer.i]
        if char == "#" and (lexer.i == 0 or s[lexer.i - 1] in " \t\n;&|("):
            end = s.find("\n", lexer.i)
            lexer.i = lexer.n if end < 0 else end
            continue
        redirect = None if s.startswith(("<(", ">("), lexer.i) else _REDIRECT.match(s, lexer.i)
        if redirect:
            fd, op = redirect.group(1), redirect.group(2)
            lexer.i = redirect.end()
            lexer.skip_blank()
            target = None
            if lexer.i < lexer.n and s[lexer.i] not in "\n;&|":
                target = lexer.word()
            if current is None:
                current = Command([], redirect.start(), redirect.end(), piped_in=piped_in, loop_depth=loop_depth,
                                  conditional=after_logic or case_depth > 0 or any(kind in ("if", "do") for kind, _ in groups))
            current.redirects.append(Redirect(op, fd, target))
            current.end = lexer.i
            if op in ("<<", "<<-") and target is not None:
                delimiter = target.value
                pending_heredocs.append((current, delimiter, target.text != delimiter))
            continue
        operator = _OPERATOR.match(s, lexer.i)
        if operator:
            op = operator.group(0)
            lexer.i = operator.end()
            if op in ("&&", "||"):
                after_logic = True
            elif op not in ("|", "|&", "(", ")"):
                after_logic = False
            if op in ("|", "|&"):
                finish(piped=True)
            elif op == "||":
                finish(or_fallback=True)
            elif op == "(":
                groups.append(("(", len(commands)))  # a subshell: its commands are read as commands
            elif op == ")":
                finish()
                closed_group = _close_group(groups, "(")
            else:
                finish()
            if op == "\n":
                line_loop = False
                for command, delimiter, quoted in pending_heredocs:
                    lexer.i = _read_heredoc(s, lexer.i, command, delimiter, quoted)
                pending_heredocs = []
            continue
        word = lexer.word()
        if word.start == word.end:  # cannot make progress: skip one character
            lexer.i += 1
            continue
        if current is None:
            current = Command([], word.start, word.end, piped_in=piped_in, loop_depth=loop_depth,
                              conditional=after_logic or case_depth > 0 or any(kind in ("if", "do") for kind, _ in groups))
        if not current.words:
            if word.text in _LOOP_START:
                loop_depth += 1
                line_loop = True
                current.loop_depth = loop_depth
                current.line_has_loop = True
                if word.text in ("for", "select"):
                    current.loop_header = word.text
                continue
            if word.text == "done":
                closed_group = _close_group(groups, "do")
                loop_depth = max(0, loop_depth - 1)
                current.loop_depth = loop_depth
                continue
            if word.text == "case":
                case_depth += 1
            elif word.text == "esac":
                case_depth = max(0, case_depth - 1)
                continue
            if word.text in ("{", "do", "if"):
                groups.append((word.text, len(commands)))
                current.conditional = current.conditional or word.text != "{"
            elif word.text in ("}", "fi"):
                closed_group = _close_group(groups, "{" if word.text == "}" else "if")
            if word.text in _PREFIX_KEYWORDS or word.text in _CLOSERS:
                continue
            if _ASSIGNMENT.match(word.text):
                current.assignments.append(word)
                current.end = word.end
                continue
        current.words.append(word)
        current.line_has_loop = current.line_has_loop or line_loop
        current.end = word.end
    finish()
    for command, delimiter, quoted in pending_heredocs:  # a heredoc at the very end
        _read_heredoc(s, lexer.n, command, delimiter, quoted)
    return commands


def _close_group(groups: list[tuple[str, int]], opener: str) -> int | None:
    """Close the innermost group if `opener` opened it; where its commands start."""
    if groups and groups[-1][0] == opener:
        return groups.pop()[1]
    return None


def _read_heredoc(script: str, pos: int, command: Command, delimiter: str, quoted: bool) -> int:
    """Attach the body that starts at `pos` to `command`; return the offset after it."""
    body_start = pos
    while pos < len(script):
        end = script.find("\n", pos)
        line_end = len(script) if end < 0 else end
        if script[pos:line_end].strip() == delimiter:
            command.heredoc = (body_start, pos)
            command.heredoc_quoted = quoted
            return len(script) if end < 0 else end + 1
        pos = line_end + 1
    command.heredoc = (body_start, len(script))
    command.heredoc_quoted = quoted
    return len(script)


def strip_wrappers(words: list[Word]) -> list[Word]:
    """Drop `sudo`, `env VAR=x`, `command`, `nohup`, `timeout N` before the real command."""
    i = 0
    while i < len(words):
        value = words[i].value
        if value in ("sudo", "command", "nohup", "builtin", "exec", "time", "nice"):
            i += 1
            while i < len(words) and words[i].value.startswith("-") and value == "sudo":
                i += 2 if words[i].value in _SUDO_VALUE_OPTIONS else 1
        elif value == "timeout":
            i += 1
            while i < len(words) and words[i].value.startswith("-"):
                i += 1
            i += 1  # the duration
        elif value == "env" and i + 1 < len(words) and (_ASSIGNMENT.match(words[i + 1].text) or words[i + 1].value.startswith("-")):
            i += 1
            while i < len(words) and (_ASSIGNMENT.match(words[i].text) or words[i].value.startswith("-")):
                i += 1
        else:
            break
    return words[i:]


_SUDO_VALUE_OPTIONS = {"-u", "-g", "-h", "-C", "-D", "-p", "-r", "-t", "-U", "--user", "--group"}
_VAR_REF = lazyre.compile(r"\$(?:\{(#?)([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
# PowerShell: `$env:NAME`, `${env:NAME}` (environment) and `$name` (a script variable).
_PWSH_REF = lazyre.compile(r"\$(?:\{env:([A-Za-z_][A-Za-z0-9_]*)\}|env:([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))", re.I)
# cmd: `%NAME%` and delayed `!NAME!`.
_CMD_REF = lazyre.compile(r"%([A-Za-z_][A-Za-z0-9_]*)%|!([A-Za-z_][A-Za-z0-9_]*)!")


def variable_refs(text: str, dialect: str = "sh") -> list[tuple[str, int, int, bool]]:
    """Variables expanded in `text`: (name, start, end, is_length) where `${#X}` is a length.
    In the "sh" dialect single-quoted parts expand nothing; "pwsh" reads `$env:NAME` (as NAME)
    and `$name`, "cmd" reads `%NAME%`."""
    if dialect in ("pwsh", "cmd"):
        pattern = _PWSH_REF if dialect == "pwsh" else _CMD_REF
        quoted = [(m.start(), m.end()) for m in re.finditer(r"'[^']*'", text)] if dialect == "pwsh" and "'" in text else []
        refs = []
        for match in pattern.finditer(text):
            if quoted and any(start < match.start() < end for start, end in quoted) and not _inside_double(text, match.start()):
                continue
            name = next(group for group in match.groups() if group)
            refs.append((name, match.start(), match.end(), False))
        return refs
    refs = []
    quoted_spans = [(m.start(), m.end()) for m in re.finditer(r"'[^']*'", text)] if "'" in text else []
    for match in _VAR_REF.finditer(text):
        if any(start < match.start() < end for start, end in quoted_spans) and not _inside_double(text, match.start()):
            continue
        name = match.group(2) or match.group(4)
        refs.append((name, match.start(), match.end(), bool(match.group(1))))
    return refs


def _inside_double(text: str, pos: int) -> bool:
    return text.count('"', 0, pos) % 2 == 1


# --- commands run inside other commands --------------------------------------------------------

_SHELLS = {"bash", "sh", "zsh", "dash", "ash", "ksh"}
_SSH_OPTIONS_WITH_ARG = set("bcDEeFIiJLlmOoPpQRSWw")


class NestedCommand(MutableRecord):
    """A command, and the commands it runs inside (outermost first). Offsets are in the script
    given to parse_nested (approximate where quoting removed escape characters)."""

    __slots__ = ("command", "parents", "via")

    def __init__(self, command: Command, parents: tuple[Command, ...] = (), via: str = ""):
        self.command = command
        self.parents = parents
        self.via = via  # how the innermost parent runs it: "substitution", "shell", "ssh" or "heredoc"

    @property
    def in_loop(self) -> bool:
        return self.command.in_loop or any(parent.in_loop for parent in self.parents)


@lru_cache(maxsize=1024)
def parse_nested(script: str, max_depth: int = 4) -> list[NestedCommand]:
    """parse(), plus the commands run inside `$(...)` and backquotes, `bash -c '...'`,
    `ssh host '...'` and the heredoc of `bash <<EOF` / `ssh host <<EOF`, in script order of
    their enclosing command."""
    found: list[NestedCommand] = []
    _nest(script, list(range(len(script) + 1)), (), "", found, max_depth)
    return found


def _nest(text: str, where: list[int], parents: tuple, via: str, found: list, depth: int) -> None:
    for command in parse(text):
        shifted = _shift(command, where)
        found.append(NestedCommand(shifted, parents, via))
        if depth <= 0:
            continue
        for inner, inner_where, how in _inner_scripts(text, command, where):
            _nest(inner, inner_where, parents + (shifted,), how, found, depth - 1)


def _shift(command: Command, where: list[int]) -> Command:
    def word(w: Word | None) -> Word | None:
        return None if w is None else Word(w.text, where[w.start], where[w.end])

    return Command(
        words=[word(w) for w in command.words],
        start=where[command.start],
        end=where[command.end],
        redirects=[Redirect(r.op, r.fd, word(r.target)) for r in command.redirects],
        assignments=[word(w) for w in command.assignments],
        piped_out=command.piped_out,
        group_piped_out=command.group_piped_out,
        piped_in=command.piped_in,
        loop_depth=command.loop_depth,
        line_has_loop=command.line_has_loop,
        heredoc=None if command.heredoc is None else (where[command.heredoc[0]], where[command.heredoc[1]]),
        heredoc_quoted=command.heredoc_quoted,
        or_fallback=command.or_fallback,
        loop_header=command.loop_header,
        conditional=command.conditional,
    )


def _inner_scripts(text: str, command: Command, where: list[int]):
    """(script, offsets, via) of what `command` (local offsets in `text`) runs as shell code."""
    for word in command.assignments + command.words + [r.target for r in command.redirects if r.target]:
        for start, end in _substitutions(text, word):
            yield text[start:end], where[start : end + 1], "substitution"
    words = strip_wrappers(command.words)
    if not words:
        return
    name = words[0].value.rsplit("/", 1)[-1]
    body = None
    how = "ssh" if name == "ssh" else "shell"
    if name in _SHELLS:
        for index, arg in enumerate(words[1:-1], start=1):
            value = arg.value
            if value.startswith("-") and not value.startswith("--") and "c" in value:
                body = [words[index + 1]]
                break
            if not value.startswith("-"):
                break
    elif name == "ssh":
        index = 1
        while index < len(words) and words[index].value.startswith("-"):
            option = words[index].value
            index += 2 if len(option) == 2 and option[1] in _SSH_OPTIONS_WITH_ARG else 1
        body = words[index + 1 :] or None  # the words after the destination
    if body and len(body) == 1:
        yield (*_unquote_positions(text, body[0], where), how)
    elif body:
        yield text[body[0].start : body[-1].end], where[body[0].start : body[-1].end + 1], how
    if command.heredoc and (name in _SHELLS or name == "ssh"):
        start, end = command.heredoc
        yield text[start:end], where[start : end + 1], "heredoc"


def _substitutions(text: str, word: Word) -> list[tuple[int, int]]:
    """Body offsets of the outermost `$(...)` and backquoted substitutions in a word."""
    found, i, end, quoted = [], word.start, word.end, False
    while i < end:
        char = text[i]
        if char == "'" and not quoted:
            close = text.find("'", i + 1)
            i = end if close < 0 else close + 1
            continue
        if char == '"':
            quoted = not quoted
        elif char == "\\":
            i += 2
            continue
        elif text.startswith("$(", i) and not text.startswith("$((", i):
            close = _Lexer(text)._balanced(i + 2)
            found.append((i + 2, max(i + 2, min(close, end) - 1)))
            i = close
            continue
        elif char == "`":
            close = text.find("`", i + 1)
            close = end if close < 0 or close > end else close
            found.append((i + 1, close))
            i = close + 1
            continue
        i += 1
    return found


def _unquote_positions(text: str, word: Word, where: list[int]) -> tuple[str, list[int]]:
    """A word's value (as unquote) and the script offset of each of its characters."""
    out, positions, i, end = [], [], word.start, word.end
    while i < end:
        char = text[i]
        if char == "'":
            close = text.find("'", i + 1, end)
            close = end if close < 0 else close
            for k in range(i + 1, close):
                out.append(text[k])
                positions.append(where[k])
            i = close + 1
        elif char == '"':
            i += 1
            while i < end and text[i] != '"':
                if text[i] == "\\" and i + 1 < end and text[i + 1] in '"\\$`':
                    i += 1
                out.append(text[i])
                positions.append(where[i])
                i += 1
            i += 1
        elif char == "\\" and i + 1 < end:
            out.append(text[i + 1])
            positions.append(where[i + 1])
            i += 2
        else:
            out.append(char)
            positions.append(where[i])
            i += 1
    positions.append(where[min(end, len(where) - 1)])
    return "".join(out), positions
