"""Tunings: whole degrees to notes between the keys (pure pitch math, no MIDI)."""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livemidi.pattern import Tuning, n, note, tuning


def notes(pattern, end=1):
    return [event.value["note"] for event in pattern.events(0, end)]


def test_an_equal_tuning_divides_the_octave_exactly():
    t = tuning("19edo")
    assert [t.note(d) for d in (0, 1, 19, -1, 38)] == [60, F(1152, 19), 72, F(1128, 19), 84]
    assert tuning("31-TET") == tuning("31edo") and len(tuning("24 et")) == 24
    assert tuning("12edo").note(7) == 67 and isinstance(tuning("12edo").note(7), int)


def test_a_scala_like_list_gives_the_cents_of_degrees_one_up_and_the_period_last():
    cents = tuning([100, 250.5, 700, 1200])
    assert [cents.note(d) for d in range(5)] == [60, 61, 62.505, 67, 72]
    assert tuning([0, 100, 250.5, 700, 1200]) == cents  # a written unison changes nothing
    assert tuning(["1/1", "3/2", "2/1"]).note(2) == 72 and isinstance(tuning(["3/2", "2"]).period, F)
    assert math.isclose(tuning(["3/2", "2/1"]).note(1), 60 + 12 * math.log2(1.5))
    assert tuning(["701.955", "1200.0"]).note(1) == pytest.approx(67.01955)


def test_degrees_of_a_pattern_become_notes_above_the_root():
    assert notes(n("0 1 2").tuning("19edo")) == [60, F(1152, 19), F(1164, 19)]
    assert [e.value for e in tuning("19edo", "0 1", root="a3").events(0, 1)] == [57, F(57 * 19 + 12, 19)]
    assert notes(note("0 19").tuning(tuning("19edo"), root=48)) == [48, 60]


@given(st.integers(-200, 200), st.sampled_from(["12edo", "19edo", "22edo", "53edo"]))
def test_a_period_up_is_an_octave_up(degree, name):
    t = tuning(name)
    assert t.note(degree + len(t)) == t.note(degree) + 12


@pytest.mark.parametrize(
    "spec, error, text",
    [
        ("19", ValueError, "expected a tuning like '19edo'"),
        ("0edo", ValueError, "an equal tuning has 1 to 1200 steps"),
        ([], ValueError, "a tuning needs at least its period"),
        ([0], ValueError, "a tuning needs at least its period"),
        ([100, 100, 1200], ValueError, "must rise above the root and each other"),
        (["3/2", "x"], ValueError, r"cents \('701.955'\) or a ratio \('3/2'\), found 'x'"),
        (["-3/2"], ValueError, "must be positive"),
        ([float("nan")], ValueError, "finite number of cents"),
        (12, TypeError, "expected a tuning name like '19edo' or a list of cents"),
        ([True], TypeError, "cents or a ratio string"),
    ],
)
def test_a_bad_tuning_says_what_is_expected(spec, error, text):
    with pytest.raises(error, match=text):
        tuning(spec)


def test_a_fractional_degree_is_refused():
    with pytest.raises(ValueError, match="a tuning's degree must be a whole number, found 1.5"):
        notes(n("0 1.5").tuning("19edo"))
    assert isinstance(tuning("19edo"), Tuning) and repr(tuning([100, 1200])) == "tuning([100, 1200])"
