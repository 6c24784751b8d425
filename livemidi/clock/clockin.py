"""MIDI clock in: follow an external MIDI clock (24 pulses per quarter note) on an input port.

`ClockIn(port)` is a sync source (see `sync`): a `Lookahead` polls it and
follows the master's tempo, transport and song position. MIDI 1.0 clock,
as a synth or drum machine follows it:

- Clock (0xF8), 24 per quarter note, gives the tempo, whether the master
  plays or not (many masters clock all the time). While playing, each pulse
  advances the song position by one.
- Start (0xFA) plays from position 0: the next pulse is the downbeat.
  Continue (0xFB) plays from the current position. Stop (0xFC) stops and
  keeps the position. Song Position Pointer (0xF2, in 16ths of 6 pulses)
  moves the position (a seek): while stopped it says where Continue starts;
  while playing the next pulse is at the new position. System Reset (0xFF)
  stops and goes back to 0. Everything else on the port is ignored.

Timing. Each pulse is timestamped with its arrival time in
``time.perf_counter()`` seconds, minus `latency`: the port's ``arrival_time``,
which the MIDI system stamped where the backend passes that on (libremidi:
pulses a starved input thread hands over together keep their spacing), else the
time the callback ran. Arrival times jitter: the OS, USB, the JACK period
(pulses arrive bunched at period boundaries: ±2.7 ms at 256 frames), and the
GIL in the Python callback. python-rtmidi's delta times were measured on JACK
and are no better (they are taken once per JACK period, and drift from
perf_counter on the dummy driver), so they are not used. The pulse times go to
a `TempoEstimator` (`livemidi.clock.estimator`: a least-squares line, ramps,
outliers, lost pulses): the tempo is its slope, and the time reported for a
position is the line's, never a raw arrival.

Start. The loop is told ``playing=True`` at once when the tempo is known
(clock while stopped): the first pulse is predicted on the running pulse
grid (or one interval after Start when the clock had stopped). When the
tempo is not known, `poll` returns None until the second pulse after Start:
the first notes are one pulse interval late (the loop plays them late
rather than skipping them), then everything follows.

Lost clock. When no pulse has come for 8 pulse intervals (at least 0.3 s)
while playing, `poll` returns the last timeline with ``playing=None``: the
loop free-runs at the last tempo, and `status` says "no clock". When pulses
come back after such a gap the count jumps by the pulses the gap held at
the last tempo, so the position follows the master again if its tempo did
not change meanwhile.

Misuse: the master owns tempo and transport: `set_tempo`, `request_start`
and `request_stop` raise `ClockSyncError`. An input opened with
``ignore_timing=True`` never sees the clock (ClockIn opens its ports with
timing messages on; a port you open yourself must not drop them). A master
already playing when ClockIn starts listening counts as stopped until its
next Start or Continue, as on hardware. Only one callback can be set on a
port: ClockIn takes it, so a port given to ClockIn must not have one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from fractions import Fraction

from ..errors import ClockSyncError, PortDisconnectedError
from ..messages import Parser
from .estimator import PULSES_PER_BEAT, WINDOW, TempoEstimator
from .sync import SyncState

__all__ = ["ClockIn"]

PULSES_PER_16TH = 6
CHECK_EVERY = 1.0  # seconds between checks that the port is still there, while no clock comes


class ClockIn:
    """Follow the MIDI clock on an input port: ``ClockIn('IAC Bus 1')``.

    `port` is an input port name (or a unique part of one, or an index), an
    open input port (ClockIn sets its callback and leaves it open at
    `close`), or None: nothing is opened, and the bytes come from `feed`.
    `backend` is a `Backend` or a backend name (default: the current one).
    `latency` (ms) is how late the clock arrives: it is taken off each
    arrival time. `window` is the number of pulses the tempo is estimated
    over. `now` is the clock (``time.perf_counter``; tests pass a virtual one).
    """

    follows_position = True

    def __init__(
        self,
        port=None,
        *,
        backend=None,
        latency: float = 0.0,
        window: int = WINDOW,
        now: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._tempo = TempoEstimator(window)  # the tempo and the pulse count, from the pulses' times
        self._now = now
        self._latency = float(latency) / 1000.0
        self._lock = threading.Lock()
        self._parser = Parser()
        self._port = None
        self._owns_port = False
        self._error: str | None = None
        self._checked_at = float("-inf")
        self._jumps = 0  # seeks while playing: Song Position Pointer, Start (the follower compares counts)
        self._reset_state()
        self.port_name = None
        if port is not None:
            self._open(port, backend)
        self.name = f"clock in ({self.port_name})" if self.port_name else "clock in"

    # -- the port ---------------------------------------------------------------------

    def _open(self, port, backend) -> None:
        if isinstance(port, (str, int)) and not isinstance(port, bool):
            from ..backends import Backend, current_backend
            from ..backends.backend import REAL as REAL_BACKENDS

            if backend is None:
                backend = current_backend()
            elif isinstance(backend, str):
                backend = Backend(backend)
            options = {}
            if backend.name in REAL_BACKENDS:
                options = {"ignore_timing": False}  # the clock is what we are here for
            self._port = backend.open_input(port, **options)
            self._owns_port = True
        else:
            if not getattr(port, "is_input", False):
                raise TypeError(f"ClockIn takes an input port, a port name or None, got {port!r}")
            if getattr(port, "closed", False):
                raise ValueError(f"the port {port!r} is closed")
            if getattr(port, "callback", None) is not None:
                raise ValueError(f"the port {port!r} already has a callback; ClockIn needs to set its own")
            self._port = port
        self.port_name = self._port.name
        try:
            self._port.callback = self._on_message
        except BaseException:
            if self._owns_port:
                self._port.close()
            raise

    def _on_message(self, msg) -> None:
        stamped = getattr(self._port, "arrival_time", None) if self._now is time.perf_counter else None
        arrived = (self._now() if stamped is None else stamped) - self._latency
        with self._lock:
            self._handle(msg, arrived)

    def feed(self, data, t: float) -> None:
        """Take the bytes of MIDI messages (any bytes: what is not clock is ignored) that arrived at `t`.

        `t` is a ``perf_counter`` time (or the `now` clock's); `latency` is taken off it.
        """
        with self._lock:
            self._parser.feed(data)
            messages = list(self._parser)
            for msg in messages:
                self._handle(msg, t - self._latency)

    # -- state --------------------------------------------------------------------------

    def _reset_state(self) -> None:
        self._playing = False
        self._transport_seen = False
        self._next_pos = 0  # song position (pulses) of the next pulse while stopped
        self._offset = 0  # while playing: song position = pulse index + offset
        self._first_k = 0  # index of the first pulse after Start/Continue
        self._start_time = 0.0
        self._pulsed = False  # a pulse has arrived since Start/Continue

    def _handle(self, msg, t: float) -> None:
        kind = msg.type
        if kind == "clock":
            self._pulse(t)
        elif kind == "start":
            self._jumps += self._playing  # Start while playing: back to the top
            self._next_pos = 0
            self._play(t)
        elif kind == "continue":
            if self._playing:
                return
            self._play(t)
        elif kind in ("stop", "reset"):
            if self._playing:
                self._next_pos = self._tempo.index + 1 + self._offset
            self._playing = False
            self._transport_seen = True
            if kind == "reset":
                self._next_pos = 0
        elif kind == "songpos":
            position = msg.pos * PULSES_PER_16TH
            if self._playing:
                self._offset = position - (self._tempo.index + 1)  # the next pulse is at the new position
                self._jumps += 1
            else:
                self._next_pos = position

    def _play(self, t: float) -> None:
        self._playing = True
        self._transport_seen = True
        self._first_k = self._tempo.index + 1
        self._offset = self._next_pos - self._first_k
        self._start_time = t
        self._pulsed = False

    def _pulse(self, t: float) -> None:
        first = self._playing and not self._pulsed  # the first pulse after Start/Continue
        counting = self._playing and self._pulsed
        if self._playing:
            self._pulsed = True
        self._tempo.pulse(t, first=first, counting=counting)


    # -- the sync-source protocol ------------------------------------------------------

    def poll(self, now: float, beats_per_bar: int) -> SyncState | None:
        """Where the master is: see the module docstring. Quick; safe from any thread."""
        with self._lock:
            self._check_port(now)
            tempo = self._tempo
            if tempo.interval is None or tempo.bpm is None:
                return None
            per_cycle = PULSES_PER_BEAT * beats_per_bar
            running = self._running(now)
            jumps = self._jumps
            if not self._playing:
                if not self._transport_seen and not running:
                    return None
                position = Fraction(self._next_pos, per_cycle)
                return SyncState(False, tempo.bpm, tempo.time_of(tempo.index + 1), position, jumps)
            if not self._pulsed:
                position = Fraction(self._first_k + self._offset, per_cycle)
                if running:
                    return SyncState(True, tempo.bpm, tempo.time_of(self._first_k), position, jumps)
                return SyncState(True, tempo.bpm, self._start_time + tempo.interval, position, jumps)
            k = max(tempo.anchor, self._first_k)
            return SyncState(
                True if running else None, tempo.bpm, tempo.time_of(k), Fraction(k + self._offset, per_cycle), jumps
            )

    def _running(self, now: float) -> bool:
        """Whether pulses are coming: the last one is less than the estimator's timeout ago."""
        last = self._tempo.last_arrival
        return last is not None and now - last <= self._tempo.timeout()

    def _check_port(self, now: float) -> None:
        """Notice a port that went away (rarely: only while no clock comes)."""
        port = self._port
        if port is None or self._error is not None or now - self._checked_at < CHECK_EVERY:
            return
        if self._running(now):
            return
        self._checked_at = now
        try:
            if port.closed:
                self._error = f"the port {self.port_name!r} was closed"
            else:
                port.check_alive()
        except (PortDisconnectedError, OSError, ValueError) as error:
            self._error = str(error) or type(error).__name__

    @property
    def bpm(self) -> float | None:
        """The master's tempo (quarter-note BPM) as reported, or None before it is known."""
        with self._lock:
            return self._tempo.bpm

    @property
    def playing(self) -> bool:
        """True between the master's Start/Continue and its Stop."""
        with self._lock:
            return self._playing

    def set_tempo(self, bpm: float) -> None:
        raise ClockSyncError(f"the tempo follows the MIDI clock{self._on()}: change it on the master")

    def request_start(self) -> bool:
        raise ClockSyncError(f"the transport follows the MIDI clock{self._on()}: start the master")

    def request_stop(self) -> bool:
        raise ClockSyncError(f"the transport follows the MIDI clock{self._on()}: stop the master")

    def _on(self) -> str:
        return f" on {self.port_name!r}" if self.port_name else ""

    def status(self) -> str:
        """A few words for the toolbar: "clock in 121.4 BPM ▶", "clock in: no clock for 2 s"."""
        now = self._now()
        with self._lock:
            self._check_port(now)
            if self._error is not None:
                return f"clock in: {self._error}"
            tempo = self._tempo
            if tempo.last_arrival is None:
                return f"clock in: waiting for clock{self._on()}"
            silent = now - tempo.last_arrival
            if silent > tempo.timeout():
                tail = f" (free-running at {tempo.bpm:.1f} BPM)" if self._playing and tempo.bpm else ""
                return f"clock in: no clock for {silent:.0f} s{tail}"
            if tempo.bpm is None:
                return "clock in: measuring the tempo"
            return f"clock in {tempo.bpm:.1f} BPM {'▶' if self._playing else '■'}"

    def close(self) -> None:
        """Stop listening; close the port if ClockIn opened it."""
        port, self._port = self._port, None
        if port is None:
            return
        port.callback = None
        if self._owns_port:
            port.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> bool:
        self.close()
        return False

    def __repr__(self) -> str:
        return f"<ClockIn {self.port_name or '(fed by hand)'}: {self.status()}>"
