"""Counting the events a query computes, so that its caller can stop it early.

A query is a function of time, and nothing stops a performer from asking
for a million events a cycle (``"c4*1000000"``, ``"c4" + "*2"*60``). The
engine cannot know what is too much: that depends on the tempo, the machine
and what else plays. So it only counts, and lets the caller decide::

    def refill(meter):            # called each time `left` runs out
        if too_much():
            raise SomeError(...)  # stops the query where it is
        meter.left = 1000         # or: go on for another thousand

    with metered(Meter(1000, refill)):
        events = pattern.events(0, 1)

Every primitive that makes events out of nothing (`pure`, the cycle tables,
`signal`, the sequences of plain values, `ply`, splitting a span into
cycles) calls `spend` with how many it is about to make, before making them,
so a query for 2**60 events stops at once rather than after building them.
Combinators that only transform events spend nothing; what they wrap does.
A cycle visited that holds no events counts as one, so walking a huge span
of silence is work too.

The module stays pure: no clock, no I/O. A caller that wants a time limit
reads its own clock in `refill`. The meter is per thread (a context
variable): the REPL's trial and the lookahead's render each count their own.
With no meter set, `spend` costs one lookup.

Misuse: a `refill` that neither raises nor sets ``meter.left`` to a positive
number is called again at the next `spend`; one that does slow work makes
every metered query slow.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

__all__ = ["Meter", "metered", "spend"]


class Meter:
    """``Meter(left, refill)``: `refill(meter)` is called whenever `left` events have been spent.

    `spent` counts every event spent through this meter.
    """

    __slots__ = ("left", "refill", "spent")

    def __init__(self, left: int, refill: Callable[[Meter], None]) -> None:
        self.left = left
        self.refill = refill
        self.spent = 0


_current: ContextVar[Meter | None] = ContextVar("livemidi_pattern_meter", default=None)
_get = _current.get


def spend(n: int) -> None:
    """Count `n` events about to be computed against this thread's meter (if any)."""
    meter = _get()
    if meter is not None:
        meter.spent += n
        meter.left -= n
        if meter.left < 0:
            meter.refill(meter)


class metered:
    """``with metered(meter):`` counts the events of the queries made inside the block (in this thread).

    A class, not a generator: the lookahead enters one for every loop at every
    window, and a `contextlib.contextmanager` costs several times as much.
    """

    __slots__ = ("_meter", "_token")

    def __init__(self, meter: Meter) -> None:
        self._meter = meter

    def __enter__(self) -> Meter:
        self._token = _current.set(self._meter)
        return self._meter

    def __exit__(self, *exc_info) -> None:
        _current.reset(self._token)
