"""MIDI clock in on virtual time: bytes go in through `feed` with their arrival times.

A `Master` plays a clock as a drum machine would (24 pulses per quarter
note, Start/Stop/Continue, Song Position Pointer) and knows when each
pulse really was; the tests compare `ClockIn.poll` with that.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livemidi.clock import ClockIn, MidiClockOut
from livemidi.clock.sync import SyncState
from livemidi.errors import ClockSyncError

CLOCK, START, CONTINUE, STOP = b"\xf8", b"\xfa", b"\xfb", b"\xfc"


def spp(sixteenths: int) -> bytes:
    return bytes((0xF2, sixteenths & 0x7F, sixteenths >> 7))


class Master:
    """A clock master on virtual time, feeding a ClockIn (arrivals may jitter)."""

    def __init__(self, bpm: float = 120.0, *, jitter: float = 0.0, seed: int = 1, t: float = 1000.0) -> None:
        self.bpm = bpm
        self.t = t  # the time of the next pulse
        self.jitter = jitter
        self.random = random.Random(seed)
        self.clock = ClockIn(now=lambda: self.t)
        self.pulses: list[tuple[float, int | None]] = []  # (true time, song position in pulses or None)
        self.playing = False
        self.position = 0  # song position (pulses) of the next pulse while playing

    @property
    def interval(self) -> float:
        return 60.0 / self.bpm / 24

    def send(self, data: bytes, late: float = 0.0, *, advance: float = 0.0005) -> float:
        """`data` arrives now (plus jitter and `late`); returns the arrival time."""
        arrival = self.t + self.random.uniform(-self.jitter, self.jitter) + late
        self.clock.feed(data, arrival)
        return arrival

    def pulse(self, n: int = 1, *, late: float = 0.0) -> None:
        for _ in range(n):
            self.send(CLOCK, late)
            self.pulses.append((self.t, self.position if self.playing else None))
            if self.playing:
                self.position += 1
            self.t += self.interval

    def start(self) -> None:
        self.playing, self.position = True, 0
        self.clock.feed(START, self.t - self.interval / 2)

    def stop(self) -> None:
        self.playing = False
        self.clock.feed(STOP, self.t - self.interval / 2)

    def song_position(self, sixteenths: int) -> None:
        self.position = sixteenths * 6
        self.clock.feed(spp(sixteenths), self.t - self.interval / 2)

    def resume(self) -> None:
        self.playing = True
        self.clock.feed(CONTINUE, self.t - self.interval / 2)

    def poll(self, beats_per_bar: int = 4) -> SyncState | None:
        return self.clock.poll(self.t - self.interval / 2, beats_per_bar)

    def true_time(self, cycle, beats_per_bar: int = 4) -> float:
        """When the master was (or will be) at `cycle`, on its own grid."""
        position = float(cycle) * 24 * beats_per_bar
        known = [(t, p) for t, p in self.pulses if p is not None]
        t0, p0 = known[-1] if known else (self.t, self.position)
        return t0 + (position - p0) * self.interval


@pytest.mark.parametrize("bpm", [40.0, 90.0, 120.0, 133.0, 174.5, 300.0])
def test_a_steady_clock_gives_its_tempo_and_phase_after_a_beat(bpm):
    master = Master(bpm)
    master.start()
    master.pulse(26)
    state = master.poll()
    assert state.playing is True
    assert state.bpm == pytest.approx(bpm, abs=0.05)
    assert abs(state.time - master.true_time(state.cycle)) < 0.0002
    assert state.cycle == Fraction(25, 96)  # the latest pulse


@pytest.mark.parametrize("beats_per_bar", [3, 4, 7])
def test_positions_are_in_cycles_of_beats_per_bar(beats_per_bar):
    master = Master(100)
    master.start()
    master.pulse(24 * beats_per_bar + 1)  # the first pulse of bar 2
    state = master.poll(beats_per_bar)
    assert state.cycle == 1
    assert state.time == pytest.approx(master.pulses[-1][0], abs=1e-6)


@pytest.mark.parametrize("bpm", [90.0, 120.0, 160.0])
@pytest.mark.parametrize("jitter", [0.001, 0.002])
def test_jitter_is_smoothed(bpm, jitter):
    master = Master(bpm, jitter=jitter, seed=int(bpm * 1000 * jitter))
    master.start()
    master.pulse(48)
    tempo_errors, phase_errors = [], []
    for _ in range(400):
        master.pulse()
        state = master.poll()
        tempo_errors.append(abs(state.bpm - bpm))
        phase_errors.append(abs(state.time - master.true_time(state.cycle)))
    assert max(tempo_errors) < 0.2
    assert sum(phase_errors) / len(phase_errors) < jitter / 3
    assert max(phase_errors) < jitter / 1.5


def test_the_tempo_is_held_while_the_estimate_moves_within_its_noise():
    master = Master(120, jitter=0.001, seed=7)
    master.start()
    master.pulse(48)
    reported = set()
    for _ in range(480):
        master.pulse()
        reported.add(master.poll().bpm)
    assert len(reported) < 40  # not a new tempo at every pulse
    assert all(round(bpm, 2) == bpm for bpm in reported)


def test_a_late_pulse_does_not_swing_the_estimate():
    master = Master(120, jitter=0.001, seed=3)
    master.start()
    master.pulse(96)
    before = master.poll()
    master.pulse(late=0.020)  # a pause in the receiving process
    master.pulse(late=0.004)
    for _ in range(3):
        master.pulse()
        state = master.poll()
        assert abs(state.bpm - 120) < 0.2
        assert abs(state.time - master.true_time(state.cycle)) < 0.001
    assert abs(master.poll().bpm - before.bpm) < 0.2


def test_a_tempo_ramp_is_followed():
    master = Master(120)
    master.start()
    master.pulse(96)
    for k in range(192):  # 120 -> 130 BPM over 8 beats: a steep ramp
        master.bpm = 120 + 10 * k / 192
        master.pulse()
        state = master.poll()
        assert master.bpm - 1.3 < state.bpm < master.bpm + 0.1  # at most about a beat behind
        assert abs(state.time - master.true_time(state.cycle)) < 0.002
        if k >= 96:  # well into the ramp: on it
            assert state.bpm == pytest.approx(master.bpm, abs=0.15)
            assert abs(state.time - master.true_time(state.cycle)) < 0.0002
    master.bpm = 130
    for _ in range(96):  # the end of the ramp: overshoots a little for a few beats
        master.pulse()
        state = master.poll()
        assert 130 - 0.2 < state.bpm < 131.2
        assert abs(state.time - master.true_time(state.cycle)) < 0.002
    master.pulse(48)
    state = master.poll()
    assert state.bpm == pytest.approx(130, abs=0.05)
    assert abs(state.time - master.true_time(state.cycle)) < 0.0002


def test_a_tempo_jump_is_followed_within_a_few_pulses():
    master = Master(120)
    master.start()
    master.pulse(96)
    master.bpm = 140
    master.pulse(5)
    state = master.poll()
    assert state.bpm == pytest.approx(140, abs=0.05)
    assert abs(state.time - master.true_time(state.cycle)) < 0.0002


@pytest.mark.parametrize("lost", [1, 2, 3])
def test_lost_pulses_are_counted_so_the_position_stays_right(lost):
    master = Master(120, jitter=0.001, seed=lost)
    master.start()
    master.pulse(60)
    for _ in range(lost):  # the master sends pulses that never arrive
        master.pulses.append((master.t, master.position))
        master.position += 1
        master.t += master.interval
    master.pulse(10)
    state = master.poll()
    assert state.cycle == Fraction(60 + lost + 9, 96)
    assert abs(state.time - master.true_time(state.cycle)) < 0.001
    assert abs(state.bpm - 120) < 0.2


def test_a_doubled_pulse_is_not_counted_twice():
    master = Master(120, jitter=0.0005, seed=5)
    master.start()
    master.pulse(60)
    master.clock.feed(CLOCK, master.pulses[-1][0] + 0.0003)  # the same pulse again
    master.pulse(10)
    state = master.poll()
    assert state.cycle == Fraction(69, 96)
    assert abs(state.time - master.true_time(state.cycle)) < 0.001


# -- transport ---------------------------------------------------------------------------


def test_nothing_is_known_before_any_clock():
    master = Master()
    assert master.poll() is None
    assert master.clock.status() == "clock in: waiting for clock"
    master.pulse()
    assert master.poll() is None  # one pulse: no tempo yet


def test_clock_while_stopped_gives_the_tempo_and_a_stopped_transport():
    master = Master(128)
    master.pulse(30)
    state = master.poll()
    assert state.playing is False and state.bpm == pytest.approx(128, abs=0.01)
    assert state.cycle == 0
    assert master.clock.status() == "clock in 128.0 BPM ■"


def test_start_with_a_known_tempo_predicts_the_first_pulse():
    master = Master(128)
    master.pulse(30)
    master.start()
    state = master.poll()  # before the first pulse after Start
    assert state.playing is True and state.cycle == 0
    assert state.time == pytest.approx(master.t, abs=1e-6)  # the next pulse of the running clock
    master.pulse()
    assert master.poll() == (True, state.bpm, pytest.approx(state.time, abs=1e-6), 0)
    assert master.clock.status() == "clock in 128.0 BPM ▶"


def test_start_with_no_tempo_waits_for_the_second_pulse():
    master = Master(120)
    master.start()
    assert master.poll() is None
    master.pulse()
    assert master.poll() is None
    master.pulse()
    state = master.poll()
    assert state.playing is True and state.bpm == pytest.approx(120, abs=0.01)
    assert state.cycle == Fraction(1, 96) and state.time == pytest.approx(master.pulses[1][0])


def test_start_after_the_clock_had_stopped_keeps_the_old_tempo_and_a_new_grid():
    master = Master(110)
    master.pulse(30)
    master.t += 5.0  # the master stopped clocking for a while
    master.start()
    state = master.poll()
    assert state.playing is True and state.bpm == pytest.approx(110, abs=0.01)
    assert state.time == pytest.approx(master.t - master.interval / 2 + master.interval)  # Start + one pulse
    master.pulse()  # the first pulse comes half an interval sooner than predicted
    state = master.poll()
    assert state.cycle == 0 and state.time == pytest.approx(master.pulses[-1][0], abs=1e-6)


def test_stop_keeps_the_position_and_continue_resumes_there():
    master = Master(120)
    master.start()
    master.pulse(50)
    master.stop()
    state = master.poll()
    assert state.playing is False and state.cycle == Fraction(50, 96)
    master.pulse(20)  # clock while stopped: the position stays
    assert master.poll().cycle == Fraction(50, 96)
    master.resume()
    state = master.poll()
    assert state.playing is True and state.cycle == Fraction(50, 96)
    assert state.time == pytest.approx(master.t, abs=1e-6)
    master.pulse(3)
    state = master.poll()
    assert state.cycle == Fraction(52, 96) and abs(state.time - master.true_time(state.cycle)) < 1e-6


@pytest.mark.parametrize("beats_per_bar", [3, 4, 7])
def test_song_position_while_stopped_sets_where_continue_starts(beats_per_bar):
    master = Master(120)
    master.pulse(30)
    master.song_position(4 * beats_per_bar * 5 + 2)  # bar 5 and two 16ths
    state = master.poll(beats_per_bar)
    assert state.playing is False and state.cycle == 5 + Fraction(2, 4 * beats_per_bar)
    master.resume()
    master.pulse(1)
    state = master.poll(beats_per_bar)
    assert state.playing is True and state.cycle == 5 + Fraction(2, 4 * beats_per_bar)
    assert abs(state.time - master.pulses[-1][0]) < 1e-6


def test_song_position_while_playing_jumps():
    master = Master(120)
    master.start()
    master.pulse(40)
    master.song_position(64)  # bar 4
    state = master.poll()
    assert state.cycle == 4 - Fraction(1, 96) and state.playing  # the next pulse is at bar 4
    assert state.time + master.interval == pytest.approx(master.t, abs=1e-6)
    master.pulse(2)
    state = master.poll()
    assert state.cycle == 4 + Fraction(1, 96)
    assert abs(state.time - master.true_time(state.cycle)) < 1e-6


def test_start_restarts_from_zero_and_continue_while_playing_does_nothing():
    master = Master(120)
    master.start()
    master.pulse(40)
    master.clock.feed(CONTINUE, master.t - 0.001)
    master.pulse()
    assert master.poll().cycle == Fraction(40, 96)
    master.start()
    master.pulse()
    assert master.poll().cycle == 0


def test_system_reset_stops_and_goes_back_to_zero():
    master = Master(120)
    master.start()
    master.pulse(40)
    master.clock.feed(b"\xff", master.t - 0.001)
    state = master.poll()
    assert state.playing is False and state.cycle == 0


# -- lost clock --------------------------------------------------------------------------


def test_a_clock_that_stops_coming_free_runs_then_follows_again():
    master = Master(120)
    master.start()
    master.pulse(48)
    playing = master.poll()
    master.t += 0.15  # a short gap: still following
    assert master.poll().playing is True
    master.t += 0.35
    state = master.poll()
    assert state.playing is None  # the loop free-runs on the last timeline
    assert state[1:] == playing[1:]
    assert master.clock.status().startswith("clock in: no clock for")
    assert "free-running at 120.0 BPM" in master.clock.status()
    # The master kept playing at 120 while nothing came through: 2 s later it is back.
    master.t = master.pulses[-1][0] + 2.0
    master.position = 47 + 96  # 96 pulses later than the last one that came
    master.pulse(3)
    state = master.poll()
    assert state.playing is True and state.cycle == Fraction(47 + 96 + 2, 96)
    assert abs(state.time - master.true_time(state.cycle)) < 1e-6


def test_the_timeout_is_at_least_eight_pulses():
    master = Master(20)  # 125 ms per pulse
    master.start()
    master.pulse(10)
    master.t += 0.8
    assert master.poll().playing is True
    master.t += 0.4
    assert master.poll().playing is None


def test_no_clock_while_stopped_stays_stopped():
    master = Master(120)
    master.start()
    master.pulse(20)
    master.stop()
    master.t += 5
    state = master.poll()
    assert state.playing is False and state.cycle == Fraction(20, 96)


# -- what is not clock -------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(st.lists(st.binary(max_size=6), max_size=40))
def test_other_messages_and_garbage_are_ignored(junk):
    junk = [bytes(b for b in chunk if b not in (0xF8, 0xFA, 0xFB, 0xFC, 0xFF, 0xF2)) for chunk in junk]
    plain = Master(125)
    noisy = Master(125)
    for m in (plain, noisy):
        m.start()
    for k in range(60):
        plain.pulse()
        if k < len(junk):
            noisy.clock.feed(junk[k], noisy.t - 0.003)
        noisy.pulse()
        if k < len(junk):
            noisy.clock.feed(junk[k], noisy.t - 0.003)
    assert plain.poll() == noisy.poll()


def test_real_time_bytes_inside_other_messages_count():
    master = Master(120)
    master.start()
    master.pulse(30)
    # A note-on with the clock byte in the middle of it, then a sysex with one inside.
    master.clock.feed(b"\x90\x3c\xf8\x40", master.t)
    master.pulses.append((master.t, master.position))
    master.position += 1
    master.t += master.interval
    master.clock.feed(b"\xf0\x01\x02\xf8\x03\xf7", master.t)
    master.pulses.append((master.t, master.position))
    master.position += 1
    master.t += master.interval
    state = master.poll()
    assert state.cycle == Fraction(31, 96)
    assert abs(state.time - master.true_time(state.cycle)) < 1e-6


def test_the_bytes_of_livemidis_own_clock_out_are_followed():
    out = MidiClockOut([0])
    master = Master(140)
    events = out.start(Fraction(3, 2), 4) + out.pulses(Fraction(3, 2), Fraction(2), 4)
    cycle_time = 4 * 60 / 140
    for event in events:
        master.clock.feed(event.message, 1000 + float(event.cycle) * cycle_time)
    master.t = 1000 + 2 * cycle_time
    state = master.clock.poll(master.t, 4)
    assert state.playing is True and state.bpm == pytest.approx(140, abs=0.01)
    assert state.cycle == 2 - Fraction(1, 96)
    assert state.time == pytest.approx(1000 + float(state.cycle) * cycle_time, abs=1e-6)


# -- the master owns tempo and transport ---------------------------------------------------


def test_tempo_and_transport_requests_are_refused():
    clock = ClockIn()
    with pytest.raises(ClockSyncError, match="change it on the master"):
        clock.set_tempo(130)
    with pytest.raises(ClockSyncError, match="start the master"):
        clock.request_start()
    with pytest.raises(ClockSyncError, match="stop the master"):
        clock.request_stop()
    assert isinstance(ClockSyncError("x"), RuntimeError)


def test_latency_is_taken_off_arrival_times():
    clock = ClockIn(latency=5.0, now=lambda: 0)
    clock.feed(START, 9.999)
    for k in range(30):
        clock.feed(CLOCK, 10.005 + k * 0.02)
    state = clock.poll(10.6, 4)
    assert state.time == pytest.approx(10 + float(state.cycle) * 96 * 0.02, abs=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match="window"):
        ClockIn(window=2)
    with pytest.raises(TypeError, match="input port"):
        ClockIn(3.5)
    assert ClockIn().follows_position is True
    assert ClockIn().name == "clock in"
