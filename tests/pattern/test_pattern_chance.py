"""Randomness: deterministic per cycle position, changed by the seed, fair in proportion."""

from fractions import Fraction as F

import pytest
from pattern_helpers import lines

from livemidi.pattern import (
    almost_always,
    almost_never,
    always,
    choose,
    degrade,
    degrade_by,
    fast,
    humanize,
    irand,
    mini,
    never,
    note,
    often,
    perlin,
    rand,
    rand_seeded,
    randcat,
    rarely,
    scramble,
    segment,
    shuffle,
    sometimes,
    sometimes_by,
    undegrade_by,
)
from livemidi.pattern.signals import rand_at


def test_rand_is_a_function_of_time_and_seed():
    assert rand_at(F(1, 3)) == rand_at(F(1, 3)) and 0 <= rand_at(F(1, 3)) < 1
    assert rand_at(F(1, 3)) != rand_at(F(1, 3), seed=1)
    assert lines(segment(4, rand), 1, 7) == lines(segment(4, rand), 1, 7)  # the same bar sounds the same
    assert lines(segment(4, rand)) != lines(segment(4, rand_seeded(1)))
    values = [e.value for e in segment(16, rand).events(0, 64)]
    assert 0.45 < sum(values) / len(values) < 0.55 and min(values) >= 0 and max(values) < 1


def test_degrade_is_repeatable_fair_and_seeded():
    p = degrade("a*16")
    assert lines(p, 4) == lines(degrade("a*16"), 4)
    assert lines(p, 4) != lines(degrade("a*16", seed=3), 4)
    kept = len(p.onsets(0, 64))
    assert 460 < kept < 564  # half of 1024, give or take
    assert len(degrade_by(0.9, "a*16").onsets(0, 64)) < 160
    both = degrade_by(0.3, "a*16").onsets(0, 8) + undegrade_by(0.3, "a*16").onsets(0, 8)
    assert sorted(e.whole.begin for e in both) == [F(k, 16) for k in range(128)]
    with pytest.raises(ValueError, match="between 0 and 1"):
        degrade_by(2, "a")


def test_sometimes_family_applies_f_to_the_expected_share():
    def share(fn):
        evs = fn(lambda p: p + 100, "0*16").onsets(0, 32)
        return sum(e.value >= 100 for e in evs) / len(evs)

    assert 0.4 < share(sometimes) < 0.6
    assert 0.65 < share(often) < 0.85
    assert 0.15 < share(rarely) < 0.35
    assert share(almost_never) < 0.2 and share(almost_always) > 0.8
    assert share(always) == 1 and share(never) == 0
    assert lines(sometimes_by(0.5, lambda p: p + 100, "0*16")) == lines(sometimes(lambda p: p + 100, "0*16"))
    assert lines(mini("0*8").sometimes(fast(2), seed=2)) == lines(sometimes(fast(2), "0*8", seed=2))


def test_shuffle_plays_each_slice_once_scramble_may_repeat():
    for c in range(8):
        assert sorted(e.value for e in shuffle(4, "a b c d").onsets(c, c + 1)) == ["a", "b", "c", "d"]
    orders = {tuple(e.value for e in shuffle(4, "a b c d").onsets(c, c + 1)) for c in range(16)}
    assert len(orders) > 4
    seen = [e.value for e in scramble(4, "a b c d").onsets(0, 16)]
    assert set(seen) == {"a", "b", "c", "d"} and len(seen) == 64
    assert any(len(set(seen[i:i + 4])) < 4 for i in range(0, 64, 4))


def test_randcat_and_choose_and_irand():
    picks = [e.value for e in randcat("a", "b", "c").onsets(0, 30)]
    assert set(picks) == {"a", "b", "c"}
    assert lines(mini("a | b | c"), 30) == lines(randcat("a", "b", "c"), 30)
    notes = [e.value for e in segment(8, choose("c", "e", "g")).events(0, 8)]
    assert set(notes) == {"c", "e", "g"}
    assert {e.value for e in segment(8, irand(4)).events(0, 8)} == {0, 1, 2, 3}
    with pytest.raises(ValueError, match="n > 0"):
        irand(0)
    with pytest.raises(ValueError, match="at least one"):
        choose()


def test_perlin_is_smooth():
    values = [e.value for e in segment(64, perlin).events(0, 4)]
    assert max(abs(a - b) for a, b in zip(values, values[1:])) < 0.1


def test_humanize_varies_velocity_and_timing_repeatably():
    p = humanize(note("c*8"), velocity=10, timing=F(1, 32))
    evs = p.onsets(0, 4)
    assert evs == humanize(note("c*8"), velocity=10, timing=F(1, 32)).onsets(0, 4)
    assert len({e.value["velocity"] for e in evs}) > 5 and all(90 <= e.value["velocity"] <= 110 for e in evs)
    offsets = [e.whole.begin - F(k, 8) for k, e in enumerate(sorted(p.events(0, 4), key=lambda e: e.whole.begin))]
    assert all(abs(d) <= F(1, 32) for d in offsets) and len(set(offsets)) > 5
    assert humanize(note("c*8"), velocity=0, timing=0).onsets(0, 1) == note("c*8").onsets(0, 1)
    with pytest.raises(ValueError, match="velocity >= 0"):
        humanize(note("c"), velocity=-1)
