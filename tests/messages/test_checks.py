"""Checks of attribute values: ranges, types, unknown names, sysex data, time, assignment."""

from __future__ import annotations

from fractions import Fraction

import pytest

from livemidi import Message
from livemidi.messages import SPECS

from documented import ATTRIBUTES, RANGES

# The integer attributes of each type, as documented.
INTEGER_ATTRIBUTES = {type_: tuple(name for name in names if name != "data") for type_, names in ATTRIBUTES.items()}

ALL_TYPES = [spec.type for spec in SPECS]

# (type, attribute) for every integer attribute of every type.
INT_ATTRIBUTES = [(type_, name) for type_, names in INTEGER_ATTRIBUTES.items() for name in names]


def test_table_covers_every_type():
    assert sorted(INTEGER_ATTRIBUTES) == sorted(ALL_TYPES)


@pytest.mark.parametrize("type_,name", INT_ATTRIBUTES)
def test_boundary_values_accepted(type_, name):
    low, high = RANGES[name]
    assert getattr(Message(type_, **{name: low}), name) == low
    assert getattr(Message(type_, **{name: high}), name) == high


@pytest.mark.parametrize("type_,name", INT_ATTRIBUTES)
def test_one_past_the_range_rejected(type_, name):
    low, high = RANGES[name]
    for value in (low - 1, high + 1):
        with pytest.raises(ValueError) as info:
            Message(type_, **{name: value})
        text = str(info.value)
        assert name in text
        assert f"{low}..{high}" in text


@pytest.mark.parametrize("type_,name", INT_ATTRIBUTES)
@pytest.mark.parametrize("value", [1.0, "1", None])
def test_wrong_type_rejected(type_, name, value):
    with pytest.raises(TypeError, match=name):
        Message(type_, **{name: value})


@pytest.mark.parametrize("type_,name", INT_ATTRIBUTES)
def test_bool_accepted_as_integral(type_, name):
    low, high = RANGES[name]
    if low <= 1 <= high:
        assert getattr(Message(type_, **{name: True}), name) == 1


def test_bool_message_encodes():
    assert bytes(Message("note_on", note=True, velocity=False)) == b"\x90\x01\x00"


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_unknown_attribute_rejected(type_):
    with pytest.raises(ValueError, match="foo"):
        Message(type_, foo=1)


def test_attribute_of_another_type_rejected():
    with pytest.raises(ValueError, match="data"):
        Message("note_on", data=[1])
    with pytest.raises(ValueError, match="note"):
        Message("clock", note=60)


@pytest.mark.parametrize("type_", ["foo", "", "NOTE_ON", "note on"])
def test_unknown_type_is_value_and_lookup_error(type_):
    with pytest.raises(ValueError):
        Message(type_)
    with pytest.raises(LookupError):
        Message(type_)


@pytest.mark.parametrize("time", [0, 1, -1, 0.5, 1e9, 10**20])
def test_time_int_and_float(time):
    assert Message("note_on", time=time).time == time


def test_time_other_real_numbers():
    assert Message("clock", time=Fraction(1, 3)).time == Fraction(1, 3)
    assert Message("clock", time=True).time == 1


@pytest.mark.parametrize("time", ["0", None, 1j, [0]])
def test_time_wrong_type(time):
    with pytest.raises(TypeError, match="time"):
        Message("note_on", time=time)


# Sysex data


@pytest.mark.parametrize(
    "data",
    [[1, 2, 3], (1, 2, 3), b"\x01\x02\x03", bytearray(b"\x01\x02\x03"), range(1, 4), (x for x in (1, 2, 3))],
)
def test_sysex_data_from_any_iterable(data):
    msg = Message("sysex", data=data)
    assert msg.data == (1, 2, 3)
    assert isinstance(msg.data, tuple)


@pytest.mark.parametrize("data", [[128], [-1], b"\x80", [0, 200]])
def test_sysex_data_out_of_range(data):
    with pytest.raises(ValueError):
        Message("sysex", data=data)


@pytest.mark.parametrize("data", [["a"], [1.0], 5, "abc", None])
def test_sysex_data_wrong_type(data):
    with pytest.raises(TypeError):
        Message("sysex", data=data)


@pytest.mark.parametrize("value", [[1, 2], b"\x01\x02", (x for x in (1, 2)), (1, 2)])
def test_sysex_data_assignment_converted(value):
    msg = Message("sysex", data=[9])
    msg.data = value
    assert msg.data == (1, 2)
    assert isinstance(msg.data, tuple)


def test_sysex_data_assignment_checked():
    msg = Message("sysex")
    with pytest.raises(ValueError):
        msg.data = [128]
    with pytest.raises(TypeError):
        msg.data = 5


def test_sysex_data_iadd():
    msg = Message("sysex", data=[1])
    msg.data += [2, 3]
    assert msg.data == (1, 2, 3)
    msg.data += (x for x in [4])
    assert msg.data == (1, 2, 3, 4)
    assert isinstance(msg.data, tuple)


def test_sysex_data_iadd_on_default_message():
    msg = Message("sysex")
    msg.data += [1, 2]
    assert msg.data == (1, 2)


def test_sysex_data_iadd_checked():
    msg = Message("sysex", data=[1])
    with pytest.raises(ValueError):
        msg.data += [128]
    assert msg.data == (1,)


def test_sysex_data_default_is_the_same_kind_as_given_data():
    assert type(Message("sysex").data) is type(Message("sysex", data=[]).data)


# Attribute assignment


def test_assignment_checked():
    msg = Message("note_on")
    msg.note = 100
    assert msg.note == 100
    with pytest.raises(ValueError, match="note"):
        msg.note = 200
    with pytest.raises(TypeError, match="note"):
        msg.note = 1.5
    assert msg.note == 100


def test_time_assignment():
    msg = Message("note_on")
    msg.time = 2.5
    assert msg.time == 2.5
    with pytest.raises(TypeError):
        msg.time = "1"


def test_type_is_read_only():
    msg = Message("note_on")
    with pytest.raises(AttributeError):
        msg.type = "note_off"
    assert msg.type == "note_on"


def test_unknown_attribute_assignment():
    msg = Message("note_on")
    with pytest.raises(AttributeError):
        msg.foo = 1
    with pytest.raises(AttributeError):
        msg.data = [1]


def test_attributes_cannot_be_deleted():
    msg = Message("note_on")
    with pytest.raises(AttributeError):
        del msg.note
    assert msg.note == 0
