"""Named loops: which pattern a loop plays from which cycle on.

A `Loop` keeps a short timeline of ``(from_cycle, pattern)`` entries rather
than a single "current" pattern, so that asking what it plays in any window
has no side effects: the lookahead loop may ask for the same window twice (a
re-query after a swap, a solo) and gets the same answer. A swap adds an entry
at a future bar line; the window that crosses the bar line is split there,
the old pattern before it, the new one after, so the music stays in phase.

When a pattern raises while it plays, its entry is replaced by the pattern
before it (the last good one) and the error is reported; with nothing
before it, the loop falls silent. Patterns are functions of absolute time, so
a revert is also in phase. A pattern that goes over the session's budget is
muted instead (`over_budget`), until `unmute` or a new pattern takes over.

`Loops` is the performer's handle on them: ``p.bass = note("c2 e2")`` swaps
at the next bar, ``p.bass`` is the `Loop`, ``del p.bass`` stops it.
"""

from __future__ import annotations

from fractions import Fraction
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..errors import LoopNotFoundError

if TYPE_CHECKING:
    # For the type hint of `Loops(session)` only: session.py imports this module, and this
    # import never runs, so it is no cycle (tests/test_import_cycles.py leaves these out).
    # `Loops` uses only the session's play, stop_loop and loops.
    from .session import Session

__all__ = ["Loop", "Loops", "no_such_loop"]


def no_such_loop(name: Any, loops: Iterable[str]) -> LoopNotFoundError:
    """The error for a loop name that is not one of `loops`: says which there are, or how to start one."""
    loops = list(loops)
    if loops:
        there = f"the loops are: {', '.join(loops)}"
    else:
        start = f"p.{name} = pattern" if isinstance(name, str) and name.isidentifier() else "p.name = pattern"
        there = f"there are no loops yet (start one with {start})"
    return LoopNotFoundError(f"no loop named {name!r}; {there}", name=name, loops=loops)


class Loop:
    """One named loop: its timeline of patterns, default channel and port, mute state."""

    def __init__(self, name: str, channel: int = 0, port: Any = 0) -> None:
        self.name = name
        self.channel = channel
        self.port = port
        self.muted = False
        self.timeline: list[tuple[Fraction, Any]] = []  # (from cycle, pattern or None), by cycle
        self.errors = 0
        self.last_error: BaseException | None = None
        self.over_budget: Any = None  # the pattern muted for going over the session's budget (see `guard`)
        self.charged: Any = None  # the pattern that `spent` is the account of
        self.spent: dict[int, list] = {}  # its cost so far, {beat: [events, seconds, rendered to]} (see `budget`)

    # -- the timeline --------------------------------------------------------------------

    def set(self, pattern: Any, at: Fraction) -> None:
        """Play `pattern` (None: nothing) from cycle `at` on, replacing what was planned after it."""
        self.timeline = [entry for entry in self.timeline if entry[0] < at]
        self.timeline.append((at, pattern))

    def pattern_at(self, cycle: Fraction) -> Any:
        """The pattern playing at `cycle` (None before the first entry or after a stop)."""
        current = None
        for start, pattern in self.timeline:
            if start > cycle:
                break
            current = pattern
        return current

    def segments(self, begin: Fraction, end: Fraction) -> list[tuple[int, Fraction, Fraction]]:
        """``(timeline index, begin, end)`` for each part of ``[begin, end)`` with one pattern."""
        if len(self.timeline) == 1 and self.timeline[0][0] <= begin:  # one pattern, playing: the whole window
            return [(0, begin, end)] if begin < end else []
        out = []
        for index, (start, _pattern) in enumerate(self.timeline):
            stop = self.timeline[index + 1][0] if index + 1 < len(self.timeline) else None
            lo = max(begin, start)
            hi = end if stop is None else min(end, stop)
            if lo < hi:
                out.append((index, lo, hi))
        return out

    def revert(self, index: int, error: BaseException) -> Any:
        """The pattern of entry `index` raised: put the one before it (or silence) there; return it."""
        self.errors += 1
        self.last_error = error
        fallback = self.timeline[index - 1][1] if index > 0 else None
        start = self.timeline[index][0]
        self.timeline[index] = (start, fallback)
        return fallback

    def unmute(self) -> None:
        """Audible again; a pattern muted for going over budget is tried again."""
        self.muted = False
        self.over_budget = None

    def forget_before(self, cycle: Fraction) -> None:
        """Drop the entries that ended before `cycle` (keeping the one playing there, and one before it)."""
        while len(self.timeline) > 2 and self.timeline[2][0] <= cycle:
            del self.timeline[0]

    def ended(self, cycle: Fraction) -> bool:
        """True once the loop was stopped and nothing more is planned from `cycle` on."""
        return bool(self.timeline) and self.timeline[-1][1] is None and self.timeline[-1][0] <= cycle

    # -- for people -------------------------------------------------------------------------

    def state(self, cycle: Fraction) -> str:
        """'muted', 'pending' (a change is coming), 'playing' or 'stopped', at `cycle`."""
        if self.muted or (self.over_budget is not None and self.pattern_at(cycle) is self.over_budget):
            return "muted"
        if any(start > cycle for start, _ in self.timeline):
            return "pending"
        return "stopped" if self.pattern_at(cycle) is None else "playing"

    def __repr__(self) -> str:
        return f"<loop {self.name!r} channel={self.channel} port={self.port!r}{' muted' if self.muted else ''}>"


class Loops:
    """The performer's view of a session's loops: ``p.bass = pattern``, ``p.bass``, ``del p.bass``.

    Also ``p['bass'] = pattern``, ``'bass' in p``, ``list(p)``. Assigning
    swaps at the session's quantize (the next bar by default) after trying the
    new pattern; if it raises, the assignment raises and the old pattern plays on.
    """

    def __init__(self, session: Session) -> None:
        object.__setattr__(self, "_session", session)

    def __setattr__(self, name: str, pattern: Any) -> None:
        if pattern is None:
            self._session.stop_loop(name)
        else:
            self._session.play(name, pattern)

    def __getattr__(self, name: str) -> Loop:
        if name.startswith("__"):
            raise AttributeError(name)
        loop = self._session.loops.get(name)
        if loop is None:
            known = ", ".join(self._session.loops) or "none yet"
            raise AttributeError(f"no loop named {name!r} (loops: {known}); start one with p.{name} = pattern")
        return loop

    def __delattr__(self, name: str) -> None:
        self._session.stop_loop(name)

    __setitem__ = __setattr__
    __getitem__ = __getattr__
    __delitem__ = __delattr__

    def __contains__(self, name: object) -> bool:
        return name in self._session.loops

    def __iter__(self):
        return iter(list(self._session.loops))

    def __dir__(self) -> list[str]:
        return sorted(self._session.loops)

    def __repr__(self) -> str:
        return f"<loops: {', '.join(self._session.loops) or 'none'}>"
