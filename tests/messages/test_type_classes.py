"""Each message type is its own subclass of Message (or of FrozenMessage, or of a user's subclass).

Whichever way a message is made (constructor, from_bytes, from_str, the
parser, a file, copy, freeze/thaw, pickle), it is an instance of the same
class for its type, and behaves as a Message.
"""

from __future__ import annotations

import copy
import io
import pickle

import pytest

from livemidi import Message, MidiFile, MidiTrack, parse_all
from livemidi.frozen import FrozenMessage, freeze_message, is_frozen, thaw_message
from livemidi.messages import SPECS

ALL_TYPES = [spec.type for spec in SPECS]
EXAMPLES = {
    "note_off": dict(channel=1, note=60, velocity=3),
    "note_on": dict(channel=2, note=61, velocity=100),
    "polytouch": dict(channel=3, note=62, value=4),
    "control_change": dict(channel=4, control=7, value=99),
    "program_change": dict(channel=5, program=42),
    "aftertouch": dict(channel=6, value=17),
    "pitchwheel": dict(channel=7, pitch=-1234),
    "sysex": dict(data=(1, 2, 3)),
    "quarter_frame": dict(frame_type=3, frame_value=9),
    "songpos": dict(pos=1000),
    "song_select": dict(song=12),
}


class Subclass(Message):
    """A user's subclass with an instance dict (no __slots__)."""

    def describe(self) -> str:
        return f"my {self.type}"


class SlottedSubclass(Message):
    __slots__ = ()


def example(type_: str, cls=Message, time=0):
    return cls(type_, time=time, **EXAMPLES.get(type_, {}))


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_every_way_of_making_a_message_gives_the_class_of_its_type(type_):
    msg = example(type_)
    cls = type(msg)
    assert cls is not Message and issubclass(cls, Message)
    assert cls.__name__ == "Message"
    assert msg.type == type_
    track = MidiTrack([msg] if type_ not in ("clock", "start", "continue", "stop", "active_sensing", "reset")
                      else [])
    loaded = MidiFile(file=io.BytesIO(_file_bytes(track))).tracks[0][:-1]
    made = [
        Message.from_bytes(msg.bytes()),
        Message.from_hex(msg.hex()),
        Message.from_str(str(msg)),
        Message.from_dict(msg.dict()),
        *parse_all(bytes(msg.bytes())),
        *loaded,
        msg.copy(),
        msg.copy(time=3),
        thaw_message(freeze_message(msg)),
        copy.copy(msg),
        copy.deepcopy(msg),
        pickle.loads(pickle.dumps(msg)),
    ]
    for other in made:
        assert type(other) is cls
        assert other.dict() == {**msg.dict(), "time": other.time}


def _file_bytes(track) -> bytes:
    out = io.BytesIO()
    MidiFile(tracks=[track]).save(file=out)
    return out.getvalue()


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_values_are_in_slots_and_checked_on_assignment(type_):
    msg = example(type_)
    assert not hasattr(msg, "__dict__")
    with pytest.raises(TypeError):
        vars(msg)
    with pytest.raises(AttributeError, match="read only"):
        msg.type = "note_on"
    with pytest.raises(AttributeError, match="has no attribute 'foo'"):
        msg.foo = 1
    with pytest.raises(AttributeError):
        del msg.time
    msg.time = 2.5
    assert msg.time == 2.5
    with pytest.raises(TypeError):
        msg.time = "soon"
    for name in EXAMPLES.get(type_, {}):
        if name == "data":
            msg.data = [5, 6]
            assert msg.data == (5, 6)
            with pytest.raises(ValueError):
                msg.data = [128]
            continue
        with pytest.raises(ValueError):
            setattr(msg, name, 100000)
        with pytest.raises(TypeError):
            setattr(msg, name, 1.5)
        setattr(msg, name, 1)
        assert getattr(msg, name) == 1
    assert msg == Message.from_bytes(msg.bytes(), time=2.5)


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_frozen_messages_have_a_class_per_type_too(type_):
    msg = example(type_, FrozenMessage, time=1)
    assert isinstance(msg, FrozenMessage) and isinstance(msg, Message) and is_frozen(msg)
    assert type(msg) is type(freeze_message(example(type_, time=1)))
    assert type(msg) is type(FrozenMessage.from_bytes(msg.bytes()))
    assert msg == example(type_, time=1)
    assert hash(msg) == hash(freeze_message(example(type_, time=1)))
    assert {msg: 1}[freeze_message(example(type_, time=1))] == 1
    with pytest.raises(AttributeError):
        msg.time = 2
    assert repr(msg).startswith("FrozenMessage(")
    assert type(msg.copy()) is type(msg)
    assert type(pickle.loads(pickle.dumps(msg))) is type(msg)


@pytest.mark.parametrize("cls", [Subclass, SlottedSubclass])
@pytest.mark.parametrize("type_", ["note_on", "sysex", "pitchwheel", "clock"])
def test_a_users_subclass_gets_its_own_classes(cls, type_):
    msg = example(type_, cls, time=4)
    assert isinstance(msg, cls)
    assert repr(msg).startswith(f"{cls.__name__}(")
    assert msg == example(type_, time=4)
    for other in (msg.copy(), msg.copy(time=5), cls.from_bytes(msg.bytes(), time=4), cls.from_str(str(msg)),
                  pickle.loads(pickle.dumps(msg)), copy.copy(msg)):
        assert type(other) is type(msg)
        assert other.dict() == {**msg.dict(), "time": other.time}
    msg.time = 1
    assert msg.time == 1
    with pytest.raises(ValueError if "channel" in EXAMPLES.get(type_, {}) else AttributeError):
        msg.channel = 16
    frozen = freeze_message(msg)
    assert is_frozen(frozen) and frozen == msg
    thawed = thaw_message(frozen)
    assert not is_frozen(thawed) and thawed == msg


def test_a_subclass_with_a_dict_keeps_its_own_attributes():
    msg = Subclass("note_on", note=60)
    assert msg.describe() == "my note_on"
    with pytest.raises(AttributeError):
        msg.extra = 1  # messages only take their own attributes
    with pytest.raises(ValueError):
        msg.note = 128


def test_classes_are_shared_by_type_and_differ_between_types():
    assert type(Message("note_on")) is type(Message("note_on", note=1))
    assert type(Message("note_on")) is not type(Message("note_off"))
    assert type(Message("note_on")) is not type(FrozenMessage("note_on"))


def test_the_class_of_a_type_makes_messages_of_the_same_family():
    cls = type(Message("note_on"))
    assert type(cls("note_on", note=3)) is cls
    assert cls("control_change").type == "control_change"
    assert not is_frozen(cls("control_change"))
