"""Continuous signals (sine, saw, rand, perlin, ...) and the time-keyed random numbers under them.

A signal has a value at every instant and no events of its own: queried over
a span it answers one event without a whole, valued at the span's **start**
(as Tidal 1.10 and Strudel do; Tidal 1.9 took the midpoint). Give it a rhythm
with `segment` (``segment(16, sine)``) or use it as the value side of a control
(``note("c*8").cc(74, sine.range(20, 100))``): each note takes its value at its onset.
`range_` and `rangex` scale it, linearly or exponentially.

Randomness is a pure function of time: `rand_at` hashes the exact time (the
numerator and denominator of the Fraction) with a seed through a small
splitmix64 mixer. The same bar therefore always sounds the same, and a
different seed gives a different but equally repeatable bar. Python's global
`random` is never used, so nothing else in the program can disturb it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from .core import Pattern, signal
from .lift import patternify, register_method
from .time import sam

__all__ = [
    "choose", "cosine", "irand", "isaw", "perlin", "perlin_seeded", "rand", "rand_at", "rand_int",
    "rand_seeded", "rangex", "saw", "sine", "square", "tri",
]

_MASK = (1 << 64) - 1


def _mix(x: int) -> int:
    """splitmix64's finaliser: a fast, well-spread 64-bit integer hash."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def rand_at(t: Fraction, seed: int = 0, stream: int = 0) -> float:
    """A random float in [0, 1) that depends only on the time `t`, the `seed` and the `stream`.

    `stream` gives independent numbers for the same instant (a shuffle needs
    several per cycle).
    """
    x = (t.numerator * 0xD1B54A32D192ED03 + t.denominator * 0xABC98388FB8FAC03
         + seed * 0x8CB92BA72F3D8DD7 + stream * 0x9E3779B97F4A7C15) & _MASK
    return (_mix(x) >> 11) * (1.0 / (1 << 53))


def rand_int(t: Fraction, n: int, seed: int = 0, stream: int = 0) -> int:
    """A random whole number in ``range(n)``, keyed on time like `rand_at`."""
    return int(rand_at(t, seed, stream) * n)


def _seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"expected a whole-number seed, found {type(seed).__name__} {seed!r}")
    return seed


def _cycle_float(t: Fraction) -> float:
    """The position of `t` inside its cycle as a float, for the trigonometry."""
    d = t.denominator
    return (t.numerator % d) / d


sine = signal(lambda t: (math.sin(2 * math.pi * _cycle_float(t)) + 1) / 2)
"""A sine wave from 0 to 1 and back once per cycle, starting at 0.5 and rising."""

cosine = signal(lambda t: (math.cos(2 * math.pi * _cycle_float(t)) + 1) / 2)
"""`sine` a quarter cycle earlier: starts at 1."""

saw = signal(_cycle_float)
"""Rises from 0 to 1 over each cycle."""

isaw = signal(lambda t: 1 - _cycle_float(t))
"""Falls from 1 to 0 over each cycle."""

tri = signal(lambda t: 1 - abs(2 * _cycle_float(t) - 1) if _cycle_float(t) >= 0.5 else 2 * _cycle_float(t))
"""Rises from 0 to 1 in the first half cycle and falls back in the second."""

square = signal(lambda t: 0 if _cycle_float(t) < 0.5 else 1)
"""0 for the first half of each cycle, 1 for the second."""


def rand_seeded(seed: int) -> Pattern:
    """`rand` with another seed: a different, equally repeatable stream."""
    seed = _seed(seed)
    return signal(lambda t: rand_at(t, seed))


rand = rand_seeded(0)
"""Continuous random numbers in [0, 1), keyed on time (the same at the same time, every pass)."""


def perlin_seeded(seed: int) -> Pattern:
    """`perlin` with another seed."""
    seed = _seed(seed)

    def value(t: Fraction) -> float:
        c = sam(t)
        a = rand_at(c, seed, 1)
        b = rand_at(c + 1, seed, 1)
        x = float(t - c)
        smooth = x * x * x * (x * (x * 6 - 15) + 10)  # smootherstep: flat at the cycle boundaries
        return a + (b - a) * smooth

    return signal(value)


perlin = perlin_seeded(0)
"""Smooth noise: a new random level at each cycle start, eased between them."""


@patternify("n")
def irand(n: int, seed: int = 0) -> Pattern:
    """Continuous random whole numbers in ``range(n)``; ``segment(8, irand(12))`` for a melody."""
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ValueError(f"expected a whole number n > 0, found {n!r}")
    seed = _seed(seed)
    return signal(lambda t: int(rand_at(t, seed) * n))


def choose(*values: Any, seed: int = 0) -> Pattern:
    """Continuous random choice among `values`; ``segment(4, choose("c", "e", "g"))``."""
    if len(values) == 1 and isinstance(values[0], (list, tuple)):
        values = tuple(values[0])
    if not values:
        raise ValueError("choose() expects at least one value to choose from")
    seed = _seed(seed)
    n = len(values)
    return signal(lambda t: values[int(rand_at(t, seed) * n)])


@patternify("lo", "hi")
def rangex(lo: float, hi: float, pat: Any) -> Pattern:
    """Scale values from 0..1 to lo..hi exponentially (lo, hi > 0): ``sine.rangex(20, 2000)`` for pitch-like sweeps."""
    for name, x in (("lo", lo), ("hi", hi)):
        if isinstance(x, bool) or not isinstance(x, (int, float, Fraction)) or not x > 0:
            raise ValueError(f"expected a number > 0 for {name} (rangex scales exponentially), found {x!r}")
    a, b = math.log(lo), math.log(hi)

    def scale(v: Any) -> float:
        if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
            raise TypeError(f"rangex expects numeric values to scale, found {type(v).__name__} {v!r}")
        return math.exp(a + (b - a) * v)

    return pat.fmap(scale)


register_method(rangex)
