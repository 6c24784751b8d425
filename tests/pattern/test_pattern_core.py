from fractions import Fraction as F

import pytest
from pattern_helpers import lines

from livemidi.pattern import (
    Event,
    Pattern,
    TimeSpan,
    cat,
    fast,
    fastcat,
    mini,
    note,
    pure,
    reify,
    sequence,
    show,
    signal,
    silence,
    stack,
    timecat,
    velocity,
)


def test_pure_fills_each_cycle_and_cuts_fragments():
    assert lines(pure("a"), 2) == ["0 → 1 | a", "1 → 2 | a"]
    evs = pure("a").events(F(1, 2), F(3, 2))
    assert [e.show() for e in evs] == ["0 → 1 (1/2 → 1) | a", "1 → 2 (1 → 3/2) | a"]
    assert [e.has_onset() for e in evs] == [False, True]
    assert evs[1].whole.begin == 1 and evs[1].whole.end == 2 and evs[1].part == TimeSpan(1, F(3, 2))


def test_events_sorted_by_onset_stack_order_kept():
    p = stack("b a", "c")
    assert lines(p) == ["0 → 1/2 | b", "0 → 1 | c", "1/2 → 1 | a"]
    assert [e.value for e in p.onsets(0, 1)] == ["b", "c", "a"]


def test_event_api_and_display():
    ev = Event(TimeSpan(0, F(1, 2)), TimeSpan(0, F(1, 2)), {"note": 60, "velocity": 100})
    assert ev.show() == "0 → 1/2 | note=60 velocity=100"
    assert repr(ev) == "<Event 0 → 1/2 | note=60 velocity=100>"
    assert ev.has_onset() and ev.has_offset() and ev.onset == 0
    cont = Event(None, TimeSpan(0, 1), 0.70710678)
    assert cont.show() == "(0 → 1) | 0.7071" and not cont.has_onset()
    assert ev.with_value(lambda v: v["note"]).value == 60


def test_silence_and_signal():
    assert silence.events(0, 10) == []
    assert lines(signal(lambda t: t), 1) == ["(0 → 1) | 0"]  # sampled where the query starts
    assert lines(signal(lambda t: t), 1, F(1, 3)) == ["(1/3 → 4/3) | 1/3"]


def test_onsets_only_returns_events_starting_in_span():
    p = mini("a b")
    assert [e.show() for e in p.onsets(F(1, 4), 1)] == ["1/2 → 1 | b"]


def test_cat_keeps_each_patterns_cycles():
    p = cat("a", "<b c>")
    assert [e.value for e in p.onsets(0, 6)] == ["a", "b", "a", "c", "a", "b"]


def test_fastcat_sequence_timecat():
    assert lines(fastcat("a", "b")) == lines(sequence("a", "b")) == lines("a b")
    assert lines(timecat((1, "a"), (3, "b c"))) == ["0 → 1/4 | a", "1/4 → 5/8 | b", "5/8 → 1 | c"]
    assert lines(stack(["a", "b"])) == lines(stack("a", "b"))
    with pytest.raises(TypeError, match="weight, pattern"):
        timecat("a")
    with pytest.raises(ValueError, match="positive"):
        timecat((0, "a"))


def test_reify():
    assert isinstance(reify(3), Pattern) and lines(reify([1, 2])) == ["0 → 1/2 | 1", "1/2 → 1 | 2"]
    with pytest.raises(TypeError, match="found the function 'len'"):
        reify(len)
    with pytest.raises(TypeError, match="found None"):
        reify(None)


def test_app_left_right_both():
    a, b = mini("1 2"), mini("10 20 30")
    assert lines(a.app_left(b, lambda x, y: x + y)) == [
        "0 → 1/2 (0 → 1/3) | 11", "0 → 1/2 (1/3 → 1/2) | 21", "1/2 → 1 (1/2 → 2/3) | 22", "1/2 → 1 (2/3 → 1) | 32"]
    assert lines(a.app_right(b, lambda x, y: x + y)) == [
        "0 → 1/3 | 11", "1/3 → 2/3 (1/3 → 1/2) | 21", "1/3 → 2/3 (1/2 → 2/3) | 22", "2/3 → 1 | 32"]
    assert lines(a.app_both(b, lambda x, y: x + y)) == [
        "0 → 1/3 | 11", "1/3 → 1/2 | 21", "1/2 → 2/3 | 22", "2/3 → 1 | 32"]


def test_joins():
    outer = mini("a b").fmap(lambda v: mini("1 2 3") if v == "a" else mini("x"))
    assert lines(outer.inner_join()) == ["0 → 1/3 | 1", "0 → 1 (1/2 → 1) | x", "1/3 → 2/3 (1/3 → 1/2) | 2"]
    assert lines(outer.outer_join()) == ["0 → 1/2 | 1", "1/2 → 1 | x"]
    assert lines(outer.squeeze_join()) == ["0 → 1/6 | 1", "1/6 → 1/3 | 2", "1/3 → 1/2 | 3", "1/2 → 1 | x"]
    assert lines(outer.mix_join()) == ["0 → 1/3 | 1", "1/3 → 1/2 | 2", "1/2 → 1 | x"]


def test_operators_structure_from_left():
    assert lines(mini("1 2") + mini("10 20 30")) == lines(mini("1 2").app_left(mini("10 20 30"), lambda a, b: a + b))
    assert lines(mini("1 2") * 3) == ["0 → 1/2 | 3", "1/2 → 1 | 6"]
    assert lines(10 - mini("1 2")) == ["0 → 1/2 | 9", "1/2 → 1 | 8"]
    assert lines(note("c e") + note(12)) == ["0 → 1/2 | note=72", "1/2 → 1 | note=76"]
    assert lines(note("c e") | {"velocity": 90}) == ["0 → 1/2 | note=60 velocity=90", "1/2 → 1 | note=64 velocity=90"]
    # a plain number goes to the note, or to the only control (Strudel's n("0 2").add(3))
    assert lines(note("c e").velocity(90) + 12) == ["0 → 1/2 | note=72 velocity=90", "1/2 → 1 | note=76 velocity=90"]
    assert lines(12 + note("c")) == ["0 → 1 | note=72"] and lines(velocity(90) - 10) == ["0 → 1 | velocity=80"]
    with pytest.raises(TypeError, match="a plain number goes to the note"):
        (velocity(90).ch(1) + 12).events(0, 1)
    with pytest.raises(TypeError, match="expected numbers"):
        (mini("a") + 1).events(0, 1)


def test_show_helper():
    assert show("a b", 1) == "0 → 1/2 | a\n1/2 → 1 | b"
    assert show(fast(2, "a"), 1, begin=1) == "1 → 3/2 | a\n3/2 → 2 | a"
    assert repr(pure(3)) == "pure(3)"


def test_the_core_uses_what_compose_and_tables_plug_in():
    # The core cannot import them (they build on it): each plugs itself in as it loads.
    from livemidi.pattern import compose, core, tables

    assert core.reify is compose.reify and core.tables is tables
    missing = core._Missing("reify", "livemidi.pattern.compose")
    for use in (lambda: missing(1), lambda: missing.compiled):
        with pytest.raises(RuntimeError, match=r"no reify yet: import livemidi.pattern \(it loads livemidi.pattern.compose\)"):
            use()
