"""A session's MIDI inputs read by patterns, on the in-memory backend and a virtual clock.

(The port path on a real JACK server is in test_inputs_jack.py.)
"""

from __future__ import annotations

import threading
from fractions import Fraction as F

import pytest
from session_helpers import Rig

from livemidi import Message
from livemidi.errors import PortNotFoundError
from livemidi.repl.toolbar import toolbar_text
from livemidi.session import namespace
from livemidi.session.patternfile import load_pattern_file

MEMORY = "livemidi.backends.memory"


@pytest.fixture
def rig():
    rig = Rig()
    yield rig
    rig.session.close()


def run_code(names: dict, code: str) -> None:
    exec(code, names)


def sent(rig, kind, channel=None):
    return [(cycle, msg) for cycle, _port, msg in rig.sent
            if msg.type == kind and (channel is None or msg.channel == channel)]


def test_a_knob_turned_changes_what_the_output_carries_from_the_next_window(rig, memory, unique):
    names = namespace(rig.session)
    with memory.open_output(unique, virtual=True) as controller:
        assert names["add_input"](unique, backend=MEMORY) == unique
        run_code(names, "p.f = note('c*4').cc(74, knob(21) * 127).velocity(knob(7, range=(40, 127)))")
        rig.start()
        rig.run(1)
        controller.send(Message("control_change", control=21, value=100))
        controller.send(Message("control_change", control=7, value=127))
        turned = rig.session.position().cycle
        rig.run(1)
    lookahead = F(rig.session.clock.lookahead / 2)  # 0.1 s at 2 s a bar, in cycles: 1/20
    before = [msg.value for cycle, msg in sent(rig, "control_change") if cycle < turned]
    after = [msg.value for cycle, msg in sent(rig, "control_change") if cycle > turned + lookahead]
    assert set(before) == {0} and after and set(after) == {100}
    velocities = [msg.velocity for cycle, msg in sent(rig, "note_on") if cycle > turned + lookahead]
    assert velocities and set(velocities) == {127}
    assert {msg.velocity for cycle, msg in sent(rig, "note_on") if cycle < turned} == {40}


def test_held_notes_play_as_an_arpeggio_and_silence_when_let_go(rig, memory, unique):
    names = namespace(rig.session)
    with memory.open_output(unique, virtual=True) as keyboard:
        rig.session.inputs.add(unique, backend=MEMORY)
        run_code(names, "p.arp = held().arp('up').ch(3)")
        rig.start()
        rig.run(1)
        assert sent(rig, "note_on") == []
        for n in (67, 60, 64):
            keyboard.send(Message("note_on", note=n, velocity=90))
        rig.run_to_cycle(F(19, 10))  # let go more than a lookahead before the next chord
        keyboard.send(Message("note_off", note=60))
        keyboard.send(Message("note_on", note=64, velocity=0))
        keyboard.send(Message("note_off", note=67))
        rig.run_to_cycle(F(3))
    played = [(cycle, msg.note) for cycle, msg in sent(rig, "note_on", 3)]
    assert played == [(1, 60), (F(4, 3), 64), (F(5, 3), 67)]  # lowest first; then silence, once let go
    on = {(msg.channel, msg.note) for _, msg in sent(rig, "note_on")}
    off = {(msg.channel, msg.note) for _, msg in sent(rig, "note_off")}
    assert on <= off  # every note played ended


def test_a_note_starts_an_on_note_pattern_within_one_lookahead(rig, memory, unique):
    names = namespace(rig.session)
    with memory.open_output(unique, virtual=True) as pads:
        rig.session.inputs.add(unique, backend=MEMORY)
        run_code(names, "p.hit = on_note(note('a5 b5'), note='c2').ch(9)\np.key = note('c4').transpose(held_root())")
        rig.start()
        rig.run(1)
        pads.send(Message("note_on", note=37, velocity=90))  # not the key asked for
        rig.run(F(1, 2))
        pads.send(Message("note_on", note=36, velocity=90))
        struck = rig.session.position().cycle
        rig.run(2)
    hits = [(cycle, msg.note) for cycle, msg in sent(rig, "note_on", 9)]
    assert [n for _, n in hits] == [81, 83]
    start = hits[0][0]
    assert struck <= start <= struck + F(rig.session.clock.lookahead / 2) + F(1, 100)
    assert hits[1][0] == start + F(1, 2)
    keys = [msg.note for _, msg in sent(rig, "note_on", 0)]
    assert keys[0] == 60 and keys[-1] == 60  # c2 latched: a pitch class 0 above c


def test_a_window_rendered_while_a_note_arrives_never_starts_its_pattern_in_the_past(rig, memory, unique):
    names = namespace(rig.session)
    with memory.open_output(unique, virtual=True) as pads:
        state = rig.session.inputs.add(unique, backend=MEMORY) and rig.session.inputs.state(unique)
        run_code(names, "p.hit = on_note(note('a5 b5'), note='c2').ch(9)")
        rig.start()
        rig.run(1)
        record, done = state.trigger, threading.Event()
        other = threading.Thread(target=rig.session.clock.step)

        def trigger_after_a_render(*args):
            # The lookahead's thread renders the next window between the note's arrival and its trigger.
            rig.t += 0.05
            other.start()
            other.join(0.5)  # (it cannot, once the trigger holds the lookahead's lock: it waits)
            record(*args)
            done.set()

        state.trigger = trigger_after_a_render
        pads.send(Message("note_on", note=36, velocity=90))
        assert done.wait(10)
        other.join(10)
        rig.run(2)
    assert [msg.note for _, msg in sent(rig, "note_on", 9)] == [81, 83]  # a5 was lost: rendered before its trigger


def test_knob_with_no_input_is_an_error_where_it_is_written_and_nothing_changes(rig):
    names = namespace(rig.session)
    run_code(names, "p.a = note('c')")
    for code in ("p.a = note('c').cc(1, knob(21))", "held()", "held_root()", "on_note(note('c'))"):
        with pytest.raises(ValueError, match=r"no MIDI input to read: start livemidi with --input NAME"):
            run_code(names, code)
    rig.start()
    rig.run(1)
    assert sent(rig, "control_change") == [] and len(sent(rig, "note_on")) == 1


def test_a_named_input_opens_when_a_pattern_first_names_it_by_a_unique_part(rig, memory, unique):
    names = namespace(rig.session)
    with memory.open_output(f"{unique} Keys", virtual=True), memory.open_output(f"{unique} Pads", virtual=True):
        run_code(names, f"from livemidi import set_backend\nset_backend({MEMORY!r})")
        try:
            run_code(names, f"k = knob(21, {unique + ' Pa'!r})")
            assert rig.session.inputs.names == [f"{unique} Pads"]
            run_code(names, f"k2 = knob(22, {unique + ' Pads'!r})")  # the same input, not a second one
            assert rig.session.inputs.names == [f"{unique} Pads"]
            with pytest.raises(PortNotFoundError, match=r"knob\(\)"):
                run_code(names, "knob(21, 'no such port here')")
            assert rig.session.inputs.names == [f"{unique} Pads"]
        finally:
            from livemidi import set_backend

            set_backend(None)


def test_an_input_that_disappears_keeps_its_knobs_tells_once_and_comes_back(rig, memory, unique):
    names = namespace(rig.session)
    controller = memory.open_output(unique, virtual=True)
    state = rig.session.inputs.state(names["add_input"](unique, backend=MEMORY))
    controller.send(Message("control_change", control=21, value=99))
    controller.send(Message("note_on", note=60, velocity=99))
    assert state.notes() == [(60, 99)]
    controller.close()
    rig.session.inputs.check()
    rig.session.inputs.check()
    told = [text for text in rig.notices if unique in text]
    assert len(told) == 1 and "is gone" in told[0] and "knobs keep their last values" in told[0]
    assert state.value(21) == 99 and state.notes() == []  # knobs keep; a gone keyboard holds nothing
    with memory.open_output(unique, virtual=True) as again:
        rig.session.inputs.check()
        assert any("is back" in text for text in rig.notices)
        again.send(Message("control_change", control=21, value=5))
        assert state.value(21) == 5


def test_the_toolbar_shows_the_inputs_patterns_read_and_their_latency(rig, memory, unique):
    names = namespace(rig.session)
    with memory.open_output(unique, virtual=True):
        names["add_input"](unique, backend=MEMORY)
        rig.start()
        assert f"in {unique}" not in toolbar_text(rig.session)  # open, but no pattern reads it
        run_code(names, "p.f = note('c*4').cc(74, knob(21) * 127)")
        rig.run(F(1, 2))
        assert f"│ in {unique} ≤100 ms │" in toolbar_text(rig.session)


def test_a_pattern_file_reads_the_session_input(rig, memory, unique, tmp_path):
    song = tmp_path / "song.py"
    song.write_text("p.lead = held().arp('up')\np.f = note('c*2').cc(1, knob(1) * 127).ch(5)\n")
    with memory.open_output(unique, virtual=True) as keyboard:
        rig.session.inputs.add(unique, backend=MEMORY)
        keyboard.send(Message("note_on", note=62, velocity=70))
        keyboard.send(Message("control_change", control=1, value=127))
        assert load_pattern_file(rig.session, song) == {"lead", "f"}
        rig.start()
        rig.run(1)
    assert {msg.note for _, msg in sent(rig, "note_on", 0)} == {62}
    assert {msg.value for _, msg in sent(rig, "control_change", 5)} == {127}


def test_the_command_s_inputs_open_in_order_and_the_first_is_the_default(rig, memory, unique):
    from livemidi.session.inputs import open_inputs

    with memory.open_output(f"{unique}keys", virtual=True) as keys:
        names = open_inputs(rig.session, [f"{unique}keys"], [f"{unique}virt"], backend=MEMORY)
        assert names == [f"{unique}keys", f"{unique}virt"]
        with memory.open_output(f"{unique}virt") as daw:  # a program sends to the virtual input
            keys.send(Message("control_change", control=1, value=11))
            daw.send(Message("control_change", control=1, value=22))
        functions = namespace(rig.session)
        assert functions["knob"](1, range=(0, 127)).events(0, 1)[0].value == 11
        assert functions["knob"](1, f"{unique}virt", range=(0, 127)).events(0, 1)[0].value == 22


def test_a_name_that_is_part_of_two_inputs_is_refused_saying_which(rig, memory, unique):
    with memory.open_output(f"{unique} A", virtual=True), memory.open_output(f"{unique} B", virtual=True):
        rig.session.inputs.add(f"{unique} A", backend=MEMORY)
        rig.session.inputs.add(f"{unique} B", backend=MEMORY)
        knob = namespace(rig.session)["knob"]
        with pytest.raises(ValueError, match=rf"several inputs \({unique} A, {unique} B\)"):
            knob(21, unique)
        assert knob(21, f"{unique} B") is not None


def test_what_patterns_read_is_heard_within_one_lookahead_even_after_a_starvation(rig, memory, unique):
    """After a starvation the loop ships further ahead than its lookahead (livemidi.clock.reach), for
    30 s. A key, a held chord or a knob read by a pattern was then heard that much later: a pad hit
    300 ms after the GIL was held 200 ms sounded ~400 ms late. While patterns read an input, the loop
    ships no further than its lookahead, and takes back what it shipped past it."""
    names = namespace(rig.session)
    with memory.open_output(unique, virtual=True) as pads:
        rig.session.inputs.add(unique, backend=MEMORY)
        run_code(names, "p.hit = on_note(note('a5 b5'), note='c2').ch(9)\np.lead = note('c5*8').velocity(knob(7, range=(40, 127)))")
        rig.start()
        rig.run(1)
        rig.t += 0.2  # the lookahead thread could not run for 0.2 s
        rig.session.clock.step()
        rig.run(F(1, 4))
        pads.send(Message("note_on", note=36, velocity=90))
        struck = rig.session.position().cycle
        rig.run(F(1, 4))
        pads.send(Message("control_change", control=7, value=127))
        turned = rig.session.position().cycle
        rig.run(2)
    within = F(rig.session.clock.lookahead / 2) + F(1, 100)  # one lookahead, in cycles, and a step
    hits = [cycle for cycle, msg in sent(rig, "note_on", 9)]
    assert len(hits) == 2 and struck <= hits[0] <= struck + within
    loud = [cycle for cycle, msg in sent(rig, "note_on", 0) if msg.velocity == 127]
    assert loud and turned <= loud[0] <= turned + within + F(1, 8)  # the next eighth after it
    assert not any(msg.velocity == 40 for cycle, msg in sent(rig, "note_on", 0) if cycle > turned + within)


def test_a_pattern_that_starts_reading_an_input_after_a_starvation_takes_back_the_extra(rig, memory, unique):
    names = namespace(rig.session)
    with memory.open_output(unique, virtual=True) as pads:
        rig.session.inputs.add(unique, backend=MEMORY)
        run_code(names, "p.beat = note('c3*4')")
        rig.start()
        rig.run(1)
        rig.t += 0.3  # starved before any pattern read an input: the loop ships ~0.45 s further ahead
        rig.session.clock.step()
        rig.run(F(1, 2))
        run_code(names, "p.hit = on_note(note('a5 b5'), note='c2').ch(9)")
        rig.run(F(3, 4))  # it starts at the next bar
        pads.send(Message("note_on", note=36, velocity=90))
        struck = rig.session.position().cycle
        rig.run(2)
    hits = [cycle for cycle, msg in sent(rig, "note_on", 9)]
    assert len(hits) == 2 and struck <= hits[0] <= struck + F(rig.session.clock.lookahead / 2) + F(1, 100)
    beats = [cycle for cycle, msg in sent(rig, "note_on", 0)]
    assert beats[-8:] == [beats[-8] + F(i, 4) for i in range(8)]  # the beat taken back and shipped again, once
