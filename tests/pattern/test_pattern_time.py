from fractions import Fraction as F

import pytest

from livemidi.pattern import TimeSpan, rational, to_time


def test_to_time_is_exact():
    assert to_time(0.1) == F(1, 10)
    assert to_time("3/4") == F(3, 4)
    assert to_time(2) == F(2) and isinstance(to_time(2), F)
    with pytest.raises(TypeError, match="number of cycles"):
        to_time([1])
    with pytest.raises(ValueError, match="'3/4'"):
        to_time("three")
    with pytest.raises(ValueError, match="finite"):
        to_time(float("inf"))
    with pytest.raises(TypeError, match="bool"):
        to_time(True)


def test_span_basics():
    s = TimeSpan(F(1, 2), 2)
    assert s.begin == F(1, 2) and s.end == 2
    assert str(s) == "1/2 → 2" and repr(s) == "TimeSpan(1/2, 2)"
    assert s.duration == F(3, 2) and s.midpoint == F(5, 4)
    with pytest.raises(ValueError, match="before it begins"):
        TimeSpan(1, 0)


def test_span_cycles_splits_at_boundaries():
    assert [str(s) for s in TimeSpan(F(1, 2), F(5, 2)).cycles()] == ["1/2 → 1", "1 → 2", "2 → 5/2"]
    assert [str(s) for s in TimeSpan(0, 1).cycles()] == ["0 → 1"]
    assert [str(s) for s in TimeSpan(1, 1).cycles()] == ["1 → 1"]
    assert [str(s) for s in TimeSpan(F(-1, 2), F(1, 2)).cycles()] == ["-1/2 → 0", "0 → 1/2"]


def test_intersection():
    a, b = TimeSpan(0, 1), TimeSpan(F(1, 2), 2)
    assert a.intersection(b) == TimeSpan(F(1, 2), 1)
    assert TimeSpan(0, 1).intersection(TimeSpan(1, 2)) is None
    assert TimeSpan(0, 1).intersection(TimeSpan(F(1, 2), F(1, 2))) == TimeSpan(F(1, 2), F(1, 2))
    assert TimeSpan(0, 1).intersection(TimeSpan(1, 1)) is None  # the exclusive end


@pytest.mark.parametrize("a, b", [(F(1, 3), F(1, 4)), (F(-7, 6), F(5, 4)), (F(3), F(2)), (F(5, 12), F(7, 12)),
                                  (F(0), F(-3, 8)), (F(10, 3), F(-2, 9))])
def test_rational_helpers_match_fraction(a, b):
    assert rational.add(a, b) == a + b and rational.add(a, b).denominator == (a + b).denominator
    assert rational.sub(a, b) == a - b
    assert rational.mul(a, b) == a * b and rational.mul(a, b).denominator == (a * b).denominator
    if b:
        assert rational.div(a, b) == a / b and hash(rational.div(a, b)) == hash(a / b)
    assert rational.to_float(a) == float(a)


def _live(kind: type) -> int:
    import gc

    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is kind)


def test_a_dense_table_played_for_minutes_keeps_a_few_cycles_of_events_not_128():
    """A table caches each cycle's events for the queries that follow, and the garbage collector
    walks every event kept: ``c4*2000`` played for 200 cycles kept 128 cycles (256,000 events), and
    a playing session's full collections grew to 0.1 s within a minute (issue 15)."""
    from livemidi.pattern import mini
    from livemidi.pattern.core import Event

    pattern = mini("c4*2000")
    before = _live(Event)
    for cycle in range(200):
        for quarter in range(4):  # as the lookahead asks: a window at a time
            pattern.query(TimeSpan(F(cycle) + F(quarter, 4), F(cycle) + F(quarter + 1, 4)))
    assert _live(Event) - before <= 4 * 2000


def test_step_spans_are_shared_for_the_cycles_being_played_only():
    from livemidi.pattern.time import step_span

    before = _live(TimeSpan)
    spans = [step_span(k, 2000) for k in range(100_000)]
    assert step_span(99_999, 2000) is spans[-1]  # the latest are shared
    del spans
    assert _live(TimeSpan) - before <= 4096
