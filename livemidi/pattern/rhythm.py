"""More Euclidean rhythms: held notes (euclid_legato) and rotated results (euclid_off).

`combinators` has `euclid`, `euclid_rot` (the mini-notation's ``x(3,8,2)``) and
`euclid_full`; these add Tidal's and Strudel's other spellings. A rotation is
in steps (of `n` per cycle), to the left, as in the mini-notation. A step
count above `combinators.MAX_EUCLID_STEPS` is refused (ValueError), as for
`euclid`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .combinators import _whole_number, early, euclid, euclid_bools, late
from .compose import timecat
from .core import Pattern, silence
from .lift import patternify, register_method

__all__ = ["eoff", "euclid_legato", "euclid_legato_rot", "euclid_off"]

PatternLike = Any


def _legato_rhythm(k: int, n: int, rotation: int) -> Pattern:
    """True for each hit, held until the next one (the last wraps round into the next cycle)."""
    steps = euclid_bools(k, n, rotation)
    hits = [i for i, hit in enumerate(steps) if hit]
    if not hits:
        return silence
    ends = hits[1:] + [hits[0] + len(steps)]
    held = timecat(*[(end - begin, True) for begin, end in zip(hits, ends)])
    return late(Fraction(hits[0], len(steps)), held)


@patternify("k", "n")
def euclid_legato(k: int, n: int, pat: PatternLike) -> Pattern:
    """`euclid`, each hit held until the next: no gaps (Strudel's and Tidal's ``euclidLegato``)."""
    return _legato_rhythm(k, n, 0).app_left(pat, lambda _, v: v)


@patternify("k", "n", "rotation")
def euclid_legato_rot(k: int, n: int, rotation: int, pat: PatternLike) -> Pattern:
    """`euclid_legato`, rotated left by `rotation` steps: the note that wraps round plays across the bar line."""
    return _legato_rhythm(k, n, rotation).app_left(pat, lambda _, v: v)


@patternify("k", "n", "rotation")
def euclid_off(k: int, n: int, rotation: int, pat: PatternLike) -> Pattern:
    """`euclid` moved `rotation` steps earlier, values and all (Tidal's ``euclidOff``, alias ``eoff``).

    `euclid_rot` (the mini-notation's ``x(3,8,2)``) rotates the rhythm and takes
    the values from where the hits land; `euclid_off` rotates the finished
    pattern. For a single value they are the same.
    """
    n = _whole_number("n", n)
    if n <= 0:
        return silence
    return early(Fraction(_whole_number("rotation", rotation), n), euclid(k, n, pat))


eoff = euclid_off

for _f in (euclid_legato, euclid_legato_rot, euclid_off):
    register_method(_f)
register_method(euclid_off, "eoff")
