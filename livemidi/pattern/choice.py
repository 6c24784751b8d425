"""Weighted and per-cycle chance: wrandcat, wchoose, some_cycles_by, brand.

Keyed on time like everything in `chance` (`signals.rand_at`): the same cycle
makes the same choice every pass, and `seed` gives another, equally
repeatable, series. Each function draws from its own stream of numbers, so
`some_cycles_by` and `sometimes_by` with one seed decide independently.
`wchoose` and `brand_by` read the stream of `rand` itself: ``wchoose`` with
equal weights is `choose`, and ``brand_by(p)`` is true where ``rand < p``.
Weights must be positive numbers (a ValueError says which is not).
"""

from __future__ import annotations

from bisect import bisect_right
from fractions import Fraction
from itertools import accumulate
from typing import Any, Sequence

from .chance import _amount
from .combinators import PatternFunc, _by_cycle, _function
from .core import Pattern, signal
from .lift import patternify, register_method, reify
from .signals import _seed, rand_at

__all__ = ["brand", "brand_by", "some_cycles", "some_cycles_by", "wchoose", "wrandcat"]


def _pairs(name: str, args: Sequence[Any]) -> tuple[list[Any], list[float]]:
    """``(value, weight)`` pairs given one by one or as one list (Tidal writes a list, Strudel pairs)."""
    if len(args) == 1 and isinstance(args[0], list) and all(isinstance(a, (list, tuple)) for a in args[0]):
        args = tuple(args[0])
    if not args:
        raise ValueError(f"{name}() expects at least one (value, weight) pair")
    values, weights = [], []
    for pair in args:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"{name}() expects (value, weight) pairs, found {pair!r}")
        value, weight = pair
        if isinstance(weight, bool) or not isinstance(weight, (int, float, Fraction)) or not weight > 0:
            raise ValueError(f"{name}() expects positive weights, found {weight!r} for {value!r}")
        values.append(value)
        weights.append(float(weight))
    return values, list(accumulate(weights))


def _pick(bounds: list[float], r: float) -> int:
    """The index whose share of the total weight holds `r` (0 <= r < 1)."""
    return min(bisect_right(bounds, r * bounds[-1]), len(bounds) - 1)


def wrandcat(*pairs: Any, seed: int = 0) -> Pattern:
    """One pattern per cycle, chosen at random with the given weights: ``wrandcat(("a", 3), ("b", 1))``.

    Each pattern plays in its own time, as with `randcat`.
    """
    values, bounds = _pairs("wrandcat", pairs)
    items = [reify(v) for v in values]
    seed = _seed(seed)
    return _by_cycle(lambda c: items[_pick(bounds, rand_at(Fraction(c), seed, 8))])


def wchoose(*pairs: Any, seed: int = 0) -> Pattern:
    """Continuous random choice with weights: ``segment(4, wchoose(("c", 3), ("e", 1)))``."""
    values, bounds = _pairs("wchoose", pairs)
    seed = _seed(seed)
    return signal(lambda t: values[_pick(bounds, rand_at(t, seed))])


@patternify("amount")
def some_cycles_by(amount: float, f: PatternFunc, pat: Any, seed: int = 0) -> Pattern:
    """Apply `f` to whole cycles, each with probability `amount` (``sometimes_by`` decides event by event)."""
    amount, seed, func = _amount(amount), _seed(seed), _function("f", f)
    changed = func(pat)
    return _by_cycle(lambda c: changed if rand_at(Fraction(c), seed, 9) < amount else pat)


@patternify()
def some_cycles(f: PatternFunc, pat: Any, seed: int = 0) -> Pattern:
    """`some_cycles_by` a half: `f` on about every other cycle, chosen at random."""
    return some_cycles_by(0.5, f, pat, seed=seed)


@patternify("probability")
def brand_by(probability: float, seed: int = 0) -> Pattern:
    """Continuous random booleans, True with the given probability (for `struct`, `mask`, `sometimes`-like uses)."""
    p, seed = _amount(probability), _seed(seed)
    return signal(lambda t: rand_at(t, seed) < p)


brand = brand_by(0.5)
"""Continuous random booleans, True half of the time: ``struct(segment(8, brand), note("c"))``."""

for _f in (some_cycles, some_cycles_by):
    register_method(_f)
