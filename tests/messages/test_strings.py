"""The text form: str(msg), format_as_string, parse_string, parse_string_stream."""

from __future__ import annotations

import io

import pytest

import livemidi.messages
from livemidi import Message, format_as_string, parse_string, parse_string_stream
from livemidi.messages import SPECS

ALL_TYPES = [spec.type for spec in SPECS]


@pytest.mark.parametrize(
    "msg,text",
    [
        (Message("note_on", note=60), "note_on channel=0 note=60 velocity=64 time=0"),
        (Message("note_off", channel=15, note=1, velocity=2, time=0.5), "note_off channel=15 note=1 velocity=2 time=0.5"),
        (Message("polytouch", note=1, value=2), "polytouch channel=0 note=1 value=2 time=0"),
        (Message("control_change", control=7, value=100), "control_change channel=0 control=7 value=100 time=0"),
        (Message("program_change", program=3), "program_change channel=0 program=3 time=0"),
        (Message("aftertouch", value=3), "aftertouch channel=0 value=3 time=0"),
        (Message("pitchwheel", pitch=-8192), "pitchwheel channel=0 pitch=-8192 time=0"),
        (Message("sysex", data=[1, 2, 3]), "sysex data=(1,2,3) time=0"),
        (Message("sysex"), "sysex data=() time=0"),
        (Message("quarter_frame", frame_type=1, frame_value=2), "quarter_frame frame_type=1 frame_value=2 time=0"),
        (Message("songpos", pos=16383), "songpos pos=16383 time=0"),
        (Message("song_select", song=5), "song_select song=5 time=0"),
        (Message("tune_request"), "tune_request time=0"),
        (Message("clock", time=10), "clock time=10"),
        (Message("continue"), "continue time=0"),
        (Message("reset"), "reset time=0"),
    ],
)
def test_str_format(msg, text):
    assert str(msg) == text
    assert format_as_string(msg) == text
    assert format_as_string(msg, include_time=True) == text
    assert parse_string(text) == msg


def test_format_without_time():
    assert format_as_string(Message("note_on", note=60, time=3), include_time=False) == "note_on channel=0 note=60 velocity=64"
    assert format_as_string(Message("sysex", data=[1]), include_time=False) == "sysex data=(1)"
    assert format_as_string(Message("clock", time=1), include_time=False) == "clock"
    assert format_as_string(Message("song_select", song=2), include_time=False) == "song_select song=2"


@pytest.mark.parametrize("type_", ALL_TYPES)
def test_round_trip_every_type(type_):
    msg = Message(type_, time=0.25)
    assert parse_string(str(msg)) == msg
    without_time = parse_string(format_as_string(msg, include_time=False))
    assert without_time == msg.copy(time=0)


def test_empty_sysex_round_trip():
    msg = parse_string("sysex data=() time=0")
    assert msg == Message("sysex")
    assert msg.data == ()
    assert str(msg) == "sysex data=() time=0"


def test_parse_defaults_and_order():
    assert parse_string("note_on") == Message("note_on")
    assert parse_string("note_on velocity=3 note=4") == Message("note_on", note=4, velocity=3)
    assert parse_string("note_on time=1 channel=2") == Message("note_on", channel=2, time=1)


def test_parse_time_int_or_float():
    assert type(parse_string("clock time=3").time) is int
    assert parse_string("clock time=0.5").time == 0.5
    assert parse_string("clock time=-2").time == -2
    assert parse_string("clock time=1e-05").time == 1e-05


def test_parse_whitespace():
    assert parse_string("  note_on   note=60  \n") == Message("note_on", note=60)


@pytest.mark.parametrize("text", ["sysex data=(1, 2, 3)", "sysex data=( 1,2 )", "sysex data=(1,2, 3) time=0"])
def test_sysex_data_with_spaces_is_a_value_error_as_in_mido(text):
    # mido splits the text at whitespace, so a word is never more than name=value
    mido = pytest.importorskip("mido")
    with pytest.raises(ValueError):
        mido.Message.from_str(text)
    with pytest.raises(ValueError, match=r"data must be one word, with no spaces: data=\(1,2,3\)"):
        Message.from_str(text)


def test_parse_any_whitespace_between_words():
    # mido splits the text with str.split(): tabs and newlines separate words too.
    assert parse_string("note_on\tnote=60") == Message("note_on", note=60)
    assert parse_string("note_on\nnote=60\tvelocity=1") == Message("note_on", note=60, velocity=1)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "foo",
        "foo note=60",
        "note_on note=sixty",
        "note_on note=6.0",
        "note_on note=",
        "note_on note60",
        "note_on note=60 velocity",
        "note_on note=60 note=61",
        "note_on time=1 time=1",
        "note_on time=soon",
        "note_on note=128",
        "note_on foo=1",
        "clock note=60",
        "sysex data=1,2",
        "sysex data=(1,x)",
        "sysex data=(128)",
        "sysex data=(1,2",
    ],
)
def test_parse_errors(text):
    with pytest.raises(ValueError):
        parse_string(text)


def test_parse_error_names_the_problem():
    with pytest.raises(ValueError, match="foo"):
        parse_string("foo note=60")
    with pytest.raises(ValueError, match="note"):
        parse_string("note_on note=60 note=61")
    with pytest.raises(ValueError, match="note"):
        parse_string("note_on note=200")


def test_parse_string_stream_paths():
    assert livemidi.messages.parse_string_stream is parse_string_stream


def test_parse_string_stream():
    lines = [
        "# a comment\n",
        "\n",
        "note_on channel=0 note=60 velocity=64 time=0\n",
        "   \n",
        "note_off note=60  # trailing comment\n",
        "bogus\n",
        "# another\n",
        "control_change control=200\n",
        "clock",
    ]
    assert list(parse_string_stream(lines)) == [
        (Message("note_on", note=60), None),
        (Message("note_off", note=60), None),
        (None, "line 6: " + _error_of("bogus")),
        (None, "line 8: " + _error_of("control_change control=200")),
        (Message("clock"), None),
    ]


def _error_of(text):
    try:
        parse_string(text)
    except ValueError as error:
        return str(error)
    raise AssertionError(f"{text!r} parsed")


def test_parse_string_stream_line_numbers_and_file():
    stream = io.StringIO("\n\n# x\nclock\n\nfoo\n")
    results = list(parse_string_stream(stream))
    assert results[0] == (Message("clock"), None)
    msg, error = results[1]
    assert msg is None
    assert error.startswith("line 6: ")
    assert "foo" in error


def test_parse_string_stream_is_lazy():
    def lines():
        yield "clock"
        raise RuntimeError("read too far")

    stream = parse_string_stream(lines())
    assert next(stream) == (Message("clock"), None)


def test_parse_string_stream_empty():
    assert list(parse_string_stream([])) == []
    assert list(parse_string_stream(["", "#", "  # x"])) == []


def test_parse_string_stream_round_trip():
    messages = [Message(type_, time=i) for i, type_ in enumerate(ALL_TYPES)]
    text = "\n".join(str(msg) for msg in messages)
    assert [msg for msg, _ in parse_string_stream(text.splitlines())] == messages
