"""Telling the performer when the music skipped: the lookahead loop stalled and did not replay the past.

When the lookahead thread does not run for longer than the lookahead plus
`max_late` (the machine swapped, other processes took every core, a C call
held the GIL), it jumps forward rather than play the missed music late
(docs/scheduling.md, "When the main process stalls"). That used to be silent:
a note the performer wrote was simply not heard, and only `Lookahead.stalls`
counted it. Now each stall is a notice, at most one every `EVERY` seconds
(a machine that keeps stalling would otherwise flood the REPL), and the
toolbar, the eval server's status and the end of `livemidi run` give the count.

Misuse: called by the lookahead thread with the clock's lock held: the
notice must not call back into the session's clock.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["EVERY", "StallNotices"]

EVERY = 5.0  # seconds between two notices of stalls; those in between are counted in the next


class StallNotices:
    """``StallNotices(notice, now)``: the `Lookahead.on_stall` of a session; `notice(text)` tells the performer."""

    def __init__(self, notice: Callable[[str], None], now: Callable[[], float]) -> None:
        self._notice = notice
        self._now = now
        self._told_at: float | None = None
        self._untold = 0  # stalls since the last notice
        self._untold_seconds = 0.0

    def __call__(self, seconds: float) -> None:
        """A stall skipped `seconds` of music."""
        self._untold += 1
        self._untold_seconds += seconds
        now = self._now()
        if self._told_at is not None and now - self._told_at < EVERY:
            return
        count, skipped = self._untold, self._untold_seconds
        self._told_at, self._untold, self._untold_seconds = now, 0, 0.0
        times = "" if count == 1 else f" ({count} times since the last notice)"
        self._notice(
            f"the clock did not run in time{times}: {skipped * 1000:.0f} ms of music skipped rather than played "
            "late. This process was held up: the machine was busy, or Python code held the interpreter."
        )
