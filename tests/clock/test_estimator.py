"""The MIDI clock's tempo estimator on its own: pulse times in, tempo and pulse grid out.

No port, no clock, no transport: each test makes the pulse times of a
master (steady, jittered, ramping, with a late pulse, with pulses lost) and
checks what `TempoEstimator` makes of them against what the master did.
`ClockIn` feeds the same estimator from a port (tests/clock/test_clockin.py).
"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livemidi.clock import TempoEstimator

PULSES_PER_BEAT = 24


def interval(bpm: float) -> float:
    return 60.0 / (PULSES_PER_BEAT * bpm)


def fed(times, estimator: TempoEstimator | None = None) -> TempoEstimator:
    estimator = estimator or TempoEstimator()
    for t in times:
        estimator.pulse(t)
    return estimator


tempos = st.floats(20.0, 400.0)
starts = st.floats(0.0, 10_000.0)


@settings(deadline=None)  # (each example fits lines over hundreds of pulses: slow on a busy machine)
@given(bpm=tempos, start=starts, count=st.integers(2, 250))
def test_a_steady_clock_gives_its_tempo_and_its_grid(bpm, start, count):
    step = interval(bpm)
    estimator = fed(start + k * step for k in range(count))
    assert estimator.bpm == pytest.approx(bpm, abs=0.006)  # reported to 0.01 BPM
    assert estimator.interval == pytest.approx(step, rel=1e-9)
    assert estimator.index == count - 1
    for k in (0, count - 1, count + 24):  # the line: past, latest, and ahead
        assert estimator.time_of(k) == pytest.approx(start + k * step, abs=1e-7)


@settings(max_examples=60, deadline=None)
@given(bpm=st.floats(40.0, 240.0), jitter=st.floats(0.0, 0.001), seed=st.integers(0, 2**32 - 1))
def test_arrival_jitter_averages_out(bpm, jitter, seed):
    # Pulses each up to `jitter` seconds early or late (the OS, USB, the GIL): over the
    # window of four beats the line finds the tempo.
    rng = random.Random(seed)
    step = interval(bpm)
    estimator = fed(10.0 + k * step + rng.uniform(-jitter, jitter) for k in range(8 * PULSES_PER_BEAT))
    assert estimator.bpm == pytest.approx(bpm, abs=0.25)
    assert estimator.index == 8 * PULSES_PER_BEAT - 1


def ramp(start_bpm: float, end_bpm: float, beats: int, before: int = 4, after: int = 6):
    """Pulse times of a master that plays `before` beats, ramps linearly over `beats`, then holds."""
    t = 10.0
    ramp_pulses = beats * PULSES_PER_BEAT
    for k in range((before + after) * PULSES_PER_BEAT + ramp_pulses):
        into = k - before * PULSES_PER_BEAT
        bpm = start_bpm + (end_bpm - start_bpm) * min(max(into, 0), ramp_pulses) / ramp_pulses
        yield k, t, bpm
        t += interval(bpm)


@settings(max_examples=40, deadline=None)
@given(
    start=st.floats(60.0, 180.0),
    change=st.floats(5.0, 40.0),
    down=st.booleans(),
    beats=st.integers(4, 16),
)
def test_a_ramp_is_followed(start, change, down, beats):
    # Through the ramp (from its third beat) the estimate stays within one beat's worth
    # of its change of the master's tempo at that pulse: a line through four beats of a
    # ramp would lag by two. Once the master holds, the estimate settles on the new tempo.
    end = start - change if down else start + change
    per_beat = change / beats
    estimator = TempoEstimator()
    ramp_from, ramp_to = 6 * PULSES_PER_BEAT, (4 + beats) * PULSES_PER_BEAT
    for k, t, bpm in ramp(start, end, beats):
        estimator.pulse(t)
        if ramp_from <= k < ramp_to:
            assert abs(estimator.bpm - bpm) <= per_beat + 0.05, (k, estimator.bpm, bpm)
    assert estimator.bpm == pytest.approx(end, abs=0.03)  # the reported tempo moves in steps of 0.02 or more


@settings(deadline=None)
@given(
    bpm=st.floats(40.0, 300.0),
    late=st.floats(0.1, 0.7),
    early=st.booleans(),
    at=st.integers(2 * PULSES_PER_BEAT, 5 * PULSES_PER_BEAT),
)
def test_one_outlier_does_not_move_the_estimate(bpm, late, early, at):
    # One pulse a tenth to seven tenths of an interval off (and at least 2 ms: a pulse
    # held up after a pause), early or late, among steady ones.
    step = interval(bpm)
    offset = max(late * step, 0.002) * (-1 if early else 1)
    times = [10.0 + k * step for k in range(6 * PULSES_PER_BEAT)]
    clean = fed(times[: at + 1])
    estimator = fed(times[:at] + [times[at] + offset])
    assert (estimator.bpm, estimator.index) == (clean.bpm, clean.index)
    assert estimator.time_of(at) == pytest.approx(times[at], abs=1e-9)  # the line's time, not the arrival
    fed(times[at + 1 :], estimator)
    assert estimator.bpm == pytest.approx(bpm, abs=0.006)
    assert estimator.time_of(len(times)) == pytest.approx(10.0 + len(times) * step, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    bpm=st.floats(60.0, 200.0),
    lost=st.integers(1, 3),
    at=st.integers(2 * PULSES_PER_BEAT, 6 * PULSES_PER_BEAT),
    jitter=st.sampled_from([0.0, 0.0002]),
    seed=st.integers(0, 2**32 - 1),
)
def test_pulses_lost_on_the_way_are_counted(bpm, lost, at, jitter, seed):
    # A few pulses that never arrive: the ones after them sit whole intervals off the
    # line, so the count is corrected and the song position stays right.
    rng = random.Random(seed)
    step = interval(bpm)
    total = at + lost + 30
    estimator = fed(10.0 + k * step + rng.uniform(-jitter, jitter) for k in range(total) if not at <= k < at + lost)
    assert estimator.index == total - 1
    assert estimator.bpm == pytest.approx(bpm, abs=0.1)


@pytest.mark.parametrize("counting", [True, False])
def test_after_a_gap_the_count_jumps_only_while_it_counts(counting):
    # The master's clock stops for a second (more than the 0.3 s timeout) and comes back
    # on its grid. While the song position counts (playing), the pulses the gap held are
    # counted; while stopped, the next pulse is just the next.
    step = interval(120)
    estimator = fed(10.0 + k * step for k in range(96))
    assert estimator.timeout() == pytest.approx(0.3)  # 8 intervals are less: at least 0.3 s
    back = 96 + round(1.0 / step)
    estimator.pulse(10.0 + back * step, counting=counting)
    assert estimator.index == (back if counting else 96)
    assert estimator.bpm == 120.0  # a new line through one pulse keeps the last tempo
    assert estimator.time_of(estimator.index) == pytest.approx(10.0 + back * step)


def test_the_first_pulse_after_start_may_begin_a_new_grid():
    # A master that stops its clock while stopped starts again on a grid of its own:
    # the first pulse after Start, off the line, starts a new one at once (given as
    # `first`); the same pulse otherwise is held back as an outlier.
    step = interval(100)
    times = [10.0 + k * step for k in range(96)]
    shifted = times[-1] + 1.5 * step  # half an interval off the running grid
    for first in (True, False):
        estimator = fed(times)
        estimator.pulse(shifted, first=first)
        assert estimator.index == 96
        on_new_line = estimator.time_of(96) == pytest.approx(shifted, abs=1e-9)
        assert on_new_line is first
        assert estimator.bpm == 100.0


def test_bunched_pulses_count_but_their_times_do_not():
    # Three pulses handed over together (a JACK period, a busy process): they count, and
    # the line goes on from the times of the ones that came in time.
    step = interval(120)
    times = [10.0 + k * step for k in range(120)]
    times[100] = times[101] = times[102] - 0.0001
    estimator = fed(times)
    assert estimator.index == 119
    assert estimator.bpm == 120.0
    assert estimator.time_of(101) == pytest.approx(10.0 + 101 * step, abs=1e-9)


def test_before_two_pulses_there_is_no_tempo():
    estimator = TempoEstimator()
    assert (estimator.index, estimator.interval, estimator.bpm, estimator.last_arrival) == (-1, None, None, None)
    estimator.pulse(5.0)
    assert (estimator.index, estimator.interval, estimator.bpm, estimator.last_arrival) == (0, None, None, 5.0)
    assert estimator.timeout() == 0.3
    estimator.pulse(5.0 + interval(90))
    assert estimator.bpm == 90.0 and estimator.anchor == 1


@pytest.mark.parametrize("window", [2, 0, True, 3.0, "96"])
def test_the_window_is_three_pulses_or_more(window):
    with pytest.raises(ValueError, match="window is a number of pulses, at least 3"):
        TempoEstimator(window)
