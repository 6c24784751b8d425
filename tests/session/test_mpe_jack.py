"""MPE and microtones on a real JACK server: a second client receives what a synth would.

`livemidi run FILE --mpe PORT` opens an existing port (the synth's input) as
an MPE output; a `Session` with ``microtonal_channels`` does the same for an
ordinary synth.
"""

from __future__ import annotations

import time

import pytest

from jackserver import client, collect, run_into

from livemidi import Message, MidiFile
from livemidi.pattern import note
from livemidi.session import Session


def rpn(channel, number, msb, lsb=0):
    cc = lambda control, value: Message("control_change", channel=channel, control=control, value=value)  # noqa: E731
    return [cc(101, 0), cc(100, number), cc(6, msb), cc(38, lsb), cc(101, 127), cc(100, 127)]


def notes_with_bends(received):
    """(channel, note, the bend its channel had at its note-on) for each note-on; checks each member
    channel holds one note at a time and that every note ends."""
    bend, held, out = {}, {}, []
    for msg in received:
        if msg.type == "pitchwheel":
            bend[msg.channel] = msg.pitch
        elif msg.type == "note_on" and msg.velocity:
            assert not held.get(msg.channel), f"channel {msg.channel} already holds {held[msg.channel]}: {msg}"
            held[msg.channel] = msg.note
            out.append((msg.channel, msg.note, bend.get(msg.channel)))
        elif msg.type in ("note_on", "note_off") and held.get(msg.channel) == msg.note:
            held[msg.channel] = None
    assert not any(held.values()), f"left sounding: {held}"
    return out


def excuse_if_the_sender_wrote_it(record, received) -> None:
    """Skip when what livemidi's sender wrote (its recording: what it reported sent) holds every note
    with its note-off but the receiver did not get them all: JACK, or the receiving client, lost or
    repeated events (seen under load in CI). Otherwise return, and the test fails."""
    sent = [msg for track in MidiFile(record).tracks for msg in track if msg.type in ("note_on", "note_off")]
    pairs = lambda messages: sorted(  # noqa: E731
        (msg.channel, msg.note, msg.type == "note_on" and msg.velocity > 0) for msg in messages
        if msg.type in ("note_on", "note_off"))
    if sent and pairs(sent) != pairs(received) and not notes_unended(sent):
        pytest.skip(f"JACK or the receiving client lost or repeated notes: the sender wrote {pairs(sent)}, "
                    f"the synth got {pairs(received)}")


def notes_unended(messages) -> set:
    sounding = set()
    for msg in messages:
        if msg.type == "note_on" and msg.velocity:
            sounding.add((msg.channel, msg.note))
        else:
            sounding.discard((msg.channel, msg.note))
    return sounding


def test_run_with_mpe_configures_the_zone_then_plays_each_note_on_a_channel_of_its_own(jack, jack_spec, unique, tmp_path):
    pattern_file = tmp_path / "mpe.py"
    pattern_file.write_text("tempo(240)\np.pad = note('[c4, e4, g4] [60.5, 64.25]').duration(0.4).timbre(100)\n")
    record = tmp_path / "sent.mid"
    received, _ = run_into(jack, jack_spec, unique, pattern_file, "--bars", "1", "--mpe", unique, "--mpe-members", "4",
                           "--record", str(record))  # fmt: skip
    configuration = rpn(0, 6, 4) + rpn(0, 0, 2) + [m for channel in (1, 2, 3, 4) for m in rpn(channel, 0, 48)]
    assert received[: len(configuration)] == configuration  # the configuration comes first
    try:
        played = notes_with_bends(received[len(configuration):])
    except AssertionError:
        excuse_if_the_sender_wrote_it(record, received)
        raise
    chord, dyad = played[:3], played[3:5]
    assert sorted(note for _, note, _ in chord) == [60, 64, 67] and {bend for _, _, bend in chord} == {0}
    assert len({channel for channel, _, _ in chord}) == 3  # overlapping notes: distinct member channels
    assert sorted((note, bend) for _, note, bend in dyad) == [(61, -85), (64, 43)]  # microtones: key + bend
    assert {channel for channel, _, _ in played} <= {1, 2, 3, 4}
    for channel, _, _ in played:  # each note's bend, pressure, timbre on its channel before its note-on
        ons = [i for i, m in enumerate(received) if m.type == "note_on" and m.velocity and m.channel == channel]
        for i in ons:
            assert [m.type for m in received[i - 3 : i]] == ["pitchwheel", "aftertouch", "control_change"]
            assert received[i - 1].control == 74 and received[i - 1].value == 100


def test_microtonal_channels_on_an_ordinary_synth_give_note_and_bend_pairs(jack, jack_spec, unique):
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        with Session(bpm=240) as session:
            session.add_output(unique, backend=jack_spec, microtonal_channels=[1, 2], bend_range=1)
            session.p.a = note("60.25 [c4 61.75] 62.5 ~").duration(0.1)
            session.end_at(1)
            session.start()
            time.sleep(1.4)
        received = collect(synth, 0.5)
    setup = rpn(1, 0, 1) + rpn(2, 0, 1)
    assert received[: len(setup)] == setup
    played = notes_with_bends(received[len(setup):])
    # 0.25 of a semitone with a 1-semitone range is 2048; c4 is a whole note on channel 0, as ever
    assert played == [(1, 60, 2048), (0, 60, None), (2, 62, -2048), (1, 63, -4096)]
