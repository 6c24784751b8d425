"""Locations on events: how they are carried, and that they never change what plays.

(The spans the mini-notation gives are tested in tests/mini/test_mini_locations.py.)
"""

from __future__ import annotations

import copy
import pickle
from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livemidi.mini.interpret import _Builder
from livemidi.mini.parser import parse
from livemidi.mini.source import Placement, placed
from livemidi.pattern import (
    Event,
    Location,
    TimeSpan,
    arp,
    chord,
    every,
    fast,
    locations,
    mini,
    note,
    off,
    ply,
    rev,
    segment,
    sometimes,
    stack,
    tables,
    transpose,
)
from livemidi.pattern import event as event_module
from livemidi.pattern.event import joined, located

A = Location("set.py", 1, 0, 2)
B = Location("set.py", 2, 4, 7)
C = Location("other.py", 9, 1, 2)


def test_plain_events_have_no_locations():
    ev = Event(TimeSpan(0, 1), TimeSpan(0, 1), "c4")
    assert locations(ev) == () and type(ev) is Event
    assert located(()) is Event
    with pytest.raises(TypeError, match="expected a pattern event, found tuple"):
        locations((TimeSpan(0, 1), TimeSpan(0, 1), "c4"))  # type: ignore[arg-type]


def test_a_located_event_is_the_same_3_tuple():
    span = TimeSpan(0, 1)
    ev = located((A,))(span, span, "c4")
    whole, part, value = ev
    assert (whole, part, value) == (span, span, "c4") and len(ev) == 3
    assert isinstance(ev, Event) and ev == Event(span, span, "c4") and hash(ev) == hash(Event(span, span, "c4"))
    assert locations(ev) == (A,) and repr(ev) == "<Event 0 → 1 | c4>"
    assert locations(ev.with_value(str.upper)) == (A,) and locations(ev.with_span(lambda s: TimeSpan(1, 2))) == (A,)


def test_classes_are_shared_and_joined_in_order_without_repeats():
    assert located((A,)) is located((A,))
    assert joined(Event, Event) is Event
    assert joined(located((A,)), Event) is located((A,)) and joined(Event, located((A,))) is located((A,))
    assert locations(joined(located((A,)), located((B,)))(TimeSpan(0, 1), TimeSpan(0, 1), 1)) == (A, B)
    assert joined(located((A, B)), located((B, C))) is located((A, B, C))
    assert joined(located((A, B)), located((B,))) is located((A, B))
    with pytest.raises(TypeError, match="expected Location items"):
        located((("new.py", 1, 0, 2),))  # type: ignore[arg-type]


def test_events_pickle_with_their_locations():
    span = TimeSpan(F(1, 3), F(2, 3))
    assert pickle.loads(pickle.dumps(span)) == span and copy.copy(span) == span  # (spans could not be pickled)
    for ev in (Event(span, span, {"note": 60}), located((A, C))(None, span, 0.5)):
        back = pickle.loads(pickle.dumps(ev))
        assert back == ev and locations(back) == locations(ev) and isinstance(back, Event)


def test_the_class_cache_is_bounded_and_old_events_keep_their_locations(monkeypatch):
    monkeypatch.setattr(event_module, "MAX_CLASSES", 4)
    early = located((Location("x", 1, 0, 1),))(None, TimeSpan(0, 1), 1)
    for i in range(10):
        located((Location("x", 1, i, i + 1), Location("x", 2, 0, 1)))
    assert len(event_module._classes) <= 4
    assert locations(early) == (Location("x", 1, 0, 1),)
    assert locations(located((Location("x", 1, 0, 1),))(None, TimeSpan(0, 1), 1)) == (Location("x", 1, 0, 1),)


def test_pure_values_given_to_combinators_add_their_place():
    notes = note(placed("c4 e4", "set.py", ((0, 1, 0),)))
    for compiled in (True, False):
        if compiled:
            p = notes.fast(placed("2", "set.py", ((0, 3, 5),)))
        else:
            with tables.disabled():
                p = mini(placed("c4 e4", "set.py", ((0, 1, 0),))).fast(placed("2", "set.py", ((0, 3, 5),)))
        assert [locations(ev) for ev in p.events(0, F(1, 2))] == [
            (Location("set.py", 1, 0, 2), Location("set.py", 3, 5, 6)),
            (Location("set.py", 1, 3, 5), Location("set.py", 3, 5, 6)),
        ]


def test_a_plain_value_on_the_right_keeps_the_left_places():
    p = note(placed("c4", "s", ((0, 1, 0),)))
    assert [locations(ev) for ev in (p | {"velocity": 90}).events(0, 1)] == [(Location("s", 1, 0, 2),)]
    assert [locations(ev) for ev in (10 + mini(placed("1", "s", ((0, 1, 0),)))).events(0, 1)] == [(Location("s", 1, 0, 1),)]


# -- laws: locations change nothing of what plays, and every path gives the same ones ---------------------

_WORDS = st.sampled_from(["c4", "e4", "g4", "1", "2", "~", "c4'min"])


@st.composite
def _text(draw, depth=2):
    def step(d):
        kind = draw(st.integers(0, 6 if d > 0 else 0))
        atom = {0: lambda: draw(_WORDS), 1: lambda: "[" + seq(d - 1) + "]", 2: lambda: "<" + seq(d - 1) + ">",
                3: lambda: "{" + seq(d - 1) + ", " + seq(d - 1) + "}%" + draw(st.sampled_from(["3", "<2 4>"])),
                4: lambda: "[" + seq(d - 1) + " | " + seq(d - 1) + "]",
                5: lambda: draw(_WORDS) + f"({draw(st.integers(0, 5))},{draw(st.integers(1, 8))})",
                6: lambda: "[" + seq(d - 1) + ", " + seq(d - 1) + "]"}[kind]()
        return atom + draw(st.sampled_from(["", "", "*2", "/2", "*<2 3>", "!2", "@2", "?", "*1.5"]))

    def seq(d):
        return " ".join(step(d) for _ in range(draw(st.integers(1, 4))))

    return seq(depth)


_TRANSFORMS = st.sampled_from([
    lambda p: fast(2, p), lambda p: p.slow(3), rev, lambda p: p.iter(4), lambda p: ply(2, p),
    lambda p: every(3, fast(2), p), lambda p: p.degrade(), lambda p: off(F(1, 8), rev, p),
    lambda p: p.linger(F(1, 4)), lambda p: p.shuffle(4), lambda p: sometimes(fast(2), p), lambda p: p.swing(4),
    lambda p: segment(4, p), lambda p: stack(p, fast(2, p)), lambda p: p + mini(placed("<0 1>", "s", ((0, 9, 0),))),
    lambda p: arp("updown", p), lambda p: p.fast(placed("<1 2>", "s", ((0, 8, 0),))),
    lambda p: p.app_both(mini(placed("1 2", "s", ((0, 7, 0),))), lambda a, b: a),
    lambda p: p.squeeze_bind(lambda v: [v, v]), lambda p: p.bind(lambda v: fast(2, v)),
])


def _numeric(text: str) -> str:
    return text.replace("c4'min", "1").replace("c4", "1").replace("e4", "2").replace("g4", "3")


def _keyed(events) -> list:
    return sorted((ev.whole_or_part()[0], ev.whole_or_part()[1], ev.part[0], ev.part[1], repr(ev.value),
                   locations(ev)) for ev in events)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_text(), fs=st.lists(_TRANSFORMS, max_size=3), begin=st.fractions(-1, 4, max_denominator=6))
def test_tables_and_general_queries_give_the_same_locations(text, fs, begin):
    text = _numeric(text)
    placement = Placement("s", ((0, 1, 0),))
    fast_path = _Builder(text, placement).build(parse(text))
    with tables.disabled():
        general = _Builder(text, placement).build(parse(text))
    for f in fs:
        fast_path = f(fast_path)
        with tables.disabled():
            general = f(general)
    for span in ((begin, begin + 2), (begin, begin + F(1, 3))):
        assert _keyed(fast_path.events(*span)) == _keyed(general.events(*span))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_text(), fs=st.lists(_TRANSFORMS, max_size=3), begin=st.fractions(-1, 4, max_denominator=6))
def test_locations_change_nothing_that_plays(text, fs, begin):
    text = _numeric(text)
    plain = _Builder(text).build(parse(text))
    where = _Builder(text, Placement("s", ((0, 1, 0),))).build(parse(text))
    for f in fs:
        plain, where = f(plain), f(where)
    assert plain.events(begin, begin + 2) == where.events(begin, begin + 2)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_text(), a=st.fractions(-1, 3, max_denominator=6), d=st.fractions(F(1, 8), 2, max_denominator=8))
def test_a_query_cut_in_two_gives_the_same_locations(text, a, d):
    text = _numeric(text)
    p = _Builder(text, Placement("s", ((0, 1, 0),))).build(parse(text)).fast(F(3, 2))
    whole = [(ev.whole, ev.value, locations(ev)) for ev in p.events(a, a + 2 * d) if ev.has_onset()]
    halves = [(ev.whole, ev.value, locations(ev)) for ev in p.events(a, a + d) + p.events(a + d, a + 2 * d)
              if ev.has_onset()]
    assert sorted(whole, key=repr) == sorted(halves, key=repr)


def test_chords_of_located_roots():
    p = note(chord("<maj min>", placed("c4 e4", "s", ((0, 1, 0),))))
    assert {locations(ev) for ev in p.events(0, F(1, 2))} == {(Location("s", 1, 0, 2),)}
    p = transpose(12, arp("up", note(placed("c4'maj", "s", ((0, 1, 0),)))))
    assert [locations(ev) for ev in p.events(0, 1)] == [(Location("s", 1, 0, 6),)] * 3
