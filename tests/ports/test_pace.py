"""Pacing a release: a burst at once, then so many per step, per output; on a virtual clock."""

from __future__ import annotations

import bisect
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from livemidi.ports.pace import BURST, PER_STEP, STEP, Pace, send_paced


def test_a_burst_goes_at_once_and_the_rest_per_step():
    pace = Pace()
    slots = [pace.slot("out", 10.0) for _ in range(BURST + 3 * PER_STEP)]
    assert slots[:BURST] == [10.0] * BURST
    later = slots[BURST:]
    assert later == sorted(later) and all(t > 10.0 for t in later)
    assert len(set(later)) == 3  # one wake-up per PER_STEP messages
    assert max(later) - 10.0 <= 3 * STEP + STEP
    assert all(math.isclose(t / STEP, round(t / STEP)) for t in later)  # on the grid


def test_outputs_have_a_budget_each_and_it_comes_back_with_time():
    pace = Pace(burst=4, per_step=2, step=0.01)
    assert [pace.slot("a", 0.0) for _ in range(5)][-1] > 0.0
    assert pace.slot("b", 0.0) == 0.0  # another output: its own budget
    assert [pace.slot("a", 1.0) for _ in range(4)] == [1.0] * 4  # a second later the burst is whole again


@given(st.lists(st.tuples(st.floats(0, 0.5), st.integers(1, 400)), min_size=1, max_size=6))
def test_no_step_carries_more_than_its_share_however_releases_come(releases):
    pace = Pace()
    sent = []
    for asked, count in sorted(releases):
        sent += [pace.slot(0, asked) for _ in range(count)]
    sent.sort()
    # in any span of k steps: at most the burst plus k steps' worth (and one more at the edges)
    for i, start in enumerate(sent):
        for k in (1, 4, 16):
            within = bisect.bisect_left(sent, start + k * STEP - 1e-9) - i
            assert within <= BURST + (k + 1) * PER_STEP


def test_send_paced_waits_for_each_slot_on_the_clock_it_is_given():
    clock = [0.0]
    sent = []
    send_paced(lambda msg: sent.append((clock[0], msg)), range(BURST + PER_STEP + 1),
               now=lambda: clock[0], sleep=lambda s: clock.__setitem__(0, clock[0] + s))  # fmt: skip
    assert [msg for _, msg in sent] == list(range(BURST + PER_STEP + 1))
    assert [t for t, _ in sent[:BURST]] == [0.0] * BURST
    assert sent[-1][0] > sent[BURST][0] > 0.0


def test_a_pace_needs_a_budget():
    with pytest.raises(ValueError, match="burst >= 1"):
        Pace(burst=0)
    with pytest.raises(ValueError, match="step > 0"):
        Pace(step=0)
