"""NRPN, RPN and 14-bit controller sequences: the bytes MIDI 1.0 prescribes, and `fold` reading them back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from livemidi.messages.controllers import cc14_messages, fold, parameter_messages


def hexes(messages):
    return [m.hex() for m in messages]


def test_nrpn_sends_parameter_then_data_entry_then_the_null_rpn():
    assert hexes(parameter_messages("nrpn", 0, 0x0120, 8192)) == [
        "B0 63 02", "B0 62 20",  # CC 99/98: parameter MSB 2, LSB 32
        "B0 06 40", "B0 26 00",  # CC 6/38: data entry MSB 64, LSB 0
        "B0 65 7F", "B0 64 7F",  # CC 101/100 = 127/127: the null RPN
    ]


def test_rpn_on_channel_16():
    # RPN 0 (pitch-bend sensitivity), 12 semitones and 50 cents
    assert hexes(parameter_messages("rpn", 15, 0, 12 * 128 + 50)) == [
        "BF 65 00", "BF 64 00", "BF 06 0C", "BF 26 32", "BF 65 7F", "BF 64 7F"]


def test_cc14_sends_msb_then_lsb():
    assert hexes(cc14_messages(2, 1, 16383)) == ["B2 01 7F", "B2 21 7F"]
    assert hexes(cc14_messages(0, 7, 200)) == ["B0 07 01", "B0 27 48"]


def as_changes(tick, messages):
    return [(tick, m.channel, m.control, m.value) for m in messages]


def built(tick, channel, kind, number, value):
    if kind == "cc":
        return [(tick, channel, number, value)]
    if kind == "cc14":
        return as_changes(tick, cc14_messages(channel, number, value))
    return as_changes(tick, parameter_messages(kind, channel, number, value))


values14 = st.integers(0, 16383)
channels = st.integers(0, 15)
items = st.one_of(
    st.tuples(st.sampled_from(["nrpn"]), values14, values14),
    st.tuples(st.sampled_from(["rpn"]), st.integers(0, 16382), values14),
    st.tuples(st.sampled_from(["cc14"]), st.integers(0, 31), values14),
)


@given(st.lists(st.tuples(st.integers(0, 3), channels, items), max_size=12))
def test_fold_reads_back_every_whole_sequence(stream):
    changes, expected = [], []
    tick = 0
    for step, channel, (kind, number, value) in stream:
        tick += step
        changes += built(tick, channel, kind, number, value)
        expected.append((tick, channel, kind, number, value))
    assert fold(changes) == expected


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.sampled_from(
    [0, 1, 6, 7, 31, 33, 38, 39, 63, 64, 98, 99, 100, 101, 127]), st.sampled_from([0, 1, 64, 127])), max_size=40))
def test_what_fold_reads_sends_the_same_bytes_whatever_the_stream(raw):
    # Any stream of control changes (broken sequences, stray data entries, lone LSBs): folding
    # never loses, adds or reorders a byte.
    changes, tick = [], 0
    for step, channel, control, value in raw:
        tick += step
        changes.append((tick, channel, control, value))
    again = [change for item in fold(changes) for change in built(*item)]
    assert again == changes


def test_fold_keeps_what_is_not_a_whole_sequence():
    no_null = as_changes(0, parameter_messages("nrpn", 0, 5, 9)[:4])
    # without its null RPN it is no NRPN: the selection stays two CCs, the data entry (CC 6 and 38)
    # is a 14-bit controller like any other
    assert [kind for _, _, kind, _, _ in fold(no_null)] == ["cc", "cc", "cc14"]
    split = as_changes(0, cc14_messages(0, 1, 9)[:1]) + as_changes(1, cc14_messages(0, 1, 9)[1:])  # another tick
    assert [kind for _, _, kind, _, _ in fold(split)] == ["cc", "cc"]
    other_channel = [(0, 0, 1, 0), (0, 1, 33, 0)]
    assert [kind for _, _, kind, _, _ in fold(other_channel)] == ["cc", "cc"]
    null_rpn_set = as_changes(0, parameter_messages("rpn", 0, 16383, 0))  # "setting" the null RPN is no parameter
    assert [kind for _, _, kind, _, _ in fold(null_rpn_set)] == ["cc", "cc", "cc14", "cc", "cc"]
