"""How far past its lookahead the loop ships: far enough to ride out the starvations it has seen.

The lookahead thread lives in the performer's process and needs its GIL.
Pure-Python code hands the GIL over every 5 ms, but a C call holds it until it
returns: a thread of ``sum(range(N))`` calls of 10 ms each kept the lookahead
thread from running for up to 170 ms at a time (measured through a Session
on the project's 2-core VM, issue 15: each time the GIL came free, the
calling thread took it back before the lookahead thread woke). The events
shipped 100 ms ahead ran out, and notes were sent up to 80 ms late. Other
processes taking both cores did the same.

So the loop measures how late each of its steps comes (the time since the
step before, less the interval) and, after a step late by D seconds, ships
``FACTOR × D`` further ahead than its lookahead for the next `MEMORY`
seconds (at most `MOST`): a starvation like the last one then finds enough
queued in the sender. Shipping further ahead costs nothing heard: a swap,
a tempo change, a hush or a stop cancel or retime what was shipped, however
far ahead. Live input is the exception (what a knob or a key changes is
heard only from the next window rendered), so a loop whose `responsive()`
says so ships no further than its lookahead (`Lookahead.step`). The extra
is built up `GROW` intervals of music a step at most, so that no window is
big: the sender takes ~2 µs an event off its pipe, and a third of a second
of 1000 notes a second in one command would hold it up for 1.5 ms.

Misuse: `step` must be called at every step of a running loop and `reset`
when it starts, resumes or stops; a loop stopped for a minute did not starve.
"""

from __future__ import annotations

from collections import deque

__all__ = ["FACTOR", "GROW", "MEMORY", "MOST", "Reach"]

FACTOR = 1.5  # ship this many times the worst recent lateness of a step further ahead
MEMORY = 30.0  # seconds a starvation is remembered
MOST = 1.0  # the most (s) the loop ships past its lookahead
SIGNIFICANT = 2.0  # a step later than this many intervals is a starvation
GROW = 4.0  # a window reaches at most this many intervals past the last one, while the extra builds up


class Reach:
    """``Reach(interval)``: the extra seconds of horizon a loop stepping every `interval` s needs now."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: float | None = None
        self._late: deque[tuple[float, float]] = deque()  # (when, how late), the worst last
        self.extra = 0.0

    def reset(self) -> None:
        """Forget the last step (a start, a resume, a stop): the next gap is no starvation."""
        self._last = None

    def step(self, now: float) -> float:
        """Note a step at `now`; returns the extra horizon (s) to ship with."""
        last, self._last = self._last, now
        late = self._late
        if last is not None:
            lateness = now - last - self.interval
            if lateness > SIGNIFICANT * self.interval:
                while late and late[-1][1] <= lateness:  # a later, worse one replaces it
                    late.pop()
                late.append((now, lateness))
        while late and now - late[0][0] > MEMORY:
            late.popleft()
        self.extra = min(MOST, FACTOR * late[0][1]) if late else 0.0
        return self.extra

    def horizon(self, now: float, base: float, reached: float) -> float:
        """How far to ship at a step at `now`: `base` (now + the lookahead), plus the extra,
        reaching at most `GROW` intervals past the time already shipped to (`reached`)."""
        extra = self.step(now)
        return max(base, min(base + extra, reached + GROW * self.interval))
