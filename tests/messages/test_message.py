"""Message: construction, attributes, copy, comparison, encoding and decoding."""

from __future__ import annotations

import copy
import pickle

import pytest

from livemidi import MAX_PITCHWHEEL, MAX_SONGPOS, MIN_PITCHWHEEL, MIN_SONGPOS, Message
from livemidi.messages import SPECS

# The documented defaults of every message type (mido's "Message Types" table).
DEFAULTS = {
    "note_off": dict(channel=0, note=0, velocity=64),
    "note_on": dict(channel=0, note=0, velocity=64),
    "polytouch": dict(channel=0, note=0, value=0),
    "control_change": dict(channel=0, control=0, value=0),
    "program_change": dict(channel=0, program=0),
    "aftertouch": dict(channel=0, value=0),
    "pitchwheel": dict(channel=0, pitch=0),
    "sysex": dict(data=()),
    "quarter_frame": dict(frame_type=0, frame_value=0),
    "songpos": dict(pos=0),
    "song_select": dict(song=0),
    "tune_request": dict(),
    "clock": dict(),
    "start": dict(),
    "continue": dict(),
    "stop": dict(),
    "active_sensing": dict(),
    "reset": dict(),
}

REALTIME = {"clock", "start", "continue", "stop", "active_sensing", "reset"}

STATUS = {
    "note_off": 0x80,
    "note_on": 0x90,
    "polytouch": 0xA0,
    "control_change": 0xB0,
    "program_change": 0xC0,
    "aftertouch": 0xD0,
    "pitchwheel": 0xE0,
    "sysex": 0xF0,
    "quarter_frame": 0xF1,
    "songpos": 0xF2,
    "song_select": 0xF3,
    "tune_request": 0xF6,
    "clock": 0xF8,
    "start": 0xFA,
    "continue": 0xFB,
    "stop": 0xFC,
    "active_sensing": 0xFE,
    "reset": 0xFF,
}

ALL_TYPES = [spec.type for spec in SPECS]


def test_specs_cover_exactly_the_documented_types():
    assert sorted(ALL_TYPES) == sorted(DEFAULTS)


def test_pitchwheel_and_songpos_limits():
    assert (MIN_PITCHWHEEL, MAX_PITCHWHEEL) == (-8192, 8191)
    assert (MIN_SONGPOS, MAX_SONGPOS) == (0, 16383)


# Construction and defaults


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_defaults(type_):
    msg = Message(type_)
    assert msg.type == type_
    assert msg.time == 0
    for name, value in DEFAULTS[type_].items():
        assert getattr(msg, name) == value
    assert msg.dict() == {"type": type_, **DEFAULTS[type_], "time": 0, **({"data": []} if type_ == "sysex" else {})}


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_default_bytes_start_with_the_status_byte(type_):
    assert Message(type_).bytes()[0] == STATUS[type_]


def test_note_on_with_values():
    msg = Message("note_on", channel=3, note=60, velocity=100, time=1.5)
    assert (msg.channel, msg.note, msg.velocity, msg.time) == (3, 60, 100, 1.5)


# copy


def test_copy_is_equal_and_independent():
    msg = Message("note_on", note=60)
    duplicate = msg.copy()
    assert duplicate == msg
    assert duplicate is not msg
    duplicate.note = 61
    assert msg.note == 60


def test_copy_with_overrides():
    msg = Message("note_on", note=60, time=1)
    assert msg.copy(note=62, time=2) == Message("note_on", note=62, time=2)
    assert msg.copy(type="note_on") == msg


def test_copy_checks_overrides():
    msg = Message("note_on")
    with pytest.raises(ValueError):
        msg.copy(note=128)
    with pytest.raises(TypeError):
        msg.copy(velocity=None)
    with pytest.raises(ValueError):
        msg.copy(foo=1)


def test_copy_cannot_change_type():
    with pytest.raises(ValueError):
        Message("note_on").copy(type="note_off")


def test_copy_converts_data():
    msg = Message("sysex", data=[1]).copy(data=b"\x02\x03")
    assert msg.data == (2, 3)
    assert isinstance(msg.data, tuple)


@pytest.mark.parametrize("msg", [Message("note_on", note=60, time=1.5), Message("sysex", data=[1, 2]), Message("reset")])
def test_copy_module_and_pickle(msg):
    for other in (copy.copy(msg), copy.deepcopy(msg), pickle.loads(pickle.dumps(msg))):
        assert other == msg
        assert type(other) is type(msg)
        assert other.bytes() == msg.bytes()


def test_copy_of_sysex_data_independent():
    msg = Message("sysex", data=[1])
    duplicate = msg.copy()
    duplicate.data += [2]
    assert msg.data == (1,)


# Equality, hashing, predicates


def test_equality_includes_time():
    assert Message("note_on", time=0) == Message("note_on", time=0)
    assert Message("note_on", time=0) != Message("note_on", time=1)
    assert Message("note_on", time=1) == Message("note_on", time=1.0)


def test_equality_of_different_types_and_values():
    assert Message("note_on") != Message("note_off")
    assert Message("note_on", note=1) != Message("note_on", note=2)
    assert Message("sysex", data=[1]) == Message("sysex", data=(1,))


@pytest.mark.parametrize("other", [None, 1, "note_on", [0x90, 0, 64], {"type": "note_on"}])
def test_comparing_with_non_message_raises(other):
    with pytest.raises(TypeError):
        Message("note_on") == other  # noqa: B015


def test_mutable_message_unhashable():
    with pytest.raises(TypeError):
        hash(Message("note_on"))


def test_is_cc():
    msg = Message("control_change", control=7)
    assert msg.is_cc()
    assert msg.is_cc(7)
    assert not msg.is_cc(8)
    assert not Message("note_on").is_cc()
    assert not Message("note_on").is_cc(0)


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_is_meta_false(type_):
    assert Message(type_).is_meta is False


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_is_realtime(type_):
    # MIDI 1.0: system real time is 0xF8..0xFF; tune_request (0xF6) is system common.
    assert Message(type_).is_realtime is (type_ in REALTIME)


# Length and encoding


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_len_is_length_of_bytes(type_):
    msg = Message(type_)
    assert len(msg) == len(msg.bytes())


def test_len():
    assert len(Message("note_on")) == 3
    assert len(Message("program_change")) == 2
    assert len(Message("clock")) == 1
    assert len(Message("sysex")) == 2
    assert len(Message("sysex", data=[1, 2, 3])) == 5


def test_bytes_bin_hex():
    msg = Message("note_on", channel=1, note=60, velocity=64)
    assert msg.bytes() == [0x91, 0x3C, 0x40]
    assert all(type(byte) is int for byte in msg.bytes())
    assert msg.bin() == bytearray(b"\x91\x3c\x40")
    assert isinstance(msg.bin(), bytearray)
    assert msg.hex() == "91 3C 40"
    assert msg.hex(sep="") == "913C40"
    assert msg.hex("-") == "91-3C-40"
    assert bytes(msg) == b"\x91\x3c\x40"
    assert type(bytes(msg)) is bytes


@pytest.mark.parametrize(
    "msg,expected",
    [
        (Message("note_off", channel=15, note=127, velocity=0), [0x8F, 127, 0]),
        (Message("polytouch", channel=2, note=3, value=4), [0xA2, 3, 4]),
        (Message("control_change", channel=0, control=7, value=100), [0xB0, 7, 100]),
        (Message("program_change", channel=9, program=42), [0xC9, 42]),
        (Message("aftertouch", channel=1, value=5), [0xD1, 5]),
        (Message("sysex", data=[1, 2, 3]), [0xF0, 1, 2, 3, 0xF7]),
        (Message("sysex"), [0xF0, 0xF7]),
        (Message("quarter_frame", frame_type=3, frame_value=5), [0xF1, 0x35]),
        (Message("quarter_frame", frame_type=7, frame_value=15), [0xF1, 0x7F]),
        (Message("song_select", song=5), [0xF3, 5]),
        (Message("tune_request"), [0xF6]),
        (Message("reset"), [0xFF]),
    ],
)
def test_encoding(msg, expected):
    assert msg.bytes() == expected
    assert Message.from_bytes(expected) == msg


@pytest.mark.parametrize(
    "pitch,lsb,msb",
    [(-8192, 0, 0), (-8191, 1, 0), (-1, 0x7F, 0x3F), (0, 0, 0x40), (1, 1, 0x40), (8191, 0x7F, 0x7F)],
)
def test_pitchwheel_encoding(pitch, lsb, msb):
    msg = Message("pitchwheel", channel=2, pitch=pitch)
    assert msg.bytes() == [0xE2, lsb, msb]
    assert Message.from_bytes([0xE2, lsb, msb]) == msg


@pytest.mark.parametrize("pos,lsb,msb", [(0, 0, 0), (1, 1, 0), (127, 0x7F, 0), (128, 0, 1), (16383, 0x7F, 0x7F)])
def test_songpos_encoding(pos, lsb, msb):
    msg = Message("songpos", pos=pos)
    assert msg.bytes() == [0xF2, lsb, msb]
    assert Message.from_bytes([0xF2, lsb, msb]) == msg


def test_quarter_frame_all_values():
    for frame_type in range(8):
        for frame_value in range(16):
            msg = Message("quarter_frame", frame_type=frame_type, frame_value=frame_value)
            assert msg.bytes() == [0xF1, frame_type << 4 | frame_value]
            assert Message.from_bytes(msg.bytes()) == msg


def test_quarter_frame_data_byte_decodes():
    # frame_type is three bits: a data byte 0x00..0x7F covers every (type, value).
    assert Message.from_bytes([0xF1, 0x7F]) == Message("quarter_frame", frame_type=7, frame_value=15)


@pytest.mark.parametrize("channel", range(16))
def test_channel_in_status_byte(channel):
    for type_ in ("note_off", "note_on", "polytouch", "control_change", "program_change", "aftertouch", "pitchwheel"):
        msg = Message(type_, channel=channel)
        assert msg.bytes()[0] == STATUS[type_] | channel
        assert Message.from_bytes(msg.bytes()).channel == channel


# from_bytes


@pytest.mark.parametrize(
    "data",
    [
        [0x90, 60, 64],
        b"\x90\x3c\x40",
        bytearray(b"\x90\x3c\x40"),
        (0x90, 60, 64),
        (byte for byte in [0x90, 60, 64]),
        iter([0x90, 60, 64]),
    ],
)
def test_from_bytes_accepts_iterables(data):
    assert Message.from_bytes(data) == Message("note_on", note=60, velocity=64)


def test_from_bytes_time():
    assert Message.from_bytes([0x90, 60, 64], time=2).time == 2
    assert Message.from_bytes([0x90, 60, 64], time=0.25).time == 0.25
    assert Message.from_bytes([0xF8], time=3) == Message("clock", time=3)


def test_from_bytes_time_checked():
    with pytest.raises(TypeError):
        Message.from_bytes([0x90, 60, 64], time="1")


def test_from_bytes_sysex():
    assert Message.from_bytes([0xF0, 1, 2, 0xF7]) == Message("sysex", data=[1, 2])
    assert Message.from_bytes(b"\xf0\xf7") == Message("sysex")


@pytest.mark.parametrize(
    "data",
    [
        [],
        b"",
        [0x3C],
        [0x3C, 0x40, 0x90],
        [0x90, 60],
        [0x90, 60, 64, 1],
        [0xC0],
        [0xC0, 1, 2],
        [0xF8, 0],
        [0xF6, 0],
        [0xF2, 1],
        [0xF0],
        [0xF0, 1, 2],
        [0xF0, 1, 0xF7, 2],
        [0xF0, 1, 0x90, 0xF7],
        [0xF7],
        [0x90, 128, 64],
        [0x90, 60, 255],
        [0xE0, 0, 0x80],
        [0xF4],
        [0xF5],
        [0xF9],
        [0xFD],
    ],
)
def test_from_bytes_errors(data):
    with pytest.raises(ValueError):
        Message.from_bytes(data)


@pytest.mark.parametrize("data", [[256, 0, 0], [0x90, 60, -1]])
def test_from_bytes_values_out_of_byte_range(data):
    with pytest.raises(ValueError):
        Message.from_bytes(data)


@pytest.mark.parametrize("data", [[0x90, 60.0, 64], ["a"], 0x90, None])
def test_from_bytes_wrong_types(data):
    with pytest.raises(TypeError):
        Message.from_bytes(data)


# from_hex, from_str, dict


def test_from_hex():
    expected = Message("note_on", channel=0, note=60, velocity=64)
    assert Message.from_hex("90 3C 40") == expected
    assert Message.from_hex("90 3c 40") == expected
    assert Message.from_hex("903C40") == expected
    assert Message.from_hex("  90\t3C\n40 \r\n") == expected
    assert Message.from_hex("90,3C,40", sep=",") == expected
    assert Message.from_hex("90::3C::40", sep="::") == expected
    assert Message.from_hex("90 3C 40", time=5) == expected.copy(time=5)
    assert Message.from_hex("F0 01 02 F7") == Message("sysex", data=[1, 2])


@pytest.mark.parametrize("text", ["", "90 3C", "zz", "90 3C 4", "3C 40 90"])
def test_from_hex_errors(text):
    with pytest.raises(ValueError):
        Message.from_hex(text)


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_hex_round_trip(type_):
    msg = Message(type_)
    assert Message.from_hex(msg.hex()) == msg
    assert Message.from_hex(msg.hex(sep="")) == msg
    assert Message.from_hex(msg.hex(sep=","), sep=",") == msg


def test_from_str():
    assert Message.from_str("note_on channel=1 note=60 velocity=10 time=0.5") == Message(
        "note_on", channel=1, note=60, velocity=10, time=0.5
    )
    assert Message.from_str("note_on") == Message("note_on")
    assert Message.from_str("sysex data=(1,2,3) time=0") == Message("sysex", data=[1, 2, 3])


def test_from_str_checks_values():
    with pytest.raises(ValueError):
        Message.from_str("note_on note=128")
    with pytest.raises(ValueError):
        Message.from_str("note_on foo=1")


def test_dict():
    assert Message("note_on", note=60, time=2).dict() == {
        "type": "note_on",
        "channel": 0,
        "note": 60,
        "velocity": 64,
        "time": 2,
    }
    data = Message("sysex", data=[1, 2]).dict()
    assert data == {"type": "sysex", "data": [1, 2], "time": 0}
    assert type(data["data"]) is list


def test_dict_is_a_copy():
    msg = Message("sysex", data=[1])
    data = msg.dict()
    data["data"].append(2)
    data["time"] = 5
    assert msg == Message("sysex", data=[1])


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_from_dict_round_trip(type_):
    msg = Message(type_, time=1)
    assert Message.from_dict(msg.dict()) == msg


def test_from_dict():
    assert Message.from_dict({"type": "note_on", "note": 60}) == Message("note_on", note=60)
    assert Message.from_dict({"type": "sysex", "data": [1, 2], "time": 1}) == Message("sysex", data=(1, 2), time=1)
    with pytest.raises(ValueError):
        Message.from_dict({"type": "note_on", "note": 128})
    with pytest.raises(ValueError):
        Message.from_dict({"type": "note_on", "foo": 1})
    with pytest.raises(LookupError):
        Message.from_dict({"type": "foo"})


def test_dict_holds_the_attributes_and_there_is_no_instance_dict():
    msg = Message("program_change", program=3)
    assert msg.dict() == {"type": "program_change", "channel": 0, "program": 3, "time": 0}
    with pytest.raises(TypeError):
        vars(msg)  # the values are in slots (mido keeps them in the instance dict)


# repr


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_repr_eval(type_):
    msg = Message(type_, time=0.5)
    assert eval(repr(msg), {"Message": Message}) == msg


def test_repr_format():
    assert repr(Message("note_on", note=60)) == "Message('note_on', channel=0, note=60, velocity=64, time=0)"
    assert repr(Message("clock", time=1.5)) == "Message('clock', time=1.5)"
    msg = Message("sysex", data=[1, 2, 3])
    assert eval(repr(msg), {"Message": Message}) == msg
