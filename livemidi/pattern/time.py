"""Exact musical time: `Fraction` cycles, and the `TimeSpan` a query asks about.

One cycle is one bar by default. Every time in the pattern engine is a
`fractions.Fraction` number of cycles; floats would drift (a third of a cycle
is not a float) and make the same bar sound different from one pass to the
next. `to_time` is the one door through which user numbers come in.

Fraction arithmetic is slow (about a microsecond an operation), so this module
keeps a few caches that the hot paths in `core` lean on: whole cycles and
evenly divided steps are built once and shared, and `TimeSpan.cycles` does no
arithmetic at all when a span lies inside one cycle (the common case).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from numbers import Rational
from operator import itemgetter
from typing import Callable, Union

from .meter import spend

Time = Fraction
TimeLike = Union[Fraction, int, float, str]

__all__ = ["Time", "TimeLike", "TimeSpan", "cycle_span", "sam", "show_time", "step_span", "to_time"]

_ZERO = Fraction(0)
_ONE = Fraction(1)


def to_time(value: TimeLike) -> Fraction:
    """Convert a number of cycles to an exact `Fraction`.

    Floats are read through their shortest decimal form, so ``0.1`` becomes
    ``1/10`` rather than the binary neighbour of a tenth; strings may be
    ``"3/4"`` or ``"0.75"``.
    """
    if type(value) is Fraction:
        return value
    if isinstance(value, bool):
        raise TypeError(f"expected a number of cycles, found the bool {value!r}")
    if isinstance(value, int):
        return _int_time(value) if -64 <= value < 4096 else Fraction(value)
    if isinstance(value, Rational):
        return Fraction(value.numerator, value.denominator)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number of cycles, found {value!r}")
        return Fraction(repr(value))
    if isinstance(value, str):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"expected a number of cycles like '3/4' or '0.75', found {value!r}") from None
    raise TypeError(
        f"expected a number of cycles (int, Fraction, float or a string like '3/4'), "
        f"found {type(value).__name__} {value!r}"
    )


@lru_cache(maxsize=None)
def _int_time(value: int) -> Fraction:
    return Fraction(value)


def sam(t: Fraction) -> Fraction:
    """The start of the cycle that `t` is in (the floor of `t`)."""
    return _int_time_any(t.numerator // t.denominator)


def _int_time_any(value: int) -> Fraction:
    return _int_time(value) if -64 <= value < 4096 else Fraction(value)


def show_time(t: Fraction | None) -> str:
    """``1/2``, ``3``, ``-1/4``: how times read in event displays."""
    if t is None:
        return "?"
    if t.denominator == 1:
        return str(t.numerator)
    return f"{t.numerator}/{t.denominator}"


class TimeSpan(tuple):
    """The half-open span ``[begin, end)`` of cycles. Immutable.

    A span with ``begin == end`` is a point in time; queries at a point are
    allowed and return the events sounding at that instant.
    """

    __slots__ = ()

    begin: Fraction = property(itemgetter(0))  # type: ignore[assignment]
    end: Fraction = property(itemgetter(1))  # type: ignore[assignment]

    def __new__(cls, begin: TimeLike, end: TimeLike) -> TimeSpan:
        begin = to_time(begin)
        end = to_time(end)
        if end < begin:
            raise ValueError(f"a time span must not end ({show_time(end)}) before it begins ({show_time(begin)})")
        return tuple.__new__(cls, (begin, end))

    def __getnewargs__(self) -> tuple[Fraction, Fraction]:
        return self[0], self[1]  # (tuple's own would pass one tuple to __new__: pickle and copy failed)

    def __repr__(self) -> str:
        return f"TimeSpan({show_time(self[0])}, {show_time(self[1])})"

    def __str__(self) -> str:
        return f"{show_time(self[0])} → {show_time(self[1])}"

    @property
    def duration(self) -> Fraction:
        return self[1] - self[0]

    @property
    def midpoint(self) -> Fraction:
        b, e = self
        if b == e:
            return b
        bd, ed = b.denominator, e.denominator
        return Fraction(b.numerator * ed + e.numerator * bd, 2 * bd * ed)

    def cycles(self) -> list[TimeSpan]:
        """Split at cycle boundaries: ``[1/2, 5/2)`` → ``[1/2, 1) [1, 2) [2, 5/2)``."""
        b, e = self
        c = b.numerator // b.denominator
        # Fast path: the span lies inside one cycle (no Fraction arithmetic).
        if b == e or e <= c + 1:
            return [self]
        spend(-(-e.numerator // e.denominator) - c)  # before building the list: the span may be huge
        out = []
        while b < e:
            nxt = cycle_span(c)[1]
            if e <= nxt:
                out.append(_span(b, e))
                break
            out.append(_span(b, nxt) if b != c else cycle_span(c))
            b = nxt
            c += 1
        return out

    def with_time(self, f: Callable[[Fraction], Fraction]) -> TimeSpan:
        """A copy with `f` applied to both ends."""
        return _span(f(self[0]), f(self[1]))

    def with_cycle(self, f: Callable[[Fraction], Fraction]) -> TimeSpan:
        """Apply `f` to the position inside the cycle, keeping the cycle."""
        c = sam(self[0])
        return _span(c + f(self[0] - c), c + f(self[1] - c))

    def intersection(self, other: TimeSpan) -> TimeSpan | None:
        """The overlap of two spans, or None when they do not overlap.

        Touching spans (``[0, 1)`` and ``[1, 2)``) do not overlap. A point
        overlaps a span that contains it, but not the span's (exclusive) end.
        """
        return sect(self, other)

    def contains(self, t: Fraction) -> bool:
        return self[0] <= t < self[1] or self[0] == t == self[1]

    def cycle_pos(self) -> Fraction:
        """Where the span begins inside its cycle (0 ≤ pos < 1)."""
        return self[0] - sam(self[0])


_new = tuple.__new__


def _span(begin: Fraction, end: Fraction) -> TimeSpan:
    """Build a span from Fractions already known to be in order (no checks)."""
    return _new(TimeSpan, (begin, end))


def sect(a: tuple, b: tuple) -> TimeSpan | None:
    """Intersection of two spans (see `TimeSpan.intersection`)."""
    if a is b:
        return a  # type: ignore[return-value]
    ab, ae = a
    bb, be = b
    lo = ab if ab >= bb else bb
    hi = ae if ae <= be else be
    if lo < hi:
        if lo is ab and hi is ae:
            return a  # type: ignore[return-value]
        if lo is bb and hi is be:
            return b  # type: ignore[return-value]
        return _new(TimeSpan, (lo, hi))
    if lo == hi:
        # A point inside (not at the exclusive end of) a non-empty span.
        if ab == ae and (lo != be or bb == be):
            return _new(TimeSpan, (lo, hi))
        if bb == be and (lo != ae or ab == ae):
            return _new(TimeSpan, (lo, hi))
    return None


@lru_cache(maxsize=8192)
def cycle_span(c: int) -> TimeSpan:
    """The span of whole cycle `c`, ``[c, c+1)``, shared between callers."""
    return _new(TimeSpan, (_int_time_any(c), _int_time_any(c + 1)))


@lru_cache(maxsize=4096)
def step_span(k: int, n: int) -> TimeSpan:
    """The span ``[k/n, (k+1)/n)``: step `k` of a cycle cut into `n` equal steps.

    Shared between every sequence with the same number of steps, which is why
    eight voices of sixteen steps build their step spans only once. `k`
    counts from cycle 0, so only the cycles being played share: the cache
    holds a few of them (each span and its two Fractions kept are walked by
    every full garbage collection, with the GIL held).
    """
    if n == 1:
        return cycle_span(k)
    return _new(TimeSpan, (Fraction(k, n), Fraction(k + 1, n)))
