"""Strings that know where they were written: `SourceString` and its `Placement`.

A string literal in the performer's code does not know its file and line.
`livemidi.mini.code` compiles code so that each plain string literal becomes
a `SourceString`: a `str` that also carries a `Placement`, the map from each
of its characters to the line and column of the source where it was written.
The mini-notation reads it (`placement_of`) and gives every event made from
an atom the atom's `Location`.

A `SourceString` is a str in every other way: equal to, hashing as and
printing as the plain string; every str operation (slicing, ``+``,
``.upper()``, formatting) returns a plain str, which no longer claims a
place; ``pickle`` and ``copy`` give the plain string. Only ``type(s) is str``
tells them apart.

A `Placement` maps characters, not text: a character written as an escape
(``\\x63`` for ``c``) maps to the whole escape, and the lines of a
triple-quoted string to their own lines. `Placement.span` answers None
rather than a wrong location (an element across a line break written as a
backslash-newline has no one-line span).
"""

from __future__ import annotations

import bisect
from typing import Any, NamedTuple

from livemidi.pattern.event import Location

__all__ = ["Placement", "SourceString", "placed", "placement_of"]


class Placement(NamedTuple):
    """Where the characters of a string were written in `source`.

    `runs` is a sorted tuple of ``(index, line, column)``: character `index`
    and those after it, up to the next run, were written one column each from
    (`line`, `column`). `widths` is a tuple of ``(index, columns)`` for the
    characters written wider than one column (escapes). Lines are 1-based,
    columns 0-based in code points.
    """

    source: str
    runs: tuple[tuple[int, int, int], ...]
    widths: tuple[tuple[int, int], ...] = ()

    def at(self, index: int) -> tuple[int, int]:
        """The (line, column) where character `index` begins."""
        runs = self.runs
        k = bisect.bisect_right(runs, (index, 1 << 62)) - 1
        if k < 0:
            raise IndexError(f"no character {index} in this placement (first run at {runs[0][0] if runs else None})")
        start, line, column = runs[k]
        return line, column + index - start

    def span(self, begin: int, end: int) -> Location | None:
        """The `Location` of characters ``[begin, end)``, or None when they do not lie on one line."""
        if end <= begin:
            return None
        line, column = self.at(begin)
        last_line, last_column = self.at(end - 1)
        if last_line != line:
            return None
        width = 1
        for index, columns in self.widths:
            if index == end - 1:
                width = columns
                break
        end_column = last_column + width
        if end_column - column < end - begin:
            return None  # never claim fewer columns than characters: the map does not fit the text
        return Location(self.source, line, column, end_column)


class SourceString(str):
    """A str that knows where it was written (see the module docstring)."""

    __slots__ = ("_where",)  # (source, runs, widths): a Placement's fields, as compiled code has them

    def __new__(cls, value: str, placement: Placement) -> SourceString:
        self = _str_new(cls, value)
        self._where = tuple(placement)
        return self

    @property
    def placement(self) -> Placement:
        return Placement(*self._where)

    def __reduce__(self) -> tuple:
        return str, (str(self),)

    def __copy__(self) -> str:
        return str(self)

    def __deepcopy__(self, memo: Any) -> str:
        return str(self)


_str_new = str.__new__


def placed(value: str, source: str, runs: tuple, widths: tuple = ()) -> SourceString:
    """`value` as a `SourceString` written where `runs` and `widths` say in `source` (see `Placement`)."""
    return SourceString(value, Placement(source, runs, widths))


def _literal(value: str, where: tuple) -> SourceString:
    """What compiled code calls for each literal (`where` is a constant of the code): kept short, it runs each time."""
    self = _str_new(SourceString, value)
    self._where = where
    return self


def placement_of(text: str) -> Placement | None:
    """The placement of `text` if it is a `SourceString`, else None."""
    return Placement(*text._where) if type(text) is SourceString else None  # type: ignore[attr-defined]
