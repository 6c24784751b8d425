"""load(): .mid files as looping patterns — round trips through render, realistic files, selections, errors."""

from __future__ import annotations

import time
from fractions import Fraction as F

import midifixtures as fx
import pytest

from livemidi import Message, MetaMessage, MidiFile, MidiTrack
from livemidi import pattern as pat
from livemidi.render import render
from livemidi.session.bars import BarMap
from livemidi.session.loadmid import load, read_loop
from livemidi.session.offline import render_pattern_file


def notes_of(pattern, bars, begin=0):
    """(onset, note, velocity, channel, duration) of every note render plays in [begin, begin+bars)."""
    rendered = render(pattern, begin, begin + bars)
    sounding, out = {}, []
    for item in rendered:
        msg = item.message
        if msg.type == "note_on":
            sounding.setdefault((msg.channel, msg.note), []).append((item.cycle, msg.velocity))
        elif msg.type == "note_off":
            onset, velocity = sounding[msg.channel, msg.note].pop(0)
            out.append((onset, msg.note, velocity, msg.channel, item.cycle - onset))
    return sorted(out)


def others_of(pattern, bars):
    """(cycle, message text) of every message that is not a note, as render sends them."""
    return sorted((item.cycle, str(item.message)) for item in render(pattern, 0, bars)
                  if item.message.type not in ("note_on", "note_off"))


def onsets(pattern, begin, end, key=None):
    return [(ev.whole.begin, ev.value) for ev in pattern.onsets(begin, end)
            if key is None or ev.value.get("note") == key]


# -- round trip: render a pattern file to .mid, load it back ---------------------------------

ROUND_TRIPS = {
    "chords_rests_velocities": ({
        "keys": "note(\"<c4'maj7 a3'min7> ~ [e4 g4] ~\").velocity(\"100 80 60 40\").legato(\"1 0.5\")",
        "bass": "note(\"c2 [~ c3] ~ [g2 bb2]\").ch(1).velocity(\"<110 70>\")",
    }, 2),
    "triplets_and_ties": ({
        "lead": "note(\"[c5 d5 e5]/2 [g5 a5 b5]\").ch(2).velocity(90)",
        "pad": "note(\"[c3, g3]/2\").ch(3)",  # held over the bar line
    }, 4),
    "drums_and_cc": ({
        "kick": "note(\"c2(3,8)\").ch(9).velocity(\"<120 90>\")",
        "hats": "note(\"[~ f#2]*4\").ch(9).velocity(\"60 90\")",
        "stab": "note(\"c3*2\").ch(4).legato(0.25) | cc(74, \"<10 64>\")",
        "wheel": "bend(\"0 4096 -4096 0\").ch(5)",
    }, 2),
}


@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_round_trip_gives_the_same_events(tmp_path, name):
    loops, bars = ROUND_TRIPS[name]
    path = tmp_path / f"{name}.py"
    path.write_text("".join(f"p.{loop} = {code}\n" for loop, code in loops.items()))
    names = {n: getattr(pat, n) for n in pat.__all__}
    original = pat.stack(*[eval(code, names) for code in loops.values()])
    midi = render_pattern_file(path, bars)
    assert midi.ticks_per_beat == 480
    midi.save(str(tmp_path / "out.mid"))
    loaded = load(str(tmp_path / "out.mid"))
    expected = notes_of(original, bars)
    assert expected and notes_of(loaded, bars) == expected
    assert others_of(loaded, bars) == others_of(original, bars)
    # Exact Fractions, not rounded floats: a triplet is a third.
    assert all(type(onset) is F and type(length) is F for onset, *_, length in notes_of(loaded, bars))


def test_round_trip_through_tempo_changes(tmp_path):
    path = tmp_path / "tempi.py"
    path.write_text("tempo(90)\ntempo(150, at=1)\ntempo(72, at=2)\np.a = note(\"c4 [e4 g4] ~ c5\").velocity(80)\n")
    midi = render_pattern_file(path, 3)
    assert [m.tempo for m in midi.tracks[0] if m.type == "set_tempo"] == [666667, 400000, 833333]
    expected = notes_of(pat.note("c4 [e4 g4] ~ c5").velocity(80), 3)
    assert notes_of(load(midi), 3) == expected
    assert notes_of(load(midi), 3)[1] == (F(1, 4), 64, 80, 0, F(1, 8))


# -- the drum groove: type 0, swing, ghost notes ----------------------------------------------

@pytest.fixture(scope="module")
def groove(tmp_path_factory):
    return fx.saved(fx.drum_groove(), tmp_path_factory.mktemp("mid") / "groove.mid")


@pytest.fixture(scope="module")
def piano(tmp_path_factory):
    return fx.saved(fx.piano_piece(), tmp_path_factory.mktemp("mid") / "piano.mid")


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    return fx.saved(fx.song(), tmp_path_factory.mktemp("mid") / "song.mid")


def test_groove_every_hit_in_place(groove):
    loop = read_loop(groove)
    assert loop.bars == 2
    got = sorted((e.whole.begin, e.value["note"], e.value["velocity"]) for e in loop.pattern.onsets(0, 2))
    bar = 4 * fx.GROOVE_TPB
    want = sorted((bar_ + F(at, bar), key, vel) for bar_, at, key, vel in fx.GROOVE_HITS)
    assert got == want
    assert all(e.value["channel"] == 9 for e in loop.pattern.onsets(0, 2))
    swung = [t for t, key, _ in got if key == fx.CLOSED_HAT and t < 1]
    assert swung == [0, F(1, 6), F(1, 4), F(5, 12), F(1, 2), F(2, 3), F(3, 4), F(11, 12)]
    ghosts = [(t, v) for t, key, v in got if key == fx.SNARE and v < 40]
    assert ghosts == [(F(7, 16), 24), (F(9, 16), 30), (F(23, 16), 24), (F(25, 16), 30)]


def test_groove_lengths_trigger_and_ringing_hat(groove):
    events = {(e.whole.begin, e.value["note"]): e.whole for e in load(groove).onsets(0, 2)}
    assert events[F(0), fx.KICK].end == F(12, 384)  # a 32nd
    assert events[F(1), fx.KICK].end == 1 + F(1, 384)  # note-off on the note-on's tick: one tick
    assert events[F(23, 12), fx.OPEN_HAT].end == 2  # rings to the end of the file


def test_groove_loops_forever_and_quantizes(groove):
    loop = load(groove)
    assert onsets(loop, 6, 8) == [(t + 6, v) for t, v in onsets(loop, 0, 2)]
    straight = load(groove, quantize="1/8")
    hats = [t for t, v in onsets(straight, 0, 1, fx.CLOSED_HAT)]
    assert hats == [F(k, 8) for k in range(8)]
    ghost = [(e.whole.begin, e.whole.end) for e in straight.onsets(0, 1) if e.value["velocity"] == 24]
    assert ghost == [(F(1, 2), F(1, 2) + F(12, 384))]  # 7/16 → 1/2, its length kept
    sixteenths = load(groove, quantize=F(1, 16))
    assert [t for t, _ in onsets(sixteenths, 0, 1, fx.CLOSED_HAT)][:2] == [0, F(3, 16)]


def test_groove_selection(groove):
    assert onsets(load(groove, track=0), 0, 2) == onsets(load(groove), 0, 2)
    assert onsets(load(groove, track="groove 98"), 0, 2) == onsets(load(groove), 0, 2)
    assert onsets(load(groove, channel=9), 0, 2) == onsets(load(groove), 0, 2)
    second = read_loop(groove, bars=(1, 2))
    assert second.bars == 1
    assert onsets(second.pattern, 0, 1) == [(t - 1, v) for t, v in onsets(load(groove), 1, 2)]
    assert onsets(second.pattern, 5, 6) == [(t + 4, v) for t, v in onsets(load(groove), 1, 2)]


# -- the piano piece: two hands, pedal, overlaps ---------------------------------------------------

def test_piano_hands_by_name_and_overlaps(piano):
    right = read_loop(piano, track="Right Hand")
    assert right.bars == 4  # the last note-off 5 ticks past bar 4 does not make a fifth bar
    bar = 4 * 480
    want = [(F(t, bar), key, vel, 0, F(length, bar)) for t, length, key, vel in fx.RIGHT_HAND]
    want[-1] = (F(3), 72, 64, 0, F(1925, bar))  # the last note keeps its full length
    assert notes_of(right.pattern, 4) == sorted(want)
    c5s = [w for w in notes_of(right.pattern, 4) if w[1] == 72 and 2 <= w[0] < 3]
    assert c5s == [(2, 72, 84, 0, F(600, bar)), (F(9, 4), 72, 60, 0, F(400, bar))]  # first in, first out
    left = load(piano, track=2, controls=False)
    assert len(left.onsets(0, 4)) == 32
    assert onsets(load(piano, track=["Left Hand", "right hand"]), 0, 4) == onsets(load(piano), 0, 4)


def test_piano_sustain_pedal(piano):
    pedal = [(e.whole.begin, e.whole.end, e.value) for e in load(piano, track=2).onsets(0, 1) if "cc64" in e.value]
    assert pedal == [(F(10, 1920), F(1900, 1920), {"cc64": 127, "channel": 0}),
                     (F(1900, 1920), 1, {"cc64": 0, "channel": 0})]
    # Bars 2-3 begin with the pedal as it was (up), then go on as written.
    later = [(e.whole.begin, e.value["cc64"]) for e in load(piano, track=2, bars=(2, 4)).onsets(0, 1)
             if "cc64" in e.value]
    assert later == [(0, 0), (F(10, 1920), 127), (F(1900, 1920), 0)]
    messages = [str(i.message) for i in render(load(piano, track=2), 0, 1) if i.message.type == "control_change"]
    assert messages == ["control_change channel=0 control=64 value=127 time=0",
                        "control_change channel=0 control=64 value=0 time=0"]


def test_piano_as_a_pattern_like_any_other(piano):
    right = load(piano, track="Right Hand", controls=False)
    first = onsets(right, 0, 1)
    assert [v["note"] for _, v in onsets(right.transpose(12), 0, 1)] == [v["note"] + 12 for _, v in first]
    assert [v["note"] for _, v in onsets(pat.snap("minor", right), 0, 1)] == [75, 79, 77]
    assert [(t, v["note"]) for t, v in onsets(right.fast(2), 0, 1)] == \
        [(t / 2, v["note"]) for t, v in onsets(right, 0, 2)]
    assert [e.whole for e in right.fast(2).onsets(0, F(1, 2))][0].end == F(500, 1920 * 2)  # lengths scale too
    one = load(piano, track="Right Hand", bars=1)  # no note held over a bar line (rev would cut it)
    assert [(t, v["note"]) for t, v in onsets(one.rev(), 0, 1)] == [(0, 77), (F(31, 64), 79), (F(71, 96), 76)]
    every = pat.every(2, pat.fast(2), right)
    assert [v["note"] for _, v in onsets(every, 0, 1)] == [76, 79, 77, 76, 74, 72, 74]
    assert onsets(every, 1, 2) == onsets(right, 1, 2)
    with pytest.raises(ValueError, match="without 'note'"):
        load(piano, track=2).transpose(12).events(0, 1)  # with the pedal in it: see controls=False


# -- the song: tempo changes and 3/4 → 4/4 -------------------------------------------------------

def test_song_bars_follow_the_meter(song):
    drums = load(song, track="Drums")
    kicks = [t for t, _ in onsets(drums, 0, 8, fx.KICK)]
    assert kicks[:3] == [0, F(1, 3), F(2, 3)] and kicks[12:16] == [4, F(17, 4), F(9, 2), F(19, 4)]
    assert len(kicks) == 4 * 3 + 4 * 4
    assert read_loop(song).bars == 8
    barmap = BarMap.of(MidiFile(song))
    assert barmap.meter_text() == "3/4, 4/4 from bar 4"
    assert barmap.tick(4) == fx.METER_CHANGE and barmap.cycle(fx.METER_CHANGE + 960) == F(9, 2)


def test_song_tracks_channels_bars_and_controls(song):
    bass = load(song, track="Bass")
    values = [(t, v) for t, v in onsets(bass, 3, 4)]
    assert values == [(3, {"note": 36, "velocity": 96, "channel": 1}),
                      (F(10, 3), {"bend": 4096, "channel": 1}), (F(11, 3), {"bend": 0, "channel": 1})]
    assert onsets(bass, 0, 1)[0] == (0, {"program": 33, "channel": 1})
    both = load(song, track=["Bass", 4], channel=[1, 3], controls=False)
    assert {v["channel"] for _, v in onsets(both, 0, 8)} == {1, 3}
    assert onsets(both, 0, 8) == sorted(onsets(load(song, channel=1, controls=False), 0, 8)
                                       + onsets(load(song, channel=3), 0, 8), key=lambda o: (o[0], o[1]["note"]))
    common = read_loop(song, track="Lead", bars=(4, 8))
    assert common.bars == 4
    assert [t for t, _ in onsets(common.pattern, 0, 1)] == [0, F(1, 4), F(1, 2), F(3, 4)]
    strings = load(song, track="Strings", bars=(5, 8))  # chases volume and modulation into the selection
    # The chased values first (the state before the selection), then what the file sets at its start.
    assert [v for t, v in onsets(strings, 0, 1) if "note" not in v] == [
        {"cc7": 100, "channel": 2}, {"cc1": 50, "channel": 2}]
    waltz = load(song, track="Drums", bars=2, quantize="1/4")
    assert [t for t, _ in onsets(waltz, 0, 1, fx.KICK)] == [0, F(1, 4), F(3, 4)]


# -- queries: exact, each event once, fast --------------------------------------------------------

def test_queries_piece_by_piece_match_one_query(song):
    strings = load(song, track="Strings")
    whole = [(e.whole, e.part, e.value) for e in strings.events(F(1, 2), F(11, 2))]
    cuts = [F(1, 2), F(2, 3), 1, F(7, 3), 3, F(9, 2), F(11, 2)]
    pieces = []
    for b, e in zip(cuts, cuts[1:]):
        pieces += [e_.whole for e_ in strings.onsets(b, e)]
    assert pieces == [w for w, p, v in whole if w.begin == p.begin]
    held = [v for w, p, v in whole if w.begin != p.begin]  # sounding at 1/2: fragments, not onsets
    assert [v.get("note", "cc7") for v in held] == ["cc7", 60, 64, 67]
    assert [e.value["note"] for e in strings.events(F(3, 2), F(3, 2))] == [65, 69, 72]  # a point query: the f chord of bar 1


def test_loading_and_playing_a_long_file_is_fast():
    midi = MidiFile(type=1, ticks_per_beat=480)
    events = []
    for i in range(20000):  # 20000 sixteenths: 1250 bars
        fx.note(events, i * 120, 100, 36 + i % 48, 64 + i % 60, i % 4)
    midi.tracks.append(fx.track_from(events))
    started = time.perf_counter()
    loop = read_loop(midi)
    for cycle in range(loop.bars):
        render(loop.pattern, cycle, cycle + 1)
    assert loop.bars == 1250 and len(loop.pattern.onsets(0, 1)) == 16
    assert time.perf_counter() - started < 5


# -- errors say what was expected and what the file has --------------------------------------------

def test_a_type_2_file_is_refused():
    midi = fx.song()
    midi.type = 2
    with pytest.raises(ValueError, match=r"(?s)type 2 file .* load reads type 0 and type 1 files.*track 1 'Drums'"):
        load(midi)


@pytest.mark.parametrize("options, message", [
    ({"track": 9}, r"has no track 9 \(expected 0 to 4\)"),
    ({"track": "Guitar"}, r"has no track named 'Guitar'"),
    ({"channel": 5}, r"has no notes for channel=5 \(expected at least one note to loop\)"),
    ({"track": "Song"}, r"has no notes for track='Song'"),
    ({"track": "Lead", "bars": 4}, r"no notes for track='Lead', bars=4"),
    ({"bars": (8, 12)}, r"bars 8–12 are outside the file, which has 8 bars \(expected a start below 8\)"),
])
def test_an_empty_selection_says_what_the_file_has(song, options, message):
    with pytest.raises(ValueError, match=message) as caught:
        load(song, **options)
    assert "track 1 'Drums': 36 notes on channel 9" in str(caught.value)
    assert "track 0 'Song': no notes" in str(caught.value)
    assert "8 bars of 3/4, 4/4 from bar 4" in str(caught.value)


def test_a_file_without_notes():
    midi = MidiFile(type=1)
    midi.tracks.append(MidiTrack([MetaMessage("track_name", name="empty"), Message("control_change", control=7),
                                  MetaMessage("end_of_track", time=1920)]))
    with pytest.raises(ValueError, match=r"(?s)has no notes \(expected at least one note to loop\).*'empty': no notes"):
        load(midi)


@pytest.mark.parametrize("options, error, message", [
    ({"bars": 0}, ValueError, "expected 1 or more"),
    ({"bars": (3, 2)}, ValueError, r"a range \(start, end\) with 0 <= start < end"),
    ({"channel": 16}, ValueError, r"range 0\.\.15"),
    ({"channel": "drums"}, TypeError, "a channel 0..15"),
    ({"quantize": 2}, ValueError, "0 < grid <= 1"),
    ({"track": 1.5}, TypeError, "a track number, a track name"),
])
def test_bad_arguments(groove, options, error, message):
    with pytest.raises(error, match=message):
        load(groove, **options)


def test_bad_source():
    with pytest.raises(TypeError, match="expects a path or a MidiFile"):
        load(42)
    with pytest.raises(OSError):
        load("/nonexistent/file.mid")


def test_controls_are_chased_in_time_order_across_tracks():
    midi = MidiFile(type=1)
    late, early, notes = [], [], []
    late.append((100, Message("control_change", control=7, value=100)))
    early.append((50, Message("control_change", control=7, value=20)))
    fx.note(notes, 1920, 240, 60, 90, 0)
    midi.tracks += [fx.track_from(late), fx.track_from(early), fx.track_from(notes, end=3840)]
    assert onsets(load(midi, bars=(1, 2)), 0, 1)[0] == (0, {"cc7": 100, "channel": 0})
