"""Regular expressions compiled on first use, and compiled once per machine.

Compiling is most of what importing a rule costs, and one run uses few of the patterns (a
workflow never needs the ECS ones), so start-up compiles none of them. What a first use costs is
Python's regex parser and code generator, ~0.2 ms a pattern, ~15 ms for the patterns one
workflow needs: the generated code is kept in the user's cache directory, next to the result
cache (like Python's own bytecode caches), keyed by the exact Python version and regex engine,
and later runs hand it straight to the C engine. A missing, stale or damaged cache only means
compiling as usual; nothing there changes what a pattern matches, since each entry is checked
against a normal compile when it is made."""
from __future__ import annotations

import re

MULTILINE, IGNORECASE, DOTALL, VERBOSE = re.MULTILINE, re.IGNORECASE, re.DOTALL, re.VERBOSE

_FORWARDED = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "pattern", "flags",
              "groups", "groupindex")


class LazyPattern:
    def __init__(self, pattern, flags: int = 0):
        self._args = (pattern, int(flags))

    def __getattr__(self, name: str):
        # Called only until the first compile: afterwards the pattern's methods are attributes
        # of this object, found without going through here.
        compiled = cached_compile(*self._args)
        for forwarded in _FORWARDED:
            setattr(self, forwarded, getattr(compiled, forwarded))
        return getattr(compiled, name)


def compile(pattern, flags: int = 0) -> LazyPattern:  # noqa: A001 - mirrors re.compile
    return LazyPattern(pattern, flags)


# --- the compiled-code cache ---------------------------------------------------------------------

_store: dict | None = None
_added = False


def cached_compile(pattern, flags: int = 0):
    store = _load()
    args = store.get((pattern, flags))
    if args is not None:
        try:
            import _sre

            return _sre.compile(pattern, *args)
        except Exception:  # a damaged entry: compile as usual
            pass
    compiled = re.compile(pattern, flags)
    args = _compile_args(pattern, flags, compiled)
    if args is not None:
        global _added
        store[(pattern, flags)] = args
        if not _added:
            _added = True
            import atexit

            atexit.register(_save)
    return compiled


def _cache_file() -> str | None:
    import os
    import sys

    try:
        import _sre

        from .cache import cache_directory

        version = "-".join(str(part) for part in sys.version_info[:3])
        return os.path.join(cache_directory(), f"regex-{sys.implementation.name}-{version}-{_sre.MAGIC}.marshal")
    except Exception:
        return None


def _load() -> dict:
    global _store
    if _store is None:
        _store = {}
        path = _cache_file()
        if path is not None:
            try:
                import marshal

                with open(path, "rb") as file:
                    data = marshal.loads(file.read())
                if isinstance(data, dict):
                    _store = data
            except Exception:  # missing or damaged: start afresh
                _store = {}
    return _store


def _save() -> None:
    import os

    path = _cache_file()
    if path is None or _store is None:
        return
    try:
        import marshal

        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = marshal.dumps(_store)
        temporary = f"{path}.{os.getpid()}.tmp"
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except Exception:  # a read-only home, a full disk: the cache is only an optimisation
        pass


def _compile_args(pattern, flags: int, compiled):
    """What `re.compile` hands the C engine for this pattern, or None when this Python's regex
    internals are not the ones expected (then nothing is cached)."""
    try:
        import _sre

        try:
            from re import _compiler, _parser
        except ImportError:  # Python < 3.11
            import sre_compile as _compiler
            import sre_parse as _parser
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        args = (int(flags | parsed.state.flags), [int(op) for op in code], parsed.state.groups - 1, groupindex, tuple(indexgroup))
        check = _sre.compile(pattern, *args)
    except Exception:
        return None
    same = (check.flags, check.groups, dict(check.groupindex)) == (compiled.flags, compiled.groups, dict(compiled.groupindex))
    return args if same else None
