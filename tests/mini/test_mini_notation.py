"""Every piece of the mini-notation: hand-checked events, equivalences with
the combinators it stands for, and syntax errors that point at the column."""

from fractions import Fraction as F

import pytest

from livemidi.mini import MiniNotationError, mini, parse
from livemidi.mini.parser import (
    Alternation,
    Degrade,
    Euclid,
    Number,
    Polymeter,
    Rest,
    Sequence,
    Speed,
    Stack,
    Word,
)
from livemidi.pattern import (
    cat,
    degrade_by,
    euclid,
    euclid_rot,
    fast,
    fastcat,
    note,
    randcat,
    slow,
    stack,
    timecat,
)


def lines(text_or_pattern, cycles=1, begin=0):
    p = mini(text_or_pattern) if isinstance(text_or_pattern, str) else text_or_pattern
    text = p.show(cycles, begin)
    return text.split("\n") if text else []


def same(a, b, cycles=4):
    key = lambda e: (e.onset, e.part.begin, e.part.end, repr(e.value))  # noqa: E731
    pa = mini(a) if isinstance(a, str) else a
    pb = mini(b) if isinstance(b, str) else b
    return sorted(map(key, pa.events(0, cycles))) == sorted(map(key, pb.events(0, cycles)))


NOTATION = {
    "a ~ b": (1, ["0 → 1/3 | a", "2/3 → 1 | b"]),
    "[a b] c": (1, ["0 → 1/4 | a", "1/4 → 1/2 | b", "1/2 → 1 | c"]),
    "a . b c": (1, ["0 → 1/2 | a", "1/2 → 3/4 | b", "3/4 → 1 | c"]),
    "<a b c>": (3, ["0 → 1 | a", "1 → 2 | b", "2 → 3 | c"]),
    "a, b c": (1, ["0 → 1 | a", "0 → 1/2 | b", "1/2 → 1 | c"]),
    "a*2 b": (1, ["0 → 1/4 | a", "1/4 → 1/2 | a", "1/2 → 1 | b"]),
    "[a b]/2": (2, ["0 → 1 | a", "1 → 2 | b"]),
    "a*<1 2>": (2, ["0 → 1 | a", "1 → 3/2 | a", "3/2 → 2 | a"]),
    "a!3 b": (1, ["0 → 1/4 | a", "1/4 → 1/2 | a", "1/2 → 3/4 | a", "3/4 → 1 | b"]),
    "a ! b": (1, ["0 → 1/3 | a", "1/3 → 2/3 | a", "2/3 → 1 | b"]),
    "a@3 b": (1, ["0 → 3/4 | a", "3/4 → 1 | b"]),
    "a _ _ b": (1, ["0 → 3/4 | a", "3/4 → 1 | b"]),
    "<a b@2>": (3, ["0 → 1 | a", "1 → 3 | b"]),
    "a(3,8)": (1, ["0 → 1/8 | a", "3/8 → 1/2 | a", "3/4 → 7/8 | a"]),
    "a(3,8,2)": (1, ["1/8 → 1/4 | a", "1/2 → 5/8 | a", "3/4 → 7/8 | a"]),
    "{a b c, d e}": (1, ["0 → 1/3 | a", "0 → 1/3 | d", "1/3 → 2/3 | b", "1/3 → 2/3 | e", "2/3 → 1 | c",
                         "2/3 → 1 | d"]),
    "{a b c}%4": (1, ["0 → 1/4 | a", "1/4 → 1/2 | b", "1/2 → 3/4 | c", "3/4 → 1 | a"]),
    "c4 eb3 f#2": (1, ["0 → 1/3 | c4", "1/3 → 2/3 | eb3", "2/3 → 1 | f#2"]),
    "1 2.5 -3 4.0": (1, ["0 → 1/4 | 1", "1/4 → 1/2 | 2.5", "1/2 → 3/4 | -3", "3/4 → 1 | 4"]),
    "c4'maj7": (1, ["0 → 1 | 60", "0 → 1 | 64", "0 → 1 | 67", "0 → 1 | 71"]),
    "a3'min'ii": (1, ["0 → 1 | 64", "0 → 1 | 69", "0 → 1 | 72"]),
    "<a b>!2 c": (1, ["0 → 1/3 | a", "1/3 → 2/3 | a", "2/3 → 1 | c"]),
    "": (1, []),
    "~": (1, []),
}


@pytest.mark.parametrize("text", sorted(NOTATION))
def test_notation(text):
    cycles, expected = NOTATION[text]
    assert lines(text, cycles) == expected


def test_numbers_are_ints_when_whole_and_words_stay_strings():
    values = [e.value for e in mini("1 2.0 0.5 c4 bd:3").events(0, 1)]
    assert values == [1, 2, 0.5, "c4", "bd:3"]
    assert [type(v) for v in values[:3]] == [int, int, float]
    assert [e.value for e in note("c4 eb3 f#2").events(0, 1)] == [{"note": 60}, {"note": 51}, {"note": 42}]


@pytest.mark.parametrize("text, equivalent", [
    ("a*2", fast(2, "a")),
    ("a/2", slow(2, "a")),
    ("a b", fastcat("a", "b")),
    ("<a b>", cat("a", "b")),
    ("<a b>", "[a b]/2"),
    ("a, b", stack("a", "b")),
    ("a@3 b", timecat((3, "a"), (1, "b"))),
    ("a _ _ b", "a@3 b"),
    ("a!3", "a a a"),
    ("a . b c", "[a] [b c]"),
    ("a(3,8)", euclid(3, 8, "a")),
    ("a(3,8,2)", euclid_rot(3, 8, 2, "a")),
    ("a(<3 5>,8)", euclid("<3 5>", 8, "a")),
    ("a*<1 2>", fast("<1 2>", "a")),
    ("a*[1 2]", fast("1 2", "a")),
    ("{a b c}%4", "a b c a b c a b c a b c" and fast(F(4, 3), "a b c")),
    ("{a b, c d e}", stack("a b", fast(F(2, 3), "c d e"))),
    ("a?", degrade_by(0.5, "a", seed=0)),
    ("a?0.3", degrade_by(0.3, "a", seed=0)),
    ("[a | b]", randcat("a", "b", seed=0)),
    ("c'maj", "[60, 64, 67]"),
])
def test_notation_means_the_combinators(text, equivalent):
    assert same(text, equivalent)


def test_each_random_removal_has_its_own_seed():
    a = [e.whole.begin for e in mini("a*16?").events(0, 4)]
    b = [e.whole.begin for e in mini("a*16? b*16?").fast(1).events(0, 4) if e.value == "a"]
    assert a and b
    first, second = mini("[a*16?, b*16?]").events(0, 8), None
    kept_a = {e.whole.begin for e in first if e.value == "a"}
    kept_b = {e.whole.begin for e in first if e.value == "b"}
    assert kept_a != kept_b  # independent, not the same bars dropped twice
    assert second is None


def test_strings_are_patterns_everywhere():
    assert lines(fast("<1 2>", "a b"), 2)[2:] == ["1 → 5/4 | a", "5/4 → 3/2 | b", "3/2 → 7/4 | a", "7/4 → 2 | b"]


def test_parse_tree_keeps_columns():
    tree = parse("a [b c]*2 <d ~>(3,8)?")
    assert isinstance(tree, Sequence) and [s.pos for s in tree.steps] == [0, 2, 10]
    assert tree.steps[0].node == Word("a", 0)
    speed = tree.steps[1].node
    assert isinstance(speed, Speed) and speed.factor == Number(2, 8, 9) and not speed.slow
    deg = tree.steps[2].node
    assert isinstance(deg, Degrade) and isinstance(deg.node, Euclid) and isinstance(deg.node.node, Alternation)
    assert isinstance(deg.node.node.layers[0].steps[1].node, Rest)
    assert isinstance(parse("a, b"), Stack) and isinstance(parse("{a}%3").steps[0].node, Polymeter)


@pytest.mark.parametrize("text, column, expected", [
    ("a [b c", 7, "expected ']' to close '[' opened at column 3, found end of text"),
    ("a b]", 4, "expected a step or the end of the text, found ']'"),
    ("a <b c]", 7, "expected '>' to close '<' opened at column 3, found ']'"),
    ("a*", 3, "expected a number, '[' or '<' after '*', found end of text"),
    ("a@x", 3, "expected a number after '@' (the step's weight), found 'x'"),
    ("a(3)", 2, "expected 2 or 3 Euclidean arguments"),
    ("a(3,8", 6, "expected ',' or ')' to close '(' opened at column 2"),
    ("a, b | c", 6, "',' and '|' cannot be mixed"),
    ("_ a", 1, "expected a step before '_'"),
    ("a $ b", 3, "unexpected character '$'"),
    ("a?2", 3, "expected a probability 0..1 after '?', found 2"),
    ("a!0", 3, "expected a count from 1 to 65536 after '!', found 0"),
    ("a!100000000", 3, "expected a count from 1 to 65536 after '!', found 100000000"),
    ("a b!65536", 3, "more than 65536 steps in one sequence; expected at most 65536"),
    ("a " + "b! " * 40000, 3 + 3 * 32767, "more than 65536 steps in one sequence"),
    ("c4" + "!" * 100000, 2 + 65536, "more than 65536 steps in one sequence"),
    ("a(3,100000000)", 2, "euclid_rot(): expected at most 65536 steps, found 100000000"),
    ("c'maj'1000000000", 1, "expected a note count from 1 to 128, found 1000000000"),
    ("a*x", 2, "fast(): expected a number of cycles"),
    ("c'mjr", 1, "unknown chord 'mjr'"),
    ("<a | b>", 1, "'|' is only for [ ]"),
    ("a . ", 5, "expected steps after '.', found end of text"),
])
def test_syntax_errors_name_the_column_and_what_was_expected(text, column, expected):
    with pytest.raises(MiniNotationError) as info:
        mini(text)
    err = info.value
    assert err.column == column and expected in str(err)
    assert f"at column {column}" in str(err) and isinstance(err, ValueError)
    assert str(err).endswith(" " * (column - 1) + "^")


def test_mini_rejects_non_strings():
    with pytest.raises(TypeError, match="mini-notation text"):
        mini(3)


@pytest.mark.parametrize("text, column", [
    ("[" * 2000, 65),
    ("<" * 500, 65),
    ("{" * 100 + "a" + "}" * 100, 65),
    ("a" + "?" * 100, 66),  # each operator wraps the step once more
    ("a" + "(3,8)" * 80, 2 + 5 * 64),
    ("[a, " * 70 + "b" + "]" * 70, 1 + 4 * 64),
    ("a*" + "[2*" * 70 + "2" + "]" * 70, 98),  # a factor's brackets and operators count too: the 32nd '*'
])
def test_deep_nesting_names_the_depth_and_the_column(text, column):
    with pytest.raises(MiniNotationError) as info:
        mini(text)
    assert info.value.column == column
    assert info.value.reason == (
        "nested 65 levels deep (each bracket and each operator like '*2' or '?' is a level); expected at most 64"
    )


def test_the_deepest_nesting_allowed_plays_from_a_deep_stack():
    from livemidi.render import render

    def deep(frames, run):  # a REPL, a test runner or an editor's server calls from this deep
        return deep(frames - 1, run) if frames else run()

    for text in ["[a, " * 64 + "b" + "]" * 64, "<a? " * 63 + "b" + ">" * 63, "a" + "?0.9" * 64]:
        assert deep(150, lambda: render(mini(text), 0, 2)) is not None
