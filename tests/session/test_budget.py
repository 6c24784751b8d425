"""One bad line never silences the other loops: the budget refuses or mutes a heavy pattern.

Most tests run on a virtual clock (`Rig`); the one that matters for what a
performer hears runs a real `Session`, with its real sender process and an
in-memory port, and checks what the sender actually sent.
"""

from __future__ import annotations

import gc
import threading
import time
import tracemalloc
from fractions import Fraction as F

import pytest
from session_helpers import Rig

from livemidi.errors import BudgetError
from livemidi.pattern import Pattern, note
from livemidi.session import Budget, PatternError, Session, namespace
from livemidi.session.budget import DEFAULT_EVENTS, Pace, render_within

# Each of these made the prompt wait (12 s, or until Ctrl-C) and the other loops drop out.
# ("c4" + "!" * 100000 is now too long a sequence for the mini-notation: tests/mini.)
HEAVY = ["c4*100000", "c4*1000000", "c4" + "*2" * 60, "c4" + "!" * 60000]


def burn(seconds: float) -> None:
    """Use `seconds` of this thread's CPU (the budget counts CPU time, not waiting)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def slow(pattern: Pattern, seconds_per_event: float, from_cycle=0) -> Pattern:
    """`pattern`, whose queries from `from_cycle` on take `seconds_per_event` of CPU per event."""

    def query(span):
        events = pattern.query(span)
        if span.begin >= from_cycle:
            burn(seconds_per_event * len(events))
        return events

    return Pattern(query)


def kicks(rig: Rig) -> list:
    return [cycle for cycle, n in rig.notes_on() if n == 24]


# -- refused at the trial ------------------------------------------------------------------


def test_a_pattern_over_the_events_budget_is_refused_and_the_error_names_the_limit_and_how_to_raise_it():
    rig = Rig()
    rig.session.p.kick = note("c1*4")
    rig.start()
    rig.run(0.5)
    with pytest.raises(PatternError) as caught:
        rig.session.p.big = note("c4*6000")
    text = str(caught.value)
    assert "the new pattern for 'big' is over budget: it plays more than 1,250 events in bar 2 beat 1" in text
    assert "(the budget is 5,000 events a bar and loop, 1,250 a beat; raise it with budget(events=10000))" in text
    assert text.endswith("(nothing changed)")
    assert isinstance(caught.value.__cause__, BudgetError) and caught.value.__cause__.limit == "events"
    rig.run(2)
    assert "big" not in rig.session.loops
    assert kicks(rig) == [F(k, 4) for k in range(10)]


@pytest.mark.parametrize("text", HEAVY, ids=["c4*100000", "c4*1000000", "c4*2*2...", "c4!!!..."])
def test_a_huge_pattern_is_refused_without_computing_its_events(text):
    # Counted as it is computed: the trial stops at the budget, it does not build
    # the events and then throw them away. Run in a thread, so that a trial that
    # never ends fails the test instead of hanging it.
    rig = Rig()
    pattern = note(text)
    outcome = []

    def attempt():
        tracemalloc.start()
        try:
            rig.session.play("big", pattern)
            outcome.append("accepted")
        except PatternError as error:
            outcome.append(error)
        finally:
            outcome.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "the trial did not stop"
    refused, peak = outcome
    assert isinstance(refused, PatternError)
    assert "over budget: " in str(refused) and "bar 1 beat 1" in str(refused)  # events, or time (a busy machine)
    assert peak < 20_000_000  # bytes: the events of a bar within the budget, not a million of them


def test_a_pattern_too_slow_to_compute_is_refused():
    rig = Rig(budget=Budget(share=0.05))  # 5% of a 0.5 s beat: 25 ms
    with pytest.raises(PatternError, match=r"over budget: computing bar 1 beat 1 takes more than 5% of its 0.5 s "
                                           r"\(the budget is 5% of the time it plays; raise it with budget\(share=0.1\)\)"):
        rig.session.p.slow = slow(note("c4*8"), 0.05)  # 0.1 s a beat, 0.025 allowed
    rig.session.p.quick = slow(note("c4*8"), 0.001)
    assert "quick" in rig.session.loops


def test_budget_in_the_namespace_sets_the_limit():
    rig = Rig()
    budget = namespace(rig.session)["budget"]
    assert budget() == Budget(DEFAULT_EVENTS, 0.25)
    assert budget(events=200) == Budget(200, 0.25)
    with pytest.raises(PatternError, match=r"plays more than 50 events in bar 1 beat 1 .*raise it with budget\(events=400\)"):
        rig.session.p.x = note("c4*300")
    budget(events=400)
    rig.session.p.x = note("c4*300")
    assert budget(share=0.5) == Budget(400, 0.5) == rig.session.budget


@pytest.mark.parametrize("events, share", [(0, 0.25), (1.5, 0.25), (True, 0.25), (100, 0), (100, 1.5), (100, "a")])
def test_a_bad_budget_is_refused(events, share):
    with pytest.raises(ValueError, match="a budget's"):
        Budget(events, share)


# -- muted while playing -------------------------------------------------------------------


def test_a_loop_that_gets_too_heavy_while_playing_is_muted_with_a_notice_and_the_others_play_on():
    rig = Rig()
    rig.session.p.kick = note("c1*4")
    rig.session.p.big = note("<c4!5 c4*20000>")  # passes the trial (bars 1-4), too heavy in bar 6
    rig.start()
    rig.run_to_cycle(F(15, 2))
    assert kicks(rig) == [F(k, 4) for k in range(31)]
    assert [cycle for cycle, n in rig.notes_on() if n == 60 and not 5 <= cycle < 6] == [0, 1, 2, 3, 4]
    assert len([cycle for cycle, n in rig.notes_on() if n == 60 and 5 <= cycle < 6]) <= 1250  # what fits in a beat
    (notice,) = [text for text in rig.notices if "'big'" in text]
    assert notice.startswith("loop 'big' is muted: it plays more than 1,250 events in bar 6 beat 1")
    assert "The other loops play on" in notice and "unmute('big')" in notice
    assert {state.name: state.state for state in rig.session.status().loops} == {"kick": "playing", "big": "muted"}
    # unmute tries it again: bars 9 and 10 are light, bar 12 is heavy again
    rig.session.unmute("big")
    rig.run_to_cycle(F(23, 2))
    assert [cycle for cycle, n in rig.notes_on() if n == 60 and not 5 <= cycle < 6 and not 11 <= cycle < 12] == [
        0, 1, 2, 3, 4, 8, 9, 10]
    assert sum("'big' is muted" in text for text in rig.notices) == 2
    # a new pattern takes over at the next bar, with a budget of its own
    rig.session.p.big = note("e4")
    rig.run_to_cycle(F(27, 2))
    assert [cycle for cycle, n in rig.notes_on() if n == 64] == [12, 13]
    assert kicks(rig) == [F(k, 4) for k in range(55)]


def test_what_is_asked_for_again_is_charged_once():
    # Each mute, unmute, solo or swap asks every loop again for what was already
    # rendered; a loop near its budget must not pay for that.
    rig = Rig(budget=Budget(events=400))  # 100 events a beat
    rig.session.p.dense = note("c4*384")  # 96 a beat
    rig.session.p.other = note("e4")
    rig.start()
    for tenth in range(1, 20):
        rig.run_to_cycle(F(tenth, 10))
        rig.session.mute("other")
        rig.session.unmute("other")
    rig.run_to_cycle(3)
    assert rig.notices == []
    assert len([cycle for cycle, n in rig.notes_on() if n == 60]) == 3 * 384 + 1


def test_a_render_over_budget_stops_as_it_goes():
    # One window of `c4*100000000` would be a million events: it stops at the budget.
    tracemalloc.start()
    try:
        with pytest.raises(BudgetError, match="needs more than 200 events computed for bar 1 beat 1"):
            render_within(Budget(events=100), {}, note("c4*100000000"), F(0), F(1, 100), 0, 0, Pace(4, 2.0))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_a_loop_that_gets_too_slow_while_playing_is_muted():
    rig = Rig(budget=Budget(share=0.05))  # 25 ms a beat
    rig.session.p.kick = note("c1*4")
    rig.session.p.lead = slow(note("c4*8"), 0.01, from_cycle=5)  # 10 ms a window from bar 6
    rig.start()
    rig.run_to_cycle(7)
    assert kicks(rig) == [F(k, 4) for k in range(29)]
    assert [cycle for cycle, n in rig.notes_on() if n == 60 and cycle < 5] == [F(k, 8) for k in range(40)]
    assert len([cycle for cycle, n in rig.notes_on() if n == 60 and cycle >= 5]) <= 3
    assert any(text.startswith("loop 'lead' is muted: computing bar 6 beat 1 takes more than 5% of its 0.5 s")
               for text in rig.notices)


def test_garbage_collection_is_not_charged_to_the_loop_that_triggers_it():
    # A full collection frees every thread's garbage; with a big heap it takes long.
    # Charged to a loop, it would mute a healthy one.
    heap = [[index] for index in range(1_500_000)]
    collected = []

    def query(span):
        if not collected:
            began = time.thread_time()
            gc.collect()
            collected.append(time.thread_time() - began)
        return note("c4").query(span)

    try:
        out = render_within(Budget(share=0.01), {}, Pattern(query), F(0), F(1), 0, 0, Pace(4, 2.0))  # 5 ms a beat
    finally:
        del heap
    assert collected[0] > 0.02, "the collection was too quick to show anything"
    assert [item.message.type for item in out] == ["note_on", "note_off"]


# -- what a performer hears: a real session ------------------------------------------------


def test_the_other_loops_play_on_while_heavy_patterns_are_tried(monkeypatch, unique):
    monkeypatch.setenv("LIVEMIDI_BACKEND", "livemidi.backends.memory")  # the sender process inherits it
    beat = 0.25  # at 240 BPM
    with Session(bpm=240, on_notice=lambda text: None) as session:
        session.add_output(unique, virtual=True)
        session.p.kick = note("c1*4")
        session.start()
        time.sleep(0.5)
        began = time.perf_counter()
        for text in HEAVY:
            with pytest.raises(PatternError, match="over budget"):
                session.p.big = note(text)
        time.sleep(0.5)
        ended = time.perf_counter()
        time.sleep(0.5)  # the sender reports what it sent when it has slack
        sent = session.sender.take_sent()
    kick = [record.deadline for record in sent if record.data[:2] == bytes([0x90, 24])]
    during = [deadline for deadline in kick if began - beat <= deadline <= ended + beat]
    assert during, "the kick did not play"
    # Every beat is there: none was skipped because a window came too late.
    assert during[0] <= began and during[-1] >= ended
    gaps = [b - a for a, b in zip(during, during[1:])]
    assert all(abs(gap - beat) < 0.001 for gap in gaps), gaps


# -- where, as a musician counts ------------------------------------------------------------


def test_a_loop_error_notice_says_bar_and_beat():
    def breaks_at_bar_7_beat_3(span):
        if span.begin >= F(13, 2):
            raise RuntimeError("broken")
        return note("c4*4").query(span)

    rig = Rig()
    rig.session.p.lead = note("e4")
    rig.start()
    rig.run(0.5)
    rig.session.p.lead = Pattern(breaks_at_bar_7_beat_3)
    rig.run_to_cycle(8)
    (notice,) = [text for text in rig.notices if "'lead'" in text]
    assert notice.startswith("loop 'lead' failed at bar 7 beat 3: RuntimeError: broken; going back")
