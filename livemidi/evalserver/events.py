"""Play events: each note the session ships, told to the subscribers before it sounds.

`PlayTap` stands in for the lookahead's source (``session.clock.source``):
it passes every window through unchanged and, while some client has
subscribed to ``play``, tells the server of each note-on in it::

    {"event": "play", "loop": "x", "at": 0.093, "duration": 0.25, "note": 60, "channel": 0,
     "velocity": 100, "locations": []}

`at` is worked out by the connection's writer just before the line is sent
(seconds from then until the note sounds, never below 0): a line that waited
in a queue still says when to light up. `duration` is from the note-on to
its note-off, in seconds at the tempo of the time. `locations` are the
source spans of the mini-notation elements that made the note (the session's
`PlacedEvent`, from `livemidi.pattern.locations`); empty when unknown.

A swap or a mute asks the source for a window again; a note told once is not
told again (the same loop, output, channel, note and onset), and a note that
a swap cancelled after it was told is not taken back.

Misuse: the tap runs in the lookahead thread, with the clock's lock held; it
never waits (a slow subscriber loses events, `livemidi.evalserver.connection`)
and never raises into the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

__all__ = ["PlayTap"]

FORGET_AFTER = Fraction(4)  # cycles before a window's start after which a told note is forgotten


def _note(message: Any) -> tuple[bool, int, int, int] | None:
    """(is a note-on, channel, note, velocity) for a note message (a Message or its bytes), else None."""
    if isinstance(message, (bytes, bytearray)):
        if len(message) != 3 or message[0] & 0xE0 != 0x80:
            return None
        status, note, velocity = message
        return bool(status & 0x10) and velocity > 0, status & 0x0F, note, velocity
    kind = getattr(message, "type", None)
    if kind not in ("note_on", "note_off"):
        return None
    return kind == "note_on" and message.velocity > 0, message.channel, message.note, message.velocity


def _location(place: Any) -> dict[str, Any]:
    return {"source": str(place.source), "line": place.line, "column": place.column, "end_column": place.end_column}


class PlayTap:
    """The lookahead's source, seen through: ``PlayTap(clock, wanted, publish)`` installs itself.

    `wanted()` says whether anyone listens now (checked first: no cost
    without subscribers); `publish(message, due)` hands on each event with
    the time its note sounds (on the clock's time line).
    """

    def __init__(self, clock: Any, wanted: Callable[[], bool], publish: Callable[[dict, float], None]) -> None:
        self.clock = clock
        self.inner = clock.source
        self.wanted = wanted
        self.publish = publish
        self._told: dict[tuple, Fraction] = {}
        self.failures = 0
        clock.source = self

    def remove(self) -> None:
        """Put the source back (if nothing else has replaced the tap since)."""
        if self.clock.source is self:
            self.clock.source = self.inner

    def __call__(self, begin: Fraction, end: Fraction) -> Any:
        events = self.inner(begin, end)
        if events and self.wanted():
            try:
                self._tell(events, begin)
            except Exception:
                self.failures += 1  # a note not told is a small loss; the music must not feel it
        return events

    def _tell(self, events: list, begin: Fraction) -> None:
        ends: dict[tuple, Fraction] = {}
        ons = []
        for event in events:
            cycle, message, port, tag, onset = (*event, None, None, None)[:5]
            note = _note(message)
            if note is None:
                continue
            onset = cycle if onset is None else onset
            key = (tag, port, note[1], note[2], onset)
            if note[0]:
                ons.append((key, cycle, note, getattr(event, "locations", ())))
            elif key not in ends:
                ends[key] = cycle
        tempo = self.clock.tempo
        for key, cycle, (_, channel, number, velocity), where in ons:
            if key in self._told:
                continue
            self._told[key] = key[4]
            start = tempo.time_at(cycle)
            off = ends.get(key)
            duration = tempo.time_at(off) - start if off is not None else 0.0
            early = self.clock.latency(key[1]) / 1000 if key[1] is not None else 0.0
            self.publish({
                "event": "play", "loop": None if key[0] is None else str(key[0]), "at": 0.0,
                "duration": round(duration, 4), "note": number, "channel": channel, "velocity": velocity,
                "locations": [_location(place) for place in where],
            }, start - early)  # fmt: skip
        if len(self._told) > 256:
            horizon = begin - FORGET_AFTER
            self._told = {key: onset for key, onset in self._told.items() if onset >= horizon}
