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

from .tempo import as_cycle

__all__ = ["ClockEvent", "in_window"]


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


def in_window(event: object, begin: Fraction, end: Fraction) -> tuple[ClockEvent, Fraction, Fraction]:
    """(the event as a ClockEvent, its onset, its cycle), for an onset in ``[begin, end)``; else TypeError/ValueError."""
    if not isinstance(event, tuple) or not 2 <= len(event) <= 5:
        raise TypeError(f"an event is ClockEvent(cycle, message, port=0, tag=None, onset=None), got {event!r}")
    event = ClockEvent(*event)
    cycle = as_cycle(event.cycle, "an event's cycle")
    onset = cycle if event.onset is None else as_cycle(event.onset, "an event's onset")
    if not begin <= onset < end:
        raise ValueError(f"an event's onset must be in the window asked for, [{begin}, {end}), got {onset}")
    if cycle < onset:
        raise ValueError(f"an event cannot come before its onset: cycle {cycle} < onset {onset}")
    return event, onset, cycle
