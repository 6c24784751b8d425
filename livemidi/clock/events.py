"""`ClockEvent`: what a source gives the lookahead loop.

A source is a plain callable ``source(begin, end) -> iterable of events``
(cycles, exact Fractions). It returns the events whose *onset* falls in
``[begin, end)``; an event's own cycle may be later (a note-off, bars away).
Plain tuples ``(cycle, message[, port[, tag[, onset]]])`` are accepted too.

Misuse: an event whose onset is outside the window asked for would be played
twice or never, so the loop drops it and reports the mistake.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

__all__ = ["ClockEvent"]


class ClockEvent(NamedTuple):
    """One event from a source: `cycle`, `message` (a Message or its bytes), `port`, `tag`, `onset`.

    `onset` is the cycle of the note the event belongs to (a note-off's is its
    note-on's cycle); None means the event's own cycle. Events are skipped,
    cancelled and re-queried together by onset.
    """

    cycle: Fraction
    message: object
    port: int | str = 0
    tag: object = None
    onset: Fraction | None = None
