"""Shared helpers for the clock tests: a virtual-time rig and simple sources."""

from __future__ import annotations

import math
from fractions import Fraction

from livemidi.clock import ClockEvent, Lookahead, TempoMap, VirtualSender

# Binary-exact times, so that deadlines compare exactly.
START_DELAY = 0.0625
INTERVAL = 1 / 128
LOOKAHEAD = 0.125


class Rig:
    """A Lookahead and a VirtualSender on one virtual clock, stepped by hand."""

    def __init__(self, source=None, *, ports=("a",), bpm=120, **options) -> None:
        self.t = 0.0
        self.calls: list[tuple[Fraction, Fraction]] = []
        self.problems: list[tuple[BaseException, str]] = []
        self.sender = VirtualSender(now=self.now)
        for name in ports:
            self.sender.open_port(name)
        self.tempo = TempoMap(bpm, now=self.now)
        self.source = source
        options.setdefault("lookahead", LOOKAHEAD)
        options.setdefault("interval", INTERVAL)
        options.setdefault("start_delay", START_DELAY)
        self.loop = Lookahead(
            self._source if source is not None else None,
            self.sender,
            self.tempo,
            threaded=False,
            now=self.now,
            on_error=lambda error, where: self.problems.append((error, where)),
            **options,
        )

    def now(self) -> float:
        return self.t

    def _source(self, begin, end):
        self.calls.append((begin, end))
        return self.source(begin, end)

    def run(self, until: float) -> None:
        """Step the loop every INTERVAL and let the sender send, up to time `until`."""
        k = math.floor(self.t / INTERVAL) + 1
        while k * INTERVAL <= until:
            self.t = k * INTERVAL
            self.loop.step()
            self.sender.advance(self.t)
            k += 1
        self.t = until
        self.sender.advance(until)

    def sent(self):
        return [(sent.time, sent.port, sent.data.hex(" ")) for sent in self.sender.take_sent()]


def notes(every=Fraction(1, 4), length=Fraction(1, 8), note=60, port=0, tag=None, channel=0):
    """A source: `note` every `every` cycles, `length` long (its note-off has the note's onset)."""

    def source(begin, end):
        events = []
        k = math.ceil(begin / every)
        while k * every < end:
            onset = k * every
            events.append(ClockEvent(onset, [0x90 | channel, note, 100], port, tag))
            events.append(ClockEvent(onset + length, [0x80 | channel, note, 0], port, tag, onset))
            k += 1
        return events

    return source


def both(*sources):
    def source(begin, end):
        return [event for s in sources for event in s(begin, end)]

    return source
