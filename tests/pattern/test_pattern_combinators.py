"""Every combinator against hand-checked events (shown in the readable form)."""

from fractions import Fraction as F

import pytest
from pattern_helpers import lines

from livemidi.pattern import (
    brak,
    chunk,
    compress,
    early,
    euclid,
    euclid_full,
    euclid_rot,
    every,
    fast,
    first_of,
    inside,
    iter_,
    last_of,
    late,
    layer,
    linger,
    mask,
    mini,
    note,
    off,
    outside,
    palindrome,
    ply,
    range_,
    rev,
    run,
    saw,
    segment,
    slow,
    struct,
    superimpose,
    swing,
    swing_by,
    when,
    within,
    zoom,
)

CASES = {
    "fast": (lambda: fast(2, "a b"), 1, 0, [
        "0 → 1/4 | a",
        "1/4 → 1/2 | b",
        "1/2 → 3/4 | a",
        "3/4 → 1 | b",
    ]),
    "slow": (lambda: slow(2, "a b c d"), 2, 0, [
        "0 → 1/2 | a",
        "1/2 → 1 | b",
        "1 → 3/2 | c",
        "3/2 → 2 | d",
    ]),
    "early": (lambda: early(F(1, 4), "a b c d"), 1, 0, [
        "0 → 1/4 | b",
        "1/4 → 1/2 | c",
        "1/2 → 3/4 | d",
        "3/4 → 1 | a",
    ]),
    "late": (lambda: late(F(1, 4), "a b c d"), 1, 0, [
        "0 → 1/4 | d",
        "1/4 → 1/2 | a",
        "1/2 → 3/4 | b",
        "3/4 → 1 | c",
    ]),
    "rev": (lambda: rev("a b [c d]"), 1, 0, [
        "0 → 1/6 | d",
        "1/6 → 1/3 | c",
        "1/3 → 2/3 | b",
        "2/3 → 1 | a",
    ]),
    "palindrome": (lambda: palindrome("a b c"), 2, 0, [
        "0 → 1/3 | a",
        "1/3 → 2/3 | b",
        "2/3 → 1 | c",
        "1 → 4/3 | c",
        "4/3 → 5/3 | b",
        "5/3 → 2 | a",
    ]),
    "iter": (lambda: iter_(4, "a b c d"), 2, 1, [
        "1 → 5/4 | b",
        "5/4 → 3/2 | c",
        "3/2 → 7/4 | d",
        "7/4 → 2 | a",
        "2 → 9/4 | c",
        "9/4 → 5/2 | d",
        "5/2 → 11/4 | a",
        "11/4 → 3 | b",
    ]),
    "iter_backwards": (lambda: iter_(-4, "a b c d"), 1, 1, [
        "1 → 5/4 | d",
        "5/4 → 3/2 | a",
        "3/2 → 7/4 | b",
        "7/4 → 2 | c",
    ]),
    "ply": (lambda: ply(2, "a ~ b"), 1, 0, [
        "0 → 1/6 | a",
        "1/6 → 1/3 | a",
        "2/3 → 5/6 | b",
        "5/6 → 1 | b",
    ]),
    "every": (lambda: every(3, fast(2), "a b"), 1, 3, [
        "3 → 13/4 | a",
        "13/4 → 7/2 | b",
        "7/2 → 15/4 | a",
        "15/4 → 4 | b",
    ]),
    "first_of": (lambda: first_of(2, rev, "a b"), 2, 0, [
        "0 → 1/2 | b",
        "1/2 → 1 | a",
        "1 → 3/2 | a",
        "3/2 → 2 | b",
    ]),
    "last_of": (lambda: last_of(2, rev, "a b"), 2, 0, [
        "0 → 1/2 | a",
        "1/2 → 1 | b",
        "1 → 3/2 | b",
        "3/2 → 2 | a",
    ]),
    "when": (lambda: when(lambda c: c % 2 == 1, rev, "a b"), 2, 0, [
        "0 → 1/2 | a",
        "1/2 → 1 | b",
        "1 → 3/2 | b",
        "3/2 → 2 | a",
    ]),
    "euclid": (lambda: euclid(3, 8, "x"), 1, 0, [
        "0 → 1/8 | x",
        "3/8 → 1/2 | x",
        "3/4 → 7/8 | x",
    ]),
    "euclid_rot": (lambda: euclid_rot(3, 8, 2, "x"), 1, 0, [
        "1/8 → 1/4 | x",
        "1/2 → 5/8 | x",
        "3/4 → 7/8 | x",
    ]),
    "euclid_full": (lambda: euclid_full(3, 8, "x", "y"), 1, 0, [
        "0 → 1/8 | x",
        "1/8 → 1/4 | y",
        "1/4 → 3/8 | y",
        "3/8 → 1/2 | x",
        "1/2 → 5/8 | y",
        "5/8 → 3/4 | y",
        "3/4 → 7/8 | x",
        "7/8 → 1 | y",
    ]),
    "off": (lambda: off(F(1, 8), lambda p: p | {"velocity": 50}, note("c e")), 1, 0, [
        "-3/8 → 1/8 (0 → 1/8) | note=64 velocity=50",
        "0 → 1/2 | note=60",
        "1/8 → 5/8 | note=60 velocity=50",
        "1/2 → 1 | note=64",
        "5/8 → 9/8 (5/8 → 1) | note=64 velocity=50",
    ]),
    "superimpose": (lambda: superimpose(fast(2), "a b"), 1, 0, [
        "0 → 1/2 | a",
        "0 → 1/4 | a",
        "1/4 → 1/2 | b",
        "1/2 → 1 | b",
        "1/2 → 3/4 | a",
        "3/4 → 1 | b",
    ]),
    "layer": (lambda: layer([rev, fast(2)], "a b"), 1, 0, [
        "0 → 1/2 | b",
        "0 → 1/4 | a",
        "1/4 → 1/2 | b",
        "1/2 → 1 | a",
        "1/2 → 3/4 | a",
        "3/4 → 1 | b",
    ]),
    "chunk": (lambda: chunk(4, lambda p: p + 10, "0 1 2 3"), 1, 1, [
        "1 → 5/4 | 0",
        "5/4 → 3/2 | 11",
        "3/2 → 7/4 | 2",
        "7/4 → 2 | 3",
    ]),
    "linger": (lambda: linger(F(1, 4), "a b c d e f g h"), 1, 0, [
        "0 → 1/8 | a",
        "1/8 → 1/4 | b",
        "1/4 → 3/8 | a",
        "3/8 → 1/2 | b",
        "1/2 → 5/8 | a",
        "5/8 → 3/4 | b",
        "3/4 → 7/8 | a",
        "7/8 → 1 | b",
    ]),
    "linger_end": (lambda: linger(F(-1, 4), "a b c d e f g h"), 1, 0, [
        "0 → 1/8 | g",
        "1/8 → 1/4 | h",
        "1/4 → 3/8 | g",
        "3/8 → 1/2 | h",
        "1/2 → 5/8 | g",
        "5/8 → 3/4 | h",
        "3/4 → 7/8 | g",
        "7/8 → 1 | h",
    ]),
    "segment": (lambda: segment(4, saw), 1, 0, [
        "0 → 1/4 | 0",
        "1/4 → 1/2 | 0.25",
        "1/2 → 3/4 | 0.5",
        "3/4 → 1 | 0.75",
    ]),
    "struct": (lambda: struct("t ~ t t", "a"), 1, 0, [
        "0 → 1/4 | a",
        "1/2 → 3/4 | a",
        "3/4 → 1 | a",
    ]),
    "mask": (lambda: mask("1 0 1 1", "a*8"), 1, 0, [
        "0 → 1/8 | a",
        "1/8 → 1/4 | a",
        "1/2 → 5/8 | a",
        "5/8 → 3/4 | a",
        "3/4 → 7/8 | a",
        "7/8 → 1 | a",
    ]),
    "range": (lambda: range_(1, 5, "0 0.5"), 1, 0, [
        "0 → 1/2 | 1",
        "1/2 → 1 | 3",
    ]),
    "run": (lambda: run(4), 1, 0, [
        "0 → 1/4 | 0",
        "1/4 → 1/2 | 1",
        "1/2 → 3/4 | 2",
        "3/4 → 1 | 3",
    ]),
    "inside": (lambda: inside(2, rev, "a b c d"), 1, 0, [
        "0 → 1/4 | b",
        "1/4 → 1/2 | a",
        "1/2 → 3/4 | d",
        "3/4 → 1 | c",
    ]),
    "outside": (lambda: outside(2, rev, "<[a b] [c d]>"), 2, 0, [
        "0 → 1/2 | d",
        "1/2 → 1 | c",
        "1 → 3/2 | b",
        "3/2 → 2 | a",
    ]),
    "swing_by": (lambda: swing_by(F(1, 4), 1, "a b"), 1, 0, [
        "-1/4 → 1/4 (0 → 1/4) | b",
        "0 → 1/2 | a",
        "3/4 → 5/4 (3/4 → 1) | b",
    ]),
    "brak": (lambda: brak("a b"), 2, 0, [
        "0 → 1/2 | a",
        "1/2 → 1 | b",
        "5/4 → 3/2 | a",
        "3/2 → 7/4 | b",
    ]),
    "zoom": (lambda: zoom(F(1, 4), F(3, 4), "a b c d"), 1, 0, [
        "0 → 1/2 | b",
        "1/2 → 1 | c",
    ]),
    "compress": (lambda: compress(F(1, 4), F(3, 4), "a b"), 1, 0, [
        "1/4 → 1/2 | a",
        "1/2 → 3/4 | b",
    ]),
    "within": (lambda: within(0, F(1, 2), fast(2), "a b c d"), 1, 0, [
        "0 → 1/8 | a",
        "1/8 → 1/4 | b",
        "1/4 → 3/8 | c",
        "3/8 → 1/2 | d",
        "1/2 → 3/4 | c",
        "3/4 → 1 | d",
    ]),
    "swing": (lambda: swing(4, "a*8"), 1, 0, [
        "-1/24 → 1/12 (0 → 1/12) | a",
        "0 → 1/8 | a",
        "5/24 → 1/3 | a",
        "1/4 → 3/8 | a",
        "11/24 → 7/12 | a",
        "1/2 → 5/8 | a",
        "17/24 → 5/6 | a",
        "3/4 → 7/8 | a",
        "23/24 → 13/12 (23/24 → 1) | a",
    ]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_combinator(name):
    build, cycles, begin, expected = CASES[name]
    assert lines(build(), cycles, begin) == expected



def test_methods_match_functions():
    p = mini("a b c d")
    assert lines(p.fast(2)) == lines(fast(2, p))
    assert lines(p.iter(4), 1, 1) == lines(iter_(4, p), 1, 1)
    assert lines(p.range(0, 1) if False else p.every(2, rev)) == lines(every(2, rev, p))
    assert lines(mini("0 0.5").range(1, 5)) == lines(range_(1, 5, "0 0.5"))
    assert lines(p.euclid_full(3, 8, "y")) == lines(euclid_full(3, 8, p, "y"))
    assert lines(p.struct("t ~ t")) == lines(struct("t ~ t", p))
    assert lines(p.off(0.25, rev)) == lines(off(0.25, rev, p))


def test_any_argument_may_be_a_pattern():
    assert lines(fast("<1 2>", "a b"), 2) == ["0 → 1/2 | a", "1/2 → 1 | b", "1 → 5/4 | a", "5/4 → 3/2 | b",
                                              "3/2 → 7/4 | a", "7/4 → 2 | b"]
    assert lines(fast("1 2", "a b")) == ["0 → 1/2 | a", "1/2 → 3/4 | a", "3/4 → 1 | b"]
    assert lines(euclid("<3 5>", 8, "x"), 1, 1) == ["1 → 9/8 | x", "5/4 → 11/8 | x", "11/8 → 3/2 | x",
                                                     "13/8 → 7/4 | x", "7/4 → 15/8 | x"]
    assert lines(every("<2 3>", rev, "a b"), 1, 2) == ["2 → 5/2 | b", "5/2 → 3 | a"]


def test_partial_application_reads_like_tidal():
    double = fast(2)
    assert callable(double) and lines(double("a")) == lines(fast(2, "a"))
    assert lines(every(2, ply(2), "a")) == ["0 → 1/2 | a", "1/2 → 1 | a"]


@pytest.mark.parametrize("call, error, message", [
    (lambda: fast([2], "a"), TypeError, "fast\\(\\): expected a number of cycles"),
    (lambda: fast("x", "a"), ValueError, "fast\\(\\): expected a number of cycles"),
    (lambda: every(2, 3, "a"), TypeError, "every\\(\\): expected a function from pattern to pattern for f"),
    (lambda: every(1.5, rev, "a"), TypeError, "expected a whole number for n"),
    (lambda: every(2, rev, len), TypeError, "found the function 'len'"),
    (lambda: zoom(1, 0, "a"), ValueError, "expected begin < end"),
    (lambda: compress(0, 2, "a"), ValueError, "0 <= begin <= end <= 1"),
    (lambda: run(-1), ValueError, "n >= 0"),
    (lambda: range_("x", 1, "0"), TypeError, "expected a number for lo"),
    (lambda: struct("t maybe", "a").events(0, 1), ValueError, "expected a boolean pattern value"),
    (lambda: layer(rev, "a"), TypeError, "list of functions"),
    (lambda: when(3, rev, "a"), TypeError, "function of the cycle number"),
    (lambda: fast(), TypeError, "fast\\(\\): missing argument 'factor'"),
])
def test_errors_say_what_was_expected(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_zero_and_negative_speeds():
    assert lines(fast(0, "a")) == []
    assert lines(fast(-2, "a b")) == lines(rev(fast(2, "a b")))
    assert lines(slow(0, "a")) == []
    assert lines(euclid(-3, 8, "x")) == ["1/8 → 1/4 | x", "1/4 → 3/8 | x", "1/2 → 5/8 | x", "5/8 → 3/4 | x",
                                         "7/8 → 1 | x"]


def test_chunk_backwards_and_euclid_bools():
    from livemidi.pattern import euclid_bools
    show = lambda k, n: "".join("x" if b else "." for b in euclid_bools(k, n))  # noqa: E731
    # The rhythms listed in Toussaint's paper (and the Tidal documentation).
    assert [show(k, n) for k, n in [(2, 3), (2, 5), (3, 4), (3, 5), (3, 8), (4, 7), (5, 6), (5, 8), (5, 9), (7, 16),
                                    (5, 12), (4, 4), (0, 3)]] == [
        "x.x", "x.x..", "x.xx", "x.x.x", "x..x..x.", "x.x.x.x", "x.xxxx", "x.xx.xx.", "x.x.x.x.x", "x..x.x.x..x.x.x.",
        "x..x.x..x.x.", "xxxx", "..."]
    assert lines(chunk(-4, lambda p: p + 10, "0 1 2 3"), 1, 1) == ["1 → 5/4 | 0", "5/4 → 3/2 | 1", "3/2 → 7/4 | 12",
                                                                   "7/4 → 2 | 3"]
