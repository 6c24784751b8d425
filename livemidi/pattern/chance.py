"""Chance: degrade, sometimes and friends, shuffle, scramble, randcat, humanize.

Every decision is keyed on time through `signals.rand_at`: whether an event
is dropped depends on its onset and the seed, so a bar that sounded good
sounds the same on the next pass, and changing the seed (``seed=1``) gives
another, equally repeatable, variation. Two calls with the same seed make
the same decisions at the same onsets; give layers different seeds to make
them independent (the mini-notation gives every ``?`` its own).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from .combinators import _by_cycle, _function, _shifted_query, _whole_number
from .compose import stack
from .core import Event, Pattern
from .lift import patternify, register_method, reify
from .meter import spend
from .signals import _seed, rand_at, rand_int
from .time import TimeLike, TimeSpan, _span, sect, step_span, to_time

__all__ = [
    "almost_always", "almost_never", "always", "degrade", "degrade_by", "humanize", "never",
    "often", "randcat", "rarely", "scramble", "shuffle", "sometimes", "sometimes_by",
    "undegrade_by",
]

PatternFunc = Callable[[Pattern], Pattern]
_tuple_new = tuple.__new__


def _amount(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, Fraction)):
        raise TypeError(f"expected a probability between 0 and 1, found {type(x).__name__} {x!r}")
    if not 0 <= x <= 1:
        raise ValueError(f"expected a probability between 0 and 1, found {x!r}")
    return float(x)


@patternify("amount")
def degrade_by(amount: float, pat: Any, seed: int = 0) -> Pattern:
    """Drop each event with probability `amount` (decided by its onset and `seed`)."""
    amount, seed = _amount(amount), _seed(seed)
    return pat.filter_events(lambda ev: rand_at(ev.onset, seed) >= amount)


@patternify("amount")
def undegrade_by(amount: float, pat: Any, seed: int = 0) -> Pattern:
    """Exactly the events that ``degrade_by(amount, pat, seed)`` drops."""
    amount, seed = _amount(amount), _seed(seed)
    return pat.filter_events(lambda ev: rand_at(ev.onset, seed) < amount)


@patternify()
def degrade(pat: Any, seed: int = 0) -> Pattern:
    """Drop half of the events, at random (``?`` in the mini-notation)."""
    return degrade_by(0.5, pat, seed=seed)


@patternify("amount")
def sometimes_by(amount: float, f: PatternFunc, pat: Any, seed: int = 0) -> Pattern:
    """Apply `f` to each event with probability `amount`; the others play unchanged."""
    func = _function("f", f)
    return stack(degrade_by(amount, pat, seed=seed), func(undegrade_by(amount, pat, seed=seed)))


def _fixed(name: str, amount: float, doc: str) -> Callable[..., Pattern]:
    def apply(f: PatternFunc, pat: Any, seed: int = 0) -> Pattern:
        return sometimes_by(amount, f, pat, seed=seed)

    apply.__name__ = apply.__qualname__ = name
    apply.__doc__ = doc
    return patternify()(apply)


sometimes = _fixed("sometimes", 0.5, "Apply `f` to half of the events, chosen at random.")
often = _fixed("often", 0.75, "Apply `f` to three events in four, chosen at random.")
rarely = _fixed("rarely", 0.25, "Apply `f` to one event in four, chosen at random.")
almost_never = _fixed("almost_never", 0.1, "Apply `f` to one event in ten, chosen at random.")
almost_always = _fixed("almost_always", 0.9, "Apply `f` to nine events in ten, chosen at random.")


@patternify()
def always(f: PatternFunc, pat: Any) -> Pattern:
    """Apply `f` (the certain end of `sometimes_by`)."""
    return _function("f", f)(pat)


@patternify()
def never(f: PatternFunc, pat: Any) -> Pattern:
    """Leave `pat` as it is (the other end)."""
    _function("f", f)
    return pat


def randcat(*pats: Any, seed: int = 0) -> Pattern:
    """A randomly chosen pattern each cycle (``a | b`` in the mini-notation)."""
    items = [reify(p) for p in (pats[0] if len(pats) == 1 and isinstance(pats[0], list) else pats)]
    if not items:
        raise ValueError("randcat() expects at least one pattern")
    seed = _seed(seed)
    return _by_cycle(lambda c: items[rand_int(Fraction(c), len(items), seed, 2)])


def _rearrange(n: int, pick: Callable[[int, int], int], pat: Pattern) -> Pattern:
    """Cut each cycle into `n` slices; slice i of cycle c plays slice ``pick(c, i)`` of the same cycle."""

    def query(span: TimeSpan) -> list[Event]:
        b, e = span
        c = b.numerator // b.denominator
        base = c * n
        first = (b.numerator * n) // b.denominator - base
        out: list[Event] = []
        for i in range(first, n):
            slot = step_span(base + i, n)
            if slot[0] >= e and not (b == e == slot[0]):
                break
            piece = sect(slot, span)
            if piece is not None:
                out.extend(_shifted_query(pat, piece, Fraction(i - pick(c, i), n)))
        return out

    return Pattern(query).split_queries()


@patternify("n")
def shuffle(n: int, pat: Any, seed: int = 0) -> Pattern:
    """Play the `n` slices of each cycle in a random order, each once."""
    n, seed = _whole_number("n", n), _seed(seed)
    if n <= 0:
        raise ValueError(f"expected n > 0, found {n}")
    cache: dict[int, list[int]] = {}

    def pick(c: int, i: int) -> int:
        order = cache.get(c)
        if order is None:
            spend(n)
            order = list(range(n))
            t = Fraction(c)
            for j in range(n - 1, 0, -1):  # Fisher-Yates, keyed on the cycle
                k = rand_int(t, j + 1, seed, 3 + j)
                order[j], order[k] = order[k], order[j]
            if len(cache) > 1024:
                cache.clear()
            cache[c] = order
        return order[i]

    return _rearrange(n, pick, pat)


@patternify("n")
def scramble(n: int, pat: Any, seed: int = 0) -> Pattern:
    """Fill each of `n` slices per cycle with a randomly chosen slice (repeats allowed)."""
    n, seed = _whole_number("n", n), _seed(seed)
    if n <= 0:
        raise ValueError(f"expected n > 0, found {n}")
    return _rearrange(n, lambda c, i: rand_int(Fraction(c * n + i, n), n, seed, 4), pat)


@patternify()
def humanize(pat: Any, velocity: int = 8, timing: TimeLike = Fraction(1, 128), seed: int = 0) -> Pattern:
    """Vary each note's velocity by up to ±`velocity` and its timing by up to ±`timing` cycles.

    Seeded like everything else: the same bar is humanised the same way every
    pass. Events without a velocity control are taken to have 100.
    """
    if isinstance(velocity, bool) or not isinstance(velocity, int) or velocity < 0:
        raise ValueError(f"expected a whole number velocity >= 0, found {velocity!r}")
    spread, seed = to_time(timing), _seed(seed)
    if spread < 0:
        raise ValueError(f"expected timing >= 0 cycles, found {spread}")
    q = pat.query

    def vary(ev: Event) -> Event | None:
        w, p, v = ev
        if w is None:
            return ev
        at = w[0]
        if velocity and isinstance(v, dict):
            vel = v.get("velocity", 100) + round((2 * rand_at(at, seed, 5) - 1) * velocity)
            v = {**v, "velocity": max(1, min(127, vel))}
        if spread:
            d = spread * Fraction(round((2 * rand_at(at, seed, 6) - 1) * 96), 96)
            w, p = _span(w[0] + d, w[1] + d), _span(p[0] + d, p[1] + d)
        return _tuple_new(type(ev), (w, p, v))

    def query(span: TimeSpan) -> list[Event]:
        wide = _span(span[0] - spread, span[1] + spread)
        out = []
        for ev in q(wide):
            ev = vary(ev)
            part = sect(ev[1], span)
            if part is not None:
                out.append(_tuple_new(type(ev), (ev[0], part, ev[2])))
        return out

    return Pattern(query)


for _f in (almost_always, almost_never, always, degrade, degrade_by, humanize, never, often, rarely,
           scramble, shuffle, sometimes, sometimes_by, undegrade_by):
    register_method(_f)
