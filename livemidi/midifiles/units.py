"""Conversions between MIDI file time units, with the formulas of mido 1.3.3.

- tick: the unit of delta times in a file; ``ticks_per_beat`` of them make a quarter note.
- tempo: microseconds per quarter note (500000 is 120 bpm, the default of a file).
- bpm: beats per minute, where the beat is the time signature's denominator.
"""

from __future__ import annotations

__all__ = ["bpm2tempo", "second2tick", "tempo2bpm", "tick2second"]


def tick2second(tick: float, ticks_per_beat: int, tempo: float) -> float:
    """Seconds of `tick` ticks at `ticks_per_beat` ticks per quarter note and `tempo` microseconds per quarter note."""
    return tick * (tempo * 1e-6 / ticks_per_beat)


def second2tick(second: float, ticks_per_beat: int, tempo: float) -> int:
    """Ticks (rounded to the nearest int) in `second` seconds, the inverse of `tick2second`."""
    return int(round(second / (tempo * 1e-6 / ticks_per_beat)))


def bpm2tempo(bpm: float, time_signature: tuple[int, int] = (4, 4)) -> int:
    """Tempo in microseconds per quarter note for `bpm` beats (the time signature's denominator) per minute.

    Rounded to the nearest int: ``bpm2tempo(120)`` is 500000; ``bpm2tempo(120, (6, 8))`` is
    1000000, as 120 eighth notes a minute are 60 quarter notes.
    """
    return int(round(60 * 1e6 / bpm * time_signature[1] / 4.0))


def tempo2bpm(tempo: float, time_signature: tuple[int, int] = (4, 4)) -> float:
    """Beats (the time signature's denominator) per minute at `tempo` microseconds per quarter note."""
    return 60 * 1e6 / tempo * time_signature[1] / 4.0
