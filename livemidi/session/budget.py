"""What one loop may cost: a budget of events and of time, checked beat by beat while its pattern is computed.

One careless line (``note("c4*1000000")``) must not silence the other
loops. The lookahead thread renders every loop a few milliseconds' worth at a
time, and the sender process sends one message after another: a loop that
needs more than they can give makes every loop late. So each loop gets a
`Budget`, reckoned per beat at the current tempo:

- ``events``: how many events a bar it may play, and at most their share in
  any one beat (5000 a bar in 4/4: 1250 a beat), so that a loop cannot spend
  a bar's budget in one burst. An event is what starts in the bar: a note, a
  controller value (with all its controls, it counts once). The events the
  pattern engine computes on the way (those its controls are read from,
  fragments of long notes) are counted too (`livemidi.pattern.meter`), as
  they are made, and one query may compute `COMPUTED_PER_PLAYED` times a
  beat's budget: ``c4*1000000`` stops there, not after a million.
- ``share``: how much of the time a beat lasts computing it may take, in CPU
  time of the thread doing it. Time spent collecting garbage is left out: a
  collection frees every thread's garbage, and charging it to the loop that
  happened to trigger it would mute a healthy loop.

`trial` renders the first bars of a new pattern a beat at a time and keeps
none of it: a trial that kept a million events alive made each of Python's
full garbage collections take half a second, with the GIL held, and the
lookahead thread waited that long (measured; see docs/scheduling.md).
`render_within` renders a lookahead window for a loop, cut at beat lines,
and charges each piece to its beat in the loop's account. Both raise
`BudgetError` as soon as a beat is over budget, naming the limit and how to
raise it; the session refuses the pattern (trial) or mutes the loop (render).

Misuse: an account (`spent`) belongs to one loop's pattern; sharing one
makes each pay for the others.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

from ..errors import BudgetError
from ..pattern import reify
from ..pattern.meter import Meter, metered
from ..render import Rendered, render_events

__all__ = ["Budget", "DEFAULT_EVENTS", "DEFAULT_SHARE", "Pace", "render_within", "trial"]

# Chosen by measurement (bench/budget.py; docs/live.md, "Budgets"): on the project's machine the
# lookahead path costs 50-100 µs of CPU an event. One loop of c4*5000 at 120 BPM took a quarter of
# a core and left a kick on time; c4*10000 was at the edge; at c4*20000 the sender process fell
# behind and kicks were skipped. The default is half of the edge.
DEFAULT_EVENTS = 5000
DEFAULT_SHARE = 0.25
CHECK_EVERY = 256  # events between looks at the CPU clock (a look costs ~0.6 µs, 256 events ≥ 0.5 ms)
# Events computed on the way, per event played, that one query may make before it is stopped:
# 1.5 for bench/patterns.py's dense set, about 3 with several controls read from signals.
COMPUTED_PER_PLAYED = 8


class Pace(NamedTuple):
    """The tempo a budget is reckoned at: beats in a bar, and how long a bar lasts (s)."""

    beats_per_bar: int
    seconds_per_bar: float


@dataclass(frozen=True)
class Budget:
    """``Budget(events=5000, share=0.25)``: what one loop may cost.

    `events`: events played a bar (a whole number ≥ 1), at most their share
    in any one beat; a query may compute `COMPUTED_PER_PLAYED` times a beat's
    share on the way. `share`: the part of a beat's duration that computing
    it may take (0 < share ≤ 1).
    """

    events: int = DEFAULT_EVENTS
    share: float = DEFAULT_SHARE

    def __post_init__(self) -> None:
        if isinstance(self.events, bool) or not isinstance(self.events, int) or self.events < 1:
            raise ValueError(f"a budget's events must be a whole number of events per bar ≥ 1, found {self.events!r}")
        share = self.share
        if isinstance(share, bool) or not isinstance(share, (int, float, Fraction)) or not 0 < share <= 1:
            raise ValueError(f"a budget's share must be a part of a beat's time, 0 < share ≤ 1, found {share!r}")
        object.__setattr__(self, "share", float(share))

    def per_beat(self, pace: Pace) -> int:
        """The events a beat may need at `pace`: its share of the bar's."""
        return max(1, self.events // pace.beats_per_bar)

    def __str__(self) -> str:
        return f"{self.events:,} events a bar and {self.share:.0%} of the time, for each loop"


def trial(
    budget: Budget, pattern: Any, start: Fraction, cycles: int, channel: int, port: Any, pace: Pace
) -> Iterator[Rendered]:
    """The messages of `cycles` bars of `pattern` from `start`, a beat at a time, each within `budget`.

    Raises `BudgetError` at the first beat over budget. Nothing is kept: each
    beat's messages are yielded and then dropped.
    """
    spent: dict[int, list] = {}
    for beat, lo, hi in _pieces(start, start + cycles, pace.beats_per_bar):
        yield from _render_piece(budget, spent, beat, lo, hi, pattern, channel, port, pace)


def render_within(
    budget: Budget, spent: dict[int, list], pattern: Any, begin: Fraction, end: Fraction, channel: int, port: Any,
    pace: Pace,
) -> list[Rendered]:  # fmt: skip
    """`render` for ``[begin, end)``, each beat charged to `spent` (``{beat: [events, seconds, rendered to]}``).

    Raises `BudgetError` as soon as a beat's events or time go over `budget`.
    """
    pieces = _pieces(begin, end, pace.beats_per_bar)
    first = begin.numerator * pace.beats_per_bar // begin.denominator  # floor(begin × beats), in integers
    for old in [beat for beat in spent if beat < first - 1]:
        del spent[old]
    if len(pieces) == 1:  # the usual window, within one beat: its list as it is
        return _render_piece(budget, spent, *pieces[0], pattern, channel, port, pace)
    out: list[Rendered] = []
    for beat, lo, hi in pieces:
        out += _render_piece(budget, spent, beat, lo, hi, pattern, channel, port, pace)
    return out


def _pieces(begin: Fraction, end: Fraction, beats_per_bar: int) -> list[tuple[int, Fraction, Fraction]]:
    """``[begin, end)`` cut at beat lines, as (beat, from, to); beat n spans ``[n, n+1) / beats_per_bar``."""
    # In integers (an int or a Fraction has a numerator and a denominator): a lookahead window
    # is one piece, and comparing and flooring Fractions cost more than the rest of an empty one.
    beat = begin.numerator * beats_per_bar // begin.denominator
    if begin.numerator * end.denominator >= end.numerator * begin.denominator:
        return []
    if end.numerator * beats_per_bar <= (beat + 1) * end.denominator:
        return [(beat, begin, end)]
    pieces = []
    while begin < end:
        stop = min(end, Fraction(beat + 1, beats_per_bar))
        pieces.append((beat, begin, stop))
        begin, beat = stop, beat + 1
    return pieces


def _render_piece(
    budget: Budget, spent: dict[int, list], beat: int, begin: Fraction, end: Fraction, pattern: Any,
    channel: int, port: Any, pace: Pace,
) -> list[Rendered]:  # fmt: skip
    used = spent.setdefault(beat, [0, 0.0, begin])  # events played, seconds, how far the beat was rendered
    played = budget.per_beat(pace)
    computed = COMPUTED_PER_PLAYED * played
    seconds = budget.share * pace.seconds_per_bar / pace.beats_per_bar
    # Asked again for what was rendered already (a swap, mute or solo of another loop re-asks
    # every loop): the same pattern, the same cost, charged once; only its own size is checked.
    again = end <= used[2]
    played_left, seconds_left = (played, seconds) if again else (played - used[0], seconds - used[1])
    began = _cpu()

    def refill(meter: Meter) -> None:
        if meter.spent > computed:
            raise _over(budget, "computed", beat, pace)
        if _cpu() - began > seconds_left:
            raise _over(budget, "time", beat, pace)
        meter.left = min(CHECK_EVERY, computed - meter.spent)

    meter = Meter(min(CHECK_EVERY, computed), refill)
    onsets = 0
    try:
        with metered(meter):
            events = reify(pattern).events(begin, end)
        onsets = sum(1 for event in events if event.has_onset())
        if onsets > played_left:  # before any of them is rendered
            raise _over(budget, "played", beat, pace)
        rendered = render_events(events, channel, port)
    finally:
        took = _cpu() - began
        if not again:
            used[0] += onsets
            used[1] += took
            used[2] = max(used[2], end)
    if took > seconds_left:  # a piece with fewer events than CHECK_EVERY is timed only here
        raise _over(budget, "time", beat, pace)
    return rendered


def _over(budget: Budget, limit: str, beat: int, pace: Pace) -> BudgetError:
    bar, within = divmod(beat, pace.beats_per_bar)
    where = f"bar {bar + 1} beat {within + 1}"
    played = budget.per_beat(pace)
    raise_it = f"raise it with budget(events={budget.events * 2})"
    if limit == "played":
        text = (
            f"it plays more than {played:,} events in {where} (the budget is {budget.events:,} events a bar "
            f"and loop, {played:,} a beat; {raise_it})"
        )
    elif limit == "computed":
        computed = COMPUTED_PER_PLAYED * played
        text = (
            f"it needs more than {computed:,} events computed for {where} (the budget is {budget.events:,} events "
            f"a bar and loop: {played:,} played a beat, {computed:,} computed on the way; {raise_it})"
        )
    else:
        beat_seconds = pace.seconds_per_bar / pace.beats_per_bar
        text = (
            f"computing {where} takes more than {budget.share:.0%} of its {beat_seconds:.3g} s "
            f"(the budget is {budget.share:.0%} of the time it plays; raise it with "
            f"budget(share={min(1.0, round(budget.share * 2, 2))}))"
        )
    return BudgetError(text, limit="time" if limit == "time" else "events", at=Fraction(beat, pace.beats_per_bar))


# -- CPU time, less garbage collection ------------------------------------------------------

_gc_time = threading.local()
_watching = False


def _on_gc(phase: str, info: dict) -> None:
    # Called in the thread whose allocation started the collection.
    if phase == "start":
        _gc_time.began = time.thread_time()
    else:
        began = getattr(_gc_time, "began", None)
        if began is not None:
            _gc_time.total = getattr(_gc_time, "total", 0.0) + time.thread_time() - began


def _cpu() -> float:
    """This thread's CPU seconds, less those it spent collecting garbage."""
    global _watching
    if not _watching:
        _watching = True
        gc.callbacks.append(_on_gc)
    return time.thread_time() - getattr(_gc_time, "total", 0.0)
