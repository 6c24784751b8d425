"""Euclidean variants (euclid_legato, euclid_off), echoes, squeeze, ur, fix/unfix/contrast.

One test per example of Tidal's and Strudel's reference pages (their
behaviour, written as events; samples become letters, gain becomes velocity).
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from pattern_helpers import lines, same_events

from livemidi.pattern import (
    contrast,
    echo,
    echo_with,
    eoff,
    euclid_full,
    euclid_legato,
    euclid_legato_rot,
    euclid_off,
    euclid_rot,
    fast,
    fix,
    mini,
    n,
    note,
    squeeze,
    stut,
    stut_with,
    unfix,
    ur,
    velocity,
)

# -- Euclidean rhythms ------------------------------------------------------------------------------


def test_euclid_legato_strudel_example():
    # Strudel: note("c3").euclidLegato(3,8): each pulse held until the next, no gaps
    assert lines(euclid_legato(3, 8, note("c3"))) == [
        "0 → 3/8 | note=48", "3/8 → 3/4 | note=48", "3/4 → 1 | note=48"]
    assert lines(note("c3").euclid_legato(3, 8)) == lines(euclid_legato(3, 8, note("c3")))


def test_euclid_legato_rot_strudel_example():
    # Strudel: note("c3").euclidLegatoRot(3,5,2): x.x.x rotated two steps is x.xx.
    assert lines(euclid_legato_rot(3, 5, 2, "x"), 1) == ["0 → 2/5 | x", "2/5 → 3/5 | x", "3/5 → 1 | x"]
    # the note that wraps round crosses the bar line
    assert lines(euclid_legato_rot(3, 8, 2, "x")) == [
        "-1/4 → 1/8 (0 → 1/8) | x", "1/8 → 1/2 | x", "1/2 → 3/4 | x", "3/4 → 9/8 (3/4 → 1) | x"]
    assert euclid_legato(0, 8, "x").events(0, 2) == []


def test_euclid_legato_takes_values_from_the_pattern():
    assert lines(euclid_legato(3, 8, "a b")) == ["0 → 3/8 | a", "3/8 → 3/4 (3/8 → 1/2) | a",
                                                 "3/8 → 3/4 (1/2 → 3/4) | b", "3/4 → 1 | b"]


def test_euclid_off_tidal_example():
    # Tidal: d1 $ euclidOff 3 8 2 $ s "bd" (alias eoff): the rhythm rotated two steps
    assert lines(euclid_off(3, 8, 2, "bd")) == ["1/8 → 1/4 | bd", "1/2 → 5/8 | bd", "3/4 → 7/8 | bd"]
    assert lines(eoff(3, 8, 2, "bd")) == lines(mini("bd(3,8,2)"))
    assert same_events(mini("bd").euclid_off(3, 8, 2), euclid_rot(3, 8, 2, "bd"))
    # the whole result moves, values and all; euclid_rot keeps the values where the hits land
    assert lines(euclid_off(3, 8, 2, "a b")) == ["1/8 → 1/4 | a", "1/2 → 5/8 | b", "3/4 → 7/8 | a"]
    assert lines(euclid_rot(3, 8, 2, "a b")) == ["1/8 → 1/4 | a", "1/2 → 5/8 | b", "3/4 → 7/8 | b"]
    assert euclid_off(3, 0, 1, "x").events(0, 1) == []


def test_euclid_full_tidal_example():
    # Tidal: d1 $ euclidFull 3 8 (sound "bd") (sound "hh27")
    assert lines(euclid_full(3, 8, "bd", "hh27")) == [
        "0 → 1/8 | bd", "1/8 → 1/4 | hh27", "1/4 → 3/8 | hh27", "3/8 → 1/2 | bd", "1/2 → 5/8 | hh27",
        "5/8 → 3/4 | hh27", "3/4 → 7/8 | bd", "7/8 → 1 | hh27"]


# -- echoes ---------------------------------------------------------------------------------------------


def test_echo_strudel_example():
    # Strudel: s("bd sd").echo(3, 1/6, .8): three copies a sixth apart, each 0.8 of the one before
    assert lines(echo(3, F(1, 6), 0.8, note("c e"))) == [
        "-1/3 → 1/6 (0 → 1/6) | note=64 velocity=80", "-1/6 → 1/3 (0 → 1/3) | note=64 velocity=64",
        "0 → 1/2 | note=60", "1/6 → 2/3 | note=60 velocity=80", "1/3 → 5/6 | note=60 velocity=64",
        "1/2 → 1 | note=64", "2/3 → 7/6 (2/3 → 1) | note=64 velocity=80",
        "5/6 → 4/3 (5/6 → 1) | note=64 velocity=64"]


def test_echo_scales_a_given_velocity_and_keeps_it_in_range():
    assert [e.value["velocity"] for e in echo(3, 0.25, 0.5, note("c").velocity(90)).onsets(0, 1)] == [90, 45, 22]
    assert [e.value["velocity"] for e in echo(2, 0.5, 3, note("c").velocity(90)).onsets(0, 1)] == [90, 127]
    assert echo(0, 0.25, 0.5, "a").events(0, 1) == []
    with pytest.raises(ValueError, match="feedback >= 0"):
        echo(3, 0.25, -1, "a")
    with pytest.raises(ValueError, match="count of echoes from 0 to 64"):
        echo(65, 0.25, 0.5, "a")


def test_stut_strudel_and_tidal_example():
    # Strudel: s("bd sd").stut(3, .5, 1/8); Tidal: stut 3 0.5 (1/8): echo with feedback before time
    assert lines(stut(3, 0.5, F(1, 8), note("c e"))) == lines(echo(3, F(1, 8), 0.5, note("c e")))
    assert lines(note("c e").stut(3, 0.5, F(1, 8))) == lines(echo(3, F(1, 8), 0.5, note("c e")))


def test_echo_with_strudel_example():
    # Strudel: "<0 [2 4]>".echoWith(4, 1/8, (p,n) => p.add(n*2)): copy n is 2n higher, n/8 later
    assert lines(echo_with(4, F(1, 8), lambda p: p + 2, "<0 [2 4]>")) == [
        "-3/8 → 1/8 (0 → 1/8) | 6", "-1/4 → 1/4 (0 → 1/4) | 8", "-1/8 → 3/8 (0 → 3/8) | 10", "0 → 1 | 0",
        "1/8 → 9/8 (1/8 → 1) | 2", "1/4 → 5/4 (1/4 → 1) | 4", "3/8 → 11/8 (3/8 → 1) | 6"]


def test_stut_with_tidal_example():
    # Tidal: d1 $ stutWith 3 (1/3) (# vowel "a") $ sound "bd sn": f applied once more for each copy
    p = stut_with(3, F(1, 3), lambda p: p | velocity(50), note("c"))
    assert lines(p) == ["-2/3 → 1/3 (0 → 1/3) | note=60 velocity=50", "-1/3 → 2/3 (0 → 2/3) | note=60 velocity=50",
                        "0 → 1 | note=60", "1/3 → 4/3 (1/3 → 1) | note=60 velocity=50",
                        "2/3 → 5/3 (2/3 → 1) | note=60 velocity=50"]
    assert lines(note("c").stut_with(2, 0.5, fast(2))) == lines(stut_with(2, 0.5, fast(2), note("c")))
    assert lines(echo_with(1, 0.5, fast(2), "a")) == lines("a")


# -- squeeze and ur ------------------------------------------------------------------------------------------


def test_squeeze_tidal_example():
    # Tidal: d1 $ sound (squeeze "<0 [1 0]>" ["bd sn:2", "jvbass*3"])
    assert lines(squeeze("<0 [1 0]>", ["bd sn:2", "jvbass*3"]), 2) == [
        "0 → 1/2 | bd", "1/2 → 1 | sn:2", "1 → 7/6 | jvbass", "7/6 → 4/3 | jvbass", "4/3 → 3/2 | jvbass",
        "3/2 → 7/4 | bd", "7/4 → 2 | sn:2"]


def test_squeeze_by_name_and_as_a_method():
    # Strudel: squeeze picks "either from a list (by index) or a lookup table (by name)"
    assert lines(mini("a [b a]").squeeze({"a": "x y", "b": "z"})) == [
        "0 → 1/4 | x", "1/4 → 1/2 | y", "1/2 → 3/4 | z", "3/4 → 7/8 | x", "7/8 → 1 | y"]
    assert lines(squeeze("3", ["a", "b"])) == ["0 → 1 | b"]  # indexes wrap round
    with pytest.raises(ValueError, match="no pattern named 'c'; expected one of a, b"):
        squeeze("c", {"a": "x", "b": "y"}).events(0, 1)


def test_ur_tidal_example():
    # Tidal: ur 12 "a b c" pats []: each named pattern plays for four cycles
    pats = {"a": "c4 e4", "b": "d4 f4", "c": "e4 g4"}
    assert [e.value for e in ur(12, "a b c", pats).onsets(0, 12)] == (
        ["c4", "e4"] * 4 + ["d4", "f4"] * 4 + ["e4", "g4"] * 4)
    assert [e.value for e in ur(12, "a b c", pats).onsets(12, 13)] == ["c4", "e4"]


def test_ur_with_named_functions_tidal_example():
    # Tidal: ur 16 "a a:double" pats [("double", fast 2)]: the function as if the name's span were a cycle
    p = ur(4, "a b:double", {"a": "x", "b": "y z"}, {"double": fast(2)})
    assert [e.value for e in p.onsets(0, 4)] == ["x", "x"] + ["y", "z", "y", "z"] * 2
    assert lines(p, 1, 2)[:2] == ["2 → 9/4 | y", "9/4 → 5/2 | z"]
    with pytest.raises(ValueError, match="no pattern named 'q'"):
        ur(2, "q", {"a": "x"}).events(0, 1)


def test_ur_patterns_carry_on_in_their_own_time():
    assert [e.value for e in ur(4, "a b", {"a": "<1 2 3 4>", "b": "<5 6 7 8>"}).onsets(0, 4)] == [1, 2, 7, 8]


# -- fix, unfix, contrast -----------------------------------------------------------------------------------------


def test_fix_tidal_example():
    # Tidal: d1 $ fix (fast 2) (s "hh") $ s "[bd hh sn hh]", here with notes
    assert lines(fix(fast(2), note("e"), note("[c e g e]"))) == [
        "0 → 1/4 | note=60", "1/8 → 1/4 | note=64", "3/8 → 1/2 | note=64", "1/2 → 3/4 | note=67",
        "5/8 → 3/4 | note=64", "7/8 → 1 | note=64"]
    # Tidal: fix (# crush 4) (n 1) $ s "drum" # n "1 2 3 4", a dict of controls works as well
    assert lines(fix(lambda p: p | velocity(30), {"note": 1}, n("1 2"))) == [
        "0 → 1/2 | note=1 velocity=30", "1/2 → 1 | note=2"]


def test_unfix_tidal_example():
    assert lines(unfix(lambda p: p + 12, note("c"), note("c e"))) == ["0 → 1/2 | note=60", "1/2 → 1 | note=76"]


def test_contrast_tidal_example():
    # Tidal: d1 $ contrast (# crush 4) (# speed 2) (n "1") $ n "0 1" # s "drum"
    p = contrast(lambda p: p | velocity(30), lambda p: p | velocity(100), n("1"), n("0 1"))
    assert lines(p) == ["0 → 1/2 | note=0 velocity=100", "1/2 → 1 | note=1 velocity=30"]
    # a patterned test is sampled at each event
    q = contrast(lambda p: p + 12, lambda p: p, note("<c e>"), note("c e"))
    assert lines(q, 2) == ["0 → 1/2 | note=72", "1/2 → 1 | note=64", "1 → 3/2 | note=60", "3/2 → 2 | note=76"]
    assert lines(contrast(fast(2), lambda p: p, {"note": "c4"}, note("c"))) == ["0 → 1/2 | note=60",
                                                                              "1/2 → 1 | note=60"]
    with pytest.raises(TypeError, match="expected controls to compare with"):
        contrast(fast(2), fast(2), "1", note("c")).events(0, 1)


def test_layers_errors_say_what_was_expected():
    with pytest.raises(TypeError, match="expected a function from pattern to pattern for f"):
        echo_with(3, 0.25, 2, "a")
    with pytest.raises(TypeError, match="non-empty list or dict"):
        squeeze("0", [])
    with pytest.raises(ValueError, match="positive loop length"):
        ur(0, "a", {"a": "x"})
    with pytest.raises(TypeError, match="euclid_legato\\(\\): expected a whole number for k"):
        euclid_legato("x", 8, "a")
