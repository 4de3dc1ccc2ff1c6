"""The one reader: every file cicdlint opens (walked, named on the command line, linked from a
workflow, a config) is read here, so the same checks hold for all of them.

- Only regular files: a FIFO, a device, a socket or a directory is refused before it is opened
  for reading (and it is opened with O_NONBLOCK, so a FIFO swapped in meanwhile cannot block).
- Only inside the scanned root: the path is resolved (symbolic links followed, loops caught) and
  must lie under the resolved root; a link that leaves it is refused, never read.
- At most MAX_BYTES: the size is checked on the open file, and reading stops one byte past the
  limit, so a file that grows while it is read cannot exhaust memory either.
- Decoding in one place: a UTF-8 BOM is dropped; UTF-16, NUL bytes and invalid UTF-8 are
  reported with the position of the first bad byte.

A refusal is a `Refusal(message, span)`, never an exception: the caller turns it into a finding.
"""
from __future__ import annotations

import errno
import os
import stat

from .rule import Span

MAX_BYTES = 5_000_000
_BOM = b"\xef\xbb\xbf"
FIRST = Span(1, 1, 1, 2, 0, 1)


class Refusal:
    """Why a file was not read (or not decoded), and where in it when that is known."""

    __slots__ = ("message", "span", "kind")

    def __init__(self, message: str, span: Span = FIRST, kind: str = "unreadable"):
        self.message = message
        self.span = span
        self.kind = kind  # "unreadable" (file system) or "decode" (content)

    def __repr__(self):
        return f"Refusal({self.message!r})"


def resolve(path: str) -> str:
    """The real path, never raising (a symlink loop resolves to itself, and open reports it)."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError, RuntimeError):
        return os.path.abspath(path)


def inside(path: str, root: str) -> bool:
    """Is the real path of `path` the resolved `root` or below it?"""
    real = resolve(path)
    base = resolve(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def read_bytes(path: str, root: str | None) -> bytes | Refusal:
    """The bytes of a regular file inside `root` (None: no containment check), or a Refusal."""
    if "\0" in path:
        return Refusal("Not read: the path contains a NUL character")
    real = resolve(path)
    if root is not None and not inside(real, root):
        return Refusal(
            "Not read: this path leads outside the scanned directory (a symbolic link or `..`); "
            "cicdlint reads only files inside it"
        )
    try:
        info = os.stat(real)
    except OSError as error:
        return Refusal(f"Not read: {_reason(error)}")
    if not stat.S_ISREG(info.st_mode):
        return Refusal(f"Not read: this is {_file_type(info.st_mode)}, not a regular file")
    if info.st_size > MAX_BYTES:
        return _too_large()
    try:
        descriptor = os.open(real, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        return Refusal(f"Not read: {_reason(error)}")
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode):  # replaced between the checks
            return Refusal(f"Not read: this is {_file_type(opened.st_mode)}, not a regular file")
        chunks, total = [], 0
        while total <= MAX_BYTES:
            chunk = os.read(descriptor, min(1 << 20, MAX_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > MAX_BYTES:
            return _too_large()
        return b"".join(chunks)
    except OSError as error:
        return Refusal(f"Not read: {_reason(error)}")
    finally:
        os.close(descriptor)


def read_text(path: str, root: str | None) -> str | Refusal:
    data = read_bytes(path, root)
    return data if isinstance(data, Refusal) else decode(data)


def _too_large() -> Refusal:
    return Refusal(f"Not read: lint files under {MAX_BYTES // 1_000_000} MB; this one is larger")


def _reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "the path is a loop of symbolic links"
    if error.errno == errno.ENAMETOOLONG:
        return "the path is too long"
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied (make the file readable)"
    if error.errno == errno.ENOENT:
        return "no such file (a broken symbolic link?)"
    return (error.strerror or str(error)).rstrip(".").lower()


def _file_type(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def decode(data: bytes) -> str | Refusal:
    """The text of the bytes (a UTF-8 BOM dropped, so columns on line 1 are as an editor shows
    them), or why they are not UTF-8 text and where."""
    if data.startswith(_BOM):
        data = data[3:]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return Refusal("Save the file as UTF-8: it is UTF-16 text", kind="decode")
    nul = data.find(b"\0")
    if nul != -1:
        return Refusal(
            "Lint only text files: this file contains a NUL byte (binary data or UTF-16?)", byte_span(data, nul), "decode"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start]
        return Refusal(f"Save the file as UTF-8 text: byte 0x{bad:02X} here is not UTF-8", byte_span(data, error.start), "decode")


def byte_span(data: bytes, index: int) -> Span:
    """The one-character span of a byte offset, its column counted in code points."""
    from .yamlpos import Positions

    prefix = data[:index].decode("utf-8", "replace")
    line, col = Positions(prefix).line_col(len(prefix))
    return Span(line, col, line, col + 1, len(prefix), len(prefix) + 1)
