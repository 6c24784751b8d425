"""Musical time in a MIDI file: ticks to bars (cycles), and a readable summary of a file.

A Standard MIDI File counts time in ticks, ``ticks_per_beat`` to a quarter
note; ticks are musical time already, so tempo changes move nothing here
(they only say how fast the ticks go by). What a tick means in bars depends
on the time signatures: a bar of n/d lasts ``n * 4/d`` quarter notes.

`BarMap` follows every time-signature change of the file: each bar takes the
signature in force at its first tick, so a change written in the middle of a
bar takes effect at the next bar line (a file that changes meter writes the
change on a bar line, as the standard asks; this rule only matters for files
that do not). One bar is one cycle, whatever its length: a 3/4 bar and a 4/4
bar both last one cycle, as the file's bars do on a DAW's timeline.

`describe` lists a file's tracks with their names, notes and channels; the
errors of `load` use it to say what the file has.
"""

from __future__ import annotations

import bisect
from fractions import Fraction
from typing import NamedTuple

from ..midifiles import MidiFile

__all__ = ["BarMap", "Meter", "describe", "file_bars", "file_ticks", "track_summary"]


class Meter(NamedTuple):
    """Bars of `numerator`/`denominator` from `tick` (the `bar`-th bar line, counting from 0)."""

    tick: Fraction
    bar: int
    numerator: int
    denominator: int
    bar_ticks: Fraction


class BarMap:
    """Ticks ⇄ cycles (bars) for one file, following its time signatures."""

    def __init__(self, ticks_per_beat: int, signatures: list[tuple[int, int, int]]):
        """`signatures`: (absolute tick, numerator, denominator) of every time_signature message."""
        self.ticks_per_beat = ticks_per_beat
        meters: list[Meter] = []

        def add(tick: Fraction | int, bar: int, numerator: int, denominator: int) -> None:
            if numerator < 1 or denominator < 1:
                raise ValueError(f"a time signature must be at least 1/1, found {numerator}/{denominator}")
            length = Fraction(numerator * 4 * ticks_per_beat, denominator)
            meter = Meter(tick, bar, numerator, denominator, length)
            if meters and meters[-1].tick == tick:
                meters[-1] = meter  # two signatures on one bar line: the later one wins
            elif not meters or meters[-1][2:4] != (numerator, denominator):
                meters.append(meter)

        signatures = sorted(signatures, key=lambda s: s[0])
        if not signatures or signatures[0][0] > 0:
            add(0, 0, 4, 4)  # the standard's default
        for tick, numerator, denominator in signatures:
            if not meters:
                add(0, 0, numerator, denominator)
                continue
            last = meters[-1]
            bars_in = -((last.tick - tick) // last.bar_ticks)  # ceil: the bar line at or after `tick`
            add(last.tick + bars_in * last.bar_ticks, last.bar + bars_in, numerator, denominator)
        self.meters = meters
        self._ticks = [m.tick for m in meters]
        self._bars = [m.bar for m in meters]

    @classmethod
    def of(cls, midi: MidiFile) -> BarMap:
        """The bar map of `midi` (its time signatures may be in any track)."""
        signatures = []
        for track in midi.tracks:
            tick = 0
            for msg in track:
                tick += msg.time
                if msg.type == "time_signature":
                    signatures.append((tick, msg.numerator, msg.denominator))
        return cls(midi.ticks_per_beat, signatures)

    def cycle(self, tick: int | Fraction) -> Fraction:
        """The cycle (bar number plus the fraction of the bar) at `tick`."""
        m = self.meters[bisect.bisect_right(self._ticks, tick) - 1]
        return m.bar + (tick - m.tick) / m.bar_ticks

    def tick(self, bar: int) -> Fraction:
        """The tick at which bar `bar` (counting from 0) begins."""
        m = self.meters[bisect.bisect_right(self._bars, bar) - 1]
        return m.tick + (bar - m.bar) * m.bar_ticks

    def meter_at(self, bar: int) -> Meter:
        """The time signature of bar `bar` (counting from 0)."""
        return self.meters[bisect.bisect_right(self._bars, bar) - 1]

    def meter_text(self) -> str:
        """``4/4``, or ``3/4, 4/4 from bar 4`` for a file that changes meter."""
        parts = [f"{m.numerator}/{m.denominator}" + (f" from bar {m.bar}" if m.bar else "") for m in self.meters]
        return ", ".join(parts)


def file_ticks(midi: MidiFile) -> int:
    """The length of the file in ticks: where its longest track ends."""
    return max((sum(msg.time for msg in track) for track in midi.tracks), default=0)


def file_bars(midi: MidiFile, barmap: BarMap | None = None) -> int:
    """How many whole bars the file lasts, as `load` loops it.

    Its end rounded down to a bar line (a few ticks of note-off or an
    end_of_track just past the last bar line do not make a bar), but at least
    up to the end of the last bar in which something starts.
    """
    barmap = barmap or BarMap.of(midi)
    last_start = -1
    for track in midi.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if not msg.is_meta and msg.type != "note_off" and not (msg.type == "note_on" and not msg.velocity):
                last_start = max(last_start, tick)
    end = barmap.cycle(file_ticks(midi))
    return max(end.numerator // end.denominator, (barmap.cycle(last_start) // 1) + 1 if last_start >= 0 else 0)


def track_summary(number: int, track) -> str:
    """``1 'drums': 64 notes on channel 9`` — one track, as the errors of `load` list them."""
    notes = 0
    channels: set[int] = set()
    for msg in track:
        if msg.type == "note_on" and msg.velocity:
            notes += 1
            channels.add(msg.channel)
    name = f" {track.name!r}" if track.name else " (no name)"
    if not notes:
        return f"{number}{name}: no notes"
    which = ", ".join(str(c) for c in sorted(channels))
    return f"{number}{name}: {notes} note{'s' if notes != 1 else ''} on channel{'s' if len(channels) > 1 else ''} {which}"


def describe(midi: MidiFile) -> str:
    """What a file holds: type, meter, length in bars, and each track with its notes and channels."""
    head = f"type {midi.type}, {len(midi.tracks)} track{'s' if len(midi.tracks) != 1 else ''}"
    if midi.type != 2:
        bars = BarMap.of(midi)
        whole = file_bars(midi, bars)
        head += f", {whole} bar{'s' if whole != 1 else ''} of {bars.meter_text()}"
    lines = [head] + [f"  track {track_summary(n, t)}" for n, t in enumerate(midi.tracks)]
    return "\n".join(lines)
