"""Parser, parse and parse_all: MIDI byte streams as MIDI 1.0 says a receiver reads them."""

from __future__ import annotations

from collections import deque

import pytest

import livemidi
import livemidi.parser
from livemidi import Message, Parser, parse, parse_all


def on(note, velocity=64, channel=0):
    return Message("note_on", channel=channel, note=note, velocity=velocity)


CLOCK = Message("clock")

# (name, bytes in, messages out)
STREAMS = [
    ("one message", [0x90, 0x3C, 0x40], [on(0x3C)]),
    ("two messages", [0x90, 0x3C, 0x40, 0x80, 0x3C, 0x00], [on(0x3C), Message("note_off", note=0x3C, velocity=0)]),
    ("running status", [0x90, 0x3C, 0x40, 0x3E, 0x40], [on(0x3C), on(0x3E)]),
    ("long running status", [0x91, 1, 2, 3, 4, 5, 6, 7, 8], [on(1, 2, 1), on(3, 4, 1), on(5, 6, 1), on(7, 8, 1)]),
    (
        "running status, two-byte messages",
        [0xC5, 1, 2, 3],
        [Message("program_change", channel=5, program=p) for p in (1, 2, 3)],
    ),
    ("running status, incomplete tail", [0x90, 0x3C, 0x40, 0x3E], [on(0x3C)]),
    ("real time inside a message", [0x90, 0xF8, 0x3C, 0xF8, 0x40], [CLOCK, CLOCK, on(0x3C)]),
    ("real time between running status bytes", [0x90, 1, 2, 3, 0xFE, 4], [on(1, 2), Message("active_sensing"), on(3, 4)]),
    ("real time keeps running status", [0x90, 1, 2, 0xF8, 3, 4], [on(1, 2), CLOCK, on(3, 4)]),
    (
        "every real-time type inside a message",
        [0x90, 0xF8, 0xFA, 0xFB, 0xFC, 0xFE, 0xFF, 1, 2],
        [Message(t) for t in ("clock", "start", "continue", "stop", "active_sensing", "reset")] + [on(1, 2)],
    ),
    ("real time inside sysex", [0xF0, 1, 0xF8, 2, 0xF7], [CLOCK, Message("sysex", data=[1, 2])]),
    ("sysex", [0xF0, 1, 2, 3, 0xF7], [Message("sysex", data=[1, 2, 3])]),
    ("empty sysex", [0xF0, 0xF7], [Message("sysex")]),
    ("sysex ended by a channel status", [0xF0, 1, 2, 0x90, 0x3C, 0x40], [Message("sysex", data=[1, 2]), on(0x3C)]),
    ("sysex ended by another sysex", [0xF0, 1, 0xF0, 2, 0xF7], [Message("sysex", data=[1]), Message("sysex", data=[2])]),
    ("sysex ended by tune request", [0xF0, 1, 0xF6], [Message("sysex", data=[1]), Message("tune_request")]),
    ("sysex ended by song select", [0xF0, 0xF3, 1], [Message("sysex"), Message("song_select", song=1)]),
    ("sysex ended by undefined F4", [0xF0, 1, 0xF4, 0x90, 1, 2], [Message("sysex", data=[1]), on(1, 2)]),
    ("unfinished sysex", [0xF0, 1, 2], []),
    ("sysex cancels running status", [0x90, 1, 2, 0xF0, 0xF7, 3, 4], [on(1, 2), Message("sysex")]),
    ("tune request cancels running status", [0x90, 0x3C, 0x40, 0xF6, 0x3E, 0x40], [on(0x3C), Message("tune_request")]),
    (
        "quarter frame cancels running status",
        [0x90, 1, 2, 0xF1, 0x12, 3, 4],
        [on(1, 2), Message("quarter_frame", frame_type=1, frame_value=2)],
    ),
    ("song position cancels running status", [0x90, 1, 2, 0xF2, 1, 2, 3, 4], [on(1, 2), Message("songpos", pos=257)]),
    ("song select cancels running status", [0x90, 1, 2, 0xF3, 1, 3, 4], [on(1, 2), Message("song_select", song=1)]),
    ("no running status for system common", [0xF3, 1, 2, 0xF2, 1, 2, 3, 4], [Message("song_select", song=1), Message("songpos", pos=257)]),
    ("stray data bytes", [1, 2, 3, 0x90, 0x3C, 0x40, ], [on(0x3C)]),
    ("stray end of sysex", [0xF7, 0x90, 0x3C, 0x40, 0xF7], [on(0x3C)]),
    ("undefined F4 F5 skipped", [0xF4, 0xF5, 0x90, 0x3C, 0x40], [on(0x3C)]),
    ("data after undefined F4 skipped", [0xF4, 1, 2, 0xF5, 3], []),
    ("undefined F4 cancels running status", [0x90, 1, 2, 0xF4, 3, 4], [on(1, 2)]),
    ("undefined F9 FD skipped", [0xF9, 0xFD, 0x90, 0x3C, 0x40], [on(0x3C)]),
    ("undefined F9 FD inside a message", [0x90, 0xF9, 0x3C, 0xFD, 0x40], [on(0x3C)]),
    ("undefined F9 FD inside sysex", [0xF0, 1, 0xF9, 2, 0xFD, 0xF7], [Message("sysex", data=[1, 2])]),
    ("message interrupted by a status byte", [0x90, 0x3C, 0x80, 0x3C, 0x40], [Message("note_off", note=0x3C)]),
    ("message interrupted by end of sysex", [0x90, 0x3C, 0xF7, 0x3C, 0x40], []),
    ("two-byte message interrupted", [0xC0, 0xF6, 1], [Message("tune_request")]),
    ("status byte alone", [0x90], []),
    ("status bytes only", [0x90, 0x80, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0, 0xF1, 0xF2, 0xF3], []),
    ("real time alone", [0xFF], [Message("reset")]),
    ("pitchwheel", [0xE3, 0x00, 0x40, 0x7F, 0x7F], [Message("pitchwheel", channel=3, pitch=0), Message("pitchwheel", channel=3, pitch=8191)]),
    ("empty", [], []),
]


def ids(cases):
    return [case[0] for case in cases]


@pytest.mark.parametrize("name,data,expected", STREAMS, ids=ids(STREAMS))
def test_parse_all(name, data, expected):
    assert parse_all(data) == expected
    assert parse_all(bytes(data)) == expected


@pytest.mark.parametrize("name,data,expected", STREAMS, ids=ids(STREAMS))
def test_feed_byte_by_byte(name, data, expected):
    parser = Parser()
    for byte in data:
        parser.feed_byte(byte)
    assert list(parser) == expected


@pytest.mark.parametrize("name,data,expected", STREAMS, ids=ids(STREAMS))
def test_feed_in_two_parts(name, data, expected):
    for cut in range(len(data) + 1):
        parser = Parser()
        parser.feed(data[:cut])
        parser.feed(bytes(data[cut:]))
        assert list(parser) == expected, cut


@pytest.mark.parametrize("name,data,expected", STREAMS, ids=ids(STREAMS))
def test_feed_one_byte_lists(name, data, expected):
    parser = Parser()
    for byte in data:
        parser.feed([byte])
    assert list(parser) == expected


@pytest.mark.parametrize("name,data,expected", STREAMS, ids=ids(STREAMS))
def test_parse_first(name, data, expected):
    assert parse(data) == (expected[0] if expected else None)


def test_running_status_across_feeds():
    parser = Parser()
    parser.feed([0x90, 0x3C, 0x40])
    parser.feed([0x3E, 0x40])
    parser.feed([0x40])
    parser.feed([0x40])
    assert list(parser) == [on(0x3C), on(0x3E), on(0x40)]


def test_running_status_across_feed_byte():
    parser = Parser()
    parser.feed([0x90, 0x3C, 0x40])
    parser.feed_byte(0x3E)
    parser.feed_byte(0xF8)
    parser.feed_byte(0x40)
    assert list(parser) == [on(0x3C), CLOCK, on(0x3E)]


def test_sysex_across_many_feeds():
    parser = Parser()
    parser.feed([0xF0])
    for byte in range(100):
        parser.feed([byte])
        assert parser.pending() == 0
    parser.feed([0xF7])
    assert list(parser) == [Message("sysex", data=range(100))]


def test_message_split_across_feeds():
    parser = Parser()
    parser.feed(b"\x90")
    assert parser.get_message() is None
    parser.feed(b"\x3c")
    assert parser.get_message() is None
    parser.feed(b"\x40\xf0\x01")
    assert parser.get_message() == on(0x3C)
    parser.feed(bytearray(b"\x02\xf7"))
    assert parser.get_message() == Message("sysex", data=[1, 2])
    assert parser.get_message() is None


def test_real_time_delivered_immediately():
    parser = Parser()
    parser.feed([0x90, 0x3C])
    parser.feed_byte(0xF8)
    assert parser.get_message() == CLOCK
    parser.feed([0xF0, 1])
    parser.feed_byte(0xFA)
    assert parser.get_message() == Message("start")
    assert parser.get_message() is None


# The Parser API


def test_parser_paths():
    assert livemidi.Parser is livemidi.parser.Parser
    assert livemidi.parse is livemidi.parser.parse
    assert livemidi.parse_all is livemidi.parser.parse_all


def test_constructor_with_data():
    parser = Parser([0x90, 0x3C, 0x40, 0xF8])
    assert len(parser) == 2
    assert list(parser) == [on(0x3C), CLOCK]
    assert len(Parser()) == 0


def test_get_message_and_pending():
    parser = Parser()
    assert parser.get_message() is None
    assert parser.pending() == 0
    parser.feed([0xF8, 0xFA, 0xFC])
    assert parser.pending() == 3
    assert len(parser) == 3
    assert parser.get_message() == CLOCK
    assert parser.pending() == 2
    assert parser.get_message() == Message("start")
    assert parser.get_message() == Message("stop")
    assert parser.get_message() is None
    assert parser.pending() == 0


def test_iteration_drains():
    parser = Parser()
    parser.feed([0xF8, 0xF8])
    assert list(parser) == [CLOCK, CLOCK]
    assert list(parser) == []
    assert len(parser) == 0


def test_iteration_sees_messages_fed_during_iteration():
    parser = Parser([0xF8])
    seen = []
    for msg in parser:
        seen.append(msg)
        if len(seen) == 1:
            parser.feed([0xFA])
    assert seen == [CLOCK, Message("start")]


def test_messages_deque():
    parser = Parser([0xF8, 0x90, 0x3C, 0x40])
    assert isinstance(parser.messages, deque)
    assert list(parser.messages) == [CLOCK, on(0x3C)]
    assert parser.messages.popleft() == CLOCK
    assert parser.pending() == 1


def test_parsed_messages_have_time_zero_and_are_mutable():
    msg = parse([0x90, 0x3C, 0x40])
    assert msg.time == 0
    assert isinstance(msg, Message)
    msg.note = 1
    assert msg.note == 1


def test_parsed_sysex_data_is_tuple():
    msg = parse(bytearray([0xF0, 1, 2, 0xF7]))
    assert msg.data == (1, 2)
    assert isinstance(msg.data, tuple)
    msg.data += [3]
    assert msg.data == (1, 2, 3)


@pytest.mark.parametrize(
    "data",
    [b"\x90\x3c\x40", bytearray(b"\x90\x3c\x40"), [0x90, 0x3C, 0x40], (0x90, 0x3C, 0x40), iter([0x90, 0x3C, 0x40]), range(0x90, 0x91)],
)
def test_feed_accepts_iterables(data):
    parser = Parser()
    parser.feed(data)
    parser.feed([0x3C, 0x40])
    assert parser.get_message() == on(0x3C)


def test_parse_none_and_rest_ignored():
    assert parse(b"") is None
    assert parse([1, 2, 3]) is None
    assert parse([0x90, 1, 2, 0x80, 3, 4]) == on(1, 2)


def test_feed_byte_errors():
    parser = Parser()
    with pytest.raises(ValueError):
        parser.feed_byte(256)
    with pytest.raises(ValueError):
        parser.feed_byte(-1)
    with pytest.raises(TypeError):
        parser.feed_byte(1.0)
    with pytest.raises(TypeError):
        parser.feed_byte("a")
    with pytest.raises(TypeError):
        parser.feed_byte(None)


def test_feed_errors():
    parser = Parser()
    with pytest.raises(TypeError):
        parser.feed("abc")
    with pytest.raises(TypeError):
        parser.feed([1.0])
    with pytest.raises(TypeError):
        parser.feed(144)
    with pytest.raises(ValueError):
        parser.feed([0x90, 256])
    with pytest.raises(ValueError):
        parser.feed([-1])
    with pytest.raises(TypeError):
        parse_all("abc")


def test_error_leaves_parser_usable():
    parser = Parser()
    parser.feed([0x90, 0x3C])
    with pytest.raises(ValueError):
        parser.feed_byte(256)
    with pytest.raises(TypeError):
        parser.feed("x")
    parser.feed([0x40])
    assert list(parser) == [on(0x3C)]


def test_feed_byte_accepts_bool():
    parser = Parser([0xC0])
    parser.feed_byte(True)
    assert parser.get_message() == Message("program_change", program=1)


def test_parsers_are_independent():
    a, b = Parser(), Parser()
    a.feed([0x90, 0x3C])
    b.feed([0x40])
    assert b.get_message() is None
    a.feed([0x40])
    assert a.get_message() == on(0x3C)
