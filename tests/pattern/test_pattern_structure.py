"""iter, chunk, linger, press, fast_gap, hurry, repeat_cycles, rot, n_take: Tidal's semantics.

One test per example of Tidal's and Strudel's reference pages (their
behaviour, written as events; samples become letters or numbers), plus the
multi-cycle cases where livemidi used to differ from Tidal (issue 18).
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from pattern_helpers import lines, same_events

from livemidi.pattern import (
    Pattern,
    chunk,
    chunk_back,
    fast,
    fast_chunk,
    fast_gap,
    hurry,
    iter_,
    iter_back,
    late,
    linger,
    mini,
    n_take,
    note,
    press,
    press_by,
    reify,
    repeat_cycles,
    rot,
    scale,
    slow,
    velocity,
)


def cycle(pat, c=0) -> str:
    return " ".join(str(e.value) for e in reify(pat).onsets(c, c + 1))


def cycles(pat, count, begin=0) -> list[str]:
    return [cycle(pat, c) for c in range(begin, begin + count)]


# -- iter ---------------------------------------------------------------------------------------


def test_iter_tidal_example():
    # Tidal: d1 $ iter 4 $ sound "bd hh sn cp"
    assert cycles(iter_(4, "bd hh sn cp"), 5) == ["bd hh sn cp", "hh sn cp bd", "sn cp bd hh", "cp bd hh sn",
                                                  "bd hh sn cp"]
    assert cycles(mini("bd hh sn cp").iter(4), 4) == cycles(iter_(4, "bd hh sn cp"), 4)


def test_iter_back_tidal_and_strudel_example():
    # Tidal: iter' 4; Strudel: note("0 1 2 3".scale('A minor')).iterBack(4)
    assert cycles(iter_back(4, "0 1 2 3"), 4) == ["0 1 2 3", "3 0 1 2", "2 3 0 1", "1 2 3 0"]
    assert cycles(scale("A3:minor", iter_back(4, "0 1 2 3")), 2) == ["57 59 60 62", "62 57 59 60"]
    assert same_events(iter_(-4, "0 1 2 3"), iter_back(4, "0 1 2 3"), 0, 8)


def test_iter_takes_later_cycles_from_the_shifted_span():
    # issue 18: note("<a b> c d e").iter(4) at cycle 1 plays c d e b (livemidi played c d e a)
    assert cycle(iter_(4, "<a b> c d e"), 1) == "c d e b"
    assert cycles(iter_(4, "<a b> c d e"), 8) == [
        "a c d e", "c d e b", "d e b c", "e b c d",  # cycles 0-3: the pattern's cycle 0, rotated
        "b c d e", "c d e a", "d e a c", "e a c d"]  # cycles 4-7: its cycle 1
    assert cycle(note("<a b> c d e").iter(4), 1) == "{'note': 60} {'note': 62} {'note': 64} {'note': 71}"
    assert cycle(iter_back(4, "<a b> c d e"), 1) == "e a c d"


def test_iter_of_one_or_zero_is_the_pattern():
    assert same_events(iter_(1, "<a b> c"), "<a b> c", 0, 6)
    assert same_events(iter_(0, "<a b> c"), "<a b> c", 0, 6)


# -- chunk ---------------------------------------------------------------------------------------


def test_chunk_strudel_example():
    # Strudel: "0 1 2 3".chunk(4, x=>x.add(7)).scale('A minor').note()
    assert cycles(chunk(4, lambda p: p + 7, "0 1 2 3"), 5) == ["7 1 2 3", "0 8 2 3", "0 1 9 3", "0 1 2 10",
                                                               "7 1 2 3"]


def test_chunk_moves_through_a_multi_cycle_pattern_as_tidal_does():
    # issue 18: "<0 4> 1 2 3".chunk(4, add 10) at cycle 1 gives 0 11 2 3 (livemidi gave 4 11 2 3)
    p = chunk(4, lambda p: p + 10, "<0 4> 1 2 3")
    assert cycle(p, 1) == "0 11 2 3"
    assert cycles(p, 8) == ["10 1 2 3", "0 11 2 3", "0 1 12 3", "0 1 2 13",
                            "14 1 2 3", "4 11 2 3", "4 1 12 3", "4 1 2 13"]


def test_fast_chunk_keeps_the_cycle_being_played():
    # Strudel: fastChunk, "the cycles of the source pattern aren't repeated for each set of chunks"
    assert cycles(fast_chunk(4, lambda p: p + 10, "<0 4> 1 2 3"), 4) == ["10 1 2 3", "4 11 2 3", "0 1 12 3",
                                                                        "4 1 2 13"]


def test_chunk_back_strudel_example():
    # Strudel: "0 1 2 3".chunkBack(4, x=>x.add(7)); Tidal: chunk'
    assert cycles(chunk_back(4, lambda p: p + 7, "0 1 2 3"), 4) == ["0 1 2 10", "0 1 9 3", "0 8 2 3", "7 1 2 3"]
    assert same_events(chunk(-4, lambda p: p + 7, "0 1 2 3"), chunk_back(4, lambda p: p + 7, "0 1 2 3"), 0, 8)


def test_chunk_with_the_identity_is_repeat_cycles():
    assert same_events(chunk(3, lambda p: p, "<0 4 8> 1"), repeat_cycles(3, "<0 4 8> 1"), 0, 12)


# -- linger ---------------------------------------------------------------------------------------


def test_linger_tidal_example():
    # Tidal: d1 $ linger 0.25 $ sound "bd sn*2 cp*2 hh hh [arpy bd*2] cp bd*2"
    assert cycle(linger(0.25, "bd sn*2 cp*2 hh hh [arpy bd*2] cp bd*2")) == " ".join(["bd sn sn"] * 4)


def test_linger_strudel_example():
    # Strudel: s("lt ht mt cp, [hh oh]*2").linger("<1 .5 .25 .125>")
    p = linger("<1 .5 .25 .125>", "lt ht mt cp")
    assert cycles(p, 4) == ["lt ht mt cp", "lt ht lt ht", "lt lt lt lt", " ".join(["lt"] * 8)]
    # an eighth of "lt ht mt cp" is half of lt: each repeat is the first half of lt's (zoomed) whole
    assert lines(p, 1, 3)[:2] == ["3 → 13/4 (3 → 25/8) | lt", "25/8 → 27/8 (25/8 → 13/4) | lt"]


def test_linger_negative_lingers_on_the_end():
    # Tidal: "If you give it a negative number, it will linger on the last part of the pattern"
    assert cycle(linger(-0.25, "a b c d e f g h")) == "g h g h g h g h"


def test_linger_takes_the_repeats_from_later_cycles():
    # issue 18: "<a b> c d e".linger(0.25) at cycle 0 plays a b a b (livemidi played a a a a)
    assert cycles(linger(0.25, "<a b> c d e"), 2) == ["a b a b", "a b a b"]
    assert cycle(linger(-0.25, "c d e <f g>")) == "f g f g"


def test_linger_zero_and_one():
    assert linger(0, "a b").events(0, 4) == []
    assert same_events(linger(1, "<a b> c"), "<a b> c", 0, 4)


# -- press, fast_gap, hurry, repeat_cycles ---------------------------------------------------------


def test_press_tidal_and_strudel_example():
    # Tidal: press "syncopates a rhythm, shifting each event halfway into its timespan";
    # Strudel: s("bd mt sd ht").every(4, press)
    assert lines(press("bd mt sd ht")) == ["1/8 → 1/4 | bd", "3/8 → 1/2 | mt", "5/8 → 3/4 | sd", "7/8 → 1 | ht"]
    assert lines(mini("a ~ [b c]").press()) == ["1/6 → 1/3 | a", "3/4 → 5/6 | b", "11/12 → 1 | c"]


def test_press_by_tidal_and_strudel_example():
    # Tidal: pressBy (1/3) shifts each event by a third of its duration; Strudel: .pressBy("<0 0.5 0.25>")
    assert lines(press_by(F(1, 3), "a b")) == ["1/6 → 1/2 | a", "2/3 → 1 | b"]
    assert [lines(press_by("<0 0.5 0.25>", "a"), 1, c) for c in range(3)] == [
        ["0 → 1 | a"], ["3/2 → 2 | a"], ["9/4 → 3 | a"]]
    with pytest.raises(ValueError, match="from 0 to 1"):
        press_by(2, "a")


def test_fast_gap_tidal_and_strudel_example():
    # Tidal: d1 $ sound (fastGap 2 "bd sn"); Strudel: s("bd sd").fastGap(2)
    assert lines(fast_gap(2, "bd sn"), 2) == ["0 → 1/4 | bd", "1/4 → 1/2 | sn", "1 → 5/4 | bd", "5/4 → 3/2 | sn"]
    assert lines(fast_gap(3, "<a b>"), 2) == ["0 → 1/3 | a", "1 → 4/3 | b"]
    assert lines(fast_gap(1, "a b")) == lines("a b")
    with pytest.raises(ValueError, match="expected a factor >= 1"):
        fast_gap(0.5, "a")


def test_hurry_tidal_example_is_fast():
    # Tidal: d1 $ every 2 (hurry 2) $ sound "bd sn:2 ~ cp" (MIDI has no sample speed to raise)
    assert same_events(hurry(2, "bd sn:2 ~ cp"), fast(2, "bd sn:2 ~ cp"))
    assert same_events(mini("a b").hurry("<1 2>"), fast("<1 2>", "a b"), 0, 4)


def test_repeat_cycles_tidal_and_strudel_example():
    # Tidal: d1 $ repeatCycles 3 $ sound "bd <sn cp>"; Strudel: note(irand(12).add(34)).segment(4).repeatCycles(2)
    assert cycles(repeat_cycles(3, "bd <sn cp>"), 7) == ["bd sn"] * 3 + ["bd cp"] * 3 + ["bd sn"]
    # a patterned count: cycle c plays cycle c // n, n taken in cycle c
    assert cycles(repeat_cycles("<2 3>", "<a b c d>"), 6) == ["a", "a", "b", "b", "c", "b"]
    assert repeat_cycles(0, "a").events(0, 3) == []
    with pytest.raises(ValueError, match="n >= 0"):
        repeat_cycles(-1, "a")


# -- rot, n_take ------------------------------------------------------------------------------------------


def test_rot_tidal_example():
    # Tidal: rot 1 "a ~ b c" is "b ~ c a"; rot "<1 2>" $ n "0 [~ 1] 2 3"
    assert lines(rot(1, "a ~ b c")) == ["0 → 1/4 | b", "1/2 → 3/4 | c", "3/4 → 1 | a"]
    assert cycles(rot("<1 2>", "0 [~ 1] 2 3"), 2) == ["1 2 3 0", "2 3 0 1"]
    assert cycle(rot(-1, "a b c d")) == "d a b c"
    assert lines(rot(1, "a b c d"), F(1, 2), F(1, 4)) == ["1/4 → 1/2 | c", "1/2 → 3/4 | d"]


def test_n_take_counts_events_from_cycle_zero():
    # Tidal's nTake "name" [0, 2 .. 10]: each event takes the next value; here counted since cycle 0
    p = n_take("x", [0, 2, 4, 7], "t*3")
    assert [e.value["note"] for e in p.onsets(0, 4)] == [0, 2, 4, 7, 0, 2, 4, 7, 0, 2, 4, 7]
    assert [e.value["note"] for e in p.onsets(3, 4)] == [2, 4, 7]  # the same, asked for on its own
    assert [e.value["note"] for e in p.onsets(-1, 0)] == [2, 4, 7]
    assert [e.value["note"] for e in p.onsets(10**6 + 1, 10**6 + 2)] == [7, 0, 2]  # a table: counted, not walked
    general = n_take("x", [0, 2, 4, 7], Pattern(mini("t*3 <~ t>").query))  # no table: each cycle is queried
    table = n_take("x", [0, 2, 4, 7], "t*3 <~ t>")
    assert [e.value for e in general.onsets(-7, 9)] == [e.value for e in table.onsets(-7, 9)]
    assert [e.value for e in velocity("50 60").n_take("y", ["c4", "e4"]).onsets(1, 2)] == [
        {"velocity": 50, "note": 60}, {"velocity": 60, "note": 64}]
    long = n_take("z", [1, 2], slow(2, "a b c"))  # "b" crosses the bar line: its tail keeps its note
    assert lines(long, 2) == ["0 → 2/3 | note=1", "2/3 → 4/3 (2/3 → 1) | note=2", "2/3 → 4/3 (1 → 4/3) | note=2",
                              "4/3 → 2 | note=1"]
    with pytest.raises(ValueError, match="non-empty list"):
        n_take("x", [], "a")


def test_n_take_over_notes_that_cross_every_bar_line():
    # found by hypothesis: each tail looked its note up in the cycle before, which had a tail too,
    # back to the beginning of time (a RecursionError at cycle 6 of an echo)
    p = n_take("x", [1, 2, 3], late(0.5, "a"))
    # the tail began in cycle 999 (the 1000th note: 1), the next note is the 1001st (2)
    assert lines(p, 1, 1000) == ["1999/2 → 2001/2 (1000 → 2001/2) | note=1", "2001/2 → 2003/2 (2001/2 → 1001) | note=2"]
    # the pieces of one event sound the note of its onset, whatever their values
    q = n_take("x", [1, 2, 3], mini("10 20") + "1 2 3")
    assert [(e.whole.begin, e.value["note"]) for e in q.events(0, 1)] == [(0, 1), (0, 1), (F(1, 2), 2), (F(1, 2), 2)]
