"""The laws every pattern obeys, checked with hypothesis on generated patterns.

Splitting law, precisely: for a < b < c, the events of [a, c) are the
events of [a, b) and of [b, c) with each event's fragments on either side of
b joined again (same whole, same value, parts touching at b); in particular
the events *with onsets* of [a, c) are exactly those of [a, b) plus those of
[b, c).
"""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pattern_helpers import canonical, durations, mini_text, stitch, times, transformed

from livemidi.pattern import (
    brak,
    chunk,
    degrade,
    early,
    euclid,
    every,
    fast,
    iter_,
    late,
    linger,
    mini,
    off,
    palindrome,
    ply,
    rev,
    scramble,
    segment,
    shuffle,
    slow,
    sometimes,
    stack,
    swing,
    tables,
)

settings.register_profile("patterns", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("patterns")

transforms = st.sampled_from([
    lambda p: fast(2, p), lambda p: slow(3, p), lambda p: fast(F(3, 2), p), lambda p: early(F(1, 3), p),
    lambda p: late(F(1, 4), p), rev, palindrome, lambda p: iter_(4, p), lambda p: ply(2, p),
    lambda p: every(3, fast(2), p), lambda p: degrade(p), lambda p: euclid(3, 8, p), lambda p: off(F(1, 8), rev, p),
    lambda p: chunk(4, fast(2), p), lambda p: linger(F(1, 4), p), lambda p: shuffle(4, p),
    lambda p: scramble(4, p), lambda p: sometimes(fast(2), p), lambda p: swing(4, p), brak,
    lambda p: segment(4, p), lambda p: stack(p, fast(2, p)), lambda p: fast("<1 2>", p),
])


def patterns():
    return transformed(transforms, max_size=3)


@given(patterns(), times, durations, durations)
def test_splitting_law(p, a, d1, d2):
    b, c = a + d1, a + d1 + d2
    whole = p.events(a, c)
    pieces = p.events(a, b) + p.events(b, c)
    assert stitch(whole) == stitch(pieces)
    assert onsets(whole) == onsets(pieces)


def onsets(events):
    """The events that begin in the query, by whole and value (their parts may be cut)."""
    return sorted((e.whole.begin, e.whole.end, repr(e.value)) for e in events if e.has_onset())


@given(patterns(), times)
def test_fast_then_slow_is_identity(p, a):
    assert canonical(p.fast(2).slow(2).events(a, a + 3)) == canonical(p.events(a, a + 3))
    assert canonical(p.slow(3).fast(3).events(a, a + 2)) == canonical(p.events(a, a + 2))


@given(patterns(), st.integers(-2, 4))
def test_rev_rev_is_identity(p, c):
    assert canonical(rev(rev(p)).events(c, c + 1)) == canonical(p.events(c, c + 1))
    assert stitch(rev(rev(p)).events(c, c + 3)) == stitch(p.events(c, c + 3))


@given(mini_text(), times)
def test_tables_and_general_queries_agree(text, a):
    compiled = mini(text).fast(2).every(3, rev)
    with tables.disabled():
        from livemidi.mini.interpret import (
            _Builder,  # (past mini's cache of compiled patterns)
        )
        from livemidi.mini.parser import parse
        general = _Builder(text).build(parse(text)).fast(2).every(3, rev)
    assert canonical(compiled.events(a, a + 4)) == canonical(general.events(a, a + 4))
    assert canonical(compiled.events(a, a + F(1, 3))) == canonical(general.events(a, a + F(1, 3)))


def test_mini_star_is_fast():
    assert canonical(mini("a*2").events(0, 3)) == canonical(fast(2, "a").events(0, 3))


@given(times)
def test_point_queries_return_what_sounds_then(t):
    p = mini("a [b c] <d e>")
    at = p.events(t, t)
    assert all(e.whole.begin <= t < e.whole.end for e in at)
    assert len(at) == 1


def test_splitting_law_with_equal_layers():
    # Found by hypothesis: equal events stacked over each other, cut by a query at 2/3.
    # Joining fragments greedily extended the wrong one of two equal fragments.
    p = segment(4, stack(q := early(F(1, 3), mini("b _ a {[a a a a], {a, a a a}}")), fast(2, q)))
    a, b, c = F(1, 6), F(2, 3), F(19, 24)
    assert stitch(p.events(a, c)) == stitch(p.events(a, b) + p.events(b, c))
