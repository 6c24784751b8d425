"""Combinators: time (fast, slow, early, late, rev, ...), structure (every, ply,
euclid, struct, ...) and layering (off, superimpose, layer, ...); `structure`
has iter, chunk, linger and the other Tidal functions that work across cycles.

Each is a plain function taking its pattern last (``fast(2, p)``) and is also
a method (``p.fast(2)``). Arguments named in `patternify` may themselves be
patterns or mini-notation strings (``fast("<1 2>", p)``); called without its
pattern, a combinator returns a function waiting for one
(``every(4, fast(2), p)``). All are written with the primitives of `core`.

`range_` (like `structure.iter_`) ends in an underscore so that ``from
livemidi.pattern import *`` does not hide Python's builtins; as a method it is
``p.range(0, 127)``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Sequence

from .compose import cat, fastcat, stack
from .core import Event, Pattern, pure, silence
from .lift import patternify, register_method, reify
from .meter import spend
from .rational import add, div, frac, mul, sub
from .tables import compiled, table_fast, table_rev, table_select, table_slow
from .time import TimeLike, TimeSpan, _span, sam, sect, to_time

__all__ = [
    "brak", "compress", "early", "euclid", "euclid_bools", "euclid_full", "euclid_rot",
    "every", "fast", "first_of", "inside", "last_of", "late", "layer", "mask",
    "off", "outside", "palindrome", "ply", "range_", "rev", "run", "segment", "slow", "struct",
    "superimpose", "swing", "swing_by", "when", "within", "zoom",
]

PatternLike = Any
PatternFunc = Callable[[Pattern], Pattern]

_tuple_new = tuple.__new__

MAX_EUCLID_STEPS = 65536  # as many as a mini-notation sequence may hold


def _function(name: str, f: Any) -> PatternFunc:
    if not callable(f) or isinstance(f, Pattern):
        raise TypeError(f"expected a function from pattern to pattern for {name}, found {type(f).__name__} {f!r}")
    return lambda p: reify(f(p))


def _whole_number(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)) or int(value) != value:
        raise TypeError(f"expected a whole number for {name}, found {type(value).__name__} {value!r}")
    return int(value)


def _by_cycle(choose: Callable[[int], Pattern]) -> Pattern:
    """Cycle c plays ``choose(c)`` (in its own time: nothing is shifted)."""

    def query(span: TimeSpan) -> list[Event]:
        b = span[0]
        return choose(b.numerator // b.denominator).query(span)

    return Pattern(query).split_queries()


def _shifted_query(pat: Pattern, span: TimeSpan, shift: Fraction) -> list[Event]:
    """Query `pat` at `span` moved back by `shift`, and move the events forward again."""
    if not shift:
        return pat.query(span)
    evs = pat.query(_span(sub(span[0], shift), sub(span[1], shift)))
    return [ev.with_span(lambda s: _span(add(s[0], shift), add(s[1], shift))) for ev in evs]


# -- time --------------------------------------------------------------------


@patternify("factor")
def fast(factor: TimeLike, pat: PatternLike) -> Pattern:
    """Speed up: `factor` cycles of `pat` in each cycle. 0 is silence; negative plays backwards."""
    factor = to_time(factor)
    if factor == 0:
        return silence
    if factor < 0:
        return rev(fast(-factor, pat))
    if factor == 1:
        return pat
    if compiled(pat):
        faster = None
        if factor.denominator == 1:
            faster = table_fast(pat, factor.numerator)
        elif factor.numerator == 1:
            faster = table_slow(pat, factor.denominator)
        if faster is not None:
            return faster
    return pat.with_query_time(lambda t: mul(t, factor)).with_event_time(lambda t: div(t, factor))


@patternify("factor")
def slow(factor: TimeLike, pat: PatternLike) -> Pattern:
    """Slow down: one cycle of `pat` takes `factor` cycles."""
    factor = to_time(factor)
    if factor == 0:
        return silence
    return fast(1 / factor, pat)


@patternify("time")
def early(time: TimeLike, pat: PatternLike) -> Pattern:
    """Shift earlier by `time` cycles (Tidal's ``<~``)."""
    t = to_time(time)
    if not t:
        return pat
    return pat.with_query_time(lambda x: add(x, t)).with_event_time(lambda x: sub(x, t))


@patternify("time")
def late(time: TimeLike, pat: PatternLike) -> Pattern:
    """Shift later by `time` cycles (Tidal's ``~>``)."""
    return early(-to_time(time), pat)


@patternify()
def rev(pat: PatternLike) -> Pattern:
    """Reverse each cycle."""
    if compiled(pat):
        return table_rev(pat)
    q = pat.query

    def query(span: TimeSpan) -> list[Event]:
        c = sam(span[0])
        axis = c + c + 1

        def reflect(s: TimeSpan) -> TimeSpan:
            return _span(sub(axis, s[1]), sub(axis, s[0]))

        return [ev.with_span(reflect) for ev in q(reflect(span))]

    return Pattern(query).split_queries()


@patternify()
def palindrome(pat: PatternLike) -> Pattern:
    """Forwards one cycle, backwards the next."""
    return cat(pat, rev(pat))


@patternify("begin", "end")
def zoom(begin: TimeLike, end: TimeLike, pat: PatternLike) -> Pattern:
    """Play only the part ``[begin, end)`` of each cycle, stretched to fill the cycle."""
    b, e = to_time(begin), to_time(end)
    if e <= b:
        raise ValueError(f"expected begin < end, found {b} and {e}")
    width = e - b

    def query(span: TimeSpan) -> list[Event]:
        c = sam(span[0])

        def back(s: TimeSpan) -> TimeSpan:
            return _span(c + (s[0] - c - b) / width, c + (s[1] - c - b) / width)

        inner = _span(c + (span[0] - c) * width + b, c + (span[1] - c) * width + b)
        return [ev.with_span(back) for ev in pat.query(inner)]

    return Pattern(query).split_queries()


@patternify("begin", "end")
def compress(begin: TimeLike, end: TimeLike, pat: PatternLike) -> Pattern:
    """Squeeze each cycle into ``[begin, end)`` of that cycle, silent elsewhere (0 ≤ begin ≤ end ≤ 1)."""
    b, e = to_time(begin), to_time(end)
    if not 0 <= b <= e <= 1:
        raise ValueError(f"expected 0 <= begin <= end <= 1, found {b} and {e}")
    if b == e:
        return silence
    width = e - b

    def query(span: TimeSpan) -> list[Event]:
        c = sam(span[0])
        part = sect(span, _span(c + b, c + e))
        if part is None:
            return []

        def out(s: TimeSpan) -> TimeSpan:
            return _span(c + b + (s[0] - c) * width, c + b + (s[1] - c) * width)

        inner = _span(c + (part[0] - c - b) / width, c + (part[1] - c - b) / width)
        return [ev.with_span(out) for ev in pat.query(inner)]

    return Pattern(query).split_queries()


@patternify("factor")
def ply(factor: TimeLike, pat: PatternLike) -> Pattern:
    """Repeat each event `factor` times within its own span."""
    factor = to_time(factor)
    if factor.denominator != 1 or factor <= 0:
        return pat.squeeze_bind(lambda v: fast(factor, pure(v)))
    n = factor.numerator
    if compiled(pat):
        return pat.squeeze_bind(lambda v: fast(n, pure(v)))  # a table in, a table out
    count = frac(n, 1)
    q = pat.query

    def query(span: TimeSpan) -> list[Event]:
        # Cut each whole into n pieces directly: the same events as the squeeze
        # join above, without building an inner pattern per event.
        out = []
        for ev in q(span):
            w, p, v = ev
            if w is None:
                continue
            cls = type(ev)
            step = div(sub(w[1], w[0]), count)
            begin = w[0]
            spend(n)
            for _ in range(n):
                end = add(begin, step)
                piece = _span(begin, end)
                part = sect(piece, p)
                if part is not None:
                    out.append(_tuple_new(cls, (piece, part, v)))
                begin = end
        return out

    return Pattern(query)


@patternify("n")
def segment(n: TimeLike, pat: PatternLike) -> Pattern:
    """Sample `pat` `n` times per cycle: discrete events from anything, continuous signals too."""
    return fast(n, pure(True)).app_left(pat, lambda _, v: v)


@patternify("lo", "hi")
def range_(lo: float, hi: float, pat: PatternLike) -> Pattern:
    """Scale values from 0..1 to lo..hi (method: ``p.range(lo, hi)``), e.g. ``sine.range(20, 100)``."""
    for name, x in (("lo", lo), ("hi", hi)):
        if isinstance(x, bool) or not isinstance(x, (int, float, Fraction)):
            raise TypeError(f"expected a number for {name}, found {type(x).__name__} {x!r}")
    span = hi - lo

    def scale(v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
            raise TypeError(f"range expects numeric values to scale, found {type(v).__name__} {v!r}")
        return v * span + lo

    return pat.fmap(scale)


@patternify("n")
def run(n: int) -> Pattern:
    """``0 1 2 ... n-1`` in one cycle."""
    n = _whole_number("n", n)
    if n < 0:
        raise ValueError(f"expected n >= 0, found {n}")
    return fastcat(*range(n))


# -- conditional ------------------------------------------------------------


@patternify("n")
def every(n: int, f: PatternFunc, pat: PatternLike, offset: int = 0) -> Pattern:
    """Apply `f` every `n`th cycle, starting with cycle `offset` (0 by default)."""
    n = _whole_number("n", n)
    func = _function("f", f)
    if n <= 0:
        return pat
    changed = func(pat)

    def pick(c: int) -> Pattern:
        return changed if (c - offset) % n == 0 else pat

    return table_select(n, pick, [pat, changed]) or _by_cycle(pick)


@patternify("n")
def first_of(n: int, f: PatternFunc, pat: PatternLike) -> Pattern:
    """Apply `f` to the first of every `n` cycles."""
    return every(n, f, pat)


@patternify("n")
def last_of(n: int, f: PatternFunc, pat: PatternLike) -> Pattern:
    """Apply `f` to the last of every `n` cycles."""
    n = _whole_number("n", n)
    return every(n, f, pat, offset=n - 1)


@patternify()
def when(test: Callable[[int], bool], f: PatternFunc, pat: PatternLike) -> Pattern:
    """Apply `f` in the cycles where ``test(cycle_number)`` is true."""
    if not callable(test) or isinstance(test, Pattern):
        raise TypeError(f"expected a function of the cycle number for test, found {type(test).__name__}")
    changed = _function("f", f)(pat)
    return _by_cycle(lambda c: changed if test(c) else pat)


@patternify("begin", "end")
def within(begin: TimeLike, end: TimeLike, f: PatternFunc, pat: PatternLike) -> Pattern:
    """Apply `f` only to the events that begin in ``[begin, end)`` of each cycle."""
    b, e = to_time(begin), to_time(end)
    changed = _function("f", f)(pat)

    def inside_window(ev: Event) -> bool:
        t = ev.onset
        return b <= t - sam(t) < e

    return stack(changed.filter_events(inside_window), pat.filter_events(lambda ev: not inside_window(ev)))


@patternify()
def brak(pat: PatternLike) -> Pattern:
    """Every other cycle, squash the cycle into its middle half: a breakbeat feel."""
    squashed = late(Fraction(1, 4), fastcat(pat, silence))
    return _by_cycle(lambda c: squashed if c % 2 else pat)


@patternify("n")
def inside(n: TimeLike, f: PatternFunc, pat: PatternLike) -> Pattern:
    """Apply `f` as if one cycle were `n` cycles long: ``inside(2, rev, p)`` reverses each half."""
    n = to_time(n)
    return fast(n, _function("f", f)(slow(n, pat)))


@patternify("n")
def outside(n: TimeLike, f: PatternFunc, pat: PatternLike) -> Pattern:
    """Apply `f` as if `n` cycles were one: ``outside(2, rev, p)`` reverses pairs of cycles."""
    return inside(1 / to_time(n), f, pat)


@patternify("amount", "n")
def swing_by(amount: TimeLike, n: TimeLike, pat: PatternLike) -> Pattern:
    """Delay the second half of each of `n` slices per cycle by `amount` (of a slice)."""
    amount = to_time(amount)
    return inside(n, lambda p: within(Fraction(1, 2), 1, lambda q: late(amount, q), p), pat)


@patternify("n")
def swing(n: TimeLike, pat: PatternLike) -> Pattern:
    """`swing_by` a third: a triplet shuffle on `n` slices per cycle."""
    return swing_by(Fraction(1, 3), n, pat)


# -- layering ---------------------------------------------------------------


@patternify()
def superimpose(f: PatternFunc, pat: PatternLike) -> Pattern:
    """Play `pat` and ``f(pat)`` together."""
    return stack(pat, _function("f", f)(pat))


@patternify("time")
def off(time: TimeLike, f: PatternFunc, pat: PatternLike) -> Pattern:
    """Superimpose ``f(pat)`` shifted later by `time` cycles."""
    func = _function("f", f)
    return superimpose(lambda p: func(late(time, p)), pat)


@patternify()
def layer(fs: Sequence[PatternFunc], pat: PatternLike) -> Pattern:
    """Stack the results of several functions applied to `pat`."""
    if not isinstance(fs, (list, tuple)):
        raise TypeError(f"expected a list of functions for fs, found {type(fs).__name__}")
    return stack(*[_function(f"fs[{i}]", f)(pat) for i, f in enumerate(fs)])


# -- structure -----------------------------------------------------------------

_TRUE_WORDS = {"t", "true", "x", "1"}
_FALSE_WORDS = {"f", "false", "0"}


def _truthy(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, Fraction)):
        return v != 0
    if isinstance(v, str) and v.lower() in _TRUE_WORDS | _FALSE_WORDS:
        return v.lower() in _TRUE_WORDS
    raise ValueError(f"expected a boolean pattern value (t/f, x, 1/0, True/False), found {v!r}")


@patternify()
def struct(bools: PatternLike, pat: PatternLike) -> Pattern:
    """Give `pat` the rhythm of `bools`: an event wherever `bools` is true (``"t ~ t t"``, ``"x . x x"``)."""
    return reify(bools).filter_values(_truthy).app_left(pat, lambda _, v: v)


@patternify()
def mask(bools: PatternLike, pat: PatternLike) -> Pattern:
    """Keep `pat` only where `bools` is true (``"1 0 1 1"``); events are cut, not moved."""
    return pat.app_left(reify(bools).filter_values(_truthy), lambda v, _: v)


def euclid_bools(k: int, n: int, rotation: int = 0) -> list[bool]:
    """The Euclidean rhythm of `k` hits spread over `n` steps (Bjorklund), rotated left by `rotation`.

    >>> "".join("x" if b else "." for b in euclid_bools(3, 8))
    'x..x..x.'
    """
    k, n, rotation = (_whole_number(name, v) for name, v in (("k", k), ("n", n), ("rotation", rotation)))
    if n <= 0:
        return []
    if n > MAX_EUCLID_STEPS:  # a list of n bools: a billion would fill the memory
        raise ValueError(f"expected at most {MAX_EUCLID_STEPS} steps, found {n}")
    spend(n)  # built inside a query when its arguments are patterns: n may be anything
    invert = k < 0
    k = min(abs(k), n)
    # Bjorklund, as Toussaint describes it: append the remainder groups to the
    # leading groups, one each, until at most one remainder group is left
    # (always distributing at least once, so E(3,4) is x.xx, not xxx.).
    heads: list[list[bool]] = [[True] for _ in range(k)]
    tails: list[list[bool]] = [[False] for _ in range(n - k)]
    while heads and tails:
        m = min(len(heads), len(tails))
        paired = [heads[i] + tails[i] for i in range(m)]
        tails = heads[m:] if len(heads) > m else tails[m:]
        heads = paired
        if len(tails) <= 1:
            break
    steps = [b for group in heads + tails for b in group]
    if invert:
        steps = [not b for b in steps]
    r = rotation % n
    return steps[r:] + steps[:r]


def _euclid_pattern(k: int, n: int, rotation: int) -> Pattern:
    return fastcat(*euclid_bools(k, n, rotation))


@patternify("k", "n")
def euclid(k: int, n: int, pat: PatternLike) -> Pattern:
    """`k` hits spread as evenly as possible over `n` steps (negative k: the other steps)."""
    return struct(_euclid_pattern(k, n, 0), pat)


@patternify("k", "n", "rotation")
def euclid_rot(k: int, n: int, rotation: int, pat: PatternLike) -> Pattern:
    """`euclid`, rotated left by `rotation` steps (mini-notation ``a(3,8,2)``)."""
    return struct(_euclid_pattern(k, n, rotation), pat)


@patternify("k", "n")
def euclid_full(k: int, n: int, pat: PatternLike, other: PatternLike) -> Pattern:
    """`pat` on the `k` Euclidean hits and `other` on the remaining steps."""
    rhythm = _euclid_pattern(k, n, 0)
    return stack(struct(rhythm, pat), struct(rhythm.fmap(lambda b: not b), other))


for _f in (brak, compress, early, euclid, euclid_full, euclid_rot, every, fast, first_of, inside,
           last_of, late, layer, mask, off, outside, palindrome, ply, range_, rev, segment,
           slow, struct, superimpose, swing, swing_by, when, within, zoom):
    register_method(_f)
