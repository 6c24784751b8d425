"""Following a sync source (the protocol Link and MIDI clock in implement), on a virtual clock."""

from __future__ import annotations

import math
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clock_helpers import INTERVAL, START_DELAY, Rig, notes
from livemidi.clock import ClockEvent, ClockSyncError, MidiClockOut, SyncState


class Timeline:
    """A scripted outside timeline: straight lines of tempo, a transport, jumps."""

    name = "scripted"

    def __init__(self, rig, bpm=100.0, *, playing=None, follows_position=False, phase=0.37):
        self.rig = rig
        self.bpm = bpm
        self.playing = playing
        self.follows_position = follows_position
        # cycle `phase` at time 0: its bar lines are not ours
        self.anchor_time = 0.0
        self.anchor_cycle = phase
        self.tempo_asked: list[float] = []
        self.starts = self.stops = 0
        self.drives_transport = False
        self.broken: Exception | None = None

        self.history: list[tuple[float, float, float]] = []  # earlier (time, cycle, bpm) anchors

    def cycle_at(self, t: float, beats_per_bar: int = 4) -> float:
        """The timeline's cycle at `t`, with the anchor in force at `t` (tempo changes kept)."""
        anchor_time, anchor_cycle, bpm = self.anchor_time, self.anchor_cycle, self.bpm
        for earlier in reversed(self.history):
            if t >= anchor_time:
                break
            anchor_time, anchor_cycle, bpm = earlier
        return anchor_cycle + (t - anchor_time) * bpm / (60 * beats_per_bar)

    def time_of(self, cycle: float, beats_per_bar: int = 4) -> float:
        return self.anchor_time + (cycle - self.anchor_cycle) * 60 * beats_per_bar / self.bpm

    def change_tempo(self, bpm: float) -> None:
        now = self.rig.t
        self.history.append((self.anchor_time, self.anchor_cycle, self.bpm))
        self.anchor_cycle, self.anchor_time, self.bpm = self.cycle_at(now), now, bpm

    def jump(self, cycle: float) -> None:
        self.history.append((self.anchor_time, self.anchor_cycle, self.bpm))
        self.anchor_cycle, self.anchor_time = cycle, self.rig.t

    def poll(self, now, beats_per_bar):
        if self.broken is not None:
            raise self.broken
        return SyncState(self.playing, self.bpm, now, self.cycle_at(now, beats_per_bar))

    def set_tempo(self, bpm):
        self.tempo_asked.append(bpm)
        self.change_tempo(bpm)

    def request_start(self):
        self.starts += 1
        if self.drives_transport:
            self.playing = True
        return self.drives_transport

    def request_stop(self):
        self.stops += 1
        if self.drives_transport:
            self.playing = False
        return self.drives_transport

    def status(self):
        return "scripted 1 peer"

    def close(self):
        pass


def note_ons(rig):
    return [t for t, _, data in rig.sent() if data.startswith("90")]


def test_start_waits_for_the_next_bar_line_of_the_timeline_and_plays_in_its_tempo_and_phase():
    rig = Rig(notes(every=F(1, 4)))
    timeline = Timeline(rig, 100.0)
    rig.loop.follow(timeline)
    rig.loop.start()
    rig.run(6.0)
    onsets = note_ons(rig)
    first_bar = math.ceil(timeline.cycle_at(START_DELAY))
    assert onsets[0] == pytest.approx(timeline.time_of(first_bar), abs=1e-6)
    for t in onsets:  # every note on a beat of the timeline
        beats = timeline.cycle_at(t) * 4
        assert beats == pytest.approx(round(beats), abs=1e-5)
    assert rig.loop.bpm == 100
    assert rig.loop.status().sync == "scripted 1 peer"


def test_a_tempo_change_of_the_timeline_is_followed_at_once_without_losing_or_doubling_notes():
    rig = Rig(notes(every=F(1, 4)))
    timeline = Timeline(rig, 100.0)
    rig.loop.follow(timeline)
    rig.loop.start()
    rig.run(3.0)
    timeline.change_tempo(137.5)
    rig.run(8.0)
    onsets = note_ons(rig)
    beats = [timeline.cycle_at(t) * 4 for t in onsets]
    assert beats == pytest.approx([round(b) for b in beats], abs=1e-5)
    assert [round(b) for b in beats] == list(range(round(beats[0]), round(beats[0]) + len(beats)))
    assert rig.loop.bpm == F(275, 2)
    assert not rig.problems


def test_a_shared_transport_starts_and_stops_the_loop_and_no_note_hangs():
    rig = Rig(notes(every=F(1, 8), length=F(1, 16)))
    timeline = Timeline(rig, 120.0, playing=False)
    timeline.drives_transport = True
    rig.loop.follow(timeline)
    rig.run(1.0)
    assert not rig.loop.running and not rig.sent()
    timeline.playing = True  # a peer pressed play
    rig.run(1.0 + INTERVAL)
    assert rig.loop.running
    rig.run(4.0)
    timeline.playing = False  # a peer pressed stop
    rig.run(4.5)
    assert not rig.loop.running
    sent = rig.sent()
    ons = sum(1 for _, _, data in sent if data.startswith("90"))
    offs = sum(1 for _, _, data in sent if data.startswith("80"))
    assert ons and ons == offs
    rig.loop.start()  # asked of the timeline: every peer starts, the loop follows
    assert timeline.starts == 1 and timeline.playing is True
    rig.loop.stop()
    assert timeline.stops == 1 and timeline.playing is False and not rig.loop.running


def test_joining_a_playing_timeline_starts_at_a_bar_line_just_passed_or_the_next_one():
    rig = Rig(notes(every=F(1, 4)))
    timeline = Timeline(rig, 120.0, playing=True, phase=0.0)
    timeline.drives_transport = True
    rig.t = 2.0 + 0.01  # a bar line 10 ms ago: it is still the start
    rig.loop.follow(timeline)
    rig.run(2.0 + 0.02)
    assert rig.loop.running and rig.loop.tempo.time_at(0) == pytest.approx(2.0, abs=1e-9)
    rig2 = Rig(notes(every=F(1, 4)))
    late = Timeline(rig2, 120.0, playing=True, phase=0.0)
    rig2.t = 2.2
    rig2.loop.follow(late)
    rig2.run(2.2 + INTERVAL)
    assert rig2.loop.tempo.time_at(0) == pytest.approx(4.0, abs=1e-9)


def test_a_source_that_knows_the_song_position_seeks_and_bridges_song_position_to_the_clock_out():
    rig = Rig(notes(every=F(1, 4)), ports=("synth", "gear"), midi_clock=MidiClockOut(["gear"]))
    timeline = Timeline(rig, 120.0, playing=True, follows_position=True, phase=0.0)
    rig.loop.follow(timeline)
    rig.run(1.0)
    assert rig.loop.running
    rig.sent()
    timeline.jump(8.0)  # the master's Song Position Pointer, while playing
    rig.run(2.0)
    sent = [data for _, port, data in rig.sent() if port == 1]
    assert "fc" in sent  # Stop, then the new position and Continue
    stop = sent.index("fc")
    position = 8 * 16  # bar 8 in 16ths: the first tick after the jump is just after it
    assert sent[stop + 1] in ("f2 " + f"{(position + k) & 0x7F:02x} {(position + k) >> 7:02x}" for k in range(2))
    assert sent[stop + 2] == "fb"
    assert F(8) <= rig.loop.position().cycle - F(1, 2) < F(8) + F(1, 4)


def test_a_source_that_raises_is_reported_once_and_the_loop_plays_on_its_own_tempo():
    rig = Rig(notes(every=F(1, 4)))
    timeline = Timeline(rig, 90.0)
    rig.loop.follow(timeline)
    rig.loop.start()
    rig.run(1.0)
    timeline.broken = OSError("network gone")
    rig.run(3.0)
    assert len(rig.problems) == 1 and "network gone" in str(rig.problems[0][0])
    assert "own tempo" in rig.problems[0][1]
    before = len(note_ons(rig))
    rig.run(4.0)
    assert len(note_ons(rig)) > 0 and before > 0
    timeline.broken = None
    rig.run(5.0)
    assert rig.loop.bpm == 90


def test_tempo_is_asked_of_the_source_and_a_later_change_is_refused():
    rig = Rig(notes())
    timeline = Timeline(rig, 100.0)
    rig.loop.follow(timeline)
    rig.loop.start()
    rig.run(1.0)
    rig.loop.set_tempo(128)
    assert timeline.tempo_asked == [128.0] and rig.loop.bpm == 128
    with pytest.raises(ClockSyncError, match="now or not at all"):
        rig.loop.set_tempo(90, at=F(4))


def test_a_source_refusing_the_transport_refuses_start_and_stop():
    class Master(Timeline):
        def request_start(self):
            raise ClockSyncError("the master owns the transport")

        request_stop = request_start

    rig = Rig(notes())
    rig.loop.follow(Master(rig, 120.0, playing=False, follows_position=True))
    with pytest.raises(ClockSyncError):
        rig.loop.start()
    rig.loop.close()  # letting go never asks the source


def test_following_none_goes_back_to_the_loop_s_own_tempo_where_it_is():
    rig = Rig(notes())
    timeline = Timeline(rig, 100.0)
    rig.loop.follow(timeline)
    rig.loop.start()
    rig.run(2.0)
    rig.loop.follow(None)
    rig.loop.set_tempo(140)
    assert timeline.tempo_asked == [] and rig.loop.bpm == 140
    assert rig.loop.status().sync == ""


def test_midi_clock_out_can_be_added_while_playing():
    rig = Rig(notes(every=F(1, 4)), ports=("synth", "gear"))
    rig.loop.start()
    rig.run(1.0)
    rig.loop.set_midi_clock(MidiClockOut(["gear"]))
    rig.run(2.0)
    gear = [data for _, port, data in rig.sent() if port == 1]
    assert gear[0].startswith("f2") and gear[1] == "fb" and set(gear[2:]) == {"f8"}
    rig.loop.set_midi_clock(None)
    rig.run(3.0)
    assert [data for _, port, data in rig.sent() if port == 1] == ["fc"]


def test_a_steady_midi_clock_out_on_the_followed_timeline_a_bridge():
    rig = Rig(None, ports=("synth", "gear"), midi_clock=MidiClockOut(["gear"]))
    timeline = Timeline(rig, 128.0)
    rig.loop.follow(timeline)
    rig.loop.start()
    rig.run(2.0)
    timeline.change_tempo(100.0)
    rig.run(5.0)
    pulses = [t for t, port, data in rig.sent() if data == "f8"]
    assert len(pulses) > 100
    for t in pulses:  # every pulse on a 24th of a beat of the timeline
        position = timeline.cycle_at(t) * 4 * 24
        assert position == pytest.approx(round(position), abs=1e-4)
    assert pulses[-1] - pulses[-2] == pytest.approx(60 / 100 / 24, abs=1e-9)


def test_following_a_timeline_while_playing_keeps_the_bar_numbers_and_moves_to_its_bar_lines():
    rig = Rig(notes(every=F(1, 4)))
    rig.loop.start()
    rig.run(5.0)  # bar 3 of our own
    ours = rig.loop.position().cycle
    timeline = Timeline(rig, 120.0, phase=1234.3)  # far away in bars, 0.3 of a bar out of phase
    rig.loop.follow(timeline)
    rig.run(9.0)
    rig.sent()
    rig.run(11.0)
    cycle = rig.loop.position().cycle
    assert abs(cycle - (ours + F(6, 2))) <= F(1, 2)  # still our bar 5-ish, not bar 1237
    onsets = note_ons(rig)
    for t in onsets:  # and the notes on the timeline's beats
        beats = timeline.cycle_at(t) * 4
        assert beats == pytest.approx(round(beats), abs=1e-5)


def test_a_source_that_can_tell_of_changes_gets_a_wake_up_call_and_loses_it_when_let_go():
    rig = Rig(notes())
    timeline = Timeline(rig, 100.0)
    timeline.on_change = None
    rig.loop.follow(timeline)
    assert callable(timeline.on_change)
    timeline.on_change()  # from another thread, in real life: harmless at any time
    rig.loop.follow(None)
    assert timeline.on_change is None


class Wayward(Timeline):
    """A timeline whose source, while `nonsense` is set, reports ``nonsense(state, now)`` instead."""

    nonsense = None

    def poll(self, now, beats_per_bar):
        state = super().poll(now, beats_per_bar)
        return state if self.nonsense is None else self.nonsense(state, now)


def test_an_impossible_tempo_is_ignored_reported_once_and_the_loop_follows_again():
    # A MIDI clock's first pulses, bunched, made 1200-odd BPM: the loop reported it at every poll
    rig = Rig(notes(every=F(1, 4)))
    timeline = Wayward(rig, 100.0)
    rig.loop.follow(timeline)
    rig.loop.start()
    rig.run(2.0)
    timeline.nonsense = lambda state, now: state._replace(bpm=1200 + round(now * 1000) % 7)
    rig.run(4.0)
    assert len(rig.problems) == 1 and "bpm must be a number from 1 to 1000, got 12" in str(rig.problems[0][0])
    assert rig.loop.bpm == 100 and [t for t in note_ons(rig) if t > 3.0]  # on at the last tempo meanwhile
    timeline.nonsense = None
    timeline.change_tempo(120.0)
    rig.run(6.0)
    rig.sent()
    rig.run(9.0)
    assert rig.loop.bpm == 120 and len(rig.problems) == 1
    for t in note_ons(rig):  # on the timeline's beats again
        beats = timeline.cycle_at(t) * 4
        assert beats == pytest.approx(round(beats), abs=1e-5)


def test_a_source_that_says_nan_never_poisons_the_loop():
    rig = Rig(notes(every=F(1, 4)))
    timeline = Wayward(rig, 100.0)
    rig.loop.follow(timeline)
    rig.loop.start()
    rig.run(2.0)
    timeline.nonsense = lambda state, now: state._replace(time=math.nan, bpm=110.0)
    rig.run(3.0)
    assert len(rig.problems) == 1 and "finite" in str(rig.problems[0][0])
    timeline.nonsense = None
    rig.run(5.0)
    rig.sent()
    rig.run(8.0)
    onsets = note_ons(rig)
    assert len(onsets) >= 4 and all(math.isfinite(t) for t in onsets)
    for t in onsets:
        beats = timeline.cycle_at(t) * 4
        assert beats == pytest.approx(round(beats), abs=1e-5)


@pytest.mark.parametrize("jumps", ["1", 1.5, -1, True])
def test_a_jump_count_that_is_not_a_count_is_reported_and_the_loop_plays_on(jumps):
    rig = Rig(numbered)
    source = Counting(rig)
    rig.loop.follow(source)
    rig.run(1.3)
    source.jumps = jumps
    rig.run(2.2)
    assert len(rig.problems) == 1 and "a count" in str(rig.problems[0][0])
    source.jumps = 0
    rig.run(3.2)
    assert beat_numbers(rig) == [1, 2, 3, 4, 5, 6]


class Counting(Timeline):
    """A position source that counts its jumps, as MIDI clock in does."""

    def __init__(self, rig, bpm=120.0):
        super().__init__(rig, bpm, playing=True, follows_position=True, phase=0.0)
        self.jumps = 0
        self.lag = 0.0  # how late its estimate runs behind the true timeline (s)

    def jump(self, cycle):
        super().jump(cycle)
        self.jumps += 1

    def poll(self, now, beats_per_bar):
        state = super().poll(now, beats_per_bar)
        return SyncState(state.playing, state.bpm, now + self.lag, state.cycle, self.jumps)


def beat_numbers(rig):
    return [int(data.split()[1], 16) for _, _, data in rig.sent() if data.startswith("90")]


def numbered(begin, end):
    """A note a beat whose number is its beat."""
    k = math.ceil(begin * 4)
    events = []
    while F(k, 4) < end:
        events += [ClockEvent(F(k, 4), [0x90, k % 128, 100]), ClockEvent(F(k, 4) + F(1, 8), [0x80, k % 128, 0], 0, None, F(k, 4))]
        k += 1
    return events


@pytest.mark.parametrize("lag", [0.03, 0.2])
def test_a_source_that_lags_for_a_while_delays_notes_but_never_replays_or_skips_them(lag):
    rig = Rig(numbered)
    source = Counting(rig)
    rig.loop.follow(source)
    rig.run(1.51)
    source.lag = lag  # just after beat 3 its estimate falls behind (late pulses) for a while, then catches up
    rig.run(1.8)
    source.lag = 0.0
    rig.run(3.2)
    onsets = [(round(t, 3), int(data.split()[1], 16)) for t, _, data in rig.sent() if data.startswith("90")]
    assert onsets == [(0.5, 1), (1.0, 2), (1.5, 3), (2.0, 4), (2.5, 5), (3.0, 6)]  # a seek back played beat 3 twice
    assert not rig.problems


def test_a_source_that_does_not_count_its_jumps_is_seeked_on_a_lag_over_20_ms():
    rig = Rig(numbered)
    source = Timeline(rig, 120.0, playing=True, follows_position=True, phase=0.0)
    rig.loop.follow(source)
    rig.run(1.55)
    source.jump(source.cycle_at(rig.t) - 0.05)  # 100 ms back: a seek, and beat 3 is played again
    rig.run(3.2)
    assert beat_numbers(rig) == [1, 2, 3, 3, 4, 5, 6]


def test_a_counted_jump_seeks_and_a_source_far_ahead_is_caught_up_by_skipping():
    rig = Rig(numbered)
    source = Counting(rig)
    rig.loop.follow(source)
    rig.run(1.55)
    source.jump(source.cycle_at(rig.t) - 0.05)  # counted: a seek back, as the master asked
    rig.run(2.2)
    assert beat_numbers(rig) == [1, 2, 3, 3, 4]
    source.lag = -0.45  # far ahead, uncounted: beat 5 is past on its timeline, and is skipped
    rig.run(4.0)
    assert beat_numbers(rig) == [6, 7, 8]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.05, 0.6), st.floats(-0.5, 0.5)), min_size=1, max_size=12))
def test_a_source_that_counts_its_jumps_never_has_a_note_played_twice_whatever_its_estimate_does(changes):
    # Each change: after that many seconds, the estimate runs that late (negative: early). Without a
    # counted jump, a beat may be late or (when the source runs far ahead) skipped, never repeated.
    rig = Rig(numbered)
    source = Counting(rig)
    rig.loop.follow(source)
    rig.run(0.6)
    for seconds, lag in changes:
        source.lag = lag
        rig.run(rig.t + seconds)
    source.lag = 0.0
    rig.run(rig.t + 1.0)
    beats = beat_numbers(rig)
    assert beats and all(later > earlier for earlier, later in zip(beats, beats[1:])), beats
    assert not rig.problems
