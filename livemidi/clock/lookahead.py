"""The lookahead loop: asks a source for the next window, ships deadlines to the sender.

`Lookahead(source, sender, tempo)` runs in a thread of the main process
(or step by step with `step`, on a virtual clock, for tests). Every
`interval` seconds it asks ``source(begin, end)`` for the events of the
next window of cycles, up to `lookahead` seconds ahead (plus the largest
port latency), turns cycles into deadlines with the `TempoMap` and each
port's latency, and ships them to the timed sender in one command. It
knows nothing of patterns: a source is any callable returning `ClockEvent`s
(or plain tuples) whose onsets fall in the window.

What the performer does acts at once: `set_tempo` retimes what was shipped,
`requery` cancels and re-asks (a pattern swap), `hush` and `stop` cancel
(the sender ends the notes), `panic` silences. Errors never stop the music:
an exception from the source is reported (`on_error`) and that window is
skipped; a bad event is reported and dropped; the thread never dies. See
docs/scheduling.md for the whole path and for what happens in a stall.
Following a sync source (Link, MIDI clock in: `follow`) is the work of a
`Following` (following.py) that the loop holds and calls at each step;
the record of what was shipped, which checks the source's events and
retimes and cancels them, is a `Shipped` (shipped.py); the thread is a
`Stepping` (stepping.py).

Misuse: every method may be called from any thread (one lock guards the
state), but the source is called with that lock held, so a source must not
call back into the loop.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable, Hashable, Iterable
from fractions import Fraction
from typing import Any, NamedTuple

from ..errors import SenderError
from .following import Following
from .midiclock import MIDI_CLOCK, MidiClockOut
from .reach import Reach
from .shipped import PRUNE_AFTER, Shipment, Shipped
from .stepping import Stepping
from .sync import SyncSource, SyncState
from .tempo import Position, TempoMap, as_cycle

__all__ = ["Lookahead", "LoopStatus"]


class LoopStatus(NamedTuple):
    """What a toolbar shows: position, tempo, transport, lateness, trouble."""

    position: Position
    bpm: Fraction
    running: bool
    late: int  # events the sender sent late (count)
    worst_late: float  # seconds
    skipped: int  # events skipped because their onset was too far in the past (a stall)
    stalls: int  # times the loop woke too late and jumped forward, not playing the past
    errors: int  # source errors and bad events reported
    sync: str = ""  # what the sync source says ("Link 2 peers"), "" when there is none
    late_machine: int = 0  # of `late`, those the machine made late (SenderStats.late_machine)


def _default_on_error(error: BaseException, where: str) -> None:
    text = "".join(traceback.format_exception_only(type(error), error)).strip()
    print(f"livemidi clock: {where}: {text}", file=sys.stderr)


class Lookahead:
    """``Lookahead(source, sender, tempo=None, *, lookahead=0.1, interval=0.01, latency=None,
    max_late=0.05, start_delay=None, midi_clock=None, threaded=True, now=time.perf_counter,
    sleep=None, on_error=None)``

    `source(begin, end)` returns events (may be None: only the MIDI clock
    plays). `sender` is a `Sender` or `VirtualSender`. `tempo` defaults to a
    new `TempoMap` at 120 BPM. `lookahead` (seconds, 0.01 to 2) is how far
    ahead events are shipped; `interval` how often the loop wakes. `latency`
    maps ports to milliseconds by which that port's sound comes out late:
    its events are sent that much early. `max_late`: events whose onset is
    further in the past than this are skipped rather than played late.
    `start_delay`: how far after the call `start` and `resume` put the first
    beat (default: the lookahead, so the first notes are shipped as far ahead
    as every later one, not half as far). With ``threaded=False`` nothing runs by
    itself: call `step`. `now`/`sleep` replace the clock (virtual time).
    `on_error(exception, where)` reports problems (default: stderr).
    `sync`: a sync source to follow (`follow`): Ableton Link, MIDI clock in.

    The sender is this loop's alone: `stop` cancels everything queued in it.
    """

    def __init__(
        self,
        source: Callable[[Fraction, Fraction], Iterable] | None,
        sender,
        tempo: TempoMap | None = None,
        *,
        lookahead: float = 0.1,
        interval: float = 0.01,
        latency: dict | None = None,
        max_late: float = 0.05,
        start_delay: float | None = None,
        midi_clock: MidiClockOut | None = None,
        threaded: bool = True,
        now: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] | None = None,
        on_error: Callable[[BaseException, str], None] | None = None,
        sync: SyncSource | None = None,
    ) -> None:
        if not 0.01 <= lookahead <= 2.0:
            raise ValueError(f"lookahead must be from 0.01 to 2 seconds, got {lookahead!r}")
        if not 0.0005 <= interval <= lookahead / 2:
            raise ValueError(f"interval must be from 0.0005 s to half the lookahead ({lookahead / 2} s), got {interval!r}")
        if not 0 <= max_late <= 1:
            raise ValueError(f"max_late must be from 0 to 1 second, got {max_late!r}")
        start_delay = lookahead if start_delay is None else start_delay
        if not 0 <= start_delay <= 1:
            raise ValueError(f"start_delay must be from 0 to 1 second, got {start_delay!r}")
        self.source = source
        self.sender = sender
        self.tempo = tempo if tempo is not None else TempoMap(now=now)
        self.lookahead = lookahead
        self.interval = interval
        self.max_late = max_late
        self.start_delay = start_delay
        self.midi_clock = midi_clock
        self.threaded = threaded
        self.on_error = on_error or _default_on_error
        self._now = now
        self._lock = threading.RLock()
        self._stepping = Stepping(
            self.step, interval, now=now, sleep=sleep, report=self._report,
            active=lambda: self._next is not None or self._following is not None,
        )  # fmt: skip
        self._next: Fraction | None = None  # where the next window begins; None while stopped
        self.shipments = Shipped(sender)  # what was shipped, the tags and the ports' latency (shipped.py)
        self.reach = Reach(interval)  # ships further ahead after the thread was starved (see reach.py)
        self.stalls = 0
        self.errors = 0
        self.last_error: BaseException | None = None
        self._following: Following | None = None  # while following a sync source (`follow`)
        # Called as on_tempo(time, bpm) when a sync source moves the tempo (a recorder's tempo track).
        self.on_tempo: Callable[[float, Fraction], None] | None = None
        # Called as on_stall(seconds) when a stall skips that much music (`step`); with the lock held.
        self.on_stall: Callable[[float], None] | None = None
        # True while what the source renders follows live input (a knob, a key): the loop then ships no
        # further than its lookahead, so that it is heard within it (`step`). Called with the lock held.
        self.responsive: Callable[[], bool] | None = None
        for port, ms in (latency or {}).items():
            self.set_latency(port, ms)
        if sync is not None:
            self.follow(sync)

    # -- reporting ---------------------------------------------------------------------

    def _report(self, error: BaseException, where: str) -> None:
        self.errors += 1
        self.last_error = error
        try:
            self.on_error(error, where)
        except Exception:
            pass

    def status(self) -> LoopStatus:
        """Position, BPM, transport, late/skipped/error counts, for a toolbar."""
        stats = self.sender.stats
        with self._lock:
            sync = "" if self._following is None else self._following.status()
            return LoopStatus(
                self.tempo.position(self._now()), self.tempo.bpm, self.tempo.running,
                stats.late, stats.worst_late, self.shipments.skipped, self.stalls, self.errors, sync,
                stats.late_machine,
            )  # fmt: skip

    @property
    def skipped(self) -> int:
        """Events not shipped because their onset was more than `max_late` in the past (a stall)."""
        return self.shipments.skipped

    def position(self) -> Position:
        with self._lock:
            return self.tempo.position(self._now())

    def unrendered(self, then: Callable[[Fraction | None], Any]) -> Any:
        """``then(the first cycle not rendered yet, None while stopped)``, with no window rendered meanwhile."""
        with self._lock:
            return then(self._next)

    # -- ports and tags ----------------------------------------------------------------

    def set_latency(self, port: int | str, ms: float) -> None:
        """Send `port`'s events `ms` milliseconds early (negative: late); retimes what was shipped."""
        if isinstance(ms, bool) or not isinstance(ms, (int, float, Fraction)) or not -1000 <= ms <= 1000:
            raise ValueError(f"latency must be a number of milliseconds from -1000 to 1000, got {ms!r}")
        with self._lock:
            index = self.sender.port_index(port)
            self.shipments.set_latency(index, float(ms) / 1000)
            if self.tempo.running:
                self._retime(lambda record: record.port == index)

    def latency(self, port: int | str) -> float:
        """`port`'s latency in milliseconds."""
        return self.shipments.latency.get(self.sender.port_index(port), 0.0) * 1000

    def tag_name(self, number: int) -> Hashable:
        """The tag (a loop's name...) that the sender's number `number` stands for; None if unknown."""
        return self.shipments.tag_name(number)

    def _tag(self, tag: Hashable) -> int:
        return self.shipments.tag(tag)

    # -- one step ----------------------------------------------------------------------

    def step(self, now: float | None = None) -> int:
        """Ship the next window if it is due; returns how many events were shipped."""
        with self._lock:
            now = self._now() if now is None else now
            if self._following is not None:
                self._following.step(now)
            if self._next is None or not self.tempo.running:
                return 0
            if now - self.shipments.last_prune >= PRUNE_AFTER / 2:
                self.shipments.prune(now)
            tempo = self.tempo
            reach = now + self.lookahead + self.shipments.most_early
            horizon = self.reach.horizon(now, reach, tempo.time_at(self._next))  # (it watches every step)
            responsive = self.responsive is not None and self.responsive()
            end = tempo.tick_at(reach if responsive else horizon)
            if responsive:
                self._take_back(end)
            if end <= self._next:
                return 0
            earliest = tempo.tick_at(now - self.max_late)
            if self._next < earliest:  # a stall: do not replay the past
                lost = tempo.time_at(earliest) - tempo.time_at(self._next)
                self._next = earliest
                self.stalls += 1
                if self.on_stall is not None:
                    try:
                        self.on_stall(lost)
                    except Exception as error:
                        self._report(error, "on_stall")
            begin, self._next = self._next, end
            return self._ship(self._query(begin, end), now)

    def _take_back(self, cycle: Fraction) -> None:
        """Cancel what was shipped from `cycle` on and ship from there again (the next windows ask anew)."""
        if self._next is not None and self._next > cycle:
            self.shipments.drop(lambda record: record.onset >= cycle)
            self._next = cycle

    def _query(self, begin: Fraction, end: Fraction, only_tag: int | None = None) -> list[tuple]:
        """The events with onsets in [begin, end) as (onset, cycle, port, tag, data), checked."""
        raw: list = []
        if self.midi_clock is not None:
            raw.extend(self.midi_clock.pulses(begin, end, self.tempo.beats_per_bar))
        clock_only = only_tag is not None and only_tag == self.shipments.tags.get(MIDI_CLOCK)
        if self.source is not None and not clock_only:
            try:
                raw.extend(self.source(begin, end) or ())
            except Exception as error:
                self._report(error, f"the source raised for cycles {begin}–{end} (window skipped)")
        events, problem = self.shipments.check_all(raw, begin, end, only_tag)
        if problem is not None:
            self._report(problem, f"a bad event from the source for cycles {begin}–{end} (dropped)")
        return events

    def _ship(self, events: list[tuple], now: float) -> int:
        return self.shipments.ship(events, self.tempo, now - self.max_late)

    def _retime(self, chosen: Callable[[Shipment], bool]) -> int:
        return self.shipments.retime(chosen, self.tempo)

    # -- following a sync source (the work is Following's) -----------------------------

    def follow(self, source: SyncSource | None) -> None:
        """Follow `source` (Ableton Link, MIDI clock in) from the next step; None: our own tempo again.

        While following, the tempo map is re-anchored to the source at every
        step: tempo and phase follow it, and so does the transport when the
        source drives it. `set_tempo`, `start` and `stop` are asked of the
        source. The source is not closed here: its owner closes it.
        """
        with self._lock:
            if self._following is not None:
                self._following.release()
            self._following = None if source is None else Following(self, source)
            if source is not None and self.threaded:
                self._ensure_thread()
        self._stepping.wake()

    @property
    def sync(self) -> SyncSource | None:
        """The sync source followed, or None."""
        following = self._following
        return None if following is None else following.source

    @property
    def sync_state(self) -> SyncState | None:
        """What the sync source said at the last step (None: nothing, or not following)."""
        following = self._following
        return None if following is None else following.state

    def set_midi_clock(self, midi_clock: MidiClockOut | None) -> None:
        """Send MIDI clock to other ports (None: no clock); while running, they get Song Position and Continue."""
        with self._lock:
            old = self.midi_clock
            self.midi_clock = midi_clock
            if not self.tempo.running or self._next is None:
                return
            if old is not None:
                clock = self.shipments.tags.get(MIDI_CLOCK)
                self.shipments.drop(lambda record: record.tag == clock)
                now = self._now()
                gone = [(port, data) for port, data in old.stop() if midi_clock is None or port not in midi_clock.ports]
                if gone:
                    self.sender.schedule([(now, port, data, self._tag(MIDI_CLOCK)) for port, data in gone])
            if midi_clock is not None:
                cycle = self._next
                transport = midi_clock.resume(cycle, self.tempo.beats_per_bar)
                self._ship([self.shipments.check(event, cycle, cycle + 1) for event in transport], self._now())

    # -- what the performer does --------------------------------------------------------

    def set_tempo(self, bpm, at=None) -> Fraction:
        """Change the tempo now (`at` None) or at cycle `at`; what was shipped is retimed at once.

        Returns the cycle where the change takes effect. While following a
        sync source the source is asked (Link passes it on to every peer; MIDI
        clock in refuses: the master sets the tempo), and only "now" is possible.
        """
        following = self._following
        if following is not None:
            return following.set_tempo(bpm, at)
        with self._lock:
            now = self._now()
            cycle = self.tempo.set_tempo(bpm, at, now=now)
            if self.tempo.running:
                self._retime(lambda record: record.cycle >= cycle)
        self._stepping.wake()
        return cycle

    @property
    def bpm(self) -> Fraction:
        return self.tempo.bpm

    def requery(self, from_cycle=None, tag: Hashable = None) -> None:
        """Cancel what was shipped with onsets from `from_cycle` on (None: now) and ask the source again.

        With a `tag`, only that tag's events are cancelled and kept from the
        new answer: a swap of one loop leaves the others alone.
        """
        with self._lock:
            if self._next is None or not self.tempo.running:
                return
            now = self._now()
            current = self.tempo.snap(self.tempo.cycle_at(now))
            cycle = current if from_cycle is None else max(as_cycle(from_cycle, "from_cycle"), current)
            number = None if tag is None else self.shipments.tags.get(tag)
            if tag is not None and number is None:
                number = self._tag(tag)  # nothing shipped yet; the new answer may have some
            self.shipments.drop(lambda record: record.onset >= cycle and (number is None or record.tag == number))
            if cycle < self._next:
                self._ship(self._query(cycle, self._next, only_tag=number), now)

    def hush(self, tag: Hashable = None) -> None:
        """Cancel what was shipped (of one tag, or all but the MIDI clock); sounding notes end now."""
        with self._lock:
            clock = self.shipments.tags.get(MIDI_CLOCK)
            number = None if tag is None else self.shipments.tags.get(tag)
            if tag is not None and number is None:
                return
            self.shipments.drop(lambda record: record.tag == number if number is not None else record.tag != clock)

    def panic(self, port: int | str | None = None) -> None:
        """The sender's panic on a port (or all), then the MIDI clock's pulses are shipped again."""
        with self._lock:
            index = None if port is None else self.sender.port_index(port)
            self.sender.panic(index)
            self.shipments.drop(lambda record: index is None or record.port == index, cancel=False)
            if self.midi_clock is not None and MIDI_CLOCK in self.shipments.tags:
                self.requery(tag=MIDI_CLOCK)

    # -- transport ---------------------------------------------------------------------

    def start(self, cycle=0) -> None:
        """Play from `cycle` (default 0), `start_delay` seconds from now; starts the thread.

        While following a sync source: Link with start/stop sync starts every
        peer (and this loop at the next bar line); Link without it starts this
        loop at its next bar line; MIDI clock in refuses (`ClockSyncError`).
        """
        cycle = as_cycle(cycle)
        following = self._following
        if following is not None and following.start(cycle):
            return
        with self._lock:
            if self.tempo.running:
                self._halt(send_stop=False)
            self.tempo.start(cycle, now=self._now() + self.start_delay)
            self._begin(cycle, self.midi_clock.start(cycle, self.tempo.beats_per_bar) if self.midi_clock else [])

    def resume(self) -> None:
        """Continue from where `stop` left off, `start_delay` seconds from now."""
        following = self._following
        if following is not None:
            with self._lock:
                if self.tempo.running:
                    return
                cycle = self.tempo.position(self._now()).cycle
            if following.start(cycle):
                return
        with self._lock:
            if self.tempo.running:
                return
            cycle = self.tempo.resume(now=self._now() + self.start_delay)
            self._begin(cycle, self.midi_clock.resume(cycle, self.tempo.beats_per_bar) if self.midi_clock else [])

    continue_ = resume

    def _begin(self, cycle: Fraction, transport: list) -> None:
        self._next = cycle
        self.reach.reset()
        if transport:
            self._ship([self.shipments.check(event, cycle, cycle + 1) for event in transport], self._now())
        if self.threaded:
            self._ensure_thread()
        self._stepping.wake()

    def stop(self) -> Fraction | None:
        """Stop: queued events are cancelled (sounding notes end now), MIDI clock ports get Stop.

        Returns the cycle where it stopped (None if it was not running).
        Following Link with start/stop sync stops every peer; following MIDI
        clock in refuses (`ClockSyncError`): the master stops.
        """
        if self.sync is not None:
            self.sync.request_stop()
        with self._lock:
            if not self.tempo.running:
                return None
            return self._halt(send_stop=True)

    def _halt(self, send_stop: bool) -> Fraction:
        now = self._now()
        cycle = self.tempo.stop(now=now)
        self.sender.cancel()
        self.shipments.clear()
        self._next = None
        if send_stop and self.midi_clock is not None:
            self.sender.schedule([(now, port, data, self._tag(MIDI_CLOCK)) for port, data in self.midi_clock.stop()])
        return cycle

    @property
    def running(self) -> bool:
        return self.tempo.running

    # -- the thread (stepping.py) -------------------------------------------------------

    def run(self) -> None:
        """Step every `interval` (absolute deadlines) until `close`; exceptions are reported."""
        self._stepping.run()

    @property
    def cpu_seconds(self) -> float:
        """CPU time (s) of the loop's thread so far."""
        return self._stepping.cpu_seconds

    def wake(self) -> None:
        """Step now, not at the next interval (a sync source's news, a start)."""
        self._stepping.wake()

    def _ensure_thread(self) -> None:
        self._stepping.ensure()

    def close(self, stop: bool = True) -> None:
        """Stop the thread (and, with `stop`, the transport: notes end). The sender stays open.

        A sync source is let go first (not closed, and not asked to stop its peers).
        """
        with self._lock:
            self._following = None
        if stop:
            try:
                self.stop()
            except SenderError as error:  # nothing is playing without a sender anyway
                self._report(error, "stopping")
        self._stepping.close()

    def __enter__(self) -> Lookahead:
        return self

    def __exit__(self, *exc_info) -> bool:
        self.close()
        return False

    def __repr__(self) -> str:
        return f"<Lookahead {self.tempo!r}, {self.lookahead * 1000:g} ms ahead, {len(self.shipments)} shipped>"
