"""Regular expressions compiled on first use.

Compiling is most of what importing a rule costs, and one run uses few of the patterns (a
workflow never needs the ECS ones), so start-up compiles none of them."""
from __future__ import annotations

import re

MULTILINE, IGNORECASE, DOTALL, VERBOSE = re.MULTILINE, re.IGNORECASE, re.DOTALL, re.VERBOSE

_FORWARDED = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split", "pattern", "flags",
              "groups", "groupindex")


class LazyPattern:
    def __init__(self, pattern: str, flags: int = 0):
        self._args = (pattern, flags)

    def __getattr__(self, name: str):
        # Called only until the first compile: afterwards the pattern's methods are attributes
        # of this object, found without going through here.
        compiled = re.compile(*self._args)
        for forwarded in _FORWARDED:
            setattr(self, forwarded, getattr(compiled, forwarded))
        return getattr(compiled, name)


def compile(pattern: str, flags: int = 0) -> LazyPattern:  # noqa: A001 - mirrors re.compile
    return LazyPattern(pattern, flags)
