"""knob, held, held_root and on_note over an InputState: what a performer plays, as patterns (no MIDI here)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livemidi.pattern import InputState, held, held_root, knob, note, on_note, transpose


def values(pat, begin=0, end=1):
    return [ev.value for ev in pat.events(begin, end)]


def onsets(pat, begin=0, end=1):
    return [(ev.whole.begin, ev.value["note"] if isinstance(ev.value, dict) else ev.value)
            for ev in pat.onsets(begin, end)]


# -- knob -------------------------------------------------------------------


def test_a_knob_is_the_bottom_of_its_range_before_any_value_arrives():
    state = InputState()
    assert values(note("c*2").cc(74, knob(21, state) * 127)) == [{"note": 60, "cc74": 0}] * 2
    assert values(note("c").velocity(knob(7, state, range=(40, 127)))) == [{"note": 60, "velocity": 40}]


def test_a_knob_reads_the_latest_value_scaled_to_its_range_when_queried():
    state = InputState()
    pat = note("c*2").velocity(knob(7, state, range=(40, 127)))
    state.control(0, 7, 127)
    assert values(pat) == [{"note": 60, "velocity": 127}] * 2
    state.control(0, 7, 0)
    assert values(pat) == [{"note": 60, "velocity": 40}] * 2  # the same pattern, read again
    state.control(3, 7, 64)
    assert values(knob(7, state)) == [pytest.approx(64 / 127)]


def test_a_knob_on_a_channel_ignores_the_others():
    state = InputState()
    on_two = knob(21, state, channel=2, range=(0, 127))
    state.control(2, 21, 10)
    state.control(5, 21, 99)
    assert values(on_two) == [10]
    assert values(knob(21, state, range=(0, 127))) == [99]  # any channel: the latest


def test_an_inverted_range_turns_the_knob_around():
    state = InputState()
    state.control(0, 1, 127)
    assert values(knob(1, state, range=(100, 20))) == [20]


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((128,), ValueError, "controller number"),
        ((-1,), ValueError, "controller number"),
        (("21",), TypeError, "controller number"),
        ((True,), TypeError, "controller number"),
        ((21.0,), TypeError, "controller number"),
    ],
)
def test_a_garbage_controller_number_is_refused_at_once(args, error, match):
    with pytest.raises(error, match=match):
        knob(*args, InputState())


@pytest.mark.parametrize("bad", [(0,), (0, 1, 2), "ab", 5, (0, "x"), (float("nan"), 1), (0, float("inf")), (True, 1)])
def test_a_garbage_range_is_refused_saying_what_was_expected(bad):
    with pytest.raises(ValueError, match=r"range=\(low, high\)"):
        knob(21, InputState(), range=bad)


def test_a_garbage_channel_is_refused():
    with pytest.raises(ValueError, match="MIDI channel"):
        knob(21, InputState(), channel=16)
    with pytest.raises(TypeError, match="MIDI channel"):
        held(InputState(), channel="1")


def test_without_an_input_the_pattern_functions_say_how_to_get_one():
    for make in (lambda: knob(21), lambda: held(), lambda: held_root(), lambda: on_note(note("c"))):
        with pytest.raises(ValueError, match="needs a MIDI input"):
            make()
    with pytest.raises(TypeError, match="expected an InputState"):
        knob(21, 3.5)


def test_the_state_refuses_values_midi_cannot_carry():
    state = InputState()
    with pytest.raises(ValueError, match="controller value"):
        state.control(0, 21, 128)
    with pytest.raises(ValueError, match="note"):
        state.note_on(0, 128, 1)
    assert state.value(21) is None  # nothing was kept


# -- held ---------------------------------------------------------------------


def test_held_is_silence_when_nothing_is_held():
    state = InputState()
    assert held(state).events(0, 4) == []
    assert held(state).arp("updown").events(0, 4) == []


def test_held_arpeggiates_what_is_held_now():
    state = InputState()
    for n, v in ((67, 70), (60, 90), (64, 80)):
        state.note_on(0, n, v)
    pat = held(state).arp("updown")
    assert [(ev.whole.begin, ev.value) for ev in pat.onsets(0, 1)] == [
        (0, {"note": 60, "velocity": 90}), (F(1, 4), {"note": 64, "velocity": 80}),
        (F(1, 2), {"note": 67, "velocity": 70}), (F(3, 4), {"note": 64, "velocity": 80}),
    ]
    state.note_off(0, 64)
    state.note_on(0, 67, 0)  # velocity 0 is a note-off
    assert onsets(pat) == [(0, 60)]  # one note held: it fills the cycle
    state.note_off(0, 60)
    assert pat.events(0, 1) == []


# The reference model: a set of (channel, note) keys, a note-on adds, a note-off or a note-on
# with velocity 0 removes; held() answers the distinct notes of that set, lowest first.
messages = st.lists(
    st.tuples(st.sampled_from(["on", "off"]), st.integers(0, 3), st.integers(0, 127), st.integers(0, 127)),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(messages, st.one_of(st.none(), st.integers(0, 3)))
def test_held_is_the_set_a_reference_model_keeps(sequence, channel):
    state = InputState()
    model: set[tuple[int, int]] = set()
    for kind, ch, n, velocity in sequence:
        if kind == "on":
            state.note_on(ch, n, velocity)
            (model.add if velocity else model.discard)((ch, n))
        else:
            state.note_off(ch, n)
            model.discard((ch, n))
    expected = sorted({n for ch, n in model if channel is None or ch == channel})
    chord = held(state, channel).events(0, 1)
    assert [ev.value["note"] for ev in chord] == expected
    assert all(ev.whole == ev.part for ev in chord)  # a chord filling the cycle
    lowest = held_root(state, channel, base=None).events(0, 1)
    if expected:
        assert [ev.value for ev in lowest] == [expected[0]]


# -- held_root ------------------------------------------------------------------


def test_held_root_follows_a_bass_key_in_any_octave_and_latches():
    state = InputState()
    pat = note("c4 e4").transpose(held_root(state))
    assert onsets(pat) == [(0, 60), (F(1, 2), 64)]  # before any key: as written
    state.note_on(0, 38, 100)  # d2
    assert onsets(pat) == [(0, 62), (F(1, 2), 66)]
    state.note_on(0, 43, 100)  # g2 above it: the lowest still leads
    assert onsets(pat) == [(0, 62), (F(1, 2), 66)]
    state.note_off(0, 38)
    assert onsets(pat) == [(0, 67), (F(1, 2), 71)]
    state.note_off(0, 43)  # nothing held: the last root stays
    assert onsets(pat) == [(0, 67), (F(1, 2), 71)]
    assert onsets(transpose(held_root(state), note("c4"))) == [(0, 67)]


def test_held_root_relative_to_a_note_or_as_the_note_itself():
    state = InputState()
    assert held_root(state, base=None).events(0, 1) == []  # nothing to give before a key
    state.note_on(1, 38, 100)
    assert values(held_root(state, base="c3")) == [-10]
    assert values(held_root(state, base=48)) == [-10]
    assert values(held_root(state, base="eb")) == [11]
    assert values(held_root(state, base=None)) == [38]
    assert values(held_root(state, channel=1)) == [2]
    assert values(held_root(state, channel=0)) == [0]  # nothing on channel 0 yet
    with pytest.raises(ValueError, match="note name"):
        held_root(state, base="h2")
    with pytest.raises(ValueError, match="0..127"):
        held_root(state, base=200)


# -- on_note --------------------------------------------------------------------


def test_on_note_is_silent_until_a_note_then_plays_once():
    state = InputState()
    shot = on_note(state, note("a b"))
    assert shot.events(0, 4) == []
    state.trigger(F(5, 2), 0, 36)
    assert onsets(shot, 0, 5) == [(F(5, 2), 69), (3, 71)]  # its first cycle, from the note, once
    assert onsets(on_note(state, note("a b"), cycles=2), 0, 5) == [(F(5, 2), 69), (3, 71), (F(7, 2), 69), (4, 71)]


def test_on_note_with_loop_plays_on_and_each_note_restarts_it():
    state = InputState()
    looped = on_note(state, note("<a b> c"), loop=True)
    state.trigger(1, 0, 36)
    assert onsets(looped, 0, 3) == [(1, 69), (F(3, 2), 60), (2, 71), (F(5, 2), 60)]
    state.trigger(F(11, 4), 0, 36)  # a note mid-cycle: from the beginning again, from there
    assert onsets(looped, F(5, 2), 4) == [(F(5, 2), 60), (F(11, 4), 69), (F(13, 4), 60), (F(15, 4), 71)]


def test_a_note_during_a_one_shot_starts_it_again_and_cuts_what_was_left():
    state = InputState()
    shot = on_note(state, note("a b c d"))
    state.trigger(0, 0, 36)
    state.trigger(F(1, 2), 0, 36)
    assert onsets(shot, 0, 2) == [(0, 69), (F(1, 4), 71), (F(1, 2), 69), (F(3, 4), 71), (1, 60), (F(5, 4), 62)]


def test_on_note_quantized_starts_on_the_next_grid_line():
    state = InputState()
    state.trigger(F(13, 10), 0, 36)
    assert onsets(on_note(state, note("a"), quantize=1), 0, 4) == [(2, 69)]
    assert onsets(on_note(state, note("a*4"), quantize=F(1, 4)), 0, 2) == [(F(3, 2), 69), (F(7, 4), 69)]


def test_on_note_answers_only_the_keys_and_channel_asked_for():
    state = InputState()
    state.trigger(1, 0, 36)
    state.trigger(2, 9, 38)
    assert onsets(on_note(state, note("a"), note="c2"), 0, 4) == [(1, 69)]
    assert onsets(on_note(state, note("a"), note=[38, 40]), 0, 4) == [(2, 69)]
    assert onsets(on_note(state, note("a"), channel=9), 0, 4) == [(2, 69)]
    assert onsets(on_note(state, note("a"), note=37), 0, 4) == []


def test_on_note_takes_the_pattern_alone_or_after_the_input():
    state = InputState()
    with pytest.raises(TypeError, match=r"\(pattern\) or \(input, pattern\)"):
        on_note(state, note("a"), note("b"))
    with pytest.raises(ValueError, match="cycles > 0"):
        on_note(state, note("a"), cycles=0)
    with pytest.raises(ValueError, match="quantize > 0"):
        on_note(state, note("a"), quantize=-1)
    with pytest.raises(TypeError, match="True or False"):
        on_note(state, note("a"), loop="yes")


def test_on_note_queried_piece_by_piece_gives_what_one_query_gives():
    state = InputState()
    for cycle in (F(1, 3), F(7, 5), F(9, 4)):
        state.trigger(cycle, 0, 36)
    for pat in (on_note(state, note("a b c")), on_note(state, note("a b c"), loop=True)):
        whole = pat.onsets(0, 4)
        pieces = [ev for i in range(40) for ev in pat.onsets(F(i, 10), F(i + 1, 10))]
        assert [(ev.whole, ev.value) for ev in pieces] == [(ev.whole, ev.value) for ev in whole]


def test_a_looping_on_note_keeps_playing_however_many_other_notes_are_played_after_it():
    state = InputState()
    looped = on_note(state, note("a"), note="d1", loop=True)
    state.trigger(1, 0, 26)  # d1
    for i in range(500):  # a long solo on the other keys
        state.trigger(1 + F(i, 1000), 0, 60 + i % 24)
    assert onsets(looped, 5, 6) == [(5, 69)]


def test_one_thread_plays_while_another_renders_and_every_read_is_whole():
    import threading

    state = InputState()
    stop = threading.Event()
    chords = [(60, 64, 67), (62, 65, 69)]  # the writer always holds one of these, whole, after each change

    def play():
        i = 0
        while not stop.is_set():
            old, new = chords[i % 2], chords[(i + 1) % 2]
            for n in new:
                state.note_on(0, n, 90)
            for n in old:
                state.note_off(0, n)
            state.control(0, 21, i % 128)
            i += 1

    writer = threading.Thread(target=play)
    writer.start()
    try:
        pat = held(state).arp("up")
        for _ in range(2000):
            notes = {ev.value["note"] for ev in pat.events(0, 1)}
            assert notes <= {60, 62, 64, 65, 67, 69}
            assert 0 <= knob(21, state, range=(0, 127)).events(0, 1)[0].value <= 127
    finally:
        stop.set()
        writer.join()
    assert [n for n, _ in state.notes()] in ([60, 64, 67], [62, 65, 69])
