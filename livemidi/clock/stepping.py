"""The lookahead loop's thread: one step every interval, at absolute deadlines, until closed.

`Stepping(step, interval, ...)` is the thread of a `Lookahead` (lookahead.py):
it calls ``step()`` every `interval` seconds, each time at a deadline counted
from the first one, not `interval` after the last step ended (which would
drift). A step that comes late is followed by one step, not by a burst
of steps to catch up. While `active()` is False (the loop is stopped and
follows nothing) it sleeps until `wake`. An exception from a step is
reported through `report` once while it repeats; the thread never dies of one.

Misuse: `step` runs in this thread, so anything it calls must not wait for
`close` (which joins the thread).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..errors import ClockStoppedError

__all__ = ["Stepping"]


class Stepping:
    """``Stepping(step, interval, *, now, sleep=None, active, report)``: a daemon thread calling `step`.

    `now` is the loop's clock; `sleep(seconds)`, if given, replaces waiting
    (a virtual clock: `wake` then has no effect). `active()` says whether to
    keep stepping; `report(error, where)` hears of a step's exception.
    """

    def __init__(
        self,
        step: Callable[[], object],
        interval: float,
        *,
        now: Callable[[], float],
        sleep: Callable[[float], None] | None = None,
        active: Callable[[], bool],
        report: Callable[[BaseException, str], None],
    ) -> None:
        self.step = step
        self.interval = interval
        self.cpu_seconds = 0.0  # CPU time of the thread
        self._now = now
        self._sleep = sleep
        self._active = active
        self._report = report
        self._wake = threading.Event()
        self._closing = False
        self.thread: threading.Thread | None = None  # (None until the first `ensure`)

    def ensure(self) -> None:
        """Start the thread if it is not running (again after `close`)."""
        if self.thread is None or not self.thread.is_alive():
            self._closing = False
            self.thread = threading.Thread(target=self.run, name="livemidi lookahead", daemon=True)
            self.thread.start()

    def wake(self) -> None:
        """Step now (a start, a tempo change, a sync source's news), and count the next deadlines from here."""
        self._wake.set()

    def run(self) -> None:
        """Step every `interval` (absolute deadlines) until `close`; exceptions are reported."""
        started_cpu = time.thread_time()
        next_tick = self._now()
        repeated = None
        while not self._closing:
            try:
                self.step()
                repeated = None
            except ClockStoppedError:
                pass  # stopped between the check and the step
            except Exception as error:  # the loop never dies; the same error is reported once
                text = f"{type(error).__name__}: {error}"
                if text != repeated:
                    self._report(error, "the lookahead loop")
                repeated = text
            self.cpu_seconds = time.thread_time() - started_cpu
            next_tick += self.interval
            now = self._now()
            if next_tick < now:
                next_tick = now  # behind: catch up with one step, not a burst
            if self._sleep is not None:
                self._sleep(next_tick - now)
            elif self._wake.wait(next_tick - now if self._active() else None):
                self._wake.clear()  # woken: a start, a tempo change, a close
                next_tick = self._now()

    def close(self) -> None:
        """End the thread after its current step, and wait for it (5 s at most)."""
        self._closing = True
        self._wake.set()
        thread = self.thread
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(5)  # (not started: Ctrl-C came between making the thread and starting it)
