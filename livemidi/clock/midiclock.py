"""MIDI clock out: 24 pulses per quarter note, Start/Stop/Continue, Song Position Pointer.

`MidiClockOut(ports)` is given to a `Lookahead`, which asks it for the
pulses of each window along with the source's events, so the pulses go
through the same tempo map, latency, tempo-change retiming and timed sender
as the notes. A beat is a quarter note; a cycle has `beats_per_bar` of them.

Transport, as a synth or DAW that follows MIDI clock expects it: starting at
cycle 0 sends Start; starting anywhere else, or resuming, sends Song Position
Pointer (the position in 16th notes) then Continue; stopping sends Stop. The
transport message goes out at the same deadline as the first pulse, before it.

Misuse: Song Position Pointer counts whole 16ths up to 16383 (1024 bars of
4/4): a start between two 16ths is announced at the 16th before it, and a
position past the limit is announced as the limit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction

from .events import ClockEvent

__all__ = ["CLOCK", "CONTINUE", "MIDI_CLOCK", "MidiClockOut", "START", "STOP", "song_position", "song_position_bytes"]

PULSES_PER_BEAT = 24
CLOCK = b"\xf8"
START = b"\xfa"
CONTINUE = b"\xfb"
STOP = b"\xfc"
MAX_SONG_POSITION = 16383


class _ClockTag:
    """The tag of MIDI clock events (hush leaves them alone)."""

    def __repr__(self) -> str:
        return "MIDI_CLOCK"


MIDI_CLOCK = _ClockTag()


def song_position(cycle: Fraction, beats_per_bar: int) -> int:
    """`cycle` in whole 16th notes (floored), as Song Position Pointer counts, at most 16383."""
    return max(0, min(MAX_SONG_POSITION, math.floor(cycle * beats_per_bar * 4)))


def song_position_bytes(cycle: Fraction, beats_per_bar: int) -> bytes:
    """The Song Position Pointer message for `cycle`."""
    position = song_position(cycle, beats_per_bar)
    return bytes((0xF2, position & 0x7F, position >> 7))


class MidiClockOut:
    """Clock pulses and transport messages for some ports: ``MidiClockOut(ports=(0,))``.

    `ports` are indices or names of the sender's ports.
    """

    def __init__(self, ports: Iterable[int | str] = (0,)) -> None:
        self.ports = list(ports)
        if not self.ports:
            raise ValueError("MidiClockOut needs at least one port to send the clock to")
        for port in self.ports:
            if isinstance(port, bool) or not isinstance(port, (int, str)):
                raise TypeError(f"a port is an index (int) or a name (str), got {port!r}")

    def pulses(self, begin: Fraction, end: Fraction, beats_per_bar: int) -> list[ClockEvent]:
        """The clock pulses at cycles in [begin, end), for every port, in time order."""
        per_cycle = PULSES_PER_BEAT * beats_per_bar
        first = math.ceil(begin * per_cycle)
        last = math.ceil(end * per_cycle)
        return [
            ClockEvent(Fraction(k, per_cycle), CLOCK, port, MIDI_CLOCK)
            for k in range(first, last)
            for port in self.ports
        ]

    def start(self, cycle: Fraction, beats_per_bar: int) -> list[ClockEvent]:
        """Start at `cycle`: Start at 0, else Song Position Pointer and Continue."""
        if cycle == 0:
            return [ClockEvent(cycle, START, port, MIDI_CLOCK) for port in self.ports]
        return self.resume(cycle, beats_per_bar)

    def resume(self, cycle: Fraction, beats_per_bar: int) -> list[ClockEvent]:
        """Continue from `cycle`: Song Position Pointer, then Continue."""
        spp = song_position_bytes(cycle, beats_per_bar)
        events = []
        for port in self.ports:
            events.append(ClockEvent(cycle, spp, port, MIDI_CLOCK))
            events.append(ClockEvent(cycle, CONTINUE, port, MIDI_CLOCK))
        return events

    def stop(self) -> list[tuple[int | str, bytes]]:
        """(port, Stop) for every port: sent at once, not at a cycle."""
        return [(port, STOP) for port in self.ports]

    def __repr__(self) -> str:
        return f"MidiClockOut(ports={self.ports!r})"
