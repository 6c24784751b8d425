"""The session's tempo: what the performer asked for, and when it took effect, for `render` and the recorder.

A `TempoLog` is what `Session.tempo` works through. It keeps:

- `log`: every tempo asked for, as ``(cycle where it takes effect, bpm)`` in
  order (`livemidi.session.offline` replays it when rendering a file);
- `history`: the tempo in wall time, ``(perf_counter seconds, bpm)``, from
  the performer and from a followed sync source (the recorder's tempo track);
- the changes asked ``at=`` a cycle while stopped: they wait for the next
  `start` (the clock's tempo map only plans while it runs).

Misuse: it only records; the clock (`Lookahead.set_tempo`) moves the music.
Called from the REPL thread, except `followed`, which the lookahead thread
calls with the clock's lock held.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..clock.tempo import as_cycle, check_bpm

__all__ = ["ALWAYS", "TempoLog"]

# While the transport is stopped a change holds from the very beginning, so it
# plays wherever the next start begins.
ALWAYS = Fraction(-(10**12))


class TempoLog:
    """``TempoLog(clock, following)``: `clock` is the session's `Lookahead`; `following()` its sync source or None."""

    def __init__(self, clock, following: Callable[[], Any]) -> None:
        self.clock = clock
        self.tempo_map = clock.tempo
        self._following = following
        self.later: list[tuple[Fraction, Fraction]] = []  # asked at= a cycle while stopped
        self.log: list[tuple[Fraction, Fraction]] = [(ALWAYS, self.tempo_map.bpm)]
        self.history: list[tuple[float, Fraction]] = []

    def set(self, bpm, at=None) -> None:
        """Set the tempo now (or at cycle `at`), or ask it of the source followed."""
        bpm = check_bpm(bpm)
        if self._following() is not None:
            at = self.clock.set_tempo(bpm, at)  # asked of Link (the tempo track hears it back)
        elif at is not None and not self.tempo_map.running:
            at = as_cycle(at, "at")
            self.later.append((at, bpm))
        else:
            at = self.clock.set_tempo(bpm, at)
            self.note(at, bpm)
        self.log.append((at, bpm))

    def followed(self, t: float, bpm: Fraction) -> None:
        """The sync source moved the tempo at wall time `t` (the lookahead thread calls this)."""
        if not self.history or self.history[-1][1] != bpm:
            self.history.append((t, bpm))

    def note(self, cycle: Fraction, bpm: Fraction) -> None:
        """From `cycle` on, this BPM, in wall time (while running)."""
        if self.tempo_map.running:
            self.history.append((self.tempo_map.time_at(cycle), bpm))

    def started(self, cycle) -> None:
        """The transport started at `cycle`: note the tempo there, and set the changes that waited."""
        cycle = as_cycle(cycle)
        self.note(cycle, self.tempo_map.bpm_at(cycle))
        later, self.later = self.later, []
        for at, bpm in sorted(later, key=lambda item: item[0]):
            if at >= cycle:
                self.clock.set_tempo(bpm, at)
                self.note(at, bpm)

    def resumed(self) -> None:
        if self.tempo_map.running:
            cycle = self.clock.position().cycle
            self.note(cycle, self.tempo_map.bpm_at(cycle))
