"""TempoMap on a virtual clock: exact cycles, tempo changes without jumps, transport."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livemidi.clock import ClockStoppedError, Position, TempoMap


class Clock:
    def __init__(self, t: float = 100.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock():
    return Clock()


def test_cycles_to_seconds_at_120_bpm(clock):
    tempo = TempoMap(120, now=clock)
    tempo.start()
    # 120 BPM, 4 beats a bar: a cycle lasts 2 s
    assert tempo.time_at(0) == 100.0
    assert tempo.time_at(1) == 102.0
    assert tempo.time_at(F(1, 16)) == 100.125
    assert tempo.cycle_at(101.5) == F(3, 4)
    assert tempo.cycle_at(99.0) == F(-1, 2)  # before the start: extrapolated


def test_beats_per_bar(clock):
    tempo = TempoMap(90, beats_per_bar=3, now=clock)
    tempo.start()
    assert tempo.time_at(1) == 102.0  # 3 beats at 90 BPM
    assert tempo.grid == F(1, 3 * 960)
    clock.t = 101.0
    assert tempo.position() == Position(F(1, 2), 1, 2, F(1, 2))


def test_position_as_bar_beat(clock):
    tempo = TempoMap(120, now=clock)
    tempo.start(now=100.0)
    clock.t = 100.0 + 2 * 2 + 0.5 * 2  # two and a half bars in: bar 3, beat 3
    position = tempo.position()
    assert position.cycle == F(5, 2)
    assert (position.bar, position.beat, position.phase) == (3, 3, 0)
    assert str(position) == "3.3"
    assert tempo.position(100.75).phase == F(1, 2)


def test_tempo_change_now_keeps_the_position(clock):
    tempo = TempoMap(120, now=clock)
    tempo.start()
    clock.t = 101.0  # cycle 1/2
    at = tempo.set_tempo(60)
    assert at == F(1, 2)
    assert tempo.cycle_at(101.0) == F(1, 2)  # no jump
    assert tempo.time_at(1) == 103.0  # half a bar at 60 BPM: 2 s
    assert tempo.bpm == 60
    assert tempo.bpm_at(F(1, 4)) == 60  # old segments are pruned once past


def test_tempo_change_now_snaps_to_the_tick_grid(clock):
    tempo = TempoMap(120, now=clock)
    tempo.start()
    clock.t = 100.0 + 1e-5  # a fraction of a tick after the start
    at = tempo.set_tempo(140)
    assert at == 0
    assert tempo.time_at(0) == 100.0


def test_tempo_change_at_a_future_cycle(clock):
    tempo = TempoMap(120, now=clock)
    tempo.start()
    assert tempo.set_tempo(240, at=2) == 2
    assert tempo.time_at(2) == 104.0
    assert tempo.time_at(3) == 105.0  # a bar at 240 BPM: 1 s
    assert tempo.cycle_at(104.5) == F(5, 2)
    assert tempo.bpm_at(1) == 120 and tempo.bpm_at(2) == 240
    assert tempo.changes() == [(0, 120), (2, 240)]
    # a later word replaces what it overlaps
    tempo.set_tempo(60, at=1)
    assert tempo.changes() == [(0, 120), (1, 60)]
    assert tempo.time_at(2) == 106.0


def test_tempo_change_in_the_past_is_refused(clock):
    tempo = TempoMap(120, now=clock)
    tempo.start()
    clock.t = 104.0
    with pytest.raises(ValueError, match="now or later"):
        tempo.set_tempo(100, at=1)


def test_many_changes_do_not_drift(clock):
    tempo = TempoMap(120, now=clock)
    tempo.start()
    for bar in range(1, 1001):
        tempo.set_tempo(120 if bar % 2 else F(240), at=bar)
    # 500 bars at 120 (2 s) and 500 at 240 (1 s)... computed without accumulating
    assert tempo.time_at(1001) == pytest.approx(100.0 + 2 + 500 * 1 + 500 * 2, abs=1e-9)


def test_stop_and_resume(clock):
    tempo = TempoMap(120, now=clock)
    with pytest.raises(ClockStoppedError):
        tempo.time_at(0)
    tempo.start()
    clock.t = 101.0
    assert tempo.stop() == F(1, 2)
    assert not tempo.running
    assert tempo.position().cycle == F(1, 2)
    with pytest.raises(ClockStoppedError, match="stopped"):
        tempo.cycle_at(101.0)
    tempo.set_tempo(60)  # stored for the resume
    clock.t = 200.0
    assert tempo.continue_() == F(1, 2)
    assert tempo.time_at(1) == 202.0
    assert tempo.bpm == 60


def test_start_elsewhere(clock):
    tempo = TempoMap(120, now=clock)
    tempo.start(F(7, 4), now=50.0)
    assert tempo.time_at(2) == 50.5
    assert tempo.position(50.0) == Position(F(7, 4), 2, 4, 0)


@pytest.mark.parametrize("bad", [0, -1, 1001, float("nan"), float("inf")])
def test_bad_bpm(bad):
    with pytest.raises(ValueError, match="bpm must be a number from 1 to 1000"):
        TempoMap(bad)


def test_bpm_types():
    assert TempoMap(133.33).bpm == F(13333, 100)
    with pytest.raises(TypeError, match="bpm must be a number"):
        TempoMap("120")
    with pytest.raises(ValueError, match="beats_per_bar"):
        TempoMap(120, beats_per_bar=0)


def test_cycles_must_be_exact(clock):
    tempo = TempoMap(now=clock)
    tempo.start()
    with pytest.raises(TypeError, match="exact number of cycles"):
        tempo.time_at(0.5)
    with pytest.raises(TypeError, match="exact number of cycles"):
        tempo.set_tempo(100, at=1.5)


@given(
    st.fractions(min_value=-4, max_value=10_000).map(lambda f: f.limit_denominator(10**6)),
    st.sampled_from([F(120), F(174), F(13333, 100), F(1), F(1000), F(60001, 1000)]),
    st.integers(1, 64),
    st.fractions(min_value=0, max_value=100).map(lambda f: f.limit_denominator(960)),
)
def test_time_at_is_the_exact_conversion_rounded_once(cycle, bpm, beats_per_bar, start):
    tempo = TempoMap(bpm, beats_per_bar, now=lambda: 12345.678)
    tempo.start(start)
    exact = 12345.678 + float((cycle - start) * F(60 * beats_per_bar) / bpm)
    assert tempo.time_at(cycle) == exact
