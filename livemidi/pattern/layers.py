"""Layers built from one pattern: echoes (echo, stut, echo_with), patterns picked by
another pattern (squeeze, ur), and functions applied to the events that match
some controls (fix, unfix, contrast).

Echoes scale the MIDI velocity where Tidal and Strudel scale a sample's gain:
each echo's velocity is the one before times `feedback` (an event without a
velocity is taken to have 100), rounded and kept within 0..127; a velocity of 0
plays nothing. At most `MAX_ECHOES` copies: each is one more layer for every
query, and Python's stack ends at about a thousand calls.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any, Callable, Mapping, Sequence

from .combinators import PatternFunc, _function, _whole_number, early, fast, late, slow
from .compose import stack
from .core import Event, Pattern, silence
from .lift import patternify, register_method, reify
from .music import note_number
from .time import TimeLike, TimeSpan, to_time

__all__ = ["MAX_ECHOES", "contrast", "echo", "echo_with", "fix", "squeeze", "stut", "stut_with", "unfix", "ur"]

PatternLike = Any
MAX_ECHOES = 64


def _count(count: Any) -> int:
    count = _whole_number("count", count)
    if not 0 <= count <= MAX_ECHOES:
        raise ValueError(f"expected a count of echoes from 0 to {MAX_ECHOES}, found {count}")
    return count


# -- echoes --------------------------------------------------------------------


@patternify("count", "time")
def echo_with(count: int, time: TimeLike, f: PatternFunc, pat: PatternLike) -> Pattern:
    """`count` copies, each `time` cycles after the one before and with `f` applied once more.

    ``echo_with(3, 1/8, lambda p: p + 12, note("c"))``: c4, c5 an eighth later, c6 a quarter later
    (Tidal's ``stutWith``/``echoWith``, Strudel's ``echoWith``).
    """
    count, t, func = _count(count), to_time(time), _function("f", f)
    copies = [pat]
    for _ in range(count - 1):
        copies.append(func(late(t, copies[-1])))
    return stack(*copies)


stut_with = echo_with


def _softer(factor: float) -> Callable[[Any], Any]:
    def scale(v: Any) -> Any:
        controls = v if isinstance(v, dict) else {"note": v}
        velocity = controls.get("velocity", 100) * factor
        return {**controls, "velocity": max(0, min(127, round(velocity)))}

    return scale


@patternify("count", "time", "feedback")
def echo(count: int, time: TimeLike, feedback: float, pat: PatternLike) -> Pattern:
    """`count` copies `time` cycles apart, each one's velocity `feedback` times the one before.

    ``echo(3, 0.2, 0.5, note("c e"))``: the notes, then at velocity 50, then 25.
    """
    count, t = _count(count), to_time(time)
    if isinstance(feedback, bool) or not isinstance(feedback, (int, float, Fraction)) or feedback < 0:
        raise ValueError(f"expected a feedback >= 0 (each echo's share of the one before), found {feedback!r}")
    if count == 0:
        return silence
    return stack(pat, *[late(t * i, pat).fmap(_softer(float(feedback) ** i)) for i in range(1, count)])


@patternify("count", "feedback", "time")
def stut(count: int, feedback: float, time: TimeLike, pat: PatternLike) -> Pattern:
    """`echo` with the feedback before the time, as Tidal and Strudel order them."""
    return echo(count, time, feedback, pat)


# -- patterns picked by a pattern ---------------------------------------------------


def _lookup(name: str, table: Mapping[Any, Any], key: Any) -> Any:
    try:
        return table[key]
    except (KeyError, TypeError):
        raise ValueError(f"{name}: no pattern named {key!r}; expected one of {', '.join(map(str, table))}") from None


@patternify()
def squeeze(pat: PatternLike, pats: Sequence[Any] | Mapping[str, Any]) -> Pattern:
    """Each event of `pat` plays a cycle of the pattern it picks, squeezed into the event.

    `pat` holds indexes into the list `pats` (wrapping round) or names in the dict
    `pats`: ``squeeze("0 [1 0]", ["a b", "c"])`` (Tidal's and Strudel's ``squeeze``).
    """
    if isinstance(pats, Mapping):
        table = {k: reify(v) for k, v in pats.items()}
        return pat.squeeze_bind(lambda key: _lookup("squeeze", table, key))
    if isinstance(pats, str) or not isinstance(pats, Sequence) or not pats:
        raise TypeError(f"expected a non-empty list or dict of patterns for pats, found {pats!r}")
    items = [reify(p) for p in pats]
    return pat.squeeze_bind(lambda i: items[_whole_number("index", i) % len(items)])


def ur(duration: TimeLike, names: PatternLike, pats: Mapping[str, Any],
       fxs: Mapping[str, PatternFunc] | None = None) -> Pattern:
    """A loop of `duration` cycles made of named patterns: ``ur(12, "a b c", {"a": ..., "b": ..., "c": ...})``.

    `names` is one cycle of names, stretched over the loop; each named pattern
    plays while its name does (in its own time: a pattern four cycles long
    carries on from where the clock is). ``"a:fx"`` also applies ``fxs["fx"]``
    as if the name's span were one cycle.
    """
    length = to_time(duration)
    if length <= 0:
        raise ValueError(f"expected a positive loop length in cycles, found {length}")
    table = {str(k): reify(v) for k, v in dict(pats).items()}
    functions = {str(k): _function(f"fxs[{k!r}]", f) for k, f in dict(fxs or {}).items()}
    outer = slow(length, reify(names))

    @lru_cache(maxsize=256)
    def play(whole: TimeSpan, value: Any) -> Pattern:
        name, _, fx = str(value).partition(":")
        p = _lookup("ur", table, name)
        if not fx:
            return p
        f = _lookup("ur", functions, fx)
        begin, width = whole[0], whole[1] - whole[0]
        return late(begin, fast(1 / width, f(fast(width, early(begin, p)))))

    q = outer.query
    timed = Pattern(lambda span: [ev.with_value(lambda v, w=ev[0]: play(w, v)) for ev in q(span) if ev[0]])
    return timed.mix_join()


# -- events that match some controls ----------------------------------------------------------


def _same(key: str, have: Any, want: Any) -> bool:
    if key == "note" and (isinstance(have, str) or isinstance(want, str)):
        try:
            return note_number(have) == note_number(want)
        except ValueError:
            return False
    return have == want


@patternify()
def contrast(f_true: PatternFunc, f_false: PatternFunc, controls: Any, pat: PatternLike) -> Pattern:
    """`f_true` on the events whose controls include `controls`, `f_false` on the others.

    `controls` is a dict (``{"note": 60}``) or a pattern of them (``note("<c e>")``),
    sampled at each event: ``contrast(fast(2), rev, {"note": 60}, p)``.
    """
    yes, no = _function("f_true", f_true), _function("f_false", f_false)
    test = reify(controls) if not isinstance(controls, Mapping) else None
    wanted = dict(controls) if isinstance(controls, Mapping) else None

    def matches(ev: Event) -> bool:
        have = ev[2]
        if not isinstance(have, dict):
            return False
        for want in ([wanted] if test is None else [e[2] for e in test.query(ev.whole_or_part())]):
            if not isinstance(want, dict):
                raise TypeError(f"contrast: expected controls to compare with (e.g. note(60)), found {want!r}")
            if all(k in have and _same(k, have[k], v) for k, v in want.items()):
                return True
        return False

    return stack(yes(pat.filter_events(matches)), no(pat.filter_events(lambda ev: not matches(ev))))


@patternify()
def fix(f: PatternFunc, controls: Any, pat: PatternLike) -> Pattern:
    """Apply `f` only to the events whose controls include `controls` (``fix(fast(2), note("c"), p)``)."""
    return contrast(f, lambda p: p, controls, pat)


@patternify()
def unfix(f: PatternFunc, controls: Any, pat: PatternLike) -> Pattern:
    """Apply `f` only to the events whose controls do not include `controls`."""
    return contrast(lambda p: p, f, controls, pat)


for _f in (contrast, echo, echo_with, fix, squeeze, stut, unfix):
    register_method(_f)
register_method(echo_with, "stut_with")
