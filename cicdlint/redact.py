"""Redaction and clean-up of everything a report shows from a file: a stage of the engine, not a
rule's duty, so no format and no rule can print a secret or a raw control character.

Per document, a `Redactor` knows the secret parts of the text:
- every credential-shaped value (`cicdlint.credentials` formats), in the raw text and in the
  decoded value of quoted scalars whose escapes could hide one from a raw search;
- the span of every finding of a rule tagged `secret-value` (a hard-coded password...).
Source lines are masked character for character over those parts (the first four characters of
a long value stay, so a reader can tell which value it is; columns do not move), and messages
have every such value, and anything credential-shaped, replaced by its first four characters and
`***`. Text is cleaned of what a terminal or a viewer would act on: control characters, bidi
overrides (Trojan Source), lone surrogates."""
from __future__ import annotations

import bisect

from . import credentials

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UNSAFE = ("Cc", "Cf", "Zl", "Zp", "Cs")
MIN_VALUE = 6  # shorter secret values are masked in snippets but not searched for in messages


def clean(text: str) -> str:
    """Control, format, bidi and surrogate characters replaced one for one by U+FFFD (columns stay
    put), so nothing reaches a terminal or a viewer raw; tabs stay."""
    if text.isascii() and text.isprintable():
        return text
    import unicodedata

    return "".join(
        "\ufffd" if char in _BIDI or (char != "\t" and unicodedata.category(char) in _UNSAFE) else char for char in text
    )


def clean_path(path: str) -> str:
    """A path for display: bytes that are not UTF-8 (surrogate-escaped) as `\\xNN`, control
    characters as escapes."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        path = path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if path.isprintable():
        return path
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in path)


def mask(value: str) -> str:
    """The value with all but its first four characters (none when short) replaced by `*`."""
    keep = 4 if len(value) >= 12 else 0
    return value[:keep] + "*" * (len(value) - keep)


class Redactor:
    def __init__(self, doc):
        self.text = doc.text or ""
        self._ranges: list[tuple[int, int]] = []
        self.values: set[str] = set()
        self._sorted = True
        self._ends: list[int] = []
        self._line_starts = None
        self._doc = doc
        for match in credentials.find(self.text):
            self.add_range(match.start, match.start + match.length, match.token)
        composed = doc.composed
        if composed is not None and "\\" in self.text:
            self._escaped_scalars(composed)

    def _escaped_scalars(self, composed) -> None:
        """Double-quoted scalars (YAML or JSON) with escapes: a token written `gh\\u0070_...` is
        credential-shaped only once decoded."""
        text = self.text
        for scalar, _ in composed.values():
            if scalar.style == '"' and "\\" in text[scalar.start : scalar.end]:
                if credentials.find(scalar.value):
                    self.add_range(scalar.start, scalar.end, None)
                    self.values.update(match.token for match in credentials.find(scalar.value))

    def add_range(self, start: int, end: int, value: str | None) -> None:
        if end > start:
            self._ranges.append((start, end))
            self._sorted = False
        if value and len(value) >= MIN_VALUE:
            self.values.add(value)

    def add_secret(self, span, node=None) -> None:
        """A finding of a secret-value rule: its span's text is a secret."""
        self.add_range(span.start_offset, span.end_offset, self.text[span.start_offset : span.end_offset].strip())
        value = getattr(node, "value", None)
        if isinstance(value, str) and len(value) >= MIN_VALUE:
            self.values.add(value)

    @property
    def ranges(self) -> list[tuple[int, int]]:
        """The secret ranges, sorted and merged into disjoint intervals."""
        if not self._sorted:
            merged: list[tuple[int, int]] = []
            for start, end in sorted(self._ranges):
                if merged and start <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
                else:
                    merged.append((start, end))
            self._ranges = merged
            self._ends = [end for _, end in merged]
            self._sorted = True
        return self._ranges

    def message(self, text: str) -> str:
        for value in sorted(self.values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, credentials.redact(value))
        for match in reversed(credentials.find(text)):
            text = text[: match.start] + credentials.redact(match.token) + text[match.start + match.length :]
        return clean(text)

    def line(self, number: int) -> str | None:
        """Source line `number` (1-based) with secrets masked and unsafe characters cleaned."""
        lines = self._doc.lines if self.text else []
        if not 0 < number <= len(lines):
            return None
        line = lines[number - 1]
        if self._ranges:
            start = self._starts()[number - 1]
            line = self._mask_line(line, start)
        return clean(line)

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            composed = self._doc.composed
            if composed is not None:
                self._line_starts = composed.line_starts
            else:
                from .yamlpos import line_starts

                self._line_starts = line_starts(self.text)
        return self._line_starts

    def _mask_line(self, line: str, line_start: int) -> str:
        line_end = line_start + len(line)
        ranges = self.ranges
        chars = None
        for index in range(bisect.bisect_right(self._ends, line_start), len(ranges)):
            start, end = ranges[index]
            if start >= line_end:
                break
            chars = chars if chars is not None else list(line)
            keep = 4 if end - start >= 12 else 0
            for offset in range(max(start + keep, line_start), min(end, line_end)):
                chars[offset - line_start] = "*"
        return "".join(chars) if chars is not None else line
