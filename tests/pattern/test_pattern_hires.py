"""nrpn, rpn, cc14 and polytouch as pattern controls: their values, methods, several on one event, errors."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from livemidi.pattern import cc, cc14, hires_key, note, nrpn, polytouch, rpn, saw, sequence


def values(pattern, cycles=1):
    return [ev.value for ev in pattern.onsets(0, cycles)]


def test_controls_are_keyed_by_parameter_and_patternable():
    assert values(nrpn(0x0120, "0 8192")) == [{"nrpn288": 0}, {"nrpn288": 8192}]
    assert values(rpn(0, 12 * 128)) == [{"rpn0": 1536}]
    assert values(cc14(1, "4096 16383")) == [{"cc14_1": 4096}, {"cc14_1": 16383}]
    assert values(polytouch("20 90")) == [{"polytouch": 20}, {"polytouch": 90}]
    assert values(nrpn(7, 100.6)) == [{"nrpn7": 101}]  # values are rounded, like cc's
    assert values(nrpn(7.0, 1)) == values(nrpn(F(7), 1)) == [{"nrpn7": 1}]  # a whole float or Fraction is that number


def test_methods_take_structure_from_the_left_and_stack_several_on_one_event():
    pattern = note("c e").nrpn(0x0120, "0 8192").nrpn(0x0121, 5).rpn(1, 8192).cc14(7, 300).polytouch("40 80")
    assert values(pattern) == [
        {"note": 60, "nrpn288": 0, "nrpn289": 5, "rpn1": 8192, "cc14_7": 300, "polytouch": 40},
        {"note": 64, "nrpn288": 8192, "nrpn289": 5, "rpn1": 8192, "cc14_7": 300, "polytouch": 80},
    ]
    assert values(sequence(30, 60).polytouch()) == [{"polytouch": 30}, {"polytouch": 60}]
    # cc14 does not collide with CC 14: a 7-bit CC 14 and a 14-bit CC 14 are different keys
    assert values(note("c").cc(14, 3).cc14(14, 3)) == [{"note": 60, "cc14": 3, "cc14_14": 3}]


def test_a_patterned_parameter():
    assert values(note("c*2").nrpn("<1 2>", 5), 2) == [{"note": 60, "nrpn1": 5}] * 2 + [{"note": 60, "nrpn2": 5}] * 2


def test_hires_key_reads_keys_back():
    assert hires_key("nrpn288") == ("nrpn", 288)
    assert hires_key("rpn0") == ("rpn", 0)
    assert hires_key("cc14_31") == ("cc14", 31)
    assert hires_key("polytouch") == ("polytouch", None)
    assert hires_key("polytouch60") == ("polytouch", 60)
    for other in ("cc14", "cc74", "note", "nrpn", "rpnx", "cc14_", "polytouchy", "bend"):
        assert hires_key(other) is None, other


@pytest.mark.parametrize("make, error, words", [
    (lambda: nrpn(0x0120, 16384), ValueError, ["nrpn(288) value", "0..16383", "16384"]),
    (lambda: nrpn(16384, 0), ValueError, ["nrpn() parameter", "0..16383", "16384"]),
    (lambda: nrpn(-1, 0), ValueError, ["nrpn() parameter", "-1"]),
    (lambda: nrpn(1.5, 0), TypeError, ["nrpn() parameter", "whole number", "1.5"]),
    (lambda: rpn(16383, 0), ValueError, ["rpn() parameter", "0..16382", "null RPN", "16383"]),
    (lambda: rpn(0, -1), ValueError, ["rpn(0) value", "0..16383", "-1"]),
    (lambda: cc14(32, 0), ValueError, ["cc14() controller", "0..31", "LSB", "32"]),
    (lambda: cc14(74, 0), ValueError, ["cc14() controller", "0..31", "74"]),
    (lambda: cc14(1, 20000), ValueError, ["cc14(1) value", "0..16383", "20000"]),
    (lambda: polytouch(128), ValueError, ["polytouch", "0..127", "128"]),
    (lambda: polytouch("x"), TypeError, ["polytouch", "0..127", "'x'"]),
    (lambda: nrpn(float("nan"), 0), TypeError, ["nrpn() parameter", "whole number", "nan"]),
    (lambda: nrpn(1, float("inf")), ValueError, ["nrpn(1) value", "0..16383", "inf"]),
    (lambda: note("c").nrpn(1), TypeError, ["nrpn()", "a parameter and a value", "1 argument"]),
])
def test_bad_input_names_the_control_the_range_and_the_value(make, error, words):
    with pytest.raises(error) as caught:
        make()
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))


def test_a_patterned_value_is_checked_when_queried():
    with pytest.raises(ValueError, match=r"nrpn\(5\) value expects a number 0\.\.16383, found 99999"):
        note("c e").nrpn(5, "1 99999")  # mini-notation's values are known at once
    pattern = note("c*4").nrpn(5, saw * 40000)  # a signal's only when queried
    with pytest.raises(ValueError, match=r"nrpn\(5\) value expects a number 0\.\.16383, found 20000"):
        pattern.onsets(0, 1)


def test_cc_is_unchanged():
    assert values(cc(74, 64)) == [{"cc74": 64}]
