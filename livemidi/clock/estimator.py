"""The tempo of an incoming MIDI clock, estimated from the arrival times of its pulses.

`TempoEstimator` is fed the time of each pulse (24 per quarter note) and says
the master's tempo and where its pulse grid lies. It is a pure function of
the pulse times it is given (and two facts about the transport: whether a
pulse is the first after Start or Continue, and whether the song position
counts): nothing here reads a clock or a port, so the same times always give
the same answers. `livemidi.clock.clockin.ClockIn` feeds it from a port.

The pulse times go into a least-squares line over the last `window` pulses
(96 = four beats): the tempo is its slope, and the time given for a pulse is
the line's, never a raw arrival. When the pulses bend (a tempo ramp: a
parabola fits significantly better) the tangent of the parabola at the
latest pulse is used instead, so a ramp is followed without lag; where a ramp
starts or ends the estimate is up to about a beat off (about 1 ms and 1 BPM
for a ramp of 10 BPM over 8 beats). A pulse far from the line (more than 4.5
robust standard deviations of the recent residuals, at least 1.5 ms) is left
out: a late pulse after a pause does not swing the tempo. Pulses that arrive
bunched (closer than a quarter interval: a JACK period that held several, a
process that was descheduled) count, but their times say nothing. Four
off-line pulses in a row may mean something real: if, shifted by whole
intervals that grow once and stay, they lie flat on the line, pulses were
lost (or doubled) on the way and the count is corrected, so the song
position stays right; if they lie on a line of their own, the tempo (or the
grid) changed and the line starts again from them (unless, at the same
tempo, they sit whole intervals off on average: lost pulses among late
ones), keeping the last slope until its own differs significantly (a change
beyond 1.5x needs a beat of pulses); otherwise they were late, and the line
stays. Two beats of pulses in a row off the line mean it was never the
master's (first pulses that came bunched made it at a multiple of the
tempo): it starts again from the last beat. The first pulse after Start or
Continue that is off the running line starts a new line: a master that stops
its clock while stopped starts on a new grid. The tempo reported stays put
until the estimate moves by more than its noise (at least 0.02 BPM).

A gap (no pulse for 8 intervals, at least 0.3 s) ends the line: the next
pulse starts a new one at the last tempo and, while the song position
counts, the pulse count jumps by the pulses the gap held at that tempo.

Misuse: give it every pulse, in the order they arrived, with times on one
clock (`time.perf_counter` seconds, or one virtual clock): the count is the
song position, so a pulse left out counts as lost, and times from two clocks
make no tempo.
"""

from __future__ import annotations

import math
import statistics
from collections import deque

__all__ = ["TempoEstimator"]

PULSES_PER_BEAT = 24
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


class TempoEstimator:
    """The master's tempo and pulse grid from its pulses' arrival times: ``TempoEstimator(window=96)``.

    Call `pulse(t)` with each pulse's time (seconds, in arrival order). Then
    `interval` is the seconds per pulse (None until two pulses make a
    tempo), `bpm` the quarter-note tempo reported (rounded to 0.01, moving
    only by more than its noise), `index` the latest pulse's number (counting
    from 0, corrected for pulses lost on the way) and `time_of(index)` when a
    pulse falls on the fitted line. `window` is the number of pulses the
    tempo is estimated over, at least 3.
    """

    def __init__(self, window: int = WINDOW) -> None:
        if isinstance(window, bool) or not isinstance(window, int) or window < 3:
            raise ValueError(f"window is a number of pulses, at least 3, got {window!r}")
        self._window_size = window
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

    @property
    def index(self) -> int:
        """The latest pulse's number (-1 before the first), corrected for pulses lost on the way."""
        return self._k

    @property
    def interval(self) -> float | None:
        """Seconds per pulse: the fitted line's slope (None before two pulses made a tempo)."""
        return self._interval

    @property
    def bpm(self) -> float | None:
        """The tempo reported, in quarter notes per minute (None before it is known)."""
        return self._bpm

    @property
    def anchor(self) -> int:
        """The number of the latest pulse that is on the line (-1 before the first)."""
        return self._anchor_k

    @property
    def last_arrival(self) -> float | None:
        """The time of the latest pulse, as given to `pulse` (None before the first)."""
        return self._last_arrival

    def time_of(self, k: int) -> float:
        """When pulse number `k` falls on the line (`interval` must be known)."""
        return self._tbar + self._interval * (k - self._kbar)

    def timeout(self) -> float:
        """Seconds without a pulse after which the clock counts as lost: 8 intervals, at least 0.3 s."""
        if self._interval is None:
            return MIN_TIMEOUT
        return max(MIN_TIMEOUT, TIMEOUT_PULSES * self._interval)

    def pulse(self, t: float, *, first: bool = False, counting: bool = False) -> None:
        """A pulse arrived at `t`.

        `first`: it is the first pulse after Start or Continue (off the
        running line, it starts a new one: a new grid). `counting`: the song
        position counts pulses (playing), so after a gap the count jumps by
        the pulses the gap held.
        """
        last = self._last_arrival
        self._last_arrival = t
        k = self._k + 1
        if last is not None and t - last > self.timeout():
            # The clock came back after a gap: a new line through this pulse at the last
            # tempo. While playing, count the pulses the gap held at that tempo; pulses
            # bunched with this one are among them (their arrival is not their time).
            if self._interval is not None and self._pulses and counting:
                jumped = round((t - self.time_of(self._k)) / self._interval)
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
        residual = t - self.time_of(k)
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
