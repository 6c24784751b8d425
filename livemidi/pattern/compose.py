"""Putting patterns together: stack, cat, fastcat / sequence, timecat; and `reify`, anything as a pattern.

These are the builders the mini-notation compiles to (``"a b"`` is
`fastcat`, ``"<a b>"`` is `cat`, ``"a, b"`` is `stack`, ``"a@3 b"`` is
`timecat`). When every part is a cycle table (see `tables`) the result is a
table too; otherwise the general query below runs, with a fast path for
items that are plain values (no inner query at all).

`cat` keeps each pattern's own count of cycles (``cat(a, b)`` plays a's
cycle 0, b's cycle 0, a's cycle 1, ...) so no cycle of either is skipped.

`reify` is the one door through which a value becomes a pattern: patterns
pass through, strings go to the mini-notation parser, lists become sequences
(`fastcat`, which reifies each item: the two live together) and other values
repeat once per cycle. The parser lives in `livemidi.mini`, a layer above the
engine: it registers itself with `set_string_parser` when imported. So that
``from livemidi.pattern import mini`` works without the engine importing the
layer above it, the first string to parse loads that package by name
(`importlib`), which registers the hook; nothing here depends on its code.
"""

from __future__ import annotations

import functools
import importlib
from fractions import Fraction
from typing import Any, Callable, Sequence

from . import core
from .core import _NOTHING, Event, Pattern, pure, silence
from .meter import spend
from .rational import add, div, mul, sub
from .tables import compiled, table_cat, table_period, table_slots, table_stack
from .time import (
    TimeLike,
    TimeSpan,
    _int_time_any,
    _span,
    cycle_span,
    sect,
    show_time,
    step_span,
    to_time,
)

__all__ = ["cat", "fastcat", "mini", "reify", "sequence", "set_string_parser", "stack", "timecat"]

_tuple_new = tuple.__new__

_string_parser: Callable[[str], Pattern] | None = None


def set_string_parser(parser: Callable[[str], Pattern]) -> None:
    """Register how strings become patterns (`livemidi.mini` registers the mini-notation)."""
    global _string_parser
    _string_parser = parser


def mini(text: str) -> Pattern:
    """A pattern from mini-notation text: ``mini("c e [g a] <b d5>")``.

    Raises `MiniNotationError` (a ValueError) naming the column and what was
    expected there. Every string given where a pattern is expected goes
    through here; parsed patterns are cached by text.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected mini-notation text (str), found {type(text).__name__}")
    if _string_parser is None:
        # The one import of a layer above the engine, and an import cycle on purpose (livemidi.mini
        # builds on this package and registers its parser as it loads): by name, so that the engine
        # never depends on its code, and only when a string is first parsed, once this package has
        # loaded. The cycle test allows this one edge (tests/test_import_cycles.py).
        importlib.import_module("livemidi.mini")
        if _string_parser is None:
            raise RuntimeError("livemidi.mini did not register a mini-notation parser")
    return _string_parser(text)


def reify(x: Any) -> Pattern:
    """A pattern from anything: patterns pass through, strings are mini-notation,
    lists are sequences, other values repeat once per cycle."""
    if isinstance(x, Pattern):
        return x
    if isinstance(x, str):
        return mini(x)
    if isinstance(x, list):
        return fastcat(*x)
    if x is None or callable(x):
        what = "None" if x is None else f"the function {getattr(x, '__name__', x)!r}"
        raise TypeError(f"expected a pattern, a mini-notation string or a value, found {what}")
    return pure(x)


def stack(*pats: Any) -> Pattern:
    """Play patterns together."""
    items = [reify(p) for p in _flatten(pats)]
    if not items:
        return silence
    if len(items) == 1:
        return items[0]
    period = table_period(*items)
    if period is not None:
        return table_stack(items, period)
    queries = [p.query for p in items]

    def query(span: TimeSpan) -> list[Event]:
        out: list[Event] = []
        for q in queries:
            out.extend(q(span))
        return out

    return Pattern(query)


def cat(*pats: Any) -> Pattern:
    """One pattern per cycle, in turn. Each keeps its own count of cycles, so none is skipped."""
    items = [reify(p) for p in _flatten(pats)]
    n = len(items)
    if n == 0:
        return silence
    if n == 1:
        return items[0]
    period = table_period(*items)
    if period is not None:
        alternating = table_cat(items, period)
        if alternating is not None:
            return alternating

    def query(span: TimeSpan) -> list[Event]:
        out: list[Event] = []
        for cyc in span.cycles():
            b = cyc[0]
            c = b.numerator // b.denominator
            item = items[c % n]
            offset = c - c // n
            if item._pure is not _NOTHING:
                spend(1)
                out.append(_tuple_new(item._pure_class, (cycle_span(c), cyc, item._pure)))
            elif offset == 0 or (compiled(item) and offset % len(item._cycles) == 0):
                out.extend(item.query(cyc))  # (a table repeating every `offset` cycles needs no shift)
            else:
                shift = _int_time_any(offset)
                shifted = _span(sub(b, shift), sub(cyc[1], shift))
                for ev in item.query(shifted):
                    out.append(ev.with_span(lambda s: _span(add(s[0], shift), add(s[1], shift))))
        return out

    return Pattern(query)


def timecat(*pairs: tuple[TimeLike, Any]) -> Pattern:
    """Patterns side by side in one cycle, each taking its weight's share: ``timecat((1, "a"), (3, "b"))``."""
    flat = _flatten(pairs, keep_tuples=True)
    weights = []
    items = []
    for pair in flat:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise TypeError(f"timecat expects (weight, pattern) pairs, found {pair!r}")
        w = to_time(pair[0])
        if w <= 0:
            raise ValueError(f"timecat weights must be positive, found {show_time(w)}")
        weights.append(w)
        items.append(reify(pair[1]))
    if not items:
        return silence
    total = sum(weights)
    if all(w == weights[0] for w in weights):
        return _slots(items, None)
    bounds = [Fraction(0)]
    for w in weights:
        bounds.append(bounds[-1] + w / total)
    return _slots(items, bounds)


def fastcat(*pats: Any) -> Pattern:
    """Patterns one after the other, squeezed into one cycle: ``fastcat("a", "b")`` is ``mini("a b")``."""
    items = [reify(p) for p in _flatten(pats)]
    if not items:
        return silence
    return _slots(items, None)


sequence = fastcat


def _slots(items: list[Pattern], bounds: list[Fraction] | None) -> Pattern:
    """Each item plays its cycle c squeezed into its slot of cycle c.

    Equal slots (`bounds` None) use the shared step-span cache, and items that
    are plain values skip the inner query entirely: the hot path of every
    mini-notation sequence.
    """
    n = len(items)
    if n == 1:
        return items[0]
    period = table_period(*items)
    if period is not None:
        return table_slots(items, bounds or [Fraction(i, n) for i in range(n + 1)], period)
    atoms = [p._pure for p in items]
    classes = [p._pure_class for p in items]  # where each atom was written (see `event`)
    queries = [p.query for p in items]
    if bounds is None:

        def slot(k: int) -> TimeSpan:
            return step_span(k, n)

        def first_last(b: Fraction, e: Fraction) -> tuple[int, int]:
            k0 = (b.numerator * n) // b.denominator
            if b == e:
                return k0, k0 + 1
            return k0, -((-e.numerator * n) // e.denominator)
    else:

        @functools.lru_cache(maxsize=4096)
        def slot(k: int) -> TimeSpan:
            c, i = divmod(k, n)
            return _span(c + bounds[i], c + bounds[i + 1])

        def first_last(b: Fraction, e: Fraction) -> tuple[int, int]:
            c0 = b.numerator // b.denominator
            k0 = c0 * n
            while slot(k0)[1] <= b and not (b == e == slot(k0)[0]):
                k0 += 1
            k1 = k0 + 1
            while slot(k1)[0] < e:
                k1 += 1
            return k0, k1

    def query(span: TimeSpan) -> list[Event]:
        b, e = span
        k0, k1 = first_last(b, e)
        spend(k1 - k0)  # the steps touched, counted before they are made
        out: list[Event] = []
        for k in range(k0, k1):
            whole = slot(k)
            i = k % n
            wb, we = whole
            if b <= wb and we <= e:
                part = whole
            else:
                part = sect(whole, span)
                if part is None:
                    continue
            atom = atoms[i]
            if atom is not _NOTHING:
                out.append(_tuple_new(classes[i], (whole, part, atom)))
                continue
            c = k // n
            width = sub(we, wb)

            def to_inner(t: Fraction, wb=wb, width=width, c=_int_time_any(c)) -> Fraction:
                return add(c, div(sub(t, wb), width))

            def to_outer(t: Fraction, wb=wb, width=width, c=_int_time_any(c)) -> Fraction:
                return add(wb, mul(sub(t, c), width))

            for ev in queries[i](_span(to_inner(part[0]), to_inner(part[1]))):
                out.append(ev.with_span(lambda s: _span(to_outer(s[0]), to_outer(s[1]))))
        return out

    return Pattern(query)


def _flatten(args: Sequence[Any], keep_tuples: bool = False) -> list[Any]:
    """Accept both ``stack(a, b)`` and ``stack([a, b])``."""
    if len(args) == 1 and isinstance(args[0], list):
        return list(args[0])
    if len(args) == 1 and isinstance(args[0], tuple) and not keep_tuples:
        return list(args[0])
    return list(args)


core.use_reify(reify)  # the primitives turn their arguments into patterns with it (see core)
