"""Laws for the functions issue 18 added or changed, checked with hypothesis.

- every new function obeys the splitting law (a query cut anywhere gives the
  same events) and ``fast(n)`` then ``slow(n)`` is the identity on it;
- ``press`` is ``press_by(1/2)``;
- ``euclid_legato`` covers every cycle with no gaps and no overlaps;
- ``chunk(n, id)`` is ``repeat_cycles(n)``, ``rot(-k)`` undoes ``rot(k)``, and
  for a pattern that repeats every cycle ``iter`` is the plain rotation.
"""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pattern_helpers import canonical, durations, mini_text, stitch, times, transformed

from livemidi.pattern import (
    chunk,
    early,
    echo,
    echo_with,
    euclid_legato,
    euclid_legato_rot,
    euclid_off,
    fast,
    fast_chunk,
    fast_gap,
    iter_,
    iter_back,
    linger,
    mini,
    n_take,
    press,
    press_by,
    repeat_cycles,
    rot,
    some_cycles,
    squeeze,
    ur,
    wrandcat,
)

settings.register_profile("tidal-laws", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("tidal-laws")

transforms = st.sampled_from([
    lambda p: iter_(4, p), lambda p: iter_back(3, p), lambda p: chunk(4, fast(2), p),
    lambda p: chunk(-3, lambda q: q.fmap(repr), p), lambda p: fast_chunk(4, fast(2), p),
    lambda p: linger(F(1, 4), p), lambda p: linger(F(-1, 3), p), press, lambda p: press_by(F(1, 3), p),
    lambda p: fast_gap(3, p), lambda p: repeat_cycles(3, p), lambda p: rot(1, p), lambda p: rot("<1 -2>", p),
    lambda p: n_take("x", [1, 2, 3], p), lambda p: euclid_legato(3, 8, p), lambda p: euclid_legato_rot(3, 8, 2, p),
    lambda p: euclid_off(3, 8, 2, p), lambda p: echo(3, F(1, 8), 0.5, p), lambda p: echo_with(3, F(1, 6), rot(1), p),
    lambda p: squeeze("0 [1 0]", [p, "x y"]), lambda p: ur(4, "a b:f", {"a": p, "b": "y z"}, {"f": fast(2)}),
    lambda p: some_cycles(fast(2), p), lambda p: wrandcat((p, 2), ("z", 1)),
])


def patterns():
    return transformed(transforms, min_size=1, max_size=2)


@given(patterns(), times, durations, durations)
def test_splitting_law(p, a, d1, d2):
    b, c = a + d1, a + d1 + d2
    assert stitch(p.events(a, c)) == stitch(p.events(a, b) + p.events(b, c))


@given(patterns(), times)
def test_fast_then_slow_is_identity(p, a):
    assert canonical(p.fast(2).slow(2).events(a, a + 3)) == canonical(p.events(a, a + 3))
    assert canonical(p.slow(3).fast(3).events(a, a + 2)) == canonical(p.events(a, a + 2))


@given(mini_text(), st.integers(-3, 8))
def test_press_is_press_by_a_half(text, c):
    assert canonical(press(text).events(c, c + 1)) == canonical(press_by(F(1, 2), text).events(c, c + 1))


@given(st.integers(-16, 16), st.integers(1, 24), st.integers(-30, 30), st.integers(-4, 8))
def test_euclid_legato_covers_the_cycle_with_no_gaps(k, n, rotation, c):
    parts = sorted((e.part.begin, e.part.end) for e in euclid_legato_rot(k, n, rotation, "x").events(c, c + 1))
    if k == 0 or (k < 0 and -k >= n):
        assert parts == []  # no hits at all
        return
    assert parts[0][0] == c and parts[-1][1] == c + 1
    assert all(end == begin for (_, end), (begin, _) in zip(parts, parts[1:]))  # touching: no gap, no overlap
    onsets = [e.whole.begin for e in euclid_legato_rot(k, n, rotation, "x").onsets(c, c + 1)]
    assert len(onsets) == min(abs(k), n) if k > 0 else len(onsets) == n - min(-k, n)
    assert canonical(euclid_legato(k, n, "x").events(c, c + 1)) == canonical(
        euclid_legato_rot(k, n, 0, "x").events(c, c + 1))


@given(mini_text(), st.integers(1, 5), st.integers(-2, 10))
def test_chunk_with_the_identity_is_repeat_cycles(text, n, c):
    assert canonical(chunk(n, lambda p: p, text).events(c, c + 1)) == canonical(repeat_cycles(n, text).events(c, c + 1))


@given(mini_text(), st.integers(-5, 5), st.integers(-2, 10))
def test_rot_back_undoes_rot(text, k, c):
    p = mini(text)
    assert canonical(rot(-k, rot(k, p)).events(c, c + 1)) == canonical(p.events(c, c + 1))


@given(st.lists(st.sampled_from(["a", "b", "~", "[c d]", "e'min"]), min_size=1, max_size=5), st.integers(1, 6),
       st.integers(-3, 12))
def test_iter_of_a_one_cycle_pattern_is_the_plain_rotation(steps, n, c):
    p = mini(" ".join(steps))
    expected = early(F(c % n, n), p).events(c, c + 1)
    assert canonical(iter_(n, p).events(c, c + 1)) == canonical(expected)
    assert canonical(iter_back(n, p).events(c, c + 1)) == canonical(early(F(-(c % n), n), p).events(c, c + 1))
