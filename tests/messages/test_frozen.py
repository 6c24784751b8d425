"""Frozen messages: immutable, hashable, equal to their mutable twins."""

from __future__ import annotations

import copy
import pickle

import pytest

from livemidi import Message
from livemidi.frozen import FrozenMessage, freeze_message, is_frozen, thaw_message
from livemidi.messages import SPECS

ALL_TYPES = [spec.type for spec in SPECS]


def test_frozen_message_is_a_message():
    msg = FrozenMessage("note_on", note=60)
    assert isinstance(msg, Message)
    assert msg.note == 60
    assert msg.bytes() == [0x90, 60, 64]
    assert str(msg) == "note_on channel=0 note=60 velocity=64 time=0"


def test_frozen_constructor_checks():
    with pytest.raises(ValueError):
        FrozenMessage("note_on", note=128)
    with pytest.raises(TypeError):
        FrozenMessage("note_on", note=None)
    with pytest.raises(LookupError):
        FrozenMessage("foo")


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_freeze_equals_mutable(type_):
    msg = Message(type_, time=2)
    frozen = freeze_message(msg)
    assert is_frozen(frozen)
    assert isinstance(frozen, FrozenMessage)
    assert frozen == msg
    assert msg == frozen
    assert frozen == FrozenMessage(type_, time=2)


def test_freeze_none_and_frozen():
    assert freeze_message(None) is None
    frozen = FrozenMessage("clock")
    assert freeze_message(frozen) is frozen


@pytest.mark.parametrize("value", [1, "note_on", [0x90, 60, 64], {"type": "note_on"}])
def test_freeze_non_message(value):
    with pytest.raises(TypeError):
        freeze_message(value)


def test_freeze_non_message_is_also_value_error():
    # mido raises ValueError here; code written for mido catches that.
    with pytest.raises(ValueError):
        freeze_message(1)


def test_freeze_copies():
    msg = Message("note_on", note=60)
    frozen = freeze_message(msg)
    msg.note = 61
    assert frozen.note == 60


def test_thaw():
    frozen = FrozenMessage("sysex", data=[1, 2], time=3)
    msg = thaw_message(frozen)
    assert not is_frozen(msg)
    assert isinstance(msg, Message)
    assert msg == frozen
    msg.data += [3]
    assert frozen.data == (1, 2)
    assert msg.data == (1, 2, 3)


def test_thaw_none_and_mutable():
    assert thaw_message(None) is None
    msg = Message("note_on")
    thawed = thaw_message(msg)
    assert thawed == msg
    assert not is_frozen(thawed)


def test_is_frozen():
    assert is_frozen(FrozenMessage("note_on"))
    assert not is_frozen(Message("note_on"))
    assert not is_frozen(None)


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_hash_equal_for_equal_messages(type_):
    a = FrozenMessage(type_, time=1)
    b = freeze_message(Message(type_, time=1))
    c = freeze_message(Message.from_bytes(Message(type_).bytes(), time=1))
    assert a == b == c
    assert hash(a) == hash(b) == hash(c)


def test_hash_equal_for_int_and_float_time():
    assert hash(FrozenMessage("clock", time=1)) == hash(FrozenMessage("clock", time=1.0))


def test_hash_after_assignment_in_a_different_order():
    a = Message("note_on")
    a.velocity = 10
    a.note = 60
    b = Message("note_on", velocity=10, note=60)
    assert hash(freeze_message(a)) == hash(freeze_message(b))


def test_dict_keys_and_sets():
    counts = {FrozenMessage("note_on", note=60): 1}
    counts[freeze_message(Message("note_on", note=60))] += 1
    assert counts == {FrozenMessage("note_on", note=60): 2}
    notes = {FrozenMessage("note_on", note=n % 4) for n in range(20)}
    assert len(notes) == 4
    assert FrozenMessage("note_on", note=3) in notes
    assert FrozenMessage("sysex", data=[1, 2]) in {FrozenMessage("sysex", data=(1, 2))}


def test_set_attribute_raises_attribute_and_value_error():
    msg = FrozenMessage("note_on")
    with pytest.raises(AttributeError):
        msg.note = 1
    with pytest.raises(ValueError):
        msg.note = 1
    with pytest.raises(AttributeError):
        msg.time = 1
    with pytest.raises(ValueError):
        msg.foo = 1
    assert msg == Message("note_on")


def test_frozen_sysex_data_iadd_raises():
    msg = FrozenMessage("sysex", data=[1])
    with pytest.raises(AttributeError):
        msg.data += [2]
    assert msg.data == (1,)


def test_delete_attribute_raises():
    msg = FrozenMessage("note_on")
    with pytest.raises(AttributeError):
        del msg.note
    assert msg.note == 0


def test_copy_of_frozen_is_frozen():
    msg = FrozenMessage("note_on", note=60)
    duplicate = msg.copy(note=61)
    assert is_frozen(duplicate)
    assert duplicate == FrozenMessage("note_on", note=61)
    assert msg.copy() == msg
    assert is_frozen(msg.copy())


def test_frozen_copy_module_and_pickle():
    msg = FrozenMessage("sysex", data=[1, 2], time=1)
    for other in (copy.copy(msg), copy.deepcopy(msg), pickle.loads(pickle.dumps(msg))):
        assert other == msg
        assert is_frozen(other)
        assert hash(other) == hash(msg)


def test_frozen_repr_eval():
    msg = FrozenMessage("sysex", data=[1, 2], time=0.5)
    assert repr(msg).startswith("FrozenMessage(")
    assert eval(repr(msg), {"FrozenMessage": FrozenMessage}) == msg


def test_frozen_from_bytes_and_from_str():
    msg = FrozenMessage.from_bytes([0x90, 60, 64])
    assert is_frozen(msg)
    assert msg == Message("note_on", note=60)
    msg = FrozenMessage.from_str("note_on note=60")
    assert is_frozen(msg)
    assert msg == Message("note_on", note=60)


def test_frozen_dict():
    msg = FrozenMessage("sysex", data=[1, 2])
    assert msg.dict() == {"type": "sysex", "data": [1, 2], "time": 0}
    assert FrozenMessage.from_dict(msg.dict()) == msg
