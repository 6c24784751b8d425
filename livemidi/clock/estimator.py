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
perf_counter on the dummy driver), so they are not used. The pulse times go
into a least-squares line over the last `window` pulses (96 = four beats): the
tempo is its slope, and the time reported for a position is the line's, never a
raw arrival. When the pulses bend (a tempo ramp: a parabola fits significantly
better) the tangent of the parabola at the latest pulse is used instead, so a
ramp is followed without lag; where a ramp starts or ends the estimate is up to
about a beat off (about 1 ms and 1 BPM for a ramp of 10 BPM over 8 beats). A
pulse far from the line (more than 4.5 robust standard deviations of the recent
residuals, at least 1.5 ms) is left out: a late pulse after a pause does not
swing the tempo. Pulses that arrive bunched (closer than a quarter interval: a
JACK period that held several, a process that was descheduled) count, but their
times say nothing. Four off-line pulses in a row may mean something real: if,
shifted by whole intervals that grow once and stay, they lie flat on the line,
pulses were lost (or doubled) on the way and the count is corrected, so the
song position stays right; if they lie on a line of their own, the tempo (or
the grid) changed and the line starts again from them (unless, at the same
tempo, they sit whole intervals off on average: lost pulses among late ones),
keeping the last slope until its own differs significantly (a change beyond
1.5x needs a beat of pulses); otherwise they were late, and the line stays. Two
beats of pulses in a row off the line mean it was never the master's (first
pulses that came bunched made it at a multiple of the tempo): it starts again
from the last beat. The first pulse after Start or Continue that is off the
running line starts a new line: a master that stops its clock while stopped
starts on a new grid. The tempo reported stays put until the estimate moves by
more than its noise (at least 0.02 BPM).

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

import math
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from fractions import Fraction

from ..errors import ClockSyncError, PortDisconnectedError
from ..messages import Parser
from .sync import SyncState

__all__ = ["ClockIn"]

PULSES_PER_BEAT = 24
PULSES_PER_16TH = 6
WINDOW = 96  # pulses in the line fit: four beats
MIN_TIMEOUT = 0.3  # seconds without a pulse before the clock counts as lost
TIMEOUT_PULSES = 8
CHANGE_RUN = 4  # consecutive off-line pulses that mean a real change
SLIP_TEMPO = 0.1  # lost pulses leave the tempo as it was: within this fraction over a run
SLIP_PHASE = 0.25  # a run at the same tempo this near whole intervals off the line: lost pulses
MAX_JUMP = 1.5  # a tempo change by more than this factor needs SUSTAINED pulses of evidence
SUSTAINED = 24
YOUNG = 24  # pulses a restarted line keeps the last tempo for, unless its own differs significantly
BUNCH = 0.25  # pulses closer than this many intervals arrived bunched (late), not in time
EARLY_BUNCH = 0.001  # seconds: the same, before the tempo is known
OUTLIER_SIGMAS = 4.5
OUTLIER_FLOOR = 0.0015  # seconds: below this, a residual is never an outlier
MIN_BEND = 1e-5  # seconds: a curve that strays less from a line over the window is a line
MIN_BPM_STEP = 0.02  # the reported tempo moves by at least this much
CHECK_EVERY = 1.0  # seconds between checks that the port is still there, while no clock comes
MIN_INTERVAL, MAX_INTERVAL = 0.0005, 2.5  # seconds per pulse that can be a tempo (5000 to 1 BPM)


def _bpm(interval: float) -> float:
    return 60.0 / (PULSES_PER_BEAT * interval)


def _line_through(pulses) -> tuple[float, float, float, float] | None:
    """The least-squares line t = tbar + interval * (k - kbar) through (k, t) pairs.

    Returns (kbar, tbar, interval, standard error of interval), or None when
    the pulses do not make a tempo (one index only, or out of order).
    """
    n = len(pulses)
    kbar = sum(k for k, _ in pulses) / n
    tbar = sum(t for _, t in pulses) / n
    sxx = sum((k - kbar) ** 2 for k, _ in pulses)
    if sxx == 0:
        return None
    interval = sum((k - kbar) * (t - tbar) for k, t in pulses) / sxx
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        return None
    error = 0.0
    if n > 2:
        ssr = sum((t - tbar - interval * (k - kbar)) ** 2 for k, t in pulses)
        error = math.sqrt(ssr / (n - 2) / sxx)
    return kbar, tbar, interval, error


def _tangent_of_parabola(pulses) -> tuple[float, float, float, float] | None:
    """The tangent at the latest pulse of the least-squares parabola through (k, t) pairs.

    Returns it as `_line_through` does, or None when the curvature is not
    significant (within four standard errors of none) or makes no tempo.
    """
    n = len(pulses)
    kbar = sum(k for k, _ in pulses) / n
    tbar = sum(t for _, t in pulses) / n
    s2 = s3 = s4 = t1 = t2 = 0.0
    for k, t in pulses:
        x, y = k - kbar, t - tbar
        xx = x * x
        s2 += xx
        s3 += xx * x
        s4 += xx * xx
        t1 += x * y
        t2 += xx * y
    # Normal equations for y = c0 + c1 x + c2 x^2 (sum x = 0, sum y = 0): the inverse by cofactors.
    det = n * (s2 * s4 - s3 * s3) - s2 * s2 * s2
    if det <= 0:
        return None
    i01 = s2 * s3 / det
    i02 = -s2 * s2 / det
    i11 = (n * s4 - s2 * s2) / det
    i12 = -n * s3 / det
    i22 = n * s2 / det
    c0 = i01 * t1 + i02 * t2
    c1 = i11 * t1 + i12 * t2
    c2 = i12 * t1 + i22 * t2
    ssr = 0.0
    for k, t in pulses:
        x = k - kbar
        ssr += (t - tbar - c0 - c1 * x - c2 * x * x) ** 2
    variance = ssr / (n - 3) if n > 3 else 0.0
    if abs(c2) <= 4 * math.sqrt(variance * i22) or abs(c2) * s2 / n < MIN_BEND:
        return None
    x = pulses[-1][0] - kbar
    interval = c1 + 2 * c2 * x
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        return None
    error = math.sqrt(max(0.0, variance * (i11 + 4 * x * i12 + 4 * x * x * i22)))
    return float(pulses[-1][0]), tbar + c0 + c1 * x + c2 * x * x, interval, error


def _counts_slipped(run, steps: list[int], interval: float, threshold: float) -> bool:
    """Whether a run of off-line pulses says pulses were lost (or doubled) on the way, at the same tempo.

    `steps` are the run's residuals in whole intervals. Lost pulses shift all
    later ones by a whole interval for good: the steps are one nonzero number,
    or change once, by one, and stay. Late arrivals (a bunch after a pause)
    shrink instead, and a tempo change drifts: shifted back by their steps,
    the pulses must lie on a line of the same tempo.
    """
    if steps[-1] == 0 or steps[-2] != steps[-1] or any(s * steps[-1] <= 0 for s in steps):
        return False
    changes = [b - a for a, b in zip(steps, steps[1:]) if a != b]
    if len(changes) > 1 or any(abs(c) != 1 or c * steps[-1] < 0 for c in changes):
        return False
    shifted = [r - s * interval for (_, _, r), s in zip(run, steps)]
    if max(shifted) - min(shifted) > threshold or max(abs(r) for r in shifted) > threshold:
        return False  # back on the line, each, and together: not drifting off it
    line = _line_through([(index + s, t) for (index, t, _), s in zip(run, steps)])
    return line is not None and abs(line[2] / interval - 1) < SLIP_TEMPO


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
        if isinstance(window, bool) or not isinstance(window, int) or window < 3:
            raise ValueError(f"window is a number of pulses, at least 3, got {window!r}")
        self._now = now
        self._latency = float(latency) / 1000.0
        self._window_size = window
        self._lock = threading.Lock()
        self._parser = Parser()
        self._port = None
        self._owns_port = False
        self._error: str | None = None
        self._checked_at = float("-inf")
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
        self._pulses: deque[tuple[int, float]] = deque()  # (pulse index, time) in the line fit
        self._residuals: deque[float] = deque(maxlen=48)  # |arrival - line| of recent pulses
        self._pending: list[tuple[int, float, float]] = []  # off-line pulses in a row: (index, time, residual)
        self._prior: float | None = None  # the slope a young line keeps (after a gap, a new grid)
        self._counted_until = float("-inf")  # arrival of the pulse whose count jumped over a gap
        self._k = -1  # index of the latest pulse (counts every pulse, corrected for lost ones)
        self._last_arrival: float | None = None
        self._tbar = self._kbar = 0.0
        self._interval: float | None = None  # seconds per pulse (the line's slope)
        self._interval_error = 0.0  # its standard error
        self._bpm: float | None = None  # the reported tempo
        self._anchor_k = -1  # the latest pulse on the line
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
            self._next_pos = 0
            self._play(t)
        elif kind == "continue":
            if self._playing:
                return
            self._play(t)
        elif kind in ("stop", "reset"):
            if self._playing:
                self._next_pos = self._k + 1 + self._offset
            self._playing = False
            self._transport_seen = True
            if kind == "reset":
                self._next_pos = 0
        elif kind == "songpos":
            position = msg.pos * PULSES_PER_16TH
            if self._playing:
                self._offset = position - (self._k + 1)  # the next pulse is at the new position
            else:
                self._next_pos = position

    def _play(self, t: float) -> None:
        self._playing = True
        self._transport_seen = True
        self._first_k = self._k + 1
        self._offset = self._next_pos - self._first_k
        self._start_time = t
        self._pulsed = False

    def _timeout(self) -> float:
        if self._interval is None:
            return MIN_TIMEOUT
        return max(MIN_TIMEOUT, TIMEOUT_PULSES * self._interval)

    def _line(self, k: int) -> float:
        return self._tbar + self._interval * (k - self._kbar)

    def _pulse(self, t: float) -> None:
        last = self._last_arrival
        self._last_arrival = t
        first = self._playing and not self._pulsed  # the first pulse after Start/Continue
        counting = self._playing and self._pulsed
        if self._playing:
            self._pulsed = True
        k = self._k + 1
        if last is not None and t - last > self._timeout():
            # The clock came back after a gap: a new line through this pulse at the last
            # tempo. While playing, count the pulses the gap held at that tempo; pulses
            # bunched with this one are among them (their arrival is not their time).
            if self._interval is not None and self._pulses and counting:
                jumped = round((t - self._line(self._k)) / self._interval)
                if jumped > 1:
                    k = self._k + jumped
                    self._counted_until = t
            self._restart([(k, t)])
            return
        bunched = last is not None and t - last < self._bunch()
        if bunched and t - self._counted_until < self._bunch():
            self._counted_until = t  # already counted by the jump after the gap
            return
        self._counted_until = float("-inf")
        if self._interval is None or (len(self._pulses) < 3 and self._prior is None):
            self._early(k, t, last, bunched)
            return
        residual = t - self._line(k)
        threshold = self._threshold(k)
        self._residuals.append(abs(residual))
        if abs(residual) <= threshold:
            self._pending.clear()
            self._accept(k, t)
            return
        self._k = k
        if first:
            # Off the running grid: the master's clock had stopped and starts on a new
            # grid. A new line through this pulse (the pulses it missed are not lost).
            self._restart([(k, t)])
            return
        if bunched:
            return  # a late arrival bunched with the one before: it counts, its time says nothing
        self._pending.append((k, t, residual))
        self._resolve(threshold)

    def _early(self, k: int, t: float, last: float | None, bunched: bool) -> None:
        """A pulse while the line has fewer than three: no outlier test yet, but bunches and gaps."""
        pulses = self._pulses
        if bunched and pulses and pulses[-1][0] == self._k:
            pulses.pop()  # the one before was the late head of a bunch: this one is nearer its time
        elif self._interval is not None and last is not None and len(pulses) == 2:
            # Pulses lost on the way, when the gap is clearly whole intervals of a tempo
            # two pulses made: a period's jitter on each must not count one.
            steps = round((t - last) / self._interval)
            if steps > 1 and abs(t - last - steps * self._interval) <= 0.25 * self._interval:
                k += steps - 1
        self._accept(k, t)

    def _bunch(self) -> float:
        """Pulses closer than this arrived together (a JACK period, a busy process), not in time."""
        if self._interval is None:
            return EARLY_BUNCH
        return BUNCH * self._interval

    def _resolve(self, threshold: float) -> None:
        """Decide what a run of off-line pulses means: lost/doubled pulses, a new tempo or grid, or not yet."""
        pending = self._pending
        if len(pending) < CHANGE_RUN:
            return
        if len(pending) >= min(2 * SUSTAINED, self._window_size):  # two beats off the line: it is not the master's
            return self._restart([(index, time_) for index, time_, _ in pending[-SUSTAINED:]], prior=None)
        interval = self._interval
        run = pending[-CHANGE_RUN:]
        steps = [round(r / interval) for _, _, r in run]
        young = len(self._pulses) < CHANGE_RUN  # a line through a pulse or two: its phase may be late
        if not young and _counts_slipped(run, steps, interval, threshold):
            for (index, time_, _), step in zip(run, steps):  # pulses were lost (or doubled) on the way
                if index + step > self._pulses[-1][0]:
                    self._add(index + step, time_)
            self._k += steps[-1]
            pending.clear()
            self._fit()
            return
        if not young and all(s * steps[-1] > 0 and abs(r - s * interval) <= threshold for (_, _, r), s in zip(run, steps)):
            return  # whole pulses off, but not yet as lost pulses are: more pulses will tell
        line = _line_through([(index, time_) for index, time_, _ in run])
        if line is None:
            return
        if not 1 / MAX_JUMP <= line[2] / interval <= MAX_JUMP:
            # A tempo this far from the one established needs a beat of evidence.
            if len(pending) < SUSTAINED:
                return
            run = pending[-SUSTAINED:]
            line = _line_through([(index, time_) for index, time_, _ in run])
            if line is None:
                return
        kbar, tbar, new_interval, error = line
        if any(abs(time_ - tbar - new_interval * (index - kbar)) > threshold for index, time_, _ in run):
            return  # not one line: late arrivals, not a change
        pending.clear()
        changed = abs(new_interval - interval) > 4 * error
        if not changed and not young:
            # The same tempo, the grid moved: by whole intervals on the whole (each pulse
            # jittered more than the threshold), pulses were lost; otherwise a new grid.
            offset = sum(r for _, _, r in run) / len(run)
            step = round(offset / interval)
            if step and abs(offset - step * interval) <= min(threshold, SLIP_PHASE * interval):
                for index, time_, _ in run:
                    if index + step > self._pulses[-1][0]:
                        self._add(index + step, time_)
                self._k += step
                self._fit()
                return
        self._restart([(index, time_) for index, time_, _ in run], prior=None if changed else interval)

    def _restart(self, pulses, prior: float | None = -1.0) -> None:
        """A new line through `pulses`; `prior` is the slope it keeps while young (default: the last one)."""
        self._pulses.clear()
        self._pending.clear()
        self._prior = self._interval if prior == -1.0 else prior
        for index, time_ in pulses:
            self._add(index, time_)
        self._k = max(self._k, pulses[-1][0])
        self._fit()

    def _threshold(self, k: int) -> float:
        """How far from the line a pulse may be: the recent spread, and the line's own uncertainty at `k`."""
        spread = 1.4826 * statistics.median(self._residuals) if self._residuals else 0.0
        uncertain = 3 * self._interval_error * abs(k - self._kbar)
        return min(0.4 * self._interval, max(OUTLIER_FLOOR, OUTLIER_SIGMAS * spread) + uncertain)

    def _accept(self, k: int, t: float) -> None:
        self._k = k
        self._add(k, t)
        self._fit()

    def _add(self, k: int, t: float) -> None:
        self._pulses.append((k, t))
        while self._pulses and self._pulses[0][0] <= k - self._window_size:
            self._pulses.popleft()

    def _fit(self) -> None:
        """The line through the pulses; the tempo reported if it moved beyond the noise.

        A least-squares line over the window, unless the pulses bend (a tempo
        ramp: a parabola fits them significantly better, its curvature over
        four standard errors): then the tangent of the parabola at the latest
        pulse, which neither lags nor misplaces the position as a line would.
        A young line after a restart keeps the last slope (`_prior`) until its
        own differs significantly: a few pulses make a poor tempo.
        """
        pulses = self._pulses
        n = len(pulses)
        if n == 0:
            return
        self._anchor_k = pulses[-1][0]
        if n == 1:
            if self._interval is not None:
                self._kbar, self._tbar = float(pulses[0][0]), pulses[0][1]  # the last tempo through it
            return
        line = _line_through(pulses)
        prior = self._prior
        if prior is not None:
            if n >= YOUNG or (line is not None and n >= CHANGE_RUN and abs(line[2] - prior) > 4 * line[3]):
                self._prior = None
            else:
                kbar = sum(k for k, _ in pulses) / n
                tbar = sum(t for _, t in pulses) / n
                self._kbar, self._tbar, self._interval = kbar, tbar, prior
                return
        if line is not None and n >= 12:
            bent = _tangent_of_parabola(pulses)
            if bent is not None:
                line = bent
        if line is None:
            return  # not a tempo (pulses out of order): keep the last line
        if self._interval is not None and n < CHANGE_RUN and not 1 / MAX_JUMP <= line[2] / self._interval <= MAX_JUMP:
            return  # two or three pulses do not overturn a tempo
        self._kbar, self._tbar, self._interval, self._interval_error = line
        if n == 2:
            self._interval_error = self._interval * 0.05
        estimate = _bpm(self._interval)
        noise = estimate * self._interval_error / self._interval
        if self._bpm is None or abs(estimate - self._bpm) > max(MIN_BPM_STEP, 2 * noise):
            self._bpm = round(estimate, 2)

    # -- the sync-source protocol ------------------------------------------------------

    def poll(self, now: float, beats_per_bar: int) -> SyncState | None:
        """Where the master is: see the module docstring. Quick; safe from any thread."""
        with self._lock:
            self._check_port(now)
            if self._interval is None or self._bpm is None:
                return None
            per_cycle = PULSES_PER_BEAT * beats_per_bar
            running = self._last_arrival is not None and now - self._last_arrival <= self._timeout()
            if not self._playing:
                if not self._transport_seen and not running:
                    return None
                return SyncState(False, self._bpm, self._line(self._k + 1), Fraction(self._next_pos, per_cycle))
            if not self._pulsed:
                position = Fraction(self._first_k + self._offset, per_cycle)
                if running:
                    return SyncState(True, self._bpm, self._line(self._first_k), position)
                return SyncState(True, self._bpm, self._start_time + self._interval, position)
            k = max(self._anchor_k, self._first_k)
            return SyncState(True if running else None, self._bpm, self._line(k), Fraction(k + self._offset, per_cycle))

    def _check_port(self, now: float) -> None:
        """Notice a port that went away (rarely: only while no clock comes)."""
        port = self._port
        if port is None or self._error is not None or now - self._checked_at < CHECK_EVERY:
            return
        if self._last_arrival is not None and now - self._last_arrival <= self._timeout():
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
            return self._bpm

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
            if self._last_arrival is None:
                return f"clock in: waiting for clock{self._on()}"
            silent = now - self._last_arrival
            if silent > self._timeout():
                tail = f" (free-running at {self._bpm:.1f} BPM)" if self._playing and self._bpm else ""
                return f"clock in: no clock for {silent:.0f} s{tail}"
            if self._bpm is None:
                return "clock in: measuring the tempo"
            return f"clock in {self._bpm:.1f} BPM {'▶' if self._playing else '■'}"

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
