"""wrandcat, wchoose, some_cycles(_by), brand(_by), rangex, and the documented signals (run, irand, perlin, choose).

Randomness is checked by its properties (shares over many cycles, what stays
the same, what a seed changes), as the issue compared it with Strudel, and
each documented example of Tidal's and Strudel's reference pages is one test.
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction as F

import pytest
from pattern_helpers import same_events

from livemidi.pattern import (
    brand,
    brand_by,
    choose,
    fast,
    irand,
    mini,
    n,
    perlin,
    rand,
    rangex,
    reify,
    run,
    saw,
    segment,
    sine,
    some_cycles,
    some_cycles_by,
    sometimes_by,
    struct,
    wchoose,
    wrandcat,
)


def values(pat, begin=0, end=1):
    return [e.value for e in reify(pat).onsets(begin, end)]


# -- wrandcat, wchoose ---------------------------------------------------------------------------------


def test_wrandcat_strudel_and_tidal_example():
    # Strudel: wrandcat(["bd", 10], ["sd", 1]); Tidal: wrandcat [("bd", 10), ("sd", 1)]
    shares = Counter(values(wrandcat(["bd", 10], ["sd", 1]), 0, 2000))
    assert 0.87 < shares["bd"] / 2000 < 0.95 and shares["bd"] + shares["sd"] == 2000
    assert values(wrandcat([("bd", 10), ("sd", 1)]), 0, 50) == values(wrandcat(("bd", 10), ("sd", 1)), 0, 50)


def test_wrandcat_picks_whole_cycles_each_in_its_own_time():
    p = wrandcat(("a b", 1), ("<c d>", 1))
    for c in range(20):
        assert values(p, c, c + 1) in (["a", "b"], ["c" if c % 2 == 0 else "d"])
    assert values(p, 0, 40) == values(p, 0, 40)  # the same every pass
    assert values(p, 0, 40) != values(wrandcat(("a b", 1), ("<c d>", 1), seed=1), 0, 40)


def test_wchoose_tidal_example():
    # Tidal: d1 $ sound "drum*8" # n (wchoose [(0,0.25),(2,0.5),(7,0.25)])
    shares = Counter(values(segment(8, wchoose((0, 0.25), (2, 0.5), (7, 0.25))), 0, 500))
    assert set(shares) == {0, 2, 7}
    assert 0.45 < shares[2] / 4000 < 0.55 and 0.2 < shares[0] / 4000 < 0.3 and 0.2 < shares[7] / 4000 < 0.3


def test_wchoose_with_equal_weights_is_choose():
    assert values(segment(8, wchoose(("c", 1), ("e", 1), ("g", 1))), 0, 4) == values(segment(8, choose("c", "e", "g")), 0, 4)


def test_weights_must_be_positive():
    with pytest.raises(ValueError, match="positive weights, found 0 for 'b'"):
        wchoose(("a", 1), ("b", 0))
    with pytest.raises(TypeError, match=r"\(value, weight\) pairs"):
        wrandcat("a", "b")
    with pytest.raises(ValueError, match="at least one"):
        wrandcat()


# -- some_cycles ---------------------------------------------------------------------------------------


def test_some_cycles_by_tidal_and_strudel_example():
    # Tidal: someCyclesBy 0.3 (# speed 2); Strudel: s("bd*8").someCyclesBy(.3, x=>x.speed("0.5"))
    p = some_cycles_by(0.3, fast(2), "a")
    counts = [len(p.onsets(c, c + 1)) for c in range(1000)]
    assert set(counts) == {1, 2}  # a whole cycle is changed, or none of it
    assert 0.25 < counts.count(2) / 1000 < 0.35
    assert same_events(some_cycles_by(0, fast(2), "a b"), "a b", 0, 20)
    assert same_events(some_cycles_by(1, fast(2), "a b"), fast(2, "a b"), 0, 20)


def test_some_cycles_is_half_and_a_method():
    counts = [len(mini("a").some_cycles(fast(2)).onsets(c, c + 1)) for c in range(1000)]
    assert 0.45 < counts.count(2) / 1000 < 0.55
    assert same_events(some_cycles(fast(2), "a", seed=3), some_cycles_by(0.5, fast(2), "a", seed=3), 0, 40)


def test_some_cycles_and_sometimes_decide_independently():
    cycles = [len(some_cycles_by(0.5, fast(2), "a").onsets(c, c + 1)) == 2 for c in range(400)]
    events = [e.value == 1 for e in sometimes_by(0.5, lambda p: p + 1, "0").onsets(0, 400)]
    assert 150 < sum(a == b for a, b in zip(cycles, events)) < 250


# -- brand ----------------------------------------------------------------------------------------------


def test_brand_tidal_example():
    # Tidal: d1 $ struct (fast 8 $ brand) $ s "drum"; brandBy 0.25 for fewer
    assert values(segment(8, brand)) == [e.value < 0.5 for e in segment(8, rand).onsets(0, 1)]
    trues = sum(e.value for e in segment(16, brand_by(0.25)).onsets(0, 100))
    assert 0.2 < trues / 1600 < 0.3
    assert len(struct(segment(8, brand), "x").onsets(0, 100)) == sum(e.value for e in segment(8, brand).onsets(0, 100))


def test_brand_by_is_rand_below_the_probability():
    assert values(segment(8, brand_by(0.7)), 0, 4) == [e.value < 0.7 for e in segment(8, rand).onsets(0, 4)]
    assert values(segment(4, brand_by("<0 1>")), 0, 2) == [False] * 4 + [True] * 4
    with pytest.raises(ValueError, match="probability between 0 and 1"):
        brand_by(2)


# -- signals: range, rangex, run, irand, perlin, choose ----------------------------------------------------------


def test_range_strudel_example():
    # Strudel: n(sine.segment(16).range(0,15)); Tidal: range 1 5 sine
    assert [round(v, 3) for v in values(segment(4, sine).range(0, 15))] == [7.5, 15, 7.5, 0]
    assert values(saw.range(1, 5).segment(4)) == [1, 2, 3, 4]


def test_rangex_tidal_example():
    # Tidal: d1 $ sound "drum*8" # speed (rangex 1 10 sine): exponential, so the middle is the geometric mean
    assert [round(v, 6) for v in values(segment(4, rangex(20, 2000, saw)))] == [20, 63.245553, 200, 632.455532]
    assert [round(v, 6) for v in values(segment(4, sine.rangex(20, 2000)))] == [200, 2000, 200, 20]
    with pytest.raises(ValueError, match="number > 0 for lo"):
        rangex(0, 10, saw)


def test_run_strudel_and_tidal_example():
    # Strudel: n(run(4)).scale("C4:pentatonic"); Tidal: n (run "<4 8>")
    assert values(n(run(4)).scale("C4:pentatonic")) == [{"note": v} for v in (60, 62, 64, 67)]
    assert values(run("<4 8>"), 1, 2) == list(range(8))


def test_irand_strudel_example():
    # Strudel: n(irand(8)).segment(4).scale("C:minor"): whole numbers 0..7
    got = values(segment(4, irand(8)), 0, 100)
    assert set(got) == set(range(8)) and all(isinstance(v, int) for v in got)
    assert values(n(segment(4, irand(8))).scale("C:minor"))[0]["note"] in {60, 62, 63, 65, 67, 68, 70, 72}


def test_perlin_strudel_example():
    # Strudel: s("hh*8").cutoff(perlin.range(500,8000)): smooth noise, 0..1, continuous at the bar line
    got = values(segment(64, perlin), 0, 4)
    assert all(0 <= v <= 1 for v in got)
    assert max(abs(a - b) for a, b in zip(got, got[1:])) < 0.1
    assert math.isclose(perlin.events(F(1), F(1))[0].value, perlin.events(F(999999, 1000000), F(1))[0].value,
                        abs_tol=1e-6)


def test_choose_strudel_example():
    # Strudel: note("c2 g2!2 d2 f1").s(choose("sine", "triangle", "bd:6"))
    got = Counter(values(segment(8, choose("sine", "triangle", "bd:6")), 0, 300))
    assert set(got) == {"sine", "triangle", "bd:6"} and min(got.values()) > 700
