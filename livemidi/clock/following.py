"""Following a sync source: a lookahead loop's tempo map kept on an outside timeline (Link, MIDI clock in).

`Following(loop, source)` is what a `Lookahead` holds while it follows a
sync source (see `livemidi.clock.sync`). The loop calls it at four points:

- `step(now)` at each of its steps: poll the source and follow it. The
  tempo map is re-anchored to the source (what was shipped is retimed) when
  the two drift apart, the transport starts and stops with the source's, and
  a jump of the source (a seek) cancels what was shipped and asks again;
- `start(cycle)` when the performer starts or resumes: through the source;
- `set_tempo(bpm, at)`: asked of the source;
- `status()`: the source's few words for the toolbar.

It moves the loop with the loop's own moves, and only these: `_halt` (stop,
cancel what was queued), `_begin` (play from a cycle), `_retime` (re-time
what was shipped), `_tag`, `_report` and `_ensure_thread`, with the loop's
sender, MIDI clock out, tempo map and record of what was shipped.

Misuse: everything here runs with the loop's lock held (`start` and
`set_tempo` take it), as the loop's own code does; calling these methods
from elsewhere, or keeping a `Following` after the loop let go of it, moves
a loop that is no longer following.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

from ..errors import ClockSyncError
from .midiclock import MIDI_CLOCK
from .sync import SyncSource, SyncState, checked_state
from .tempo import check_bpm

if TYPE_CHECKING:
    # Type hints only: lookahead.py imports this module, and this import never runs
    # (tests/test_import_cycles.py leaves TYPE_CHECKING imports out).
    from .lookahead import Lookahead

__all__ = ["Following"]

# Following a sync source: a phase difference up to FOLLOW_WITHIN is left alone, a
# bigger one is absorbed by retiming what was shipped. A jump (a seek) cancels what
# was shipped and asks again from the source's position. A source that counts its
# jumps (SyncState.jumps) is seeked when it says so, or when it is ahead of the loop
# by more than the loop plays late (max_late): never on a lag, which only delays
# the notes (a MIDI clock's late pulses replayed one note and skipped the next).
# For a source that does not count them, a difference over SEEK_AFTER is a jump.
FOLLOW_WITHIN = 0.0002
SEEK_AFTER = 0.02
JOIN_LATE = 0.03  # a downbeat this recent (s) still counts as the start when a sync source starts
BPM_GRAIN = 1000  # a followed tempo is kept to 1/1000 BPM


class Following:
    """``Following(loop, source)``: `loop` follows `source` from its next step (see the module docstring).

    A source that can tell of a change (an ``on_change`` attribute) gets the
    loop's wake-up as its ``on_change``, until `release`.
    """

    def __init__(self, loop: Lookahead, source: SyncSource) -> None:
        self.loop = loop
        self.source = source
        self.state: SyncState | None = None  # what the source said at the last step
        self._origin = Fraction(0)  # the source's cycle where ours is 0
        self._origin_known = False  # set at a start on the source's timeline
        self._start_at = Fraction(0)  # our cycle where a start asked of the source begins
        self._problem: str | None = None
        self._jumps: int | None = None  # the source's count of its jumps at the last step
        if hasattr(source, "on_change"):
            source.on_change = loop.wake  # a source that can tell of a change wakes the loop

    def release(self) -> None:
        """The loop follows something else: the source no longer wakes it."""
        if getattr(self.source, "on_change", None) == self.loop.wake:
            self.source.on_change = None

    @property
    def name(self) -> str:
        return str(getattr(self.source, "name", "the sync source"))

    def status(self) -> str:
        """What the source says for the toolbar ("Link 2 peers"), or what went wrong asking it."""
        try:
            return self.source.status()
        except Exception as error:
            return f"{getattr(self.source, 'name', 'sync')}: {error}"

    # -- what the loop asks ------------------------------------------------------------

    def set_tempo(self, bpm, at=None) -> Fraction:
        """Ask the source for the tempo `bpm` now (no `at`: the source decides when); the cycle where it acts."""
        loop = self.loop
        if at is not None:
            raise ClockSyncError(f"the tempo follows {self.name}: it changes now or not at all (no at=)")
        self.source.set_tempo(float(check_bpm(bpm)))
        with loop._lock:
            now = loop._now()
            self.step(now)
            tempo = loop.tempo
            cycle = tempo.snap(tempo.cycle_at(now)) if tempo.running else tempo.position(now).cycle
        loop.wake()
        return cycle

    def start(self, cycle: Fraction) -> bool:
        """Start through the sync source; False when it does not know where it is (the loop starts alone)."""
        loop = self.loop
        with loop._lock:
            self._start_at = cycle
        if self.source.request_start():  # the source starts; the next step follows it
            if loop.threaded:
                loop._ensure_thread()
            loop.wake()
            return True
        with loop._lock:
            now = loop._now()
            state = self.state = self._poll(now)
            if state is None:
                return False
            if loop.tempo.running:
                loop._halt(send_stop=False)
            self._start(state, cycle, now + loop.start_delay)
        return True

    def _poll(self, now: float) -> SyncState | None:
        source = self.source
        try:
            state = source.poll(now, self.loop.tempo.beats_per_bar)
            state = None if state is None else checked_state(state)
        except Exception as error:  # a broken source, or an impossible state: this poll is ignored, and
            text = f"{type(error).__name__}: {error}"  # reported once until the source is well again
            if self._problem is None:
                self._problem = text
                self.loop._report(error, f"following {getattr(source, 'name', source)!s} (running on our own tempo)")
            return None
        self._problem = None
        return state

    def step(self, now: float) -> None:
        """Poll the source and follow it: start, stop, re-anchor the tempo map or seek."""
        loop = self.loop
        state = self.state = self._poll(now)
        if state is None:
            return
        jumped = state.jumps is not None and self._jumps is not None and state.jumps != self._jumps
        self._jumps = state.jumps
        tempo = loop.tempo
        if state.playing is True and not tempo.running:
            self._start(state, self._start_at, now - JOIN_LATE)
            return
        if state.playing is False:
            if tempo.running:
                loop._halt(send_stop=True)
            return
        if not tempo.running:
            return
        cycle = tempo.snap(tempo.cycle_at(now))
        if not self._origin_known:  # following from here on: keep our bar numbers
            self._adopt_origin(state, now, cycle)
        bpm = Fraction(round(float(state.bpm) * BPM_GRAIN), BPM_GRAIN)
        wanted = self._source_time(state, cycle)
        difference = wanted - tempo.time_at(cycle)
        if jumped or self._far(state, difference):
            self._seek(state, now, back=jumped or state.jumps is None)
        elif bpm != tempo.bpm_at(cycle) or abs(difference) > FOLLOW_WITHIN:
            changed = bpm != tempo.bpm_at(cycle)
            tempo.anchor(cycle, wanted, bpm)
            loop._retime(lambda record: True)
            if changed:
                self._tempo_moved(wanted, bpm)

    def _far(self, state: SyncState, difference: float) -> bool:
        """Whether a phase difference (s; > 0: the source is behind the loop) is a jump the source did not say."""
        if state.jumps is None:
            return abs(difference) > SEEK_AFTER
        return -difference > max(SEEK_AFTER, self.loop.max_late)

    # -- the source's timeline ---------------------------------------------------------

    def _tempo_moved(self, t: float, bpm: Fraction) -> None:
        loop = self.loop
        if loop.on_tempo is not None:
            try:
                loop.on_tempo(t, bpm)
            except Exception as error:
                loop._report(error, "on_tempo")

    def _adopt_origin(self, state: SyncState, now: float, cycle: Fraction) -> None:
        """Begin following while running: a position source says where we are; for the bar
        phase alone (Link) our bar numbers go on and we move at most half a bar, to its bar line."""
        self._origin_known = True
        if self.source.follows_position:
            self._origin = Fraction(0)
        else:
            self._origin = Fraction(round(self._source_cycle(state, now) - float(cycle)))

    def _source_time(self, state: SyncState, cycle: Fraction) -> float:
        """When our `cycle` falls on the source's timeline (taken as straight from its last point)."""
        per_cycle = 60.0 * self.loop.tempo.beats_per_bar / float(state.bpm)
        return state.time + (float(cycle + self._origin) - float(state.cycle)) * per_cycle

    def _source_cycle(self, state: SyncState, t: float) -> float:
        """The source's cycle at wall time `t` (a float)."""
        return float(state.cycle) + (t - state.time) * float(state.bpm) / (60.0 * self.loop.tempo.beats_per_bar)

    def _first_tick(self, source_cycle: float) -> Fraction:
        """Our first tick at or after the source's `source_cycle`."""
        per_cycle = self.loop.tempo._ticks_per_cycle
        ticks = math.ceil(round((source_cycle - float(self._origin)) * per_cycle, 6))
        return Fraction(ticks, per_cycle)

    def _start(self, state: SyncState, cycle: Fraction, earliest: float) -> None:
        """Start at our `cycle` on the source's timeline, not before wall time `earliest`.

        A source that knows the song position (MIDI clock) starts where it
        says; otherwise (Link) `cycle` lands on the source's first bar line
        (plus `cycle`'s part of a bar) at or after `earliest`.
        """
        loop = self.loop
        tempo = loop.tempo
        bpm = Fraction(round(float(state.bpm) * BPM_GRAIN), BPM_GRAIN)
        self._origin_known = True
        if self.source.follows_position:
            self._origin = Fraction(0)
            if state.time >= earliest:  # the start the source announces: its first pulse
                start = self._first_tick(float(state.cycle) - 1e-9)
            else:  # joining a running source: the next tick
                start = self._first_tick(self._source_cycle(state, loop._now()))
        else:
            part = cycle - math.floor(cycle)
            bar = math.ceil(round(self._source_cycle(state, earliest) - float(part), 9))
            self._origin = bar + part - cycle
            start = cycle
        tempo.anchor(start, self._source_time(state, start), bpm)
        self._tempo_moved(tempo.time_at(start), bpm)
        loop._begin(start, loop.midi_clock.start(start, tempo.beats_per_bar) if loop.midi_clock else [])

    def _seek(self, state: SyncState, now: float, back: bool = True) -> None:
        """The source jumped (Song Position Pointer while playing; a Link peer forced a beat).

        Without `back` (a source that counts its jumps ran ahead, uncounted)
        the loop never goes back before what it already asked the source for:
        after a lag was retimed, the source's position can still be behind it.
        """
        loop = self.loop
        tempo = loop.tempo
        bpm = Fraction(round(float(state.bpm) * BPM_GRAIN), BPM_GRAIN)
        loop.sender.cancel()  # sounding notes end now
        loop.shipments.clear()
        start = self._first_tick(self._source_cycle(state, now))
        if not back and loop._next is not None:
            start = max(start, loop._next)  # nothing asked for twice: no note played again
        tempo.anchor(start, self._source_time(state, start), bpm)
        self._tempo_moved(tempo.time_at(start), bpm)
        transport = []
        if loop.midi_clock is not None:
            clock = loop._tag(MIDI_CLOCK)
            loop.sender.schedule([(now, port, data, clock) for port, data in loop.midi_clock.stop()])
            transport = loop.midi_clock.resume(start, tempo.beats_per_bar)
        loop._begin(start, transport)
