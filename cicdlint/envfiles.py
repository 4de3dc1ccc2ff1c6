"""Writes to the runner's command files in a shell script: `$GITHUB_ENV`, `$GITHUB_OUTPUT`,
`$GITHUB_PATH`, `$GITHUB_STEP_SUMMARY` and `$GITHUB_STATE`.

`writes(script)` finds each command whose output goes to one of these files (`>>`/`>`
redirects, also of a `{ ...; } >> file` group, `| tee -a "$GITHUB_ENV"`, PowerShell's
`>> $env:GITHUB_ENV`, `Out-File` / `Add-Content`) and the data it writes: the words of `echo`,
`printf` and `Write-Output`, a heredoc body, or the files and commands whose output is copied.
`entries(script_writes, "GITHUB_OUTPUT")` reads `NAME=value` and `NAME<<DELIMITER` lines out
of them (also the deprecated `::set-output name=NAME::value` and `::set-env` commands).
Offsets are offsets in the script. Never raises.
"""
from __future__ import annotations

import re

from . import lazyre
from .records import MutableRecord
from .shell import Command, Word, parse, unquote

FILES = ("GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_STEP_SUMMARY", "GITHUB_STATE")
_TARGET = lazyre.compile(r"^(?:\$\{?(?:env:)?|%)(GITHUB_(?:ENV|OUTPUT|PATH|STEP_SUMMARY|STATE))(?:\}|%)?$", re.I)
_ALIAS_VALUE = lazyre.compile(r"^\$\{?(?:env:)?(GITHUB_(?:ENV|OUTPUT|PATH|STEP_SUMMARY|STATE))\}?$", re.I)
_TARGET_EXPRESSION = lazyre.compile(r"^\$\{\{\s*github\.(env|output|path|step_summary|state)\s*\}\}$", re.I)
_PRINTERS = {"echo", "printf", "write-output", "echo.exe"}
_FILE_READERS = {"cat", "head", "tail", "jq", "yq", "sed", "awk", "grep", "cut", "tr", "sort", "uniq", "xargs", "envsubst"}
_PWSH_WRITERS = {"out-file", "add-content", "set-content", "tee-object"}
# PowerShell parameters that take a value (the rest of a writer's words are the value or switches).
_PWSH_VALUE_PARAMETERS = {"-path", "-filepath", "-literalpath", "-encoding", "-value", "-inputobject", "-width", "-variable"}


class Part(MutableRecord):
    """A piece of the data written: `text` is the script text from `start` to `end`.

    kind: "text" (words or a heredoc line; `${{ }}` and `$VAR` in it are expanded), "file"
    (the content of the file named by `text`) or "command" (the output of a command)."""

    __slots__ = ("kind", "text", "start", "end", "quoted_heredoc")

    def __init__(self, kind: str, text: str, start: int, end: int, quoted_heredoc: bool = False):
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end
        self.quoted_heredoc = quoted_heredoc  # a line of a `<<'EOF'` heredoc: no `$VAR` expansion


class Write(MutableRecord):
    __slots__ = ("target", "command", "writer", "parts", "legacy_name")

    def __init__(
        self,
        target: str,
        command: Command,
        writer: Command,
        parts: list[Part] | None = None,
        legacy_name: str | None = None,
    ):
        self.target = target  # "GITHUB_ENV", "GITHUB_OUTPUT", ...
        self.command = command  # the command whose output is written
        self.writer = writer  # the command that writes the file (the same, or `tee` / `Out-File`)
        self.parts = parts if parts is not None else []
        self.legacy_name = legacy_name  # `::set-output name=NAME::value`: parts are the value


class Entry(MutableRecord):
    """One `NAME=value` (or `NAME<<DELIMITER` ... block) written to a command file."""

    __slots__ = ("target", "name", "parts", "multiline", "random_delimiter")

    def __init__(
        self,
        target: str,
        name: str,
        parts: list[Part],
        multiline: bool = False,
        random_delimiter: bool = False,
    ):
        self.target = target
        self.name = name
        self.parts = parts  # the value: `text` parts are the value text only
        self.multiline = multiline
        self.random_delimiter = random_delimiter


def target_of(word: Word | None, aliases: dict[str, str] | None = None) -> str | None:
    """"GITHUB_ENV" etc. when the word names a command file (`"$GITHUB_ENV"`, `${{ github.env }}`,
    PowerShell's `$env:GITHUB_ENV`, cmd's `%GITHUB_ENV%`, or a variable in `aliases` that holds
    one, as after `F=$GITHUB_ENV`)."""
    if word is None:
        return None
    value = word.value.strip()
    match = _TARGET.match(value)
    if match:
        return match.group(1).upper()
    match = _TARGET_EXPRESSION.match(value)
    if match:
        return "GITHUB_" + match.group(1).upper()
    if aliases and value.startswith("$"):
        name = value[1:].strip("{}")
        if name.lower().startswith("env:"):
            name = name[4:]
        return aliases.get(name) or aliases.get(name.lower())
    return None


def file_aliases(script: str, commands: list[Command]) -> dict[str, str]:
    """Variables the script sets to a command file's path: `F=$GITHUB_ENV`, `export OUT="${GITHUB_OUTPUT}"`,
    PowerShell's `$out = $env:GITHUB_OUTPUT` (by name, and lower-cased for PowerShell)."""
    aliases: dict[str, str] = {}
    for command in commands:
        words = list(command.assignments)
        if command.name in ("export", "local", "declare", "readonly", "typeset"):
            words += [word for word in command.args if "=" in word.text]
        for word in words:
            name, _, value = word.text.partition("=")
            target = _alias_target(unquote(value))
            if target:
                aliases[name] = target
        words = command.words
        if len(words) >= 3 and words[0].text.startswith("$") and words[1].text == "=":
            target = _alias_target(words[2].value)
            if target:
                aliases[words[0].text[1:].lower()] = target
    return aliases


def _alias_target(value: str) -> str | None:
    value = value.strip()
    match = _ALIAS_VALUE.match(value) or _TARGET.match(value)
    if match:
        return match.group(1).upper()
    match = _TARGET_EXPRESSION.match(value)
    return "GITHUB_" + match.group(1).upper() if match else None


def writes(script: str, commands: list[Command] | None = None) -> list[Write]:
    """Every write to a command file in the script, in script order."""
    if "GITHUB_" not in script.upper() and "github." not in script.lower() and "::set-" not in script:
        return []
    commands = parse(script) if commands is None else commands
    aliases = file_aliases(script, commands)
    found: list[Write] = []
    for index, command in enumerate(commands):
        target = None
        for redirect in command.redirects:
            if redirect.op in (">>", ">", ">|", "&>>", "&>") and redirect.fd in ("", "1", "&"):
                target = target_of(redirect.target, aliases) or target
        name = command.name.lower().rsplit("/", 1)[-1]
        if target is not None:
            if command.words or command.heredoc:
                found.append(Write(target, command, command, _data(script, command)))
            continue
        if name == "tee":
            tee_target = next((target_of(word, aliases) for word in command.args if target_of(word, aliases)), None)
            source = commands[index - 1] if index and commands[index - 1].piped_out else None
            if tee_target and source is not None:
                found.append(Write(tee_target, source, command, _data(script, source)))
            elif tee_target and any(redirect.op == "<<<" for redirect in command.redirects):
                found.append(Write(tee_target, command, command, _data(script, command)))
            continue
        if name in _PWSH_WRITERS:
            pwsh_target = next((target_of(word, aliases) for word in command.args if target_of(word, aliases)), None)
            if pwsh_target is None:
                continue
            value = _pwsh_value(command, aliases)
            if value is not None:
                found.append(Write(pwsh_target, command, command, [Part("text", value.text, value.start, value.end)]))
            elif index and commands[index - 1].piped_out:
                source = commands[index - 1]
                found.append(Write(pwsh_target, source, command, _data(script, source)))
            continue
        # The deprecated stdout commands: `echo "::set-output name=x::value"`, `::set-env`.
        if name in _PRINTERS and "::set-" in script[command.start : command.end]:
            legacy = _legacy(script, command)
            if legacy is not None:
                found.append(legacy)
    return found


def _pwsh_value(command: Command, aliases: dict[str, str] | None = None) -> Word | None:
    """The value an Add-Content / Set-Content / Out-File writes: `-Value X`, `-InputObject X`,
    or the positional word after the path (`Add-Content $env:GITHUB_ENV "X=1"`)."""
    args = command.args
    for position, word in enumerate(args[:-1]):
        if word.value.lower() in ("-value", "-inputobject"):
            return args[position + 1]
    if command.name.lower() not in ("add-content", "set-content"):
        return None
    skip = False
    for word in args:
        lowered = word.value.lower()
        if skip:
            skip = False
        elif lowered in _PWSH_VALUE_PARAMETERS:
            skip = True
        elif lowered.startswith("-") or target_of(word, aliases):
            continue
        else:
            return word
    return None


_LEGACY = lazyre.compile(r"::set-(output|env)\s+name=([A-Za-z_][\w-]*)::")


def _legacy(script: str, command: Command) -> Write | None:
    text = script[command.words[1].start : command.end] if len(command.words) > 1 else ""
    match = _LEGACY.search(text)
    if not match:
        return None
    target = "GITHUB_OUTPUT" if match.group(1) == "output" else "GITHUB_ENV"
    value_start = command.words[1].start + match.end()
    part = Part("text", script[value_start : command.end], value_start, command.end)
    return Write(target, command, command, [part], legacy_name=match.group(2))


def _data(script: str, command: Command) -> list[Part]:
    """What a command prints (as far as can be seen)."""
    parts: list[Part] = []
    if command.heredoc is not None:
        start, end = command.heredoc
        pos = start
        for line in script[start:end].split("\n"):
            if line.strip():
                parts.append(Part("text", line, pos, pos + len(line), command.heredoc_quoted))
            pos += len(line) + 1
        return parts
    for redirect in command.redirects:
        if redirect.op == "<" and redirect.target is not None:
            parts.append(Part("file", redirect.target.value, redirect.target.start, redirect.target.end))
        elif redirect.op == "<<<" and redirect.target is not None:
            parts.append(Part("text", redirect.target.text, redirect.target.start, redirect.target.end))
    words = command.words
    if not words:
        return parts
    name = words[0].value.lower().rsplit("/", 1)[-1]
    if parts and name in ("tee", "cat"):  # `tee -a "$GITHUB_ENV" <<< "X=$Y"`, `cat < file`
        return parts
    if name in _PRINTERS:
        args = words[1:]
        if name == "echo":
            while args and re.fullmatch(r"-[neE]+", args[0].value):
                args = args[1:]
        elif name == "printf":
            while len(args) > 1 and args[0].value.startswith("-"):
                args = args[2:] if args[0].value == "-v" else args[1:]
            return [Part("text", word.text, word.start, word.end) for word in args]
        if args:
            parts.append(Part("text", script[args[0].start : args[-1].end], args[0].start, args[-1].end))
        return parts
    if words[0].text[:1] in ("'", '"'):  # PowerShell: a bare string is written to the pipeline
        parts.append(Part("text", script[words[0].start : words[-1].end], words[0].start, words[-1].end))
        return parts
    if name in _FILE_READERS:
        operands = [word for word in words[1:] if not word.value.startswith("-")]
        if name in ("jq", "yq", "sed", "awk", "grep") and operands:
            operands = operands[1:]  # the program or pattern comes first
        for word in operands:
            parts.append(Part("file", word.value, word.start, word.end))
        if parts:
            return parts
    parts.append(Part("command", script[command.start : command.end], command.start, command.end))
    return parts


_ASSIGN = lazyre.compile(r"""^\s*["']?([A-Za-z_][A-Za-z0-9_-]*)(=|<<)""")


def entries(found: list[Write], target: str, unmatched: list[Part] | None = None) -> list[Entry]:
    """The NAME=value entries written to one command file, in order. Lines of text that are
    neither an entry nor part of a `NAME<<DELIMITER` block (`echo "$BODY" >> "$GITHUB_OUTPUT"`:
    whatever the text holds becomes entries) are added to `unmatched` when given."""
    result: list[Entry] = []
    lines: list[tuple[Part, list[Part]]] = []  # a line, and printf arguments its `%s` may take
    for write in found:
        if write.target != target:
            continue
        if write.legacy_name is not None:
            lines.append((Part("legacy:" + write.legacy_name, "", 0, 0), list(write.parts)))
            continue
        if _is_printf(write) and write.parts and write.parts[0].kind == "text":
            fmt, args = write.parts[0], write.parts[1:]
            pos = fmt.start
            for line in fmt.text.split("\\n"):
                lines.append((Part("text", line, pos, pos + len(line)), args if "%" in line else []))
                pos += len(line) + 2
            continue
        for part in write.parts:
            lines.append((part, []))  # a file's or a command's output: a block's content, or lines of its own
    index = 0
    while index < len(lines):
        line, extra = lines[index]
        index += 1
        if line.kind.startswith("legacy:"):
            result.append(Entry(target, line.kind.split(":", 1)[1], extra))
            continue
        if line.kind != "text":
            if unmatched is not None:
                unmatched.append(line)
            continue
        match = _ASSIGN.match(line.text)
        if not match:
            if unmatched is not None and line.text.strip().strip("\"'"):
                unmatched.append(line)
            continue
        name, operator = match.group(1), match.group(2)
        value_start = line.start + match.end()
        if operator == "=":
            value = Part("text", line.text[match.end() :], value_start, line.end, line.quoted_heredoc)
            result.append(Entry(target, name, [value, *extra]))
            continue
        delimiter_text = line.text[match.end() :].strip().strip("\"'")
        random = "$" in delimiter_text  # a delimiter in a variable: usually a random one
        block: list[Part] = []
        while index < len(lines):
            current, more = lines[index]
            index += 1
            if current.kind == "text" and current.text.strip().strip("\"'") == delimiter_text:
                break
            block.append(current)
            block.extend(more)
        result.append(Entry(target, name, block, multiline=True, random_delimiter=random))
    return result


def _is_printf(write: Write) -> bool:
    return bool(write.command.words) and write.command.words[0].value == "printf"
