import pytest

import livemidi
from livemidi import KeySignatureError, MetaMessage, UnknownMetaMessage
from livemidi.frozen import FrozenMetaMessage, FrozenUnknownMetaMessage, freeze_message, is_frozen, thaw_message
from livemidi.midifiles.meta import META_SPECS, MetaSpec, add_meta_spec

DEFAULTS = {
    "sequence_number": {"number": 0},
    "text": {"text": ""},
    "copyright": {"text": ""},
    "track_name": {"name": ""},
    "instrument_name": {"name": ""},
    "lyrics": {"text": ""},
    "marker": {"text": ""},
    "cue_marker": {"text": ""},
    "device_name": {"name": ""},
    "channel_prefix": {"channel": 0},
    "midi_port": {"port": 0},
    "end_of_track": {},
    "set_tempo": {"tempo": 500000},
    "smpte_offset": {"frame_rate": 24, "hours": 0, "minutes": 0, "seconds": 0, "frames": 0, "sub_frames": 0},
    "time_signature": {"numerator": 4, "denominator": 4, "clocks_per_click": 24, "notated_32nd_notes_per_beat": 8},
    "key_signature": {"key": "C"},
    "sequencer_specific": {"data": ()},
}


def test_every_documented_type_with_its_defaults():
    assert {spec.type for spec in META_SPECS} == set(DEFAULTS)
    for type_, values in DEFAULTS.items():
        msg = MetaMessage(type_)
        assert msg.dict() == {"type": type_, **values, "time": 0}
        assert msg.is_meta
        assert MetaMessage.from_bytes(msg.bytes()) == msg


@pytest.mark.parametrize(
    "msg, encoded",
    [
        (MetaMessage("set_tempo", tempo=600000), "FF 51 03 09 27 C0"),
        (MetaMessage("track_name", name="Bass"), "FF 03 04 42 61 73 73"),
        (MetaMessage("key_signature", key="Bbm"), "FF 59 02 FB 01"),
        (MetaMessage("key_signature", key="F#"), "FF 59 02 06 00"),
        (MetaMessage("time_signature", numerator=6, denominator=8), "FF 58 04 06 03 18 08"),
        (MetaMessage("smpte_offset", frame_rate=29.97, hours=1, minutes=2), "FF 54 05 41 02 00 00 00"),
        (MetaMessage("sequence_number", number=258), "FF 00 02 01 02"),
        (MetaMessage("sequencer_specific", data=[1, 2, 200]), "FF 7F 03 01 02 C8"),
        (MetaMessage("end_of_track"), "FF 2F 00"),
        (UnknownMetaMessage(0x60, [1, 2, 3]), "FF 60 03 01 02 03"),
    ],
)
def test_bytes_and_from_bytes(msg, encoded):
    assert msg.hex() == encoded
    assert msg.bin() == bytearray.fromhex(encoded)
    assert MetaMessage.from_bytes(bytes.fromhex(encoded)) == msg


def test_long_text_uses_a_variable_length_length():
    msg = MetaMessage("text", text="x" * 200)
    assert msg.bytes()[:4] == [0xFF, 0x01, 0x81, 0x48]
    assert MetaMessage.from_bytes(msg.bytes()) == msg


def test_repr_is_evaluable_and_str_is_repr():
    for msg in (MetaMessage("set_tempo", tempo=400000, time=10), UnknownMetaMessage(0x60, [1], time=3)):
        assert eval(repr(msg), vars(livemidi)) == msg
        assert str(msg) == repr(msg)
    assert repr(MetaMessage("key_signature", key="A")) == "MetaMessage('key_signature', key='A', time=0)"
    assert repr(UnknownMetaMessage(0x60, [1])) == "UnknownMetaMessage(type_byte=96, data=(1,), time=0)"


def test_copy_dict_and_equality():
    msg = MetaMessage("set_tempo", tempo=400000, time=5)
    assert msg.copy(time=7) == MetaMessage("set_tempo", tempo=400000, time=7)
    assert msg.copy() == msg and msg.copy() is not msg
    assert MetaMessage.from_dict(msg.dict()) == msg
    assert msg != MetaMessage("set_tempo", tempo=400001, time=5)
    assert msg != livemidi.Message("note_on")
    with pytest.raises(ValueError):
        msg.copy(type="text")
    with pytest.raises(TypeError):
        msg == 5  # noqa: B015


@pytest.mark.parametrize(
    "type_, kwargs, error",
    [
        ("set_tempo", {"tempo": 2**24}, ValueError),
        ("set_tempo", {"tempo": 1.5}, TypeError),
        ("key_signature", {"key": "H"}, ValueError),
        ("time_signature", {"denominator": 3}, ValueError),
        ("time_signature", {"numerator": 256}, ValueError),
        ("smpte_offset", {"frame_rate": 26}, ValueError),
        ("smpte_offset", {"minutes": 60}, ValueError),
        ("text", {"text": 5}, TypeError),
        ("channel_prefix", {"channel": 256}, ValueError),
        ("sequencer_specific", {"data": [256]}, ValueError),
        ("set_tempo", {"bpm": 120}, ValueError),
        ("set_tempo", {"time": "0"}, TypeError),
    ],
)
def test_bad_values(type_, kwargs, error):
    with pytest.raises(error):
        MetaMessage(type_, **kwargs)


def test_setting_attributes_is_checked():
    msg = MetaMessage("set_tempo")
    msg.tempo = 300000
    assert msg.tempo == 300000
    with pytest.raises(ValueError):
        msg.tempo = -1
    with pytest.raises(AttributeError):
        msg.type = "text"
    with pytest.raises(AttributeError):
        msg.text = "x"


def test_unknown_type():
    with pytest.raises(LookupError, match="unknown meta message type 'tempo'"):
        MetaMessage("tempo")


def test_from_bytes_errors():
    with pytest.raises(ValueError):
        MetaMessage.from_bytes([0x90, 1, 2])
    with pytest.raises(ValueError, match="says 3 data bytes but has 2"):
        MetaMessage.from_bytes([0xFF, 0x51, 3, 1, 2])
    with pytest.raises(ValueError, match="must have 3 data bytes"):
        MetaMessage.from_bytes([0xFF, 0x51, 2, 1, 2])
    with pytest.raises(KeySignatureError, match="8 sharps"):
        MetaMessage.from_bytes([0xFF, 0x59, 2, 8, 0])
    assert issubclass(KeySignatureError, livemidi.MidiParseError)


def test_frozen_meta_messages():
    msg = MetaMessage("set_tempo", tempo=400000)
    frozen = freeze_message(msg)
    assert isinstance(frozen, FrozenMetaMessage) and is_frozen(frozen)
    assert frozen == msg and hash(frozen) == hash(freeze_message(msg.copy()))
    with pytest.raises(AttributeError):
        frozen.tempo = 1
    thawed = thaw_message(frozen)
    assert type(thawed) is MetaMessage and thawed == msg
    unknown = freeze_message(UnknownMetaMessage(0x60, [1]))
    assert isinstance(unknown, FrozenUnknownMetaMessage)
    assert type(thaw_message(unknown)) is UnknownMetaMessage
    assert {unknown: 1}[freeze_message(UnknownMetaMessage(0x60, [1]))] == 1


@pytest.fixture
def restore_specs():
    from livemidi.midifiles import meta

    by_type, by_byte = dict(meta.SPEC_BY_TYPE), dict(meta.SPEC_BY_BYTE)
    yield
    meta.SPEC_BY_TYPE.clear()
    meta.SPEC_BY_TYPE.update(by_type)
    meta.SPEC_BY_BYTE.clear()
    meta.SPEC_BY_BYTE.update(by_byte)


def test_add_meta_spec_as_in_mido(restore_specs):
    class MetaSpec_light_show(MetaSpec):  # noqa: N801 (mido's naming scheme)
        type_byte = 0x70
        attributes = ["brightness"]
        defaults = [0]

        def decode(self, message, data):
            message.brightness = data[0]

        def encode(self, message):
            return [message.brightness]

        def check(self, name, value):
            if not 0 <= value <= 127:
                raise ValueError("brightness must be 0..127")

    add_meta_spec(MetaSpec_light_show)
    msg = MetaMessage("light_show", brightness=99)
    assert msg.bytes() == [0xFF, 0x70, 1, 99]
    assert MetaMessage.from_bytes([0xFF, 0x70, 1, 99]) == msg
    with pytest.raises(ValueError):
        MetaMessage("light_show", brightness=200)
    from helpers import EOT, load, save, smf

    mid = load(smf(b"\x00\xff\x70\x01\x05" + EOT))
    assert mid.tracks[0][0] == MetaMessage("light_show", brightness=5)
    assert save(mid) == smf(b"\x00\xff\x70\x01\x05" + EOT)
