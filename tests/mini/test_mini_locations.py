"""Where each event of the mini-notation was written: the spans of its atoms.

The texts are `SourceString`s placed at line 1, column 0 of a source "s", so
a location's columns are indexes into the text and ``text[column:end_column]``
is the atom it names. Every test runs with the cycle tables on and off: the
fast path and the general queries must give the same locations.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from livemidi.errors import MiniNotationError
from livemidi.mini import compile_located, mini
from livemidi.mini.parser import _tokenize
from livemidi.mini.source import placed
from livemidi.pattern import Location, arp, chord, locations, n, note, scale, tables


def at_start(text: str):
    return placed(text, "s", ((0, 1, 0),))


def spans(pattern, text: str, cycles: int = 1) -> list[tuple[str, list[str]]]:
    """Each event as its readable form and the texts its locations point at."""
    out = []
    for ev in pattern.events(0, cycles):
        places = locations(ev)
        assert all(loc.source == "s" and loc.line == 1 for loc in places)
        out.append((ev.show(), [text[loc.column:loc.end_column] for loc in places]))
    return out


@pytest.fixture(params=["tables", "general"])
def engine(request):
    if request.param == "general":
        with tables.disabled():
            yield request.param
    else:
        yield request.param


def test_each_atom_gives_its_own_span(engine):
    text = "c4 e4 12 -3 0.5"
    assert spans(mini(at_start(text)), text) == [
        ("0 → 1/5 | c4", ["c4"]), ("1/5 → 2/5 | e4", ["e4"]), ("2/5 → 3/5 | 12", ["12"]),
        ("3/5 → 4/5 | -3", ["-3"]), ("4/5 → 1 | 0.5", ["0.5"]),
    ]  # fmt: skip
    ev = mini(at_start(text)).events(0, 1)[1]
    assert locations(ev) == (Location("s", 1, 3, 5),)


def test_nested_groups(engine):
    text = "c4 [e4 [g4 b4]]"
    assert [places for _, places in spans(mini(at_start(text)), text)] == [["c4"], ["e4"], ["g4"], ["b4"]]
    assert locations(mini(at_start(text)).events(0, 1)[3]) == (Location("s", 1, 11, 13),)


def test_alternation_each_cycle_its_own_step(engine):
    text = "<c4 [e4 g4]> a3"
    assert spans(mini(at_start(text)), text, 2) == [
        ("0 → 1/2 | c4", ["c4"]), ("1/2 → 1 | a3", ["a3"]),
        ("1 → 5/4 | e4", ["e4"]), ("5/4 → 3/2 | g4", ["g4"]), ("3/2 → 2 | a3", ["a3"]),
    ]  # fmt: skip


def test_repeats_holds_and_weights_point_at_the_step_they_repeat(engine):
    text = "c4!2 e4 ! g4@2 _"
    got = spans(mini(at_start(text)), text)
    assert [places for _, places in got] == [["c4"], ["c4"], ["e4"], ["e4"], ["g4"]]
    # the two c4 are one atom, written once: both point at it
    evs = mini(at_start(text)).events(0, 1)
    assert locations(evs[0]) == locations(evs[1]) == (Location("s", 1, 0, 2),)


def test_degrade_and_random_choice_keep_the_chosen_atom(engine):
    text = "c4? e4? g4? b4?"
    kept = spans(mini(at_start(text)), text, 4)
    assert kept and all(places == [value.split("| ")[1]] for value, places in kept)
    text = "[c4 | e4 | g4]*4"
    chosen = spans(mini(at_start(text)), text, 2)
    assert len({places[0] for _, places in chosen}) > 1  # not always the same
    assert all(places == [shown.split("| ")[1], "4"] for shown, places in chosen)


def test_a_chord_is_one_atom_for_all_its_notes(engine):
    text = "c4'maj7 a3'min"
    got = spans(mini(at_start(text)), text)
    assert [shown for shown, _ in got] == ["0 → 1/2 | 60", "0 → 1/2 | 64", "0 → 1/2 | 67", "0 → 1/2 | 71",
                                         "1/2 → 1 | 57", "1/2 → 1 | 60", "1/2 → 1 | 64"]
    assert [places for _, places in got] == [["c4'maj7"]] * 4 + [["a3'min"]] * 3


def test_euclid_lists_the_step_and_its_numbers(engine):
    text = "c4(3,8,2) e4(<3 5>,8)"
    got = spans(mini(at_start(text)), text, 2)
    assert [places for shown, places in got if "c4" in shown][0] == ["c4", "3", "8", "2"]
    e4 = [(shown, places) for shown, places in got if "e4" in shown]
    assert [places for shown, places in e4 if shown.startswith("1/2") or shown.startswith("9/16")][0] == ["e4", "3", "8"]
    assert [places for shown, places in e4 if shown.startswith("3/2") or shown.startswith("25/16")][-1] == ["e4", "5", "8"]


def test_polymeter_steps_and_layers(engine):
    text = "{c4 e4 g4}%4"
    assert spans(mini(at_start(text)), text) == [
        ("0 → 1/4 | c4", ["c4", "4"]), ("1/4 → 1/2 | e4", ["e4", "4"]),
        ("1/2 → 3/4 | g4", ["g4", "4"]), ("3/4 → 1 | c4", ["c4", "4"]),
    ]  # fmt: skip
    # Without %: the step count is made up by the interpreter, no one wrote it, so no location for it.
    text = "{c4 e4, a3 b3 d4}"
    assert [places for _, places in spans(mini(at_start(text)), text, 2)] == [
        ["c4"], ["a3"], ["e4"], ["b3"], ["c4"], ["d4"], ["e4"], ["a3"]]


def test_speed_factors_are_atoms_too(engine):
    text = "c4*2 [e4 g4]/<1 2>"
    got = spans(mini(at_start(text)), text, 2)
    assert got[:3] == [("0 → 1/4 | c4", ["c4", "2"]), ("1/4 → 1/2 | c4", ["c4", "2"]), ("1/2 → 3/4 | e4", ["e4", "1"])]
    assert got[-1] == ("3/2 → 2 | g4", ["g4", "2"])  # slowed by 2: the second half of [e4 g4]


def test_dots_rests_and_layers(engine):
    text = "c4 ~ e4 . g4, a3"
    assert [places for _, places in spans(mini(at_start(text)), text)] == [["c4"], ["a3"], ["e4"], ["g4"]]


def test_each_number_of_a_range_comes_from_both_ends():
    text = "0 .. 2 7"
    assert [places for _, places in spans(mini(at_start(text)), text)] == [["0", "2"], ["0", "2"], ["0", "2"], ["7"]]
    text = "<0 2> .. 3"  # patterned ends: each cycle's range from the ends that made it
    assert [places for _, places in spans(mini(at_start(text)), text, 2)] == [["0", "3"]] * 4 + [["2", "3"]] * 2


def test_a_plain_string_has_no_locations_and_equal_events():
    plain = mini("c4 [e4 g4]").events(0, 1)
    placed_events = mini(at_start("c4 [e4 g4]")).events(0, 1)
    assert all(locations(ev) == () for ev in plain)
    assert plain == placed_events  # equality never looks at locations
    assert [hash(ev) for ev in plain] == [hash(ev) for ev in placed_events]


def test_the_same_text_written_twice_keeps_both_places():
    first = placed("c4 e4", "s", ((0, 1, 0),))
    second = placed("c4 e4", "s", ((0, 7, 4),))
    assert locations(mini(first).events(0, 1)[0]) == (Location("s", 1, 0, 2),)
    assert locations(mini(second).events(0, 1)[0]) == (Location("s", 7, 4, 6),)
    assert locations(mini("c4 e4").events(0, 1)[0]) == ()


# -- combined patterns keep both sides ------------------------------------------------------


def test_controls_combined_keep_structure_first_then_values(engine):
    notes, vels = "c4 [e4 g4]", "100 80"
    text = notes + " | " + vels  # one source line: the velocities start at column 13
    p = note(placed(notes, "s", ((0, 1, 0),))).velocity(placed(vels, "s", ((0, 1, 13),)))
    assert spans(p, text) == [
        ("0 → 1/2 | note=60 velocity=100", ["c4", "100"]),
        ("1/2 → 3/4 | note=64 velocity=80", ["e4", "80"]),
        ("3/4 → 1 | note=67 velocity=80", ["g4", "80"]),
    ]


def test_arithmetic_stack_and_superimpose(engine):
    text = "0 7 | <0 12> | c4 | e4"
    first = placed("0 7", "s", ((0, 1, 0),))
    second = placed("<0 12>", "s", ((0, 1, 6),))
    third = placed("c4", "s", ((0, 1, 15),))
    assert [places for _, places in spans(n(first) + n(second), text, 2)] == [["0", "0"], ["7", "0"], ["0", "12"], ["7", "12"]]
    # structure from "<0 12>" (a whole cycle), values from "0 7": two fragments, each with its value's place
    assert [places for _, places in spans(mini(second) + mini(first), text, 1)] == [["0", "0"], ["0", "7"]]
    from livemidi.pattern import stack, superimpose, transpose

    assert [places for _, places in spans(stack(note(third), n(first)), text)] == [["c4"], ["0"], ["7"]]
    doubled = superimpose(transpose(12), note(third))
    assert [places for _, places in spans(doubled, text)] == [["c4"], ["c4"]]


def test_music_functions_keep_the_notes_places(engine):
    text = "c4 a3 | 0 2 | up"
    roots = placed("c4 a3", "s", ((0, 1, 0),))
    degrees = placed("0 2", "s", ((0, 1, 8),))
    mode = placed("up", "s", ((0, 1, 14),))
    got = spans(note(chord("maj", roots)), text)
    assert [places for _, places in got] == [["c4"]] * 3 + [["a3"]] * 3
    got = spans(arp(mode, note(chord("maj", roots))), text)
    assert [places for _, places in got] == [["c4", "up"]] * 3 + [["a3", "up"]] * 3
    assert [places for _, places in spans(n(scale("major", degrees)), text)] == [["0"], ["2"]]


def test_arp_of_chord_symbols_keeps_each_chord(engine):
    text = "<c4'maj e4'min>"
    got = spans(arp("updown", note(at_start(text))), text, 2)
    assert [shown.split("| ")[1] for shown, _ in got] == ["note=60", "note=64", "note=67", "note=64",
                                                          "note=64", "note=67", "note=71", "note=67"]
    assert [places for _, places in got] == [["c4'maj"]] * 4 + [["e4'min"]] * 4


def test_patterned_arguments_add_their_places(engine):
    text = "c4 e4 | <1 2>"
    notes = placed("c4 e4", "s", ((0, 1, 0),))
    factor = placed("<1 2>", "s", ((0, 1, 8),))
    got = spans(note(notes).fast(factor), text, 2)
    assert [places for _, places in got] == [["c4", "1"], ["e4", "1"], ["c4", "2"], ["e4", "2"], ["c4", "2"], ["e4", "2"]]


def test_combinators_that_move_or_repeat_events_keep_them(engine):
    from livemidi.pattern import every, fast, off, ply, rev, segment, sometimes, struct, transpose

    text = "c4 e4"
    p = note(at_start(text))
    origin = {60: "c4", 61: "c4", 67: "c4", 72: "c4", 64: "e4", 65: "e4", 71: "e4", 76: "e4"}  # moved by 0, 1, 7, 12
    for changed in (rev(p), every(2, fast(2), p), off(0.25, transpose(7), p), ply(2, p), sometimes(transpose(12), p),
                    p.iter(2), p.palindrome(), p.swing(2), p.humanize(), p.degrade_by(0.3), p.linger(0.5),
                    p.chunk(2, transpose(1)), p.zoom(0.25, 0.75), p.shuffle(2), p.brak()):
        evs = changed.events(0, 4)
        assert evs
        for ev in evs:
            assert [text[loc.column:loc.end_column] for loc in locations(ev)] == [origin[ev.value["note"]]]
    rhythm = placed("t ~ t t", "s", ((0, 1, 10),))
    got = [(shown, places) for shown, places in spans(struct(rhythm, p), "c4 e4 |   t ~ t t")]
    assert [places for _, places in got] == [["t", "c4"], ["t", "e4"], ["t", "e4"]]
    assert [places for _, places in spans(segment(4, p), text)] == [["c4"], ["c4"], ["e4"], ["e4"]]


# -- every location is an atom of its string ---------------------------------------------------

_WORDS = st.sampled_from(["c4", "e4", "g", "bd", "x", "a3'maj", "0", "12", "-3", "0.5", "~"])


def _steps(inner):
    postfix = st.sampled_from(["", "", "", "*2", "/2", "!", "@2", "?", "(3,8)", "!2", "*<1 2>", "(<3 5>,8,1)"])
    one = st.tuples(st.one_of(_WORDS, inner), postfix).map("".join)
    return st.lists(one, min_size=1, max_size=4).map(" ".join)


_TEXT = st.recursive(
    _steps(st.nothing()),
    lambda inner: st.one_of(
        _steps(st.one_of(
            inner.map(lambda t: f"[{t}]"),
            inner.map(lambda t: f"<{t}>"),
            st.tuples(inner, inner).map(lambda ab: f"[{ab[0]}, {ab[1]}]"),
            st.tuples(inner, inner).map(lambda ab: f"[{ab[0]} | {ab[1]}]"),
            st.tuples(inner, st.sampled_from(["", "%3", "%<2 4>"])).map(lambda ab: f"{{{ab[0]}}}{ab[1]}"),
        )),
        st.tuples(inner, inner).map(lambda ab: f"{ab[0]} . {ab[1]}"),
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, before=st.sampled_from(["", "é = 1; ", "x = '😀'; ", "x = 1;\t"]),
       multiline=st.booleans(), general=st.booleans())
def test_every_location_points_at_an_atom_of_its_string(text, before, multiline, general):
    if multiline:
        text = text.replace(" ", "\n  ", 2)  # a triple-quoted string across lines
        literal = f'"""{text}"""'
    else:
        literal = f'"{text}"'
    code = f"# a pattern\n{before}p = mini({literal})\n"
    # The atoms of the string, found by the mini-notation's own tokenizer, then where they are in the code.
    lines = code.split("\n")
    start_column = len(f"{before}p = mini(") + (3 if multiline else 1)
    atoms = set()
    for token in _tokenize(text):
        if token.kind in ("word", "number"):
            line = 2 + text.count("\n", 0, token.pos)
            column = token.pos - (text.rfind("\n", 0, token.pos) + 1) if line > 2 else start_column + token.pos
            atoms.add(Location("set.py", line, column, column + len(token.text)))
            assert lines[line - 1][column:column + len(token.text)] == token.text
    names = {"mini": mini}
    try:
        if general:
            with tables.disabled():
                exec(compile_located(code, "set.py"), names)
        else:
            exec(compile_located(code, "set.py"), names)
    except MiniNotationError:
        return  # (a combination the grammar above allows and the mini-notation does not)
    seen = 0
    for ev in names["p"].events(0, 4):
        for loc in locations(ev):
            assert loc in atoms, (text, loc, lines[loc.line - 1][loc.column:loc.end_column])
            seen += 1
    words = [t for t in _tokenize(text) if t.kind == "word"]
    if names["p"].events(0, 4) and words and all(w.text != "~" for w in words):
        assert seen, "events of written atoms should have locations"
