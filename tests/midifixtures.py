"""Realistic MIDI files for the tests, built with livemidi.MidiFile (no binary fixtures in the tree).

Each builder returns a fresh `MidiFile` written the way real programs write
them: drum machines (type 0, short hits, note-on velocity 0 as note-off),
keyboard recordings (type 1, one track per hand, sustain pedal, legato
overlaps, a repeated key that overlaps itself, note-offs a few ticks past the
last bar line) and a DAW song export (a tempo track with tempo and meter
changes, named tracks on their own channels, pitch bend and controller rides).
Saved and read back, they go through the writer's running status.

The module-level constants say what each file holds, so the tests can check
`load` against what was written rather than against itself.
"""

from __future__ import annotations

from livemidi import Message, MetaMessage, MidiFile, MidiTrack, bpm2tempo

KICK, SNARE, CLOSED_HAT, OPEN_HAT = 36, 38, 42, 46
DRUMS = 9  # channel 10 in General MIDI counting


def track_from(events: list[tuple[int, object]], end: int | None = None) -> MidiTrack:
    """A track from (absolute tick, message) pairs (stable order at one tick), ending at `end` or the last event."""
    track = MidiTrack()
    last = 0
    for tick, msg in sorted(events, key=lambda pair: pair[0]):
        track.append(msg.copy(time=tick - last))
        last = tick
    track.append(MetaMessage("end_of_track", time=max(0, (end if end is not None else last) - last)))
    return track


def note(events: list, tick: int, length: int, key: int, velocity: int, channel: int, zero_off: bool = True) -> None:
    """Add a note: note_on, then a note-off `length` ticks later (note_on velocity 0, as most devices write)."""
    events.append((tick, Message("note_on", channel=channel, note=key, velocity=velocity)))
    off = (Message("note_on", channel=channel, note=key, velocity=0) if zero_off
           else Message("note_off", channel=channel, note=key, velocity=64))
    events.append((tick + length, off))


# -- a drum groove ------------------------------------------------------------

GROOVE_TPB = 96
GROOVE_BARS = 2
GROOVE_SWING = 64  # the off-beat eighth lands 2/3 into the beat (96 ticks): triplet swing
# (bar, tick in bar, key, velocity) of every hit, for the tests.
GROOVE_HITS: list[tuple[int, int, int, int]] = []
for _bar in range(GROOVE_BARS):
    for _beat in range(4):
        GROOVE_HITS.append((_bar, _beat * 96, CLOSED_HAT, 100 if _beat % 2 == 0 else 85))
        if not (_bar == 1 and _beat == 3):
            GROOVE_HITS.append((_bar, _beat * 96 + GROOVE_SWING, CLOSED_HAT, 60))
    GROOVE_HITS += [(_bar, 0, KICK, 118), (_bar, 2 * 96 + GROOVE_SWING, KICK, 96)]
    GROOVE_HITS += [(_bar, 96, SNARE, 112), (_bar, 3 * 96, SNARE, 115)]
    GROOVE_HITS += [(_bar, 96 + 72, SNARE, 24), (_bar, 2 * 96 + 24, SNARE, 30)]  # ghost notes on 16ths
GROOVE_HITS.append((1, 3 * 96 + GROOVE_SWING, OPEN_HAT, 90))


def drum_groove() -> MidiFile:
    """Two bars of a swung groove: type 0, 96 ticks per beat, channel 9, ghost snares, an open hat.

    Hits last a 32nd (12 ticks); the open hat rings to the end of the file;
    the second bar's first kick has its note-off on its own tick (a trigger).
    """
    events: list = [
        (0, MetaMessage("track_name", name="Groove 98")),
        (0, MetaMessage("time_signature", numerator=4, denominator=4)),
        (0, MetaMessage("set_tempo", tempo=bpm2tempo(98))),
    ]
    bar_ticks = 4 * GROOVE_TPB
    for bar, at, key, velocity in GROOVE_HITS:
        tick = bar * bar_ticks + at
        if key == OPEN_HAT:
            length = GROOVE_BARS * bar_ticks - tick
        elif (bar, at, key) == (1, 0, KICK):
            length = 0
        else:
            length = 12
        note(events, tick, length, key, velocity, DRUMS, zero_off=key != SNARE)
    midi = MidiFile(type=0, ticks_per_beat=GROOVE_TPB)
    midi.tracks.append(track_from(events, end=GROOVE_BARS * bar_ticks))
    return midi


# -- a piano piece --------------------------------------------------------------

PIANO_TPB = 480
PIANO_BARS = 4
BAR = 4 * PIANO_TPB
RIGHT_HAND = [  # (tick, length, key, velocity): a melody with legato overlaps
    (0, 500, 76, 72), (480, 510, 79, 80), (960, 960, 77, 76), (1920, 240, 76, 70), (2160, 240, 74, 66),
    (2400, 520, 72, 74), (2880, 980, 74, 78),
    (3840, 600, 72, 84), (4320, 400, 72, 60),  # the repeated c5 overlaps itself: first in, first out
    (4800, 960, 71, 70), (5760, 1925, 72, 64),  # the last note ends 5 ticks past the last bar line
]
LEFT_HAND_CHORDS = [(48, 55, 64), (43, 50, 59), (45, 52, 60), (41, 48, 57)]  # c, g, a minor, f: broken in 8ths
PEDAL = [(bar * BAR + 10, 127) for bar in range(PIANO_BARS)] + [(bar * BAR + BAR - 20, 0) for bar in range(PIANO_BARS)]


def piano_piece() -> MidiFile:
    """Four bars for two hands: type 1, 480 ticks per beat, both hands on channel 0 in their own tracks.

    The left hand plays broken chords in eighths under the sustain pedal
    (CC 64 down just after each bar line, up just before the next).
    """
    tempo = track_from([
        (0, MetaMessage("track_name", name="Prelude in C")),
        (0, MetaMessage("time_signature", numerator=4, denominator=4)),
        (0, MetaMessage("key_signature", key="C")),
        (0, MetaMessage("set_tempo", tempo=bpm2tempo(66))),
    ])
    right: list = [(0, MetaMessage("track_name", name="Right Hand"))]
    for tick, length, key, velocity in RIGHT_HAND:
        note(right, tick, length, key, velocity, 0)
    left: list = [(0, MetaMessage("track_name", name="Left Hand"))]
    for bar, chord in enumerate(LEFT_HAND_CHORDS):
        pattern = [chord[0], chord[1], chord[2], chord[1]] * 2
        for step, key in enumerate(pattern):
            note(left, bar * BAR + step * 240, 230, key, 58 + (8 if step % 4 == 0 else 0), 0)
    for tick, value in PEDAL:
        left.append((tick, Message("control_change", channel=0, control=64, value=value)))
    midi = MidiFile(type=1, ticks_per_beat=PIANO_TPB)
    midi.tracks += [tempo, track_from(right), track_from(left)]
    return midi


# -- a multi-track song ------------------------------------------------------------

SONG_TPB = 480
WALTZ_BAR, COMMON_BAR = 3 * SONG_TPB, 4 * SONG_TPB
SONG_WALTZ_BARS, SONG_COMMON_BARS = 4, 4  # bars 0-3 in 3/4, bars 4-7 in 4/4
METER_CHANGE = SONG_WALTZ_BARS * WALTZ_BAR  # tick 5760
SONG_END = METER_CHANGE + SONG_COMMON_BARS * COMMON_BAR  # tick 13440
SONG_TEMPOS = [(0, 90), (2 * WALTZ_BAR, 120), (METER_CHANGE + 2 * COMMON_BAR, 140)]
BASS_ROOTS = [36, 41, 43, 36, 38, 43, 36, 36]  # one per bar


def bar_start(bar: int) -> int:
    """The tick where bar `bar` of the song begins."""
    if bar <= SONG_WALTZ_BARS:
        return bar * WALTZ_BAR
    return METER_CHANGE + (bar - SONG_WALTZ_BARS) * COMMON_BAR


def bar_beats(bar: int) -> int:
    return 3 if bar < SONG_WALTZ_BARS else 4


def song() -> MidiFile:
    """Eight bars, four of 3/4 then four of 4/4, tempo 90 → 120 → 140; a tempo track and four named tracks.

    Drums (channel 9): a kick on every beat and a snare on the last beat.
    Bass (channel 1): one root a bar, bent up a whole tone and back in bar 3.
    Strings (channel 2): a chord held through each bar, volume (CC 7) set
    once, modulation (CC 1) rising through the 4/4 bars.
    Lead (channel 3): only in the 4/4 bars, quarter notes.
    """
    tempo_events: list = [(0, MetaMessage("track_name", name="Song")),
                          (0, MetaMessage("time_signature", numerator=3, denominator=4)),
                          (METER_CHANGE, MetaMessage("time_signature", numerator=4, denominator=4))]
    tempo_events += [(tick, MetaMessage("set_tempo", tempo=bpm2tempo(bpm))) for tick, bpm in SONG_TEMPOS]
    drums: list = [(0, MetaMessage("track_name", name="Drums"))]
    bass: list = [(0, MetaMessage("track_name", name="Bass")),
                  (0, Message("program_change", channel=1, program=33))]
    strings: list = [(0, MetaMessage("track_name", name="Strings")),
                     (0, Message("control_change", channel=2, control=7, value=100))]
    lead: list = [(0, MetaMessage("track_name", name="Lead"))]
    for bar in range(SONG_WALTZ_BARS + SONG_COMMON_BARS):
        start, beats = bar_start(bar), bar_beats(bar)
        for beat in range(beats):
            note(drums, start + beat * SONG_TPB, 60, KICK, 110, DRUMS)
        note(drums, start + (beats - 1) * SONG_TPB, 60, SNARE, 100, DRUMS)
        note(bass, start, beats * SONG_TPB - 60, BASS_ROOTS[bar], 96, 1, zero_off=False)
        root = BASS_ROOTS[bar] + 24
        for key in (root, root + 4, root + 7):
            note(strings, start, beats * SONG_TPB, key, 70, 2)
        if bar >= SONG_WALTZ_BARS:
            strings.append((start, Message("control_change", channel=2, control=1, value=(bar - 3) * 25)))
            for beat in range(beats):
                note(lead, start + beat * SONG_TPB, 400, 72 + 2 * beat, 90, 3)
    bend_at = bar_start(3)
    bass += [(bend_at + 480, Message("pitchwheel", channel=1, pitch=4096)),
             (bend_at + 960, Message("pitchwheel", channel=1, pitch=0))]
    midi = MidiFile(type=1, ticks_per_beat=SONG_TPB)
    midi.tracks += [track_from(tempo_events, end=SONG_END)] + [
        track_from(events, end=SONG_END) for events in (drums, bass, strings, lead)]
    return midi


def saved(midi: MidiFile, path) -> str:
    """Save `midi` to `path` and return the path as a string (the tests load files as a user does)."""
    midi.save(str(path))
    return str(path)
