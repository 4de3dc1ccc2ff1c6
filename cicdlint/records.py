"""Plain value classes: what a dataclass gives (equality, hashing, a repr) from `__slots__`,
without dataclass machinery at import (~0.3 ms a class, on a start-up budget of a few ms)."""
from __future__ import annotations


class Record:
    """Equal when of the same class with equal slots; hashable (treat instances as immutable)."""

    __slots__ = ()

    def _key(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other) -> bool:
        return other.__class__ is self.__class__ and self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.__class__, self._key()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__name__}({fields})"


class MutableRecord(Record):
    """A Record that may change: compared by value, not hashable."""

    __slots__ = ()
    __hash__ = None
