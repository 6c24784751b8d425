"""Cycle tables: the fast path for patterns that repeat every few cycles.

Most patterns a performer types are sequences of plain values: ``"c e [g a]"``,
``"<0 3> 5"``, ``"x(3,8)"``. Such a pattern is fully described by a table: for
each of its `period` cycles, the (begin, end, value, event class) entries
inside that cycle (offsets are Fractions, ``0 <= begin < end <= 1``, sorted by
begin; the class says where the value was written, see `event`). The
builders in `compose`, `Pattern.fmap` / `filter_values` / `app_left` and
`fast` / `slow` / `rev` / `every` compile tables into tables, so the query of a
whole mini-notation sequence with controls attached is a lookup:

- each cycle's events are built once and cached (a bar costs one list copy), a
  few cycles' worth (`CACHED_EVENTS`);
- a partial query compares integers (offsets over a common denominator),
  not Fractions;
- evenly spaced steps share their spans with every other pattern of the same
  step count (`time.step_span`).

Anything a table cannot describe (random choices, signals, shifts by a
fraction of a cycle, events crossing a cycle boundary) falls back to the
general query; both must give the same events, which the tests check.
"""

from __future__ import annotations

import functools
import math
import sys
from contextlib import contextmanager
from fractions import Fraction
from typing import Any, Callable, Iterator, Sequence

from . import core
from .core import Event, Pattern, _atom, silence
from .event import joined
from .meter import spend
from .time import TimeSpan, _int_time_any, _span, step_span

__all__ = ["MAX_PERIOD", "compiled", "disabled", "table", "table_also_from", "table_app_left", "table_cat", "table_fast",
           "table_filter", "table_map", "table_period", "table_rev", "table_select", "table_slots", "table_slow",
           "table_stack"]

Entry = tuple  # (begin offset, end offset, value, event class)
Cycles = tuple  # one tuple of entries per cycle of the period

MAX_PERIOD = 64
MAX_ENTRIES = 4096
# The events a table keeps built, about: each cycle's events are cached for the queries that follow
# (the lookahead asks for a cycle in ~20 windows), up to 128 cycles and at least 4. Each event kept
# is walked by every full garbage collection, with the GIL held: 128 cycles of ``c4*2000`` (256,000
# events) made the collections of a playing session's main process grow to 0.1 s within a minute,
# and the lookahead thread waited that long.
CACHED_EVENTS = 4096
_tuple_new = tuple.__new__

enabled = True
"""Compile to tables where possible. Tests switch this off to check that the
general queries give the same events (patterns built meanwhile stay general)."""


def compiled(p: Pattern) -> bool:
    """Whether `p` is a table that combinators may compile further."""
    return enabled and p._cycles is not None


@contextmanager
def disabled() -> Iterator[None]:
    """Build patterns without tables inside this block (for testing the general path)."""
    global enabled
    saved, enabled = enabled, False
    try:
        yield
    finally:
        enabled = saved


def table(cycles: Sequence[Sequence[Entry]]) -> Pattern:
    """A pattern playing ``cycles[c % len(cycles)]`` in cycle c."""
    cycles = _shortest_period([tuple(c) for c in cycles])
    period = len(cycles)
    if period == 1:
        entries = cycles[0]
        if not entries:
            return silence
        if len(entries) == 1 and entries[0][0] == 0 and entries[0][1] == 1:
            return _atom(entries[0][2], entries[0][3])
    layouts = [_layout(entries) for entries in cycles]
    most = max(1, max(len(entries) for entries in cycles))

    @functools.lru_cache(maxsize=max(4, min(128, CACHED_EVENTS // most)))
    def cycle_events(c: int) -> tuple[Event, ...]:
        denom, ints, values, steps, entries = layouts[c % period]
        if steps is not None:
            wholes = [step_span(c * denom + k, denom) for k in steps]
        else:
            start = _int_time_any(c)
            wholes = [_span(start + b, start + e) for b, e, _, _ in entries]
        return tuple(_tuple_new(entry[3], (w, w, v)) for w, v, entry in zip(wholes, values, entries))

    def query(span: TimeSpan) -> list[Event]:
        b, e = span
        bn, bd = b.numerator, b.denominator
        en, ed = e.numerator, e.denominator
        c = bn // bd
        out: list[Event] = []
        if b == e:  # a point: the events sounding at that instant
            denom, ints = layouts[c % period][:2]
            at = (bn - c * bd) * denom
            for (ib, ie), ev in zip(ints, cycle_events(c)):
                if ib * bd <= at < ie * bd:
                    out.append(_tuple_new(type(ev), (ev[0], span, ev[2])))
            return out
        while c * ed < en:
            evs = cycle_events(c)
            denom, ints = layouts[c % period][:2]
            # The query's offsets inside cycle c, scaled by denom*bd and denom*ed.
            qb = (bn - c * bd) * denom
            qe = (en - c * ed) * denom
            if qb <= 0 and qe >= denom * ed:
                spend(len(evs) or 1)
                out.extend(evs)
            else:
                made = len(out)
                for (ib, ie), ev in zip(ints, evs):
                    if ib * ed >= qe:
                        break  # entries are sorted by begin
                    if ie * bd <= qb:
                        continue
                    starts_inside = ib * bd >= qb
                    ends_inside = ie * ed <= qe
                    if starts_inside and ends_inside:
                        out.append(ev)
                    else:
                        w = ev[0]
                        part = _span(w[0] if starts_inside else b, w[1] if ends_inside else e)
                        out.append(_tuple_new(type(ev), (w, part, ev[2])))
                spend(len(out) - made or 1)  # counted once made: a cycle holds at most MAX_ENTRIES
            c += 1
        return out

    return Pattern(query, _cycles=tuple(cycles))


def _layout(entries: tuple) -> tuple:
    denom = 1
    for b, e, _, _ in entries:
        denom = math.lcm(denom, b.denominator, e.denominator)
    ints = [(b.numerator * (denom // b.denominator), e.numerator * (denom // e.denominator)) for b, e, _, _ in entries]
    values = [entry[2] for entry in entries]
    steps = [ib for ib, _ in ints] if all(ie - ib == 1 for ib, ie in ints) else None
    return denom, ints, values, steps, entries


def _shortest_period(cycles: list[tuple]) -> tuple:
    n = len(cycles)
    for p in range(1, n):
        if n % p == 0 and all(cycles[j] == cycles[j % p] for j in range(p, n)):
            return tuple(cycles[:p])
    return tuple(cycles)


def table_period(*pats: Pattern) -> int | None:
    """The common period of patterns that are all tables, if small enough to compile."""
    if not enabled:
        return None
    period = 1
    size = 0
    for p in pats:
        if p._cycles is None:
            return None
        period = math.lcm(period, len(p._cycles))
        size += sum(len(c) for c in p._cycles)
    if period > MAX_PERIOD or size * period > MAX_ENTRIES:
        return None
    return period


def _at(p: Pattern, j: int) -> tuple:
    cycles = p._cycles
    return cycles[j % len(cycles)]  # type: ignore[index]


def table_map(pat: Pattern, f: Callable[[Any], Any]) -> Pattern:
    return table([[(b, e, f(v), k) for b, e, v, k in c] for c in pat._cycles])  # type: ignore[union-attr]


def table_also_from(pat: Pattern, cls: type[Event]) -> Pattern:
    """`Pattern._also_from`: every entry's class joined with `cls`."""
    return table([[(b, e, v, joined(k, cls)) for b, e, v, k in c] for c in pat._cycles])  # type: ignore[union-attr]


def table_filter(pat: Pattern, pred: Callable[[Any], bool]) -> Pattern:
    return table([[entry for entry in c if pred(entry[2])] for c in pat._cycles])  # type: ignore[union-attr]


def table_stack(items: Sequence[Pattern], period: int) -> Pattern:
    # A stable sort: simultaneous events keep their stacking order.
    return table([sorted((entry for p in items for entry in _at(p, j)), key=_begin) for j in range(period)])


def table_slots(items: Sequence[Pattern], bounds: Sequence[Fraction], period: int) -> Pattern:
    """Item i's cycle j squeezed into ``[bounds[i], bounds[i+1])`` of cycle j."""
    cycles = []
    for j in range(period):
        entries = []
        for i, p in enumerate(items):
            start, width = bounds[i], bounds[i + 1] - bounds[i]
            entries.extend((start + b * width, start + e * width, v, k) for b, e, v, k in _at(p, j))
        cycles.append(entries)
    return table(cycles)


def table_cat(items: Sequence[Pattern], period: int) -> Pattern | None:
    """`cat`: cycle c plays cycle ``c // n`` of item ``c % n``."""
    n = len(items)
    if n * period > MAX_PERIOD:
        return None
    return table([_at(items[j % n], j // n) for j in range(n * period)])


def table_select(n: int, pick: Callable[[int], Pattern], pats: Sequence[Pattern]) -> Pattern | None:
    """Cycle c plays cycle c of ``pick(c)``, where pick depends only on ``c % n``."""
    period = table_period(*pats)
    if period is None:
        return None
    period = math.lcm(period, n)
    if period > MAX_PERIOD:
        return None
    return table([_at(pick(j), j) for j in range(period)])


def table_fast(pat: Pattern, k: int) -> Pattern | None:
    """`fast` by a whole number: cycle j plays cycles ``j*k .. j*k+k-1`` squeezed."""
    cycles = pat._cycles
    p = len(cycles)  # type: ignore[arg-type]
    new_period = p // math.gcd(p, k)
    if new_period * k * max(1, max(len(c) for c in cycles)) > MAX_ENTRIES:  # type: ignore[union-attr]
        return None
    out = []
    for j in range(new_period):
        entries = []
        for m in range(k):
            entries.extend(((m + b) / k, (m + e) / k, v, c) for b, e, v, c in cycles[(j * k + m) % p])  # type: ignore[index]
        out.append(entries)
    return table(out)


def table_slow(pat: Pattern, k: int) -> Pattern | None:
    """`slow` by a whole number, when no event then crosses a cycle boundary."""
    cycles = pat._cycles
    if len(cycles) * k > MAX_PERIOD:  # type: ignore[arg-type]
        return None
    out: list[list[Entry]] = []
    for entries in cycles:  # type: ignore[union-attr]
        spread: list[list[Entry]] = [[] for _ in range(k)]
        for b, e, v, c in entries:
            b, e = b * k, e * k
            m = b.numerator // b.denominator
            if e > m + 1:
                return None
            spread[m].append((b - m, e - m, v, c))
        out.extend(spread)
    return table(out)


def table_rev(pat: Pattern) -> Pattern:
    return table([sorted(((1 - e, 1 - b, v, k) for b, e, v, k in c), key=_begin) for c in pat._cycles])  # type: ignore[union-attr]


def table_app_left(left: Pattern, right: Pattern, f: Callable[[Any, Any], Any]) -> Pattern | None:
    """`app_left` of two tables, when each left entry lies inside at most one right entry."""
    period = table_period(left, right)
    if period is None:
        return None
    cycles = []
    for j in range(period):
        entries = []
        right_entries = _at(right, j)
        for lb, le, lv, lk in _at(left, j):
            found = [entry for entry in right_entries if entry[0] < le and entry[1] > lb]
            if not found:
                continue
            if len(found) > 1 or not (found[0][0] <= lb and le <= found[0][1]):
                return None  # fragments: leave them to the general query
            entries.append((lb, le, f(lv, found[0][2]), joined(lk, found[0][3])))
        cycles.append(entries)
    return table(cycles)


def _begin(entry: Entry) -> Fraction:
    return entry[0]


core.use_tables(sys.modules[__name__])  # Pattern.fmap and friends take the fast path here (see core)
