"""Mini-notation ranges: ``"0 .. 3"`` is ``0 1 2 3`` (Tidal's reference: "0 .. 7" for a run of numbers).

A range is one step holding the numbers from one end to the other; the ends
may be patterns. Errors point at the column.
"""

from __future__ import annotations

import pytest
from pattern_helpers import lines, same_events

from livemidi.mini import MiniNotationError, mini, parse
from livemidi.mini.parser import Number, Range, Sequence
from livemidi.pattern import n, run, scale


def values(text, begin=0, end=1):
    return [e.value for e in mini(text).onsets(begin, end)]


def test_range_tidal_example():
    # Tidal: d1 $ n "0 .. 7" # sound "arpy"
    assert values("0 .. 7") == list(range(8))
    assert same_events(mini("0 .. 7"), run(8))
    assert lines(mini("0 .. 3")) == ["0 → 1/4 | 0", "1/4 → 1/2 | 1", "1/2 → 3/4 | 2", "3/4 → 1 | 3"]


def test_range_is_one_step():
    assert lines(mini("0 .. 3 8")) == ["0 → 1/8 | 0", "1/8 → 1/4 | 1", "1/4 → 3/8 | 2", "3/8 → 1/2 | 3",
                                       "1/2 → 1 | 8"]
    assert values("[0 .. 2]*2") == [0, 1, 2, 0, 1, 2]
    assert values("<0 .. 2 5>", 0, 2) == [0, 1, 2, 5]


def test_range_down_and_negative():
    assert values("3 .. 0") == [3, 2, 1, 0]
    assert values("-2 .. 1") == [-2, -1, 0, 1]
    assert values("4 .. 4") == [4]


def test_range_without_spaces():
    assert values("0..3") == [0, 1, 2, 3]
    assert values("1 . 2 3") == [1, 2, 3]  # '.' alone still groups


def test_range_with_patterned_ends():
    assert values("<0 2> .. 4", 0, 2) == [0, 1, 2, 3, 4, 2, 3, 4]
    assert values("0 .. <2 3>", 0, 2) == [0, 1, 2, 0, 1, 2, 3]


def test_range_in_a_scale():
    assert [e.value["note"] for e in n("0 .. 7").scale("C:major").onsets(0, 1)] == [60, 62, 64, 65, 67, 69, 71, 72]
    assert [e.value for e in scale("major", "0 .. 2").onsets(0, 1)] == [60, 62, 64]


def test_range_parse_tree():
    tree = parse("0 .. 3")
    assert isinstance(tree, Sequence) and isinstance(tree.steps[0].node, Range)
    assert isinstance(tree.steps[0].node.lo, Number) and tree.steps[0].node.hi.value == 3


@pytest.mark.parametrize("text, message, column", [
    (".. 3", "expected a number before '..'", 1),
    ("0 ..", "expected a number after '..'", 5),
    ("[0 ..]", "expected a number after '..'", 6),
    ("0 .. 1.5", "expected whole numbers on both sides of '..', found 1.5", 3),
    ("a .. c", "expected whole numbers on both sides of '..', found 'a'", 3),
    ("0 .. 3!2", "expected one step after '..'", 6),
    ("0 .. 100000", "a range of 100001 steps; expected at most 65536", 3),
])
def test_range_errors_point_at_the_column(text, message, column):
    with pytest.raises(MiniNotationError, match=message) as info:
        mini(text)
    assert info.value.column == column


def test_patterned_range_errors_when_played():
    with pytest.raises(ValueError, match="expected whole numbers on both sides of '..'"):
        mini("0 .. <2 x>").events(0, 2)
