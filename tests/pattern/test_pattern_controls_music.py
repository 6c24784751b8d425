"""Signals, controls and the music helpers."""

from fractions import Fraction as F

import pytest
from pattern_helpers import lines

from livemidi.pattern import (
    CHORDS,
    SCALES,
    aftertouch,
    timbre,
    arp,
    arp_order,
    bank,
    bend,
    cc,
    cc_items,
    ch,
    channel,
    chord,
    chord_notes,
    cosine,
    duration,
    isaw,
    legato,
    mini,
    n,
    note,
    note_name,
    note_number,
    parse_chord,
    port,
    program,
    range_,
    saw,
    scale,
    scale_note,
    segment,
    sine,
    snap,
    snap_note,
    square,
    struct,
    sysex,
    transpose,
    tri,
    vel,
    velocity,
)


def values(pat, cycles=1):
    return [e.value for e in pat.events(0, cycles)]


def test_signals_sample_at_the_start_of_each_event():
    # Tidal 1.10 and Strudel: saw.segment(4) is 0 1/4 1/2 3/4 (Tidal 1.9 took the midpoints, 1/8 3/8 ...)
    assert values(segment(4, saw)) == [0, 0.25, 0.5, 0.75]
    assert values(segment(4, isaw)) == [1, 0.75, 0.5, 0.25]
    assert values(segment(4, square)) == [0, 0, 1, 1]
    assert values(segment(4, tri)) == [0, 0.5, 1, 0.5]
    assert [round(v, 4) for v in values(segment(4, sine))] == [0.5, 1, 0.5, 0]
    assert [round(v, 4) for v in values(segment(4, cosine))] == [1, 0.5, 0, 0.5]
    assert lines(sine) == ["(0 → 1) | 0.5"] and not sine.events(0, 1)[0].has_onset()
    assert values(segment(2, saw.range(20, 100))) == [20, 60]
    assert values(struct("t ~ t t", saw)) == [0, 0.5, 0.75]
    assert [e.value for e in segment(4, saw).events(F(1, 2), 1)] == [0.5, 0.75]
    assert values(range_(0, 127, "0 1")) == [0, 127]


@pytest.mark.parametrize("control", [note, n])
def test_a_fractional_note_is_a_microtone_kept_exact_never_rounded(control):
    # The port decides (session/mpe.py): a bend on an MPE or microtonal output, a refusal elsewhere.
    assert values(control(60.5)) == [{"note": 60.5}]
    assert values(control(F(121, 2))) == [{"note": F(121, 2)}]
    assert values(note("c4").n(60.5)) == [{"note": 60.5}]


@pytest.mark.parametrize("make", [lambda: note("c4 60.5"), lambda: n("60 60.5"), lambda: note(mini("60 60.5"))])
def test_a_fractional_note_in_mini_notation_is_a_microtone(make):
    assert values(make()) == [{"note": 60}, {"note": 60.5}]


def test_a_note_out_of_range_is_still_refused_where_it_is_written():
    with pytest.raises(ValueError, match=r"note expects a number 0..127, found 127.5"):
        note(127.5)


def test_pressure_and_timbre_are_controls():
    assert values(note("c4").pressure(40).timbre(100.2)) == [{"note": 60, "pressure": 40, "timbre": 100}]
    with pytest.raises(ValueError, match="timbre expects a number 0..127"):
        timbre(128)


def test_controls_make_dicts():
    assert values(note("c4 eb3 f#2 cs5 bb-1 60 61.0")) == [{"note": v} for v in (60, 51, 42, 73, 10, 60, 61)]
    assert values(n("0 7")) == [{"note": 0}, {"note": 7}]
    assert values(velocity(100.4) | channel(1)) == [{"velocity": 100, "channel": 1}]
    assert values(vel(1)) == values(velocity(1)) and values(ch(2)) == values(channel(2))
    assert values(port("IAC Bus 1")) == [{"port": "IAC Bus 1"}]
    assert values(legato(0.5)) == [{"legato": 0.5}] and values(duration(0.25)) == [{"duration": F(1, 4)}]
    assert values(cc(74, "0 127.2")) == [{"cc74": 0}, {"cc74": 127}]
    assert values(cc("<1 74>", 64), 2) == [{"cc1": 64}, {"cc74": 64}]
    assert values(bend(-8192) | aftertouch(3) | program(5) | bank(129)) == [
        {"bend": -8192, "aftertouch": 3, "program": 5, "bank": 129}]
    assert values(sysex([0x7E, 0x7F, 9, 1])) == [{"sysex": (126, 127, 9, 1)}] == values(sysex("7e 7f 09 01"))
    assert cc_items({"note": 60, "cc74": 10, "cc1": 3}) == [(1, 3), (74, 10)]


def test_structure_comes_from_the_left():
    p = note("c e g c5").velocity("100 60").ch(1)
    assert lines(p) == ["0 → 1/4 | note=60 velocity=100 channel=1", "1/4 → 1/2 | note=64 velocity=100 channel=1",
                        "1/2 → 3/4 | note=67 velocity=60 channel=1", "3/4 → 1 | note=72 velocity=60 channel=1"]
    assert lines(p) == lines(note("c e g c5") | velocity("100 60") | channel(1))
    assert lines(note("c*4").cc(74, saw.range(0, 127))) == [
        "0 → 1/4 | note=60 cc74=0", "1/4 → 1/2 | note=60 cc74=32", "1/2 → 3/4 | note=60 cc74=64",
        "3/4 → 1 | note=60 cc74=95"]
    assert lines(note("c e").legato(0.5).port(0).bend(100).aftertouch(1).program(2).bank(0).n("d")) == [
        "0 → 1/2 | note=62 legato=0.5 port=0 bend=100 aftertouch=1 program=2 bank=0",
        "1/2 → 1 | note=62 legato=0.5 port=0 bend=100 aftertouch=1 program=2 bank=0"]


@pytest.mark.parametrize("make, error, message", [
    (lambda: note("x"), ValueError, "expected a note name like c4"),
    (lambda: note(200), ValueError, "note expects a number 0..127, found 200"),
    (lambda: velocity(300), ValueError, "velocity expects a number 0..127, found 300"),
    (lambda: channel(16), ValueError, "channel expects a number 0..15"),
    (lambda: velocity("loud"), TypeError, "velocity expects a number"),
    (lambda: legato(0), ValueError, "legato expects a positive number"),
    (lambda: port(1.5), TypeError, "port expects a port name or index"),
    (lambda: cc(128, 1), ValueError, "cc number expects a number 0..127"),
    (lambda: sysex([0xF0]), ValueError, "0..127 \\(without F0/F7\\)"),
    (lambda: sysex("zz"), ValueError, "hex data bytes"),
    (lambda: cc(74, float("nan")), ValueError, "cc value expects a number 0..127, found nan"),
    (lambda: velocity(float("inf")), ValueError, "velocity expects a number 0..127, found inf"),
    (lambda: note(float("nan")), ValueError, "note expects a number 0..127, found nan"),
    (lambda: legato(float("nan")), ValueError, "legato expects a positive number, found nan"),
    (lambda: legato(float("inf")), ValueError, "legato expects a positive number, found inf"),
])
def test_bad_control_values_say_what_was_expected(make, error, message):
    with pytest.raises(error, match=message):
        make().events(0, 1)


def test_note_names():
    assert note_number("c4") == 60 and note_number("C") == 60 and note_number("a4") == 69
    assert note_number("ef3") == note_number("eb3") == note_number("d#3") == note_number("ds3") == 51
    assert note_number("c-1") == 0 and note_number(64) == 64
    assert [note_name(x) for x in (60, 61, 0, 127)] == ["c4", "c#4", "c-1", "g9"]
    with pytest.raises(ValueError, match="note name"):
        note_number("h2")


def test_scales():
    assert len(SCALES) >= 30
    for name in ["major", "dorian", "phrygian", "lydian", "mixolydian", "minor", "locrian", "harmonic_minor",
                 "melodic_minor", "major_pentatonic", "minor_pentatonic", "blues", "whole_tone", "chromatic"]:
        assert name in SCALES
    assert [scale_note(d, "major") for d in (0, 2, 4, 7, -1, -7, 14)] == [60, 64, 67, 72, 59, 48, 84]
    assert values(scale("minor", "0 2 4", root="a3")) == [57, 60, 64]
    assert values(scale("<major minor>", "2"), 2) == [64, 63]
    assert values(note(scale("major", "0 1"))) == [{"note": 60}, {"note": 62}]
    with pytest.raises(ValueError, match="unknown scale 'majr'; expected one of"):
        scale("majr", "0")
    with pytest.raises(ValueError, match="whole-number scale degree"):
        scale("major", "0.5").events(0, 1)


def test_snap_and_transpose():
    assert [snap_note(x, "major") for x in (60, 61, 63, 66, 70)] == [60, 60, 62, 65, 69]
    assert snap_note(61, "major", root="d") == 61  # c# is in D major
    assert values(snap("minor_pentatonic", "60 61 62 64")) == [60, 60, 63, 63]
    assert values(transpose(12, "c4 61")) == [72, 73]
    assert values(transpose("<0 7>", note("c")), 2) == [{"note": 60}, {"note": 67}]
    with pytest.raises(ValueError, match="without 'note'"):
        transpose(1, velocity(3)).events(0, 1)


def test_chords_inversions_voicings():
    assert len({tuple(v) for v in CHORDS.values()}) >= 20
    for q in ["maj", "min", "7", "maj7", "m7", "dim", "dim7", "aug", "sus2", "sus4", "6", "m6", "9", "maj9", "m9",
              "11", "13", "add9"]:
        assert q in CHORDS
    assert chord_notes("c4", "maj7") == [60, 64, 67, 71]
    assert chord_notes("c4", "major", inversion=1) == [64, 67, 72]
    assert chord_notes("c4", "major", inversion=2) == [67, 72, 76]
    assert chord_notes("c4", "major", voicing="open") == [60, 67, 76]
    assert chord_notes("c4", "maj7", voicing="drop2") == [55, 60, 64, 71]
    assert chord_notes("c4", "maj7", voicing="drop3") == [52, 60, 67, 71]
    assert chord_notes("c4", "major", count=5) == [60, 64, 67, 72, 76]
    assert parse_chord("a3'min'ii") == [64, 69, 72] and parse_chord("0'major'o") == [0, 7, 16]
    assert parse_chord("c4'maj7'd2") == [55, 60, 64, 71] and parse_chord("c") is None
    with pytest.raises(ValueError, match="unknown chord modifier 'x'"):
        parse_chord("c'maj'x")
    assert lines(chord("<maj min>", "c4 e4"), 1) == ["0 → 1/2 | 60", "0 → 1/2 | 64", "0 → 1/2 | 67",
                                                     "1/2 → 1 | 64", "1/2 → 1 | 68", "1/2 → 1 | 71"]
    assert values(chord("maj", note("c"))) == [{"note": 60}, {"note": 64}, {"note": 67}]
    with pytest.raises(ValueError, match="unknown chord 'mjr'"):
        chord("mjr", "c")


def test_arpeggios():
    xs = [0, 1, 2, 3]
    assert arp_order("up", xs) == [0, 1, 2, 3] and arp_order("down", xs) == [3, 2, 1, 0]
    assert arp_order("updown", xs) == [0, 1, 2, 3, 2, 1] and arp_order("downup", xs) == [3, 2, 1, 0, 1, 2]
    assert arp_order("up_and_down", xs) == [0, 1, 2, 3, 3, 2, 1, 0]
    assert arp_order("down_and_up", xs) == [3, 2, 1, 0, 0, 1, 2, 3]
    assert arp_order("converge", xs) == [0, 3, 1, 2] and arp_order("diverge", xs) == [2, 1, 3, 0]
    # Tidal's disconverge is converge ++ tail (reverse converge): 0 3 1 2 then 1 3 0 (it dropped the 0)
    assert arp_order("disconverge", xs) == [0, 3, 1, 2, 1, 3, 0]
    assert arp_order("disconverge", [0, 1, 2]) == [0, 2, 1, 2, 0]
    assert arp_order("pinkyup", xs) == [0, 3, 1, 3, 2, 3] and arp_order("thumbup", xs) == [0, 1, 0, 2, 0, 3]
    assert lines(arp("updown", "c4'major")) == ["0 → 1/4 | 60", "1/4 → 1/2 | 64", "1/2 → 3/4 | 67", "3/4 → 1 | 64"]
    assert lines(arp("<up down>", "<c4'major e4'min>"), 2) == [
        "0 → 1/3 | 60", "1/3 → 2/3 | 64", "2/3 → 1 | 67", "1 → 4/3 | 71", "4/3 → 5/3 | 67", "5/3 → 2 | 64"]
    shuffled = [sorted(e.value for e in arp("random", "c4'maj7").onsets(c, c + 1)) for c in range(4)]
    assert shuffled == [[60, 64, 67, 71]] * 4
    assert lines(arp("random", "c4'maj7"), 3) == lines(arp("random", "c4'maj7"), 3)
    with pytest.raises(ValueError, match="unknown arpeggio mode 'sideways'"):
        arp("sideways", "c'maj")


def test_arp_of_a_table_equals_the_general_arp():
    from livemidi.mini.interpret import _Builder
    from livemidi.mini.parser import parse
    from livemidi.pattern import tables

    text = "<c4'maj7 [a3'min e4'7'5]> c'sus4"
    for mode in ["up", "updown", "converge", "pinkyup"]:
        with tables.disabled():
            general = arp(mode, _Builder(text).build(parse(text)))
        compiled = arp(mode, text)
        assert compiled._cycles is not None and general._cycles is None
        assert lines(compiled, 4) == lines(general, 4)
