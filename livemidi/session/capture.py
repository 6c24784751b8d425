"""Capture: turn what was just played on a MIDI input into a loop.

`Listener` keeps what arrives on an input port (a keyboard, a drum pad) with
the time it arrived, for the last `keep` seconds. `Listener.capture(bars)`
takes the last `bars` *whole* bars before now — bar lines come from the
session's tempo map, so a loop played in time with the music lines up — and
turns them into a looping pattern through the same code that loads .mid files
(`loadmid`): notes with their velocities and real lengths, controllers, bend.
A note held over the end of the window ends at the loop's end; one that began
before the window is left out.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..midifiles import MetaMessage, MidiFile, MidiTrack
from ..pattern import Pattern
from .loadmid import load

__all__ = ["Listener"]

TICKS_PER_BEAT = 480


class Listener:
    """``Listener(cycle_at, beats_per_bar, keep=600.0, now=time.perf_counter)``.

    `cycle_at(t)` is the session's map from wall time to cycles; `hear(msg)`
    is the input port's callback.
    """

    def __init__(
        self,
        cycle_at: Callable[[float], Fraction],
        beats_per_bar: int,
        *,
        keep: float = 600.0,
        now: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.cycle_at = cycle_at
        self.beats_per_bar = beats_per_bar
        self.keep = keep
        self._now = now
        self._heard: deque = deque()
        self._lock = threading.Lock()
        self.port = None  # the open input port, set by whoever opens it

    def hear(self, message) -> None:
        """Keep `message` (an input port's callback); forget what is older than `keep` seconds."""
        if message.is_meta or message.is_realtime or message.type == "sysex":
            return
        stamped = getattr(self.port, "arrival_time", None) if self._now is time.perf_counter else None
        now = self._now() if stamped is None else stamped
        with self._lock:
            self._heard.append((now, message))
            while self._heard and self._heard[0][0] < now - self.keep:
                self._heard.popleft()

    def capture(self, bars: int = 4, quantize: Any = None) -> Pattern:
        """The last `bars` whole bars heard, as a looping pattern (one cycle a bar).

        Raises ValueError if nothing with a note was played in them.
        """
        if isinstance(bars, bool) or not isinstance(bars, int) or bars < 1:
            raise ValueError(f"bars must be a whole number of bars, 1 or more, got {bars!r}")
        end = Fraction(int(self.cycle_at(self._now())))  # the last bar line passed
        begin = end - bars
        with self._lock:
            heard = list(self._heard)
        ticks_per_cycle = self.beats_per_bar * TICKS_PER_BEAT
        events = []
        for t, message in heard:
            cycle = self.cycle_at(t)
            if begin <= cycle < end:
                events.append((round((cycle - begin) * ticks_per_cycle), message))
        if not any(message.type == "note_on" and message.velocity for _, message in events):
            raise ValueError(
                f"nothing was played in the last {bars} bar(s) (bars {int(begin) + 1} to {int(end)}): "
                f"{len(heard)} message(s) heard in all; play, then capture after the bar line"
            )
        midi = MidiFile(type=0, ticks_per_beat=TICKS_PER_BEAT)
        track = MidiTrack()
        track.append(MetaMessage("time_signature", numerator=self.beats_per_bar, denominator=4, time=0))
        last = 0
        for tick, message in events:
            track.append(message.copy(time=tick - last))
            last = tick
        track.append(MetaMessage("end_of_track", time=bars * ticks_per_cycle - last))
        midi.tracks.append(track)
        return load(midi, bars=(0, bars), quantize=quantize)

    def close(self) -> None:
        if self.port is not None:
            self.port.close()
            self.port = None
