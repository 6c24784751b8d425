"""The meter: a query's events are counted as they are made, so that its caller can stop it early."""

from __future__ import annotations

import threading
import tracemalloc
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livemidi.pattern import (
    cat,
    chunk,
    degrade,
    every,
    fast,
    iter_,
    linger,
    mini,
    note,
    off,
    ply,
    rev,
    scramble,
    segment,
    shuffle,
    sine,
    slow,
    stack,
    tables,
)
from livemidi.pattern.meter import Meter, metered, spend


# Mini-notation of every kind, and the combinators that make events of their own.
texts = st.sampled_from([
    "a b c", "a [b c]*2", "<a b> c?", "{a b c, d e}%4", "a(3,8,1) b", "[a | b] c@2 d", "a!3 . b _ c", "<a b>/3 c*<2 3>",
    "c4'maj7 e", "~ a*1.5", "a . b c . d?0.3",
])
transforms = st.sampled_from([
    lambda p: fast(3, p), lambda p: slow(F(3, 2), p), rev, lambda p: iter_(4, p), lambda p: ply(3, p),
    lambda p: every(2, fast(2), p), degrade, lambda p: off(F(1, 8), rev, p), lambda p: chunk(4, fast(2), p),
    lambda p: linger(F(1, 4), p), lambda p: shuffle(4, p), lambda p: scramble(3, p), lambda p: segment(4, p),
    lambda p: stack(p, fast(2, p)), lambda p: fast("<1 2>", p),
])
times = st.fractions(min_value=-2, max_value=6, max_denominator=12)


@st.composite
def patterns(draw, general=False):
    text = draw(texts)
    if general:
        with tables.disabled():
            pattern = mini(text)
    else:
        pattern = mini(text)
    for transform in draw(st.lists(transforms, max_size=3)):
        pattern = transform(pattern)
    return pattern


class Stop(Exception):
    pass


def counting() -> Meter:
    """A meter that never stops a query, only counts."""
    return Meter(1, lambda meter: setattr(meter, "left", 1))


def stopping_at(limit: int) -> Meter:
    def refill(meter: Meter) -> None:
        if meter.spent > limit:
            raise Stop(meter.spent)
        meter.left = limit - meter.spent

    return Meter(limit, refill)


@pytest.mark.parametrize("pattern, spent", [
    (note("c4*16"), 64),  # a cycle table
    (fast(1000, "c4"), 4000),  # pure, over many cycles per query
    (mini("c4 " * 5000), 20000),  # a sequence too long for a table
    (cat(*[mini("c4?")] * 3), 8),  # the general paths: cycles, sequences, a pure value
    (sine.segment(4), 32),  # a signal sampled by a sequence
])
def test_a_meter_counts_the_events_a_query_makes(pattern, spent):
    with metered(counting()) as meter:
        events = pattern.events(0, 4)
    assert meter.spent == spent
    assert meter.spent >= len(events)


@pytest.mark.parametrize("pattern", [
    mini("c4*1000000000"), mini("c4" + "*2" * 60), mini("<c4 d4>*1000000000"), mini("c4!60000"),
    ply(10**9, mini("c4 e4?")), linger(F(1, 10**9), mini("c4 e4?")), mini("c4(3,60000)"),
    shuffle(10**9, "c4"),
], ids=["pure", "nested fast", "cat", "sequence", "ply", "linger", "euclid", "shuffle"])
def test_a_query_stops_at_the_limit_without_making_its_events(pattern):
    tracemalloc.start()
    try:
        with pytest.raises(Stop), metered(stopping_at(1000)):
            pattern.events(0, 1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000  # bytes: not the events (a million of them take hundreds of MB)


def test_without_a_meter_nothing_is_counted_and_nothing_changes():
    spend(10**12)  # no meter: a no-op
    meter = counting()
    with metered(meter):
        pass
    note("c4*16").events(0, 4)
    assert meter.spent == 0


def test_each_thread_counts_its_own_queries():
    meter = counting()
    other = []
    with metered(meter):
        worker = threading.Thread(target=lambda: other.append(len(note("c4*100").events(0, 1))))
        worker.start()
        worker.join()
        note("c4*3").events(0, 1)
    assert other == [100] and meter.spent == 3


def test_meters_nest_and_the_outer_one_comes_back():
    outer, inner = counting(), counting()
    with metered(outer):
        note("c4*2").events(0, 1)
        with metered(inner):
            note("c4*5").events(0, 1)
        note("c4*2").events(0, 1)
    assert (outer.spent, inner.spent) == (4, 5)


@settings(max_examples=80, deadline=None)
@given(st.booleans().flatmap(lambda general: patterns(general)), times)
def test_a_meter_changes_no_event_and_counts_at_least_those_returned(pattern, begin):
    plain = pattern.events(begin, begin + 2)
    with metered(counting()) as meter:
        counted = pattern.events(begin, begin + 2)
    assert counted == plain
    assert meter.spent >= len(plain)
