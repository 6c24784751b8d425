"""render: pattern events -> MIDI messages with the cycles they are due at."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livemidi import Message
from livemidi.pattern import cc, fast, mini, note, pure, stack
from livemidi.render import DEFAULT_VELOCITY, Rendered, render


def show(rendered):
    return [(str(r.cycle), str(r.message).rsplit(" time=", 1)[0]) for r in rendered]


def test_notes_get_a_note_off_at_the_end_of_their_step():
    assert show(render(note("c4 e4"), 0, 1)) == [
        ("0", f"note_on channel=0 note=60 velocity={DEFAULT_VELOCITY}"),
        ("1/2", "note_off channel=0 note=60 velocity=0"),
        ("1/2", f"note_on channel=0 note=64 velocity={DEFAULT_VELOCITY}"),
        ("1", "note_off channel=0 note=64 velocity=0"),
    ]


def test_legato_and_duration_set_the_note_off():
    assert [str(r.cycle) for r in render(note("c4 e4").legato(0.5), 0, 1)] == ["0", "1/4", "1/2", "3/4"]
    offs = [r.cycle for r in render(note("c4 e4").duration(2), 0, 1) if r.message.type == "note_off"]
    assert offs == [2, F(5, 2)]  # bars after the window: still rendered with their note-on


def test_only_onsets_trigger():
    long_note = note("c4").slow(2)  # one note over cycles 0..2
    assert [r.message.type for r in render(long_note, 0, 1)] == ["note_on", "note_off"]
    assert render(long_note, 1, 2) == []  # the second half of the note is no new note


def test_the_onset_of_each_message_is_its_events():
    rendered = render(note("c4 e4"), 0, 1)
    assert [(r.cycle, r.onset) for r in rendered] == [(0, 0), (F(1, 2), 0), (F(1, 2), F(1, 2)), (1, F(1, 2))]


@pytest.mark.parametrize(
    "pattern",
    [note("c4 [e4 g4] <a4 b4>"), note("c4*3").legato(1.5), stack(note("c3 e3"), cc(74, "0 32 64 127")), note("c4(3,8)")],
)
@settings(max_examples=30, deadline=None)
@given(cuts=st.lists(st.fractions(min_value=0, max_value=4, max_denominator=24), max_size=6))
def test_windows_one_after_another_render_the_same_as_one(pattern, cuts):
    bounds = sorted({F(0), F(4), *cuts})
    pieces = []
    for begin, end in zip(bounds, bounds[1:]):
        pieces += render(pattern, begin, end)
    whole = render(pattern, 0, 4)
    key = lambda r: (r.cycle, r.message.bytes())  # noqa: E731
    assert sorted(pieces, key=key) == sorted(whole, key=key)


def test_velocity_channel_and_port():
    (on, off) = render(note("c4").velocity(90).channel(3).port("synth"), 0, 1)
    assert on.message == Message("note_on", channel=3, note=60, velocity=90)
    assert off.message == Message("note_off", channel=3, note=60, velocity=0)
    assert on.port == off.port == "synth"
    (on, _) = render(note("c4"), 0, 1, default_channel=9, default_port=2)
    assert on.message.channel == 9 and on.port == 2


def test_velocity_zero_plays_nothing():
    assert render(note("c4").velocity(0), 0, 1) == []


def test_controls_come_before_the_notes_they_go_with():
    pattern = note("c3").program(5).bank(130) | pure({"cc74": 10, "bend": -8192, "aftertouch": 7})
    assert show(render(pattern, 0, 1)) == [
        ("0", "control_change channel=0 control=0 value=1"),
        ("0", "control_change channel=0 control=32 value=2"),
        ("0", "program_change channel=0 program=5"),
        ("0", "control_change channel=0 control=74 value=10"),
        ("0", "pitchwheel channel=0 pitch=-8192"),
        ("0", "aftertouch channel=0 value=7"),
        ("0", f"note_on channel=0 note=48 velocity={DEFAULT_VELOCITY}"),
        ("1", "note_off channel=0 note=48 velocity=0"),
    ]


def test_at_one_cycle_note_offs_then_controls_then_note_ons():
    rendered = render(stack(note("c3 c3"), cc(74, "0 64")), 0, 1)
    at_half = [r.message.type for r in rendered if r.cycle == F(1, 2)]
    assert at_half == ["note_off", "control_change", "note_on"]


def test_sysex_and_a_cc_sweep_without_notes():
    assert show(render(pure({"sysex": (0x7E, 0x7F, 9, 1)}), 0, 1)) == [("0", "sysex data=(126,127,9,1)")]
    assert [r.message.value for r in render(fast(4, cc(1, "0 127")), 0, 1)] == [0, 127] * 4


def test_plain_values_are_notes():
    assert [r.message.note for r in render(mini("c4 62"), 0, 1) if r.message.type == "note_on"] == [60, 62]
    assert render("c4", 0, 1)[0] == Rendered(F(0), Message("note_on", note=60, velocity=DEFAULT_VELOCITY), 0, F(0))


@pytest.mark.parametrize("value, key", [(60.6, 61), (60.5, 61), (F(121, 2), 61), (60.4, 60), (F(239, 4), 60)])
def test_a_fractional_note_comes_on_the_nearest_key_with_its_exact_pitch_in_its_voice(value, key):
    # render does not know the port: the session plays the pitch (a bend) or refuses it (session/mpe.py).
    items = render(pure({"note": value, "bend": 100}), 0, 1)
    assert [(r.message.type, getattr(r.message, "note", None)) for r in items] == [
        ("pitchwheel", None), ("note_on", key), ("note_off", key)]
    assert len({id(r.voice) for r in items}) == 1 and items[0].voice.pitch == value and items[0].voice.key == key


def test_a_whole_note_has_a_voice_whose_pitch_is_its_key_and_no_bend_is_added():
    items = render(pure({"note": 60.0}), 0, 1)
    assert [r.message for r in items] == [Message("note_on", note=60, velocity=100), Message("note_off", note=60, velocity=0)]
    assert items[0].voice.pitch == 60 and isinstance(items[0].voice.pitch, int) and items[0].voice.offset == 0.0


def test_pressure_and_timbre_are_channel_pressure_and_cc74_on_an_ordinary_render():
    items = render(pure({"note": 60, "pressure": 30, "timbre": 90, "channel": 2}), 0, 1)
    assert [r.message for r in items][:2] == [
        Message("aftertouch", channel=2, value=30), Message("control_change", channel=2, control=74, value=90)]
    assert all(r.voice is items[0].voice for r in items)


def test_program_and_sysex_belong_to_no_note():
    items = render(pure({"note": 60, "program": 3, "sysex": (1, 2)}), 0, 1)
    assert {r.message.type: r.voice is None for r in items} == {
        "program_change": True, "sysex": True, "note_on": False, "note_off": False}


def test_a_whole_float_note_is_that_note():
    assert [r.message.note for r in render(pure({"note": 60.0}), 0, 1)] == [60, 60]


@pytest.mark.parametrize(
    "value, error, text",
    [
        ({"note": 128}, ValueError, "note must be in range 0..127"),
        ({"note": "x9"}, ValueError, "note name"),
        ({"colour": 3}, ValueError, "unknown control 'colour'"),
        ({"channel": 16, "note": 60}, ValueError, "channel must be in range 0..15"),
        ({"cc7": "loud"}, TypeError, "cc7 must be a number"),
        ([1, 2], TypeError, "dicts of controls"),
        ({"note": 60, "cc7": float("nan")}, ValueError, "cc7 must be in range 0..127, found nan"),
        ({"note": 60, "velocity": float("-inf")}, ValueError, "velocity must be in range 0..127, found -inf"),
        ({"note": 60, "bend": float("nan")}, ValueError, "bend must be in range -8192..8191, found nan"),
    ],
)
def test_bad_values_say_what_was_expected(value, error, text):
    with pytest.raises(error, match=text):
        render(pure(value), 0, 1)


def test_each_message_carries_where_its_event_was_written():
    from livemidi.mini.source import placed
    from livemidi.pattern import Location, note

    text = placed("c4 e4", "set.py", ((0, 3, 8),))
    out = render(note(text).cc(74, 10), 0, 1)
    assert [(item.message.type, item.locations) for item in out] == [
        ("control_change", (Location("set.py", 3, 8, 10),)),
        ("note_on", (Location("set.py", 3, 8, 10),)),
        ("note_off", (Location("set.py", 3, 8, 10),)),
        ("control_change", (Location("set.py", 3, 11, 13),)),
        ("note_on", (Location("set.py", 3, 11, 13),)),
        ("note_off", (Location("set.py", 3, 11, 13),)),
    ]
    assert all(item.locations == () for item in render("c4 e4", 0, 1))
