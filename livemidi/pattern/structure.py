"""Structure over cycles, as Tidal defines it: iter, chunk, linger, press, fast_gap, repeat_cycles, rot.

Tidal builds `iter` and `chunk` from whole-cycle concatenation (``cat``): each
copy keeps its own count of cycles, so a pattern that spans several cycles
moves on inside them (``iter(4, "<a b> c d e")`` plays ``c d e b`` in its
second cycle, taking the ``b`` from where the shifted copy now is).
`fast_chunk` keeps the older, per-cycle behaviour under its own name.
`linger` is `fast` of `zoom`, so later cycles of the source come through too.

Each function takes its pattern last and is also a method; arguments named
in `patternify` may be patterns. Built on the primitives of `core` and on
`combinators`; misuse (a wrong type, a count of 0 where none makes sense)
raises a ValueError or TypeError naming the argument.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from threading import Lock
from typing import Any, Callable, Sequence

from .combinators import (
    PatternFunc,
    _by_cycle,
    _function,
    _shifted_query,
    _whole_number,
    compress,
    fast,
    zoom,
)
from .compose import stack
from .controls import _degree
from .core import Event, Pattern, pure, silence
from .lift import patternify, register_method, reify
from .tables import compiled
from .time import TimeLike, TimeSpan, cycle_span, sam, sect, to_time

_tuple_new = tuple.__new__

__all__ = [
    "chunk", "chunk_back", "fast_chunk", "fast_gap", "hurry", "iter_", "iter_back", "linger", "n_take",
    "press", "press_by", "repeat_cycles", "rot",
]

PatternLike = Any


def _cycles_of(m: int, shift: Callable[[int], Fraction], pick: Callable[[int], Pattern]) -> Pattern:
    """``cat`` of m patterns, built lazily: cycle c plays cycle ``c // m`` of ``pick(c % m)``
    moved earlier by ``shift(c % m)``. (Tidal's slowcat: each item keeps its own cycle count.)"""

    def query(span: TimeSpan) -> list[Event]:
        b = span[0]
        c = b.numerator // b.denominator
        i = c % m
        return _shifted_query(pick(i), span, Fraction(c - c // m) - shift(i))

    return Pattern(query).split_queries()


def _same(pat: Pattern) -> Callable[[int], Pattern]:
    return lambda i: pat


# -- iter --------------------------------------------------------------------


@patternify("n")
def iter_(n: int, pat: PatternLike) -> Pattern:
    """Start each cycle one `n`-th later in the pattern: ``a b c d``, ``b c d a``, ... (method: ``p.iter(n)``).

    As in Tidal, cycle c plays the pattern's cycle ``c // n`` shifted: a pattern
    that changes from cycle to cycle moves on. Negative n goes backwards (`iter_back`).
    """
    n = _whole_number("n", n)
    if n == 0:
        return pat
    m = abs(n)
    sign = 1 if n > 0 else -1
    return _cycles_of(m, lambda i: Fraction(sign * i, m), _same(pat))


@patternify("n")
def iter_back(n: int, pat: PatternLike) -> Pattern:
    """`iter_` backwards: ``a b c d``, ``d a b c``, ``c d a b``, ... (Tidal's ``iter'``, Strudel's ``iterBack``)."""
    return iter_(-_whole_number("n", n), pat)


# -- chunk -------------------------------------------------------------------


def _windows(m: int, func: PatternFunc, pat: Pattern, backwards: bool) -> Callable[[int], Pattern]:
    """Part i of m: `func` applied to the events that begin in the i-th m-th of each cycle."""
    changed = func(pat)

    @lru_cache(maxsize=64)
    def window(i: int) -> Pattern:
        if backwards:
            i = m - 1 - i
        lo, hi = Fraction(i, m), Fraction(i + 1, m)

        def inside(ev: Event) -> bool:
            t = ev.onset
            return lo <= t - sam(t) < hi

        return stack(changed.filter_events(inside), pat.filter_events(lambda ev: not inside(ev)))

    return window


@patternify("n")
def chunk(n: int, f: PatternFunc, pat: PatternLike) -> Pattern:
    """Cycle c applies `f` to the (c mod n)th of `n` parts of the cycle (negative n: backwards).

    As in Tidal (a ``cat`` of `within` copies), the parts move through the
    pattern's cycles one per n: ``chunk(4, add(10), "<0 4> 1 2 3")`` plays
    ``0 11 2 3`` in its second cycle. `fast_chunk` applies `f` to the cycle
    being played instead.
    """
    n = _whole_number("n", n)
    func = _function("f", f)
    if n == 0:
        return pat
    m = abs(n)
    return _cycles_of(m, lambda i: Fraction(0), _windows(m, func, pat, n < 0))


@patternify("n")
def chunk_back(n: int, f: PatternFunc, pat: PatternLike) -> Pattern:
    """`chunk` through the parts from the last to the first (Tidal's ``chunk'``, Strudel's ``chunkBack``)."""
    return chunk(-_whole_number("n", n), f, pat)


@patternify("n")
def fast_chunk(n: int, f: PatternFunc, pat: PatternLike) -> Pattern:
    """`chunk`, but each cycle is the pattern's own cycle: the parts do not hold the source back."""
    n = _whole_number("n", n)
    func = _function("f", f)
    if n == 0:
        return pat
    m = abs(n)
    window = _windows(m, func, pat, n < 0)
    return _by_cycle(lambda c: window(c % m))


# -- linger, press, fast_gap, hurry, repeat_cycles ----------------------------


@patternify("frac")
def linger(frac: TimeLike, pat: PatternLike) -> Pattern:
    """Repeat the first `frac` of each cycle to fill it (negative: the last ``-frac``).

    Tidal's ``fast (1/frac) (zoom (0, frac) p)``: the repeats come from the
    following cycles of the pattern, so ``linger(1/4, "<a b> c d e")`` plays ``a b a b``.
    """
    frac = to_time(frac)
    if frac == 0:
        return silence
    if frac > 0:
        return fast(1 / frac, zoom(0, frac, pat))
    return fast(-1 / frac, zoom(1 + frac, 1, pat))


@patternify("amount")
def press_by(amount: TimeLike, pat: PatternLike) -> Pattern:
    """Syncopate: each event starts `amount` (0..1) of the way into its span and ends where it ended."""
    r = to_time(amount)
    if not 0 <= r <= 1:
        raise ValueError(f"expected an amount from 0 to 1, found {r}")
    return pat.squeeze_bind(lambda v: compress(r, 1, pure(v)))


@patternify()
def press(pat: PatternLike) -> Pattern:
    """`press_by` a half: every event moved half of its span later, and shortened to fit."""
    return press_by(Fraction(1, 2), pat)


@patternify("factor")
def fast_gap(factor: TimeLike, pat: PatternLike) -> Pattern:
    """Each cycle squeezed into its first ``1/factor``, the rest silent (factor >= 1)."""
    factor = to_time(factor)
    if factor <= 0:
        return silence
    if factor < 1:
        raise ValueError(f"expected a factor >= 1 (fast_gap leaves a gap; slow stretches), found {factor}")
    return compress(0, 1 / factor, pat)


@patternify("factor")
def hurry(factor: TimeLike, pat: PatternLike) -> Pattern:
    """`fast`: Tidal's hurry also raises a sample's playback speed, which MIDI has no control for."""
    return fast(factor, pat)


@patternify("n")
def repeat_cycles(n: int, pat: PatternLike) -> Pattern:
    """Play each cycle `n` times before moving on: cycles 0 0 0 1 1 1 ... for n = 3."""
    n = _whole_number("n", n)
    if n < 0:
        raise ValueError(f"expected a count n >= 0, found {n}")
    if n == 0:
        return silence
    return _cycles_of(n, lambda i: Fraction(0), _same(pat))


# -- rot, n_take ---------------------------------------------------------------


def _cycle_events(pat: Pattern, c: int) -> list[Event]:
    """The events of cycle c with a whole, in order of onset (stacked ones in stacking order)."""
    return sorted((ev for ev in pat.query(cycle_span(c)) if ev[0] is not None), key=lambda ev: ev[0][0])


def _constrain(events: Sequence[Event], values: Sequence[Any], span: TimeSpan) -> list[Event]:
    out = []
    for ev, v in zip(events, values):
        part = sect(ev[1], span)
        if part is not None:
            out.append(_tuple_new(type(ev), (ev[0], part, v)))  # the structure's place kept (see `event`)
    return out


@patternify("n")
def rot(n: int, pat: PatternLike) -> Pattern:
    """Shift each cycle's values `n` events to the left, keeping the rhythm: ``rot(1, "a ~ b c")`` is ``b ~ c a``."""
    n = _whole_number("n", n)
    if n == 0:
        return pat

    def query(span: TimeSpan) -> list[Event]:
        events = _cycle_events(pat, sam(span[0]).numerator)
        k = len(events)
        values = [events[(j + n) % k][2] for j in range(k)]
        return _constrain(events, values, span)

    return Pattern(query).split_queries()


def n_take(name: str, values: Sequence[Any], pat: PatternLike) -> Pattern:
    """The notes `values` in turn, one per event of `pat`, counted from cycle 0 (Tidal's ``nTake``).

    ``n_take("x", [0, 2, 4, 7], "t*3")`` plays 0 2 4, then 7 0 2, ... Tidal
    keeps a counter per `name` while it plays; a livemidi pattern is a
    function of time, so the k-th event since cycle 0 takes ``values[k % len]``
    and the same bar always sounds the same. `name` only labels the pattern.
    Event values that are controls keep their other keys. A mini-notation
    sequence (a cycle table) is counted by lookup; any other pattern is
    queried cycle by cycle from 0 the first time, so a first query at cycle
    10,000 makes 10,000 cycles of events once (a session's budget counts them).
    """
    if not isinstance(name, str):
        raise TypeError(f"expected a name (str) for n_take, found {type(name).__name__} {name!r}")
    if isinstance(values, (str, dict)) or not isinstance(values, Sequence) or not values:
        raise ValueError(f"expected a non-empty list of notes for n_take, found {values!r}")
    notes = [_degree(v) for v in values]
    pat = reify(pat)
    counts = _OnsetCounts(pat)

    def begun(c: int) -> list[tuple[Event, Any]]:
        """The events that begin in cycle c, with their notes: the k-th takes the next one."""
        first = counts.before(c)
        onsets = [ev for ev in _cycle_events(pat, c) if ev.has_onset()]
        return [(ev, notes[(first + k) % len(notes)]) for k, ev in enumerate(onsets)]

    def pick(c: int) -> list[tuple[Event, Any]]:
        here = begun(c)
        out = []
        for ev in _cycle_events(pat, c):
            if ev.has_onset():
                continue
            # A piece of an event that began earlier (in this cycle or before): it sounds the
            # note picked where it began, looked up once, never recursively, since a pattern
            # may carry a note across every bar line.
            start = sam(ev[0][0]).numerator
            source = here if start == c else begun(start)
            same = [note for e, note in source if e[0] == ev[0]]  # (a piece may carry another value)
            exact = [note for e, note in source if e[0] == ev[0] and e[2] == ev[2]]
            out.append((ev, (exact or same or [notes[counts.before(start) % len(notes)]])[0]))
        return out + here

    def query(span: TimeSpan) -> list[Event]:
        picked = pick(sam(span[0]).numerator)
        return _constrain([ev for ev, _ in picked], [_with_note(ev[2], note) for ev, note in picked], span)

    return Pattern(query).split_queries()


def _with_note(value: Any, note: Any) -> Any:
    return {**value, "note": note} if isinstance(value, dict) else {"note": note}


class _OnsetCounts:
    """How many events of a pattern begin before cycle c (counted from cycle 0), cached as it grows."""

    def __init__(self, pat: Pattern):
        self.pat = pat
        self.ahead = [0]  # ahead[c]: events beginning in cycles 0 .. c-1
        self.behind = [0]  # behind[k]: events beginning in cycles -k .. -1
        self.lock = Lock()  # the REPL's trial and the clock may query one pattern at once

    def _in_cycle(self, c: int) -> int:
        return sum(1 for ev in self.pat.query(cycle_span(c)) if ev.has_onset())

    def before(self, c: int) -> int:
        if compiled(self.pat):  # a cycle table: every entry begins in its cycle, counted without a query
            per_cycle = [len(entries) for entries in self.pat._cycles]  # type: ignore[union-attr]
            whole_periods, rest = divmod(c, len(per_cycle))
            return whole_periods * sum(per_cycle) + sum(per_cycle[:rest])
        with self.lock:
            if c >= 0:
                while len(self.ahead) <= c:
                    self.ahead.append(self.ahead[-1] + self._in_cycle(len(self.ahead) - 1))
                return self.ahead[c]
            while len(self.behind) <= -c:
                self.behind.append(self.behind[-1] + self._in_cycle(-len(self.behind)))
            return -self.behind[-c]


for _f in (chunk, chunk_back, fast_chunk, fast_gap, hurry, iter_, iter_back, linger, press, press_by,
           repeat_cycles, rot):
    register_method(_f)
register_method(n_take)
