"""Fast exact arithmetic on `Fraction` times, for the engine's hot paths.

`fractions.Fraction` operators cost about a microsecond each: they dispatch
through generic number-tower checks and normalise with `Fraction.__new__`.
The functions here take and return ordinary `Fraction` objects but do the
integer arithmetic directly (Knuth's gcd tricks, fast paths for whole
numbers) and build results already in lowest terms without renormalising.
They are 2–4 times faster, and exact: results compare, hash and print like
any other Fraction.

Building a Fraction without normalising sets its two private fields; the
module checks at import that this works on the running Python and otherwise
falls back to the public constructor, so it can only be slower, never wrong.
Use them only where profiling shows arithmetic matters; elsewhere ``a + b``
reads better.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

__all__ = ["add", "div", "frac", "mul", "sub", "to_float"]

_object_new = object.__new__


def _fast_frac(n: int, d: int) -> Fraction:
    f = _object_new(Fraction)
    f._numerator = n  # type: ignore[attr-defined]
    f._denominator = d  # type: ignore[attr-defined]
    return f


def _probe() -> bool:
    try:
        f = _fast_frac(-7, 3)
        return f == Fraction(-7, 3) and hash(f) == hash(Fraction(-7, 3)) and f + 1 == Fraction(-4, 3)
    except Exception:  # a Python whose Fraction is laid out differently
        return False


if _probe():
    frac = _fast_frac
else:  # pragma: no cover - depends on the interpreter
    def frac(n: int, d: int) -> Fraction:
        return Fraction(n, d)

frac.__doc__ = "The Fraction n/d, for n/d already in lowest terms with d > 0 (not checked)."


def add(a: Fraction, b: Fraction) -> Fraction:
    """``a + b``."""
    ad, bd = a.denominator, b.denominator
    if ad == bd:
        n = a.numerator + b.numerator
        if ad == 1:
            return frac(n, 1)
        g = gcd(n, ad)
        return frac(n // g, ad // g) if g != 1 else frac(n, ad)
    g = gcd(ad, bd)
    if g == 1:
        return frac(a.numerator * bd + b.numerator * ad, ad * bd)
    s = ad // g
    t = a.numerator * (bd // g) + b.numerator * s
    g2 = gcd(t, g)
    if g2 == 1:
        return frac(t, s * bd)
    return frac(t // g2, s * (bd // g2))


def sub(a: Fraction, b: Fraction) -> Fraction:
    """``a - b``."""
    return add(a, frac(-b.numerator, b.denominator))


def mul(a: Fraction, b: Fraction) -> Fraction:
    """``a * b``."""
    na, da, nb, db = a.numerator, a.denominator, b.numerator, b.denominator
    if da == 1 and db == 1:
        return frac(na * nb, 1)
    g1 = gcd(na, db)
    if g1 > 1:
        na //= g1
        db //= g1
    g2 = gcd(nb, da)
    if g2 > 1:
        nb //= g2
        da //= g2
    return frac(na * nb, da * db)


def div(a: Fraction, b: Fraction) -> Fraction:
    """``a / b`` (b must not be zero)."""
    nb, db = b.numerator, b.denominator
    if nb == 0:
        raise ZeroDivisionError(f"Fraction({a}, 0)")
    if nb < 0:
        nb, db = -nb, -db
    return mul(a, frac(db, nb))


def to_float(t: Fraction) -> float:
    """``float(t)``, correctly rounded (int true division is)."""
    return t.numerator / t.denominator
