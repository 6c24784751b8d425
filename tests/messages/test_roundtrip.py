"""Property tests: every message survives bytes, text, repr, dict and freezing unchanged."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from livemidi import Message, Parser, format_as_string, parse_all, parse_string
from livemidi.frozen import FrozenMessage, freeze_message, is_frozen, thaw_message

from documented import ATTRIBUTES, RANGES, REALTIME

times = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
)


def values_of(type_):
    values = {}
    for name in ATTRIBUTES[type_]:
        if name == "data":
            values[name] = st.one_of(
                st.lists(st.integers(0, 127), max_size=40).map(tuple),
                st.lists(st.integers(0, 127), max_size=40),
                st.binary(max_size=40).map(lambda data: bytes(byte & 0x7F for byte in data)),
            )
        else:
            values[name] = st.integers(*RANGES[name])
    return st.fixed_dictionaries({}, optional=values)


@st.composite
def messages(draw, types=tuple(ATTRIBUTES), time=times):
    type_ = draw(st.sampled_from(types))
    return Message(type_, time=draw(time), **draw(values_of(type_)))


def zero_time_messages(types=tuple(ATTRIBUTES)):
    return messages(types=types, time=st.just(0))


@given(messages())
def test_bytes_round_trip(msg):
    assert Message.from_bytes(msg.bytes(), time=msg.time) == msg
    assert Message.from_bytes(bytes(msg), time=msg.time) == msg
    assert Message.from_bytes(msg.bin(), time=msg.time) == msg
    assert Message.from_hex(msg.hex(), time=msg.time) == msg
    assert len(msg) == len(msg.bytes())
    assert all(type(byte) is int and 0 <= byte <= 255 for byte in msg.bytes())
    assert all(byte < 128 for byte in msg.bytes()[1:-1])


@given(messages())
def test_str_round_trip(msg):
    parsed = parse_string(str(msg))
    assert parsed == msg
    assert type(parsed.time) is type(msg.time)
    assert str(parsed) == str(msg)
    assert Message.from_str(format_as_string(msg, include_time=False)) == msg.copy(time=0)


@given(messages())
def test_repr_round_trip(msg):
    assert eval(repr(msg), {"Message": Message}) == msg


@given(messages())
def test_dict_round_trip(msg):
    data = msg.dict()
    assert data["type"] == msg.type
    assert Message.from_dict(data) == msg
    assert Message(**data) == msg


@given(messages())
def test_copy_round_trip(msg):
    assert msg.copy() == msg
    assert msg.copy(**{name: value for name, value in msg.dict().items() if name != "type"}) == msg


@given(messages())
def test_freeze_thaw_round_trip(msg):
    frozen = freeze_message(msg)
    assert is_frozen(frozen)
    assert frozen == msg
    assert hash(frozen) == hash(freeze_message(msg.copy()))
    assert hash(frozen) == hash(FrozenMessage.from_bytes(msg.bytes(), time=msg.time))
    thawed = thaw_message(frozen)
    assert not is_frozen(thawed)
    assert thawed == msg
    assert eval(repr(frozen), {"FrozenMessage": FrozenMessage}) == frozen


@given(messages())
def test_predicates(msg):
    assert msg.is_meta is False
    assert msg.is_realtime is (msg.type in REALTIME)
    assert msg.is_cc() is (msg.type == "control_change")


@given(st.lists(zero_time_messages(), max_size=30))
def test_parse_all_of_concatenated_bytes(msgs):
    data = b"".join(bytes(msg) for msg in msgs)
    assert parse_all(data) == msgs
    assert parse_all(list(data)) == msgs


@given(st.lists(zero_time_messages(), max_size=30), st.data())
def test_split_across_feeds(msgs, data):
    stream = b"".join(bytes(msg) for msg in msgs)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    parser = Parser()
    start = 0
    for cut in cuts + [len(stream)]:
        parser.feed(stream[start:cut])
        start = cut
    assert list(parser) == msgs


CHANNEL_TYPES = ("note_off", "note_on", "polytouch", "control_change", "program_change", "aftertouch", "pitchwheel")


@given(st.lists(zero_time_messages(CHANNEL_TYPES), max_size=30))
def test_running_status_encoding(msgs):
    # A sender may leave out a status byte equal to the previous one.
    stream = []
    running = None
    for msg in msgs:
        raw = msg.bytes()
        stream += raw[1:] if raw[0] == running else raw
        running = raw[0]
    assert parse_all(stream) == msgs


@given(st.lists(zero_time_messages(), max_size=20), st.data())
def test_real_time_bytes_anywhere(msgs, data):
    # Real-time bytes inserted at any positions come out at once and leave every other message whole.
    stream = list(b"".join(bytes(msg) for msg in msgs))
    inserts = data.draw(
        st.lists(st.tuples(st.integers(0, len(stream)), st.sampled_from([0xF8, 0xFA, 0xFB, 0xFC, 0xFE, 0xFF])), max_size=10)
    )
    for position, byte in sorted(inserts, reverse=True):
        stream.insert(position, byte)
    parsed = parse_all(stream)
    realtime_in_msgs = [msg for msg in msgs if msg.type in REALTIME]
    assert [msg for msg in parsed if not msg.is_realtime] == [msg for msg in msgs if not msg.is_realtime]
    assert sorted(msg.bytes()[0] for msg in parsed if msg.is_realtime) == sorted(
        [byte for _, byte in inserts] + [msg.bytes()[0] for msg in realtime_in_msgs]
    )


@settings(max_examples=50)
@given(st.lists(zero_time_messages(), max_size=10), st.binary(max_size=20))
def test_garbage_then_reset(msgs, garbage):
    # After any garbage, a complete sysex end followed by whole messages parses exactly.
    stream = garbage + b"\xf7" + b"".join(bytes(msg) for msg in msgs)
    parser = Parser()
    parser.feed(stream)
    parsed = list(parser)
    assert parsed[len(parsed) - len(msgs) :] == msgs
