"""Strudel code that pastes: scale names with roots, .add/.sub/.mul/.div/.mod, .note()/.n(),
``c4:maj7`` chords, negative scale degrees, and every camelCase alias.

Examples from Strudel's reference pages (strudel.cc/learn/...), written as events.
"""

from __future__ import annotations

import inspect

import pytest
from pattern_helpers import lines, same_events

import livemidi.pattern as P
from livemidi.pattern import (
    ARP_MODES,
    Pattern,
    arp,
    arp_order,
    colon_chord,
    mini,
    n,
    note,
    scale,
    scale_note,
    scale_spec,
    snap,
)
from livemidi.pattern.aliases import ALIASES
from livemidi.render import render


def notes(pat, begin=0, end=1):
    return [e.value["note"] if isinstance(e.value, dict) else e.value for e in pat.onsets(begin, end)]


# -- scale names --------------------------------------------------------------------------------------


def test_scale_with_root_strudel_example():
    # Strudel: n("0 2 4 6 4 2").scale("C:major")
    assert notes(n("0 2 4 6 4 2").scale("C:major")) == [60, 64, 67, 71, 67, 64]
    assert notes(scale("D4:dorian", n("0 1 2 3"))) == [62, 64, 65, 67]
    assert notes(n("0 2").scale("c#3:minor")) == [49, 52]


def test_patterned_scale_names_strudel_example():
    # Strudel: n("[0,7] 4 [2,7] 4").scale("<C:major A:minor>") (its "C:<major minor>/2" is not mini-notation here)
    p = n("[0,7] 4 [2,7] 4").scale("<C:major A:minor>")
    assert notes(p, 0, 1) == [60, 72, 67, 64, 72, 67]
    assert notes(p, 1, 2) == [69, 81, 76, 72, 81, 76]


def test_scale_names_with_spaces_and_tidal_spellings():
    # Strudel: "[-8 [2,4,6]]*2".scale('C4 bebop major'); Tidal: scale "harmonicMinor", "majPent"
    assert notes(scale("C4 bebop major", "-8 2")) == [48, 64]
    assert notes(scale("harmonicMinor", "0 6")) == notes(scale("harmonic_minor", "0 6")) == [60, 71]
    assert notes(scale("majPent", "0 1 2 3 4 5")) == [60, 62, 64, 67, 69, 72]
    assert notes(scale("whole tone", "0 1")) == [60, 62]
    assert scale_spec("E:minor pentatonic") == (64, (0, 3, 5, 7, 10))
    assert scale_note(2, "A3:minor") == 60 and scale_note(2, "minor", root=57) == 60
    assert notes(snap("C:major", "61 63")) == [60, 62]


def test_unknown_scale_names_say_what_was_expected():
    with pytest.raises(ValueError, match=r"unknown scale 'C:nope'; expected one of .*'C:minor'"):
        scale("C:nope", "0")
    with pytest.raises(ValueError, match="unknown scale 'H:major'"):
        scale_spec("H:major")


def test_negative_scale_degrees_through_n():
    # Strudel: n("-2 0 2").scale("C:minor"); n is not range-checked until it becomes a MIDI note
    assert notes(n("-2 0 2").scale("C:minor")) == [56, 60, 63]
    assert [r.message.note for r in render(n("-8").scale("C:major"), 0, 1) if r.message.type == "note_on"] == [47]
    assert notes(n("c4 e")) == [60, 64]
    assert [event.value for event in n("0 2.5").events(0, 1)] == [{"note": 0}, {"note": 2.5}]  # a microtone: kept
    with pytest.raises(ValueError, match="note must be in range 0..127, found 200"):
        render(n("200"), 0, 1)


# -- arithmetic methods, .note(), chords --------------------------------------------------------------


def test_add_strudel_example():
    # Strudel: n("0 2 4".add("<0 3 4 0>")).scale("C:major"), and the n("0 2 4").add("<0 3>")
    assert notes(n("0 2 4").add("<0 3 4 0>").scale("C:major"), 0, 4) == [
        60, 64, 67, 65, 69, 72, 67, 71, 74, 60, 64, 67]
    assert notes(n("0 2 4").add("<0 3>").scale("C:major"), 1, 2) == [65, 69, 72]
    # Strudel: note("c3 e3 g3".add("<0 5 7 0>")), note names become numbers
    assert notes(note("c3 e3 g3").add("<0 5 7 0>"), 1, 2) == [53, 57, 60]


def test_sub_mul_div_mod():
    assert lines(mini("10 20").sub(5)) == ["0 → 1/2 | 5", "1/2 → 1 | 15"]
    assert lines(mini("1 2").mul("<2 3>"), 1, 1) == ["1 → 3/2 | 3", "3/2 → 2 | 6"]
    assert [e.value for e in mini("10 20").div(4).onsets(0, 1)] == [2.5, 5.0]
    assert notes(n("0 7 14").mod(7)) == [0, 0, 0]
    assert lines(note("c").velocity(100).sub(note(12).velocity(40))) == ["0 → 1 | note=48 velocity=60"]
    assert lines(note("c").velocity(100).add(12)) == ["0 → 1 | note=72 velocity=100"]
    with pytest.raises(TypeError, match="a plain number goes to the note or to the only control"):
        P.velocity(100).ch(1).add(12).events(0, 1)


def test_note_and_n_without_arguments_strudel_example():
    # Strudel: "c a f e".note(), "0 2 4".n(); Python strings have no methods: mini("...").note()
    assert lines(mini("c a f e").note()) == lines(note("c a f e"))
    assert lines(mini("0 2 4").n().scale("C:major")) == lines(n("0 2 4").scale("C:major"))
    assert lines(mini("64 100").velocity()) == lines(P.velocity("64 100"))
    assert lines(note("c").velocity(90)) == ["0 → 1 | note=60 velocity=90"]


def test_colon_chords():
    # "c4:maj7" where Strudel writes root:name, alongside Tidal's c4'maj7
    assert notes(note("c4:maj7")) == [60, 64, 67, 71] == notes(note("c4'maj7"))
    assert notes(note("e:min a3:7")) == [64, 67, 71, 57, 61, 64, 67]
    assert colon_chord("c4:maj7") == [60, 64, 67, 71]
    # a name that is also a scale stays a name (for scale("C:major")), samples stay words
    assert colon_chord("C:major") is None and [e.value for e in mini("C:major bd:3").onsets(0, 1)] == ["C:major",
                                                                                                        "bd:3"]


# -- arpeggios -------------------------------------------------------------------------------------------


def test_arp_modes_tidal_example():
    # Tidal: d1 $ n (arp "<up down diverge>" "<a'm9'8 e'7sus4'8>") # sound "superpiano"; all modes listed
    xs = ["c", "e", "g"]
    assert arp_order("disconverge", xs) == ["c", "g", "e", "g", "c"]
    assert arp_order("pinkyupdown", xs) == ["c", "g", "e", "g", "e", "g"]
    assert arp_order("thumbupdown", xs) == ["c", "e", "c", "g", "c", "e"]
    assert arp_order("up&down", xs) == arp_order("up_and_down", xs) == ["c", "e", "g", "g", "e", "c"]
    assert arp_order("down&up", xs) == ["g", "e", "c", "c", "e", "g"]
    assert set(ARP_MODES) >= {"up", "down", "updown", "downup", "up&down", "down&up", "converge", "diverge",
                              "disconverge", "pinkyup", "pinkyupdown", "thumbup", "thumbupdown"}
    assert lines(arp("disconverge", "c4'major")) == [
        "0 → 1/5 | 60", "1/5 → 2/5 | 67", "2/5 → 3/5 | 64", "3/5 → 4/5 | 67", "4/5 → 1 | 60"]
    assert len(arp("<up down diverge>", "<a3'm9'8 e3'7sus4'8>").onsets(0, 3)) == 24


# -- camelCase aliases ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_each_alias_is_the_function_and_a_method_where_it_takes_a_pattern(alias):
    fn = ALIASES[alias]
    assert getattr(P, alias) is fn and alias in P.__all__
    if "pat" in inspect.signature(fn).parameters:
        assert callable(getattr(Pattern, alias))


def test_aliases_strudel_examples():
    # Strudel: s("hh*8").degradeBy(0.2); "<0 2 4 6>".sometimesBy(.5, x=>x.add(7)); s("bd sd").fastGap(2)
    assert same_events(mini("hh*8").degradeBy(0.2), P.degrade_by(0.2, "hh*8"), 0, 4)
    assert same_events(mini("0 2 4 6").sometimesBy(0.5, lambda p: p + 7),
                       P.sometimes_by(0.5, lambda p: p + 7, "0 2 4 6"), 0, 4)
    assert same_events(mini("bd sd").fastGap(2), P.fast_gap(2, "bd sd"))
    assert same_events(P.euclidRot(3, 8, 1, "x"), mini("x(3,8,1)"))
    assert same_events(P.timeCat((1, "a"), (3, "b")), P.timecat((1, "a"), (3, "b")))
    assert same_events(P.slowcat("a", "b c"), P.cat("a", "b c"), 0, 4)
    assert same_events(P.seq("a", "b"), mini("a b"))
    assert same_events(mini("a b").firstOf(2, P.rev), P.first_of(2, P.rev, "a b"), 0, 4)
    # Strudel: note("c3").euclidLegato(3,8); Tidal: euclidOff 3 8 2, stutWith 2 (1/2) (fast 2)
    assert same_events(note("c3").euclidLegato(3, 8), P.euclid_legato(3, 8, note("c3")))
    assert same_events(mini("bd").euclidOff(3, 8, 2), P.euclid_off(3, 8, 2, "bd"))
    assert same_events(note("c").stutWith(2, 0.5, P.fast(2)), P.stut_with(2, 0.5, P.fast(2), note("c")))
    assert same_events(mini("a").someCyclesBy(0.5, P.fast(2)), P.some_cycles(P.fast(2), "a"), 0, 20)
