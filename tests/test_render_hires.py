"""render: nrpn/rpn/cc14/polytouch controls become the exact MIDI 1.0 byte sequences, in order."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livemidi.messages.controllers import fold
from livemidi.pattern import cc14, note, nrpn, pure, rpn, stack
from livemidi.render import render


def sent(pattern, end=1):
    return [(item.cycle, item.message.hex()) for item in render(pattern, 0, end)]


def test_nrpn_bytes_at_the_onset_before_the_note():
    assert sent(note("c").nrpn(0x0120, 8192).ch(2)) == [
        (0, "B2 63 02"), (0, "B2 62 20"), (0, "B2 06 40"), (0, "B2 26 00"), (0, "B2 65 7F"), (0, "B2 64 7F"),
        (0, "92 3C 64"), (1, "82 3C 00"),
    ]


def test_rpn_and_cc14_without_a_note():
    assert sent(rpn(0, 2 * 128 + 0)) == [
        (0, "B0 65 00"), (0, "B0 64 00"), (0, "B0 06 02"), (0, "B0 26 00"), (0, "B0 65 7F"), (0, "B0 64 7F")]
    assert sent(cc14(1, "0 16383")) == [(0, "B0 01 00"), (0, "B0 21 00"), (F(1, 2), "B0 01 7F"), (F(1, 2), "B0 21 7F")]


def test_several_on_one_event_in_the_order_they_were_written():
    assert [m for _, m in sent(note("c").cc14(7, 1000).nrpn(5, 1))] == [
        "B0 07 07", "B0 27 68",
        "B0 63 00", "B0 62 05", "B0 06 00", "B0 26 01", "B0 65 7F", "B0 64 7F",
        "90 3C 64", "80 3C 00",
    ]


def test_polytouch_comes_after_every_note_on_of_its_instant():
    assert sent(note("[c,e]").polytouch(33).ch(1)) == [
        (0, "91 3C 64"), (0, "91 40 64"), (0, "A1 3C 21"), (0, "A1 40 21"), (1, "81 3C 00"), (1, "81 40 00")]
    assert sent(note("c").velocity(0).polytouch(33)) == []  # no note, no pressure


def test_key_pressure_on_a_held_key_as_load_reads_it():
    assert sent(pure({"polytouch60": 90, "channel": 3})) == [(0, "A3 3C 5A")]


@pytest.mark.parametrize("value, error, words", [
    ({"nrpn5": 16384}, ValueError, ["nrpn5 value", "0..16383", "16384"]),
    ({"nrpn16384": 0}, ValueError, ["nrpn parameter", "0..16383", "16384"]),
    ({"rpn16383": 0}, ValueError, ["rpn parameter", "0..16382", "16383"]),
    ({"cc14_32": 0}, ValueError, ["cc14 controller", "0..31", "32"]),
    ({"cc14_1": "x"}, TypeError, ["cc14_1 value", "'x'"]),
    ({"polytouch": 40}, ValueError, ["polytouch", "expected a note", "40"]),
    ({"note": 60, "polytouch": 200}, ValueError, ["polytouch", "0..127", "200"]),
    ({"polytouch128": 1}, ValueError, ["polytouch128 key", "0..127", "128"]),
    ({"nrpnx": 1}, ValueError, ["unknown control 'nrpnx'", "nrpn<param>"]),
])
def test_bad_values_in_control_dicts_name_the_control(value, error, words):
    with pytest.raises(error) as caught:
        render(pure(value), 0, 1)
    for word in words:
        assert word in str(caught.value), (word, str(caught.value))


kinds = st.sampled_from([("nrpn", nrpn, 16383), ("rpn", rpn, 16382), ("cc14", cc14, 31)])


@given(st.lists(st.lists(st.tuples(kinds, st.integers(0, 16383), st.integers(0, 16383)), min_size=1, max_size=3),
                min_size=2, max_size=5))
def test_events_at_one_instant_keep_their_sequences_whole(events):
    # Several events start together on one channel: each one's sequences come out whole, one
    # event after another, in the order the pattern gives its events.
    layers, expected = [], []
    for index, controls in enumerate(events):
        layer = note(40 + index)
        written = {}
        for (kind, make, top), number, value in controls:
            layer = layer | make(number % (top + 1), value)
            written[kind, number % (top + 1)] = value
        layers.append(layer)
        expected += [(kind, number, value) for (kind, number), value in written.items()]
    ccs = [item.message for item in render(stack(*layers), 0, 1) if item.message.type == "control_change"]
    folded = fold([(0, m.channel, m.control, m.value) for m in ccs])
    assert [(kind, number, value) for _, _, kind, number, value in folded] == expected
