"""The tempo map: exact musical time (cycles) ⇄ monotonic wall time (seconds).

A cycle is one bar of `beats_per_bar` beats; a beat is a quarter note. Wall
time is ``time.perf_counter()`` seconds, the monotonic clock all processes on a
machine share. This is the only place in livemidi that converts between them.

The map is a list of segments (start cycle, start time, BPM). `set_tempo` adds
a segment that begins at a cycle where the old tempo puts it, so the position
never jumps; every conversion starts from a segment's start, so nothing is
accumulated and nothing drifts. "Now" is snapped down to a grid of
`TICKS_PER_BEAT` ticks per beat, which keeps the fractions small.

Misuse: converting while the map is stopped raises `ClockStoppedError` (a
stopped transport has no deadlines); the map is not thread-safe by itself
(`Lookahead` holds a lock around it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from fractions import Fraction
from typing import NamedTuple

from ..errors import ClockStoppedError

__all__ = ["ClockStoppedError", "Position", "TempoMap", "TICKS_PER_BEAT", "as_cycle", "check_bpm"]

TICKS_PER_BEAT = 960
MIN_BPM = Fraction(1)
MAX_BPM = Fraction(1000)


class Position(NamedTuple):
    """Where the music is: the exact cycle, and bar.beat as a musician counts (from 1)."""

    cycle: Fraction
    bar: int
    beat: int
    phase: Fraction  # how far into the beat, 0 <= phase < 1

    def __str__(self) -> str:
        return f"{self.bar}.{self.beat}"


class _Segment(NamedTuple):
    cycle: Fraction
    time: float
    bpm: Fraction


def check_bpm(bpm) -> Fraction:
    """`bpm` as an exact Fraction; ValueError/TypeError unless a number from 1 to 1000."""
    if isinstance(bpm, bool) or not isinstance(bpm, (int, float, Fraction)):
        raise TypeError(f"bpm must be a number (beats per minute), got {type(bpm).__name__} {bpm!r}")
    if isinstance(bpm, float):
        if not math.isfinite(bpm):
            raise ValueError(f"bpm must be a number from {MIN_BPM} to {MAX_BPM}, got {bpm!r}")
        bpm = Fraction(repr(bpm))  # 133.33 -> 13333/100, not the binary expansion
    bpm = Fraction(bpm)
    if not MIN_BPM <= bpm <= MAX_BPM:
        raise ValueError(f"bpm must be a number from {MIN_BPM} to {MAX_BPM}, got {float(bpm):g}")
    return bpm


def as_cycle(value, what: str = "cycle") -> Fraction:
    """`value` as an exact cycle; floats are refused (musical time is exact)."""
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        raise TypeError(
            f"{what} must be an exact number of cycles (int or fractions.Fraction), "
            f"got {type(value).__name__} {value!r}"
        )
    return Fraction(value)


class TempoMap:
    """Cycles ⇄ seconds, with tempo changes, start, stop and continue.

    ``TempoMap(bpm=120, beats_per_bar=4, now=time.perf_counter)``. It starts
    stopped at cycle 0; `start` sets it running. Every method that needs the
    time takes ``now`` (seconds), defaulting to the ``now`` callable given here,
    so tests run on a virtual clock.
    """

    def __init__(self, bpm=120, beats_per_bar: int = 4, *, now: Callable[[], float] = time.perf_counter) -> None:
        if isinstance(beats_per_bar, bool) or not isinstance(beats_per_bar, int) or not 1 <= beats_per_bar <= 64:
            raise ValueError(f"beats_per_bar must be an int from 1 to 64, got {beats_per_bar!r}")
        self.beats_per_bar = beats_per_bar
        self._ticks_per_cycle = beats_per_bar * TICKS_PER_BEAT
        self.grid = Fraction(1, self._ticks_per_cycle)  # one tick, in cycles
        self._now = now
        self._bpm = check_bpm(bpm)
        self._segments: list[_Segment] = []
        self._stopped_at: Fraction | None = Fraction(0)
        self._floats: tuple = (None, 0.0, 0.0)  # (segment, its first tick, its bpm) as floats, for tick_at

    # -- state -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True between `start`/`resume` and `stop`."""
        return self._stopped_at is None

    def _time(self, now: float | None) -> float:
        return self._now() if now is None else now

    def snap(self, cycle: Fraction) -> Fraction:
        """`cycle` floored to the tick grid."""
        return Fraction(math.floor(cycle / self.grid)) * self.grid

    def start(self, cycle=0, *, now: float | None = None) -> None:
        """Play from `cycle` (default 0) at time `now`: the map restarts with the current BPM."""
        cycle = as_cycle(cycle)
        now = self._time(now)
        self._segments = [_Segment(cycle, now, self._bpm_now(now))]
        self._stopped_at = None

    def stop(self, *, now: float | None = None) -> Fraction:
        """Stop; the position (snapped to the grid) is kept for `resume`. Returns it."""
        if self._stopped_at is None:
            now = self._time(now)
            self._stopped_at = self.snap(self.cycle_at(now))
            self._bpm = self.bpm_at(self._stopped_at)
            self._segments = []
        return self._stopped_at

    def resume(self, *, now: float | None = None) -> Fraction:
        """Continue from where `stop` left off, at time `now`. Returns that cycle."""
        if self._stopped_at is None:
            return self.cycle_at(self._time(now))
        cycle = self._stopped_at
        self.start(cycle, now=now)
        return cycle

    continue_ = resume  # the MIDI name ("continue" is a Python keyword)

    def anchor(self, cycle, time: float, bpm) -> None:
        """Run at `bpm` with `cycle` falling at wall time `time`: how a sync source is followed.

        Replaces the whole map (later tempo changes included) with one straight
        line; starts the map if it was stopped.
        """
        self._bpm = check_bpm(bpm)
        self._segments = [_Segment(as_cycle(cycle), float(time), self._bpm)]
        self._stopped_at = None

    # -- tempo -----------------------------------------------------------------------

    def _bpm_now(self, now: float | None) -> Fraction:
        if self._stopped_at is not None:
            return self._bpm
        return self.bpm_at(self.cycle_at(self._time(now)))

    @property
    def bpm(self) -> Fraction:
        """The tempo now (beats per minute)."""
        return self._bpm_now(None)

    def bpm_at(self, cycle) -> Fraction:
        """The tempo in force at `cycle` (changes scheduled for later included)."""
        if not self._segments:
            return self._bpm
        return self._segment_for(cycle if type(cycle) is Fraction else as_cycle(cycle)).bpm

    def set_tempo(self, bpm, at=None, *, now: float | None = None) -> Fraction:
        """Change the tempo at cycle `at` (None: now), without a jump in position.

        Returns the cycle where the change takes effect. Changes scheduled
        after `at` are dropped (the newest word wins). `at` must not be in the
        past. While stopped the tempo is stored for the next start.
        """
        bpm = check_bpm(bpm)
        if self._stopped_at is not None:
            self._bpm = bpm
            return self._stopped_at
        current = self.snap(self.cycle_at(self._time(now)))
        if at is None:
            at = current
        else:
            at = as_cycle(at, "at")
            if at < current:
                raise ValueError(f"a tempo change must be now or later: at={at} is before the current cycle {current}")
        start = self.time_at(at)
        self._segments = [segment for segment in self._segments if segment.cycle < at]
        self._segments.append(_Segment(at, start, bpm))
        self._prune(current)
        return at

    def _prune(self, current: Fraction) -> None:
        # Segments that ended before now are never asked about again.
        while len(self._segments) > 1 and self._segments[1].cycle <= current:
            del self._segments[0]

    def changes(self) -> list[tuple[Fraction, Fraction]]:
        """The segments as (cycle, bpm), the current one first."""
        return [(segment.cycle, segment.bpm) for segment in self._segments]

    # -- conversions -----------------------------------------------------------------

    def seconds_per_cycle(self, bpm: Fraction) -> Fraction:
        return Fraction(60 * self.beats_per_bar) / bpm

    def _segment_for(self, cycle: Fraction) -> _Segment:
        segments = self._segments
        found = segments[0]
        if len(segments) == 1:  # the usual case: no tempo change planned (no slice, no comparison)
            return found
        for segment in segments[1:]:
            if segment.cycle > cycle:
                break
            found = segment
        return found

    def _running_segments(self) -> list[_Segment]:
        if self._stopped_at is not None:
            raise ClockStoppedError("the tempo map is stopped: start() or resume() it first")
        return self._segments

    def time_at(self, cycle) -> float:
        """The wall time (perf_counter seconds) of `cycle`; cycles before the start extrapolate."""
        self._running_segments()
        if type(cycle) is not Fraction:
            cycle = as_cycle(cycle)
        segment = self._segment_for(cycle)
        # (cycle − start) × 60 × beats_per_bar / bpm, exactly, as one division of integers: the
        # same correctly rounded float as with Fractions, without their gcds (24 µs → 2 µs; the
        # lookahead converts every event it ships).
        start, bpm = segment.cycle, segment.bpm
        a, b = cycle.numerator, cycle.denominator
        c, d = start.numerator, start.denominator
        return segment.time + ((a * d - c * b) * 60 * self.beats_per_bar * bpm.denominator) / (b * d * bpm.numerator)

    def cycle_at(self, t: float) -> Fraction:
        """The exact cycle at wall time `t` (the exact value of the float; snap it for a grid)."""
        segments = self._running_segments()
        found = segments[0]
        for segment in segments[1:]:
            if segment.time > t:
                break
            found = segment
        return found.cycle + Fraction(t - found.time) / self.seconds_per_cycle(found.bpm)

    def tick_at(self, t: float) -> Fraction:
        """The cycle at wall time `t` floored to the tick grid, computed with floats.

        Fast (the lookahead loop calls it every few ms); at an exact tick
        boundary it may be one tick off, which is harmless for window edges.
        Use `cycle_at` for the exact value.
        """
        segments = self._running_segments()
        found = segments[0]
        for segment in segments[1:]:
            if segment.time > t:
                break
            found = segment
        per_cycle = self._ticks_per_cycle
        if self._floats[0] is not found:  # the segment's floats, made once (the loop asks twice a step)
            self._floats = (found, float(found.cycle) * per_cycle, float(found.bpm))
        _, first_tick, bpm = self._floats
        ticks = math.floor(first_tick + (t - found.time) * bpm * (TICKS_PER_BEAT / 60))
        return Fraction(ticks, per_cycle)

    def position(self, now: float | None = None) -> Position:
        """The position now: the exact cycle (snapped to the grid) and bar.beat, counted from 1."""
        if self._stopped_at is not None:
            cycle = self._stopped_at
        else:
            cycle = self.snap(self.cycle_at(self._time(now)))
        bar = math.floor(cycle)
        beats = (cycle - bar) * self.beats_per_bar
        beat = math.floor(beats)
        return Position(cycle, bar + 1, beat + 1, beats - beat)

    def __repr__(self) -> str:
        state = "running" if self.running else f"stopped at {self._stopped_at}"
        return f"<TempoMap {float(self._bpm_now(None)):g} BPM, {self.beats_per_bar}/4, {state}>"
