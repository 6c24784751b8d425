"""Mini-notation syntax tree → Pattern, using only public pattern functions.

`mini(text)` is what ``note("c e g")`` and every other string argument goes
through: importing this module registers it as the pattern engine's string
parser (`livemidi.pattern.compose.set_string_parser`). Parsed patterns are
cached by text (patterns are immutable), so a string passed to a combinator
in a loop is parsed once.

When the text is a `SourceString` (a literal of code compiled by
`livemidi.mini.code`), every event made from a word or a number carries the
`Location` of that atom (`livemidi.pattern.locations`); such patterns are
cached by text and placement, so the same text written twice keeps both
places. Numbers the interpreter makes up (the step count of ``{a b c}``) have
no location.

What each piece means:

- a sequence squeezes its steps into one cycle (weights from ``@`` and ``_``);
- ``< >`` plays one step per cycle (weighted steps take that many cycles);
- ``{ }`` plays every layer at the step rate of the first (or of ``%n``);
- ``,`` stacks layers, ``|`` picks one at random each cycle;
- ``*`` / ``/`` are `fast` / `slow`, ``?`` is `degrade_by` (each ``?`` with its
  own seed, so two of them are independent), ``(k,n,r)`` is `euclid_rot`;
- words stay strings (``c4`` is turned into 60 by `note`), numbers become
  ints when whole, and ``c4'maj7`` (or Strudel's ``c4:maj7``) becomes the
  chord's note numbers, stacked;
- ``0 .. 3`` is the step ``[0 1 2 3]`` (either end may be a pattern).
"""

from __future__ import annotations

import gc
from fractions import Fraction
from functools import lru_cache

from livemidi.pattern.chance import degrade_by, randcat
from livemidi.pattern.combinators import euclid_rot, fast, slow
from livemidi.pattern.compose import cat, fastcat, set_string_parser, stack, timecat
from livemidi.pattern.core import _NOTHING, Event, Pattern, _atom, pure, silence
from livemidi.pattern.event import joined, located
from livemidi.pattern.music import colon_chord, parse_chord
from livemidi.pattern.time import to_time

from .parser import (
    MAX_STEPS,
    Alternation,
    Choice,
    Degrade,
    Euclid,
    MiniNotationError,
    Node,
    Number,
    Polymeter,
    Range,
    Rest,
    Sequence,
    Speed,
    Stack,
    Step,
    Word,
    parse,
)
from .source import Placement, placement_of

__all__ = ["mini"]


class _Builder:
    def __init__(self, source: str, placement: Placement | None = None):
        self.source = source
        self.placement = placement

    def where(self, begin: int, end: int | None) -> type[Event]:
        """The event class for an atom written at ``[begin, end)`` (plain `Event` when unknown)."""
        if self.placement is None or end is None:
            return Event
        location = self.placement.span(begin, end)
        return Event if location is None else located((location,))

    def error(self, exc: Exception, pos: int) -> MiniNotationError:
        return MiniNotationError(str(exc).split("\n")[0], self.source, pos + 1)

    def build(self, node: Node) -> Pattern:
        try:
            return self._build(node)
        except MiniNotationError:
            raise
        except (TypeError, ValueError) as exc:
            raise self.error(exc, node.pos) from exc

    def _build(self, node: Node) -> Pattern:
        if isinstance(node, Number):
            return _atom(node.value, self.where(node.pos, node.end))
        if isinstance(node, Word):
            cls = self.where(node.pos, node.pos + len(node.text))
            if "'" in node.text:
                notes = parse_chord(node.text)
                return stack(*[_atom(n, cls) for n in notes or []])
            if ":" in node.text and (notes := colon_chord(node.text)):
                return stack(*[_atom(n, cls) for n in notes])
            return _atom(node.text, cls)
        if isinstance(node, Rest):
            return silence
        if isinstance(node, Sequence):
            return self.sequence(node.steps)
        if isinstance(node, Stack):
            return stack(*[self.build(layer) for layer in node.layers])
        if isinstance(node, Choice):
            return randcat(*[self.build(layer) for layer in node.layers], seed=node.seed)
        if isinstance(node, Alternation):
            return stack(*[self.alternation(layer) for layer in node.layers])
        if isinstance(node, Polymeter):
            return self.polymeter(node)
        if isinstance(node, Speed):
            factor = self.build(node.factor)
            return (slow if node.slow else fast)(factor, self.build(node.node))
        if isinstance(node, Degrade):
            return degrade_by(node.amount, self.build(node.node), seed=node.seed)
        if isinstance(node, Euclid):
            args = [self.build(a) for a in node.args]
            rotation = args[2] if len(args) == 3 else 0
            return euclid_rot(args[0], args[1], rotation, self.build(node.node))
        if isinstance(node, Range):
            return self.range(node)
        raise AssertionError(f"unknown node {node!r}")

    def range(self, node: Range) -> Pattern:
        """``lo .. hi``: lo, lo±1, ..., hi in one step; patterned ends give a range per pair of values.

        Each number of the range comes from both ends: an editor lights up the two of them.
        """
        lo, hi = self.build(node.lo), self.build(node.hi)
        if lo._pure is not _NOTHING and hi._pure is not _NOTHING:
            cls = joined(lo._pure_class, hi._pure_class)
            return fastcat(*[_atom(v, cls) for v in _whole_numbers(lo._pure, hi._pure)])
        return lo.app_both(hi, lambda a, b: fastcat(*_whole_numbers(a, b))).mix_join()

    def sequence(self, steps: list[Step]) -> Pattern:
        if not steps:
            return silence
        if len(steps) == 1:
            return self.build(steps[0].node)
        if all(s.weight == steps[0].weight for s in steps):
            return fastcat(*[self.build(s.node) for s in steps])
        return timecat(*[(s.weight, self.build(s.node)) for s in steps])

    def alternation(self, seq: Node) -> Pattern:
        if not isinstance(seq, Sequence):
            return self.build(seq)
        steps = seq.steps
        if all(s.weight == 1 for s in steps):
            return cat(*[self.build(s.node) for s in steps])
        total = sum(s.weight for s in steps)
        return slow(total, timecat(*[(s.weight, self.build(s.node)) for s in steps]))

    def polymeter(self, node: Polymeter) -> Pattern:
        layers = [layer if isinstance(layer, Sequence) else Sequence([Step(layer, Fraction(1), layer.pos)], layer.pos)
                  for layer in node.layers]
        counts = [sum((s.weight for s in layer.steps), Fraction(0)) for layer in layers]
        if node.steps is None:
            base = pure(counts[0]) if counts[0] else pure(0)  # nobody wrote this number: no location
        else:
            base = self.build(node.steps)
        out = []
        for layer, count in zip(layers, counts):
            if not count:
                continue
            per_cycle = base.fmap(lambda s, count=count: to_time(s) / count)
            out.append(fast(per_cycle, self.sequence(layer.steps)))
        return stack(*out)


def _whole_numbers(lo: object, hi: object) -> range:
    for end in (lo, hi):
        if isinstance(end, bool) or not isinstance(end, (int, float)) or int(end) != end:
            raise ValueError(f"expected whole numbers on both sides of '..', found {end!r}")
    a, b = int(lo), int(hi)  # type: ignore[call-overload]
    if abs(b - a) >= MAX_STEPS:
        raise ValueError(f"a range of {abs(b - a) + 1} steps; expected at most {MAX_STEPS}")
    return range(a, b + 1) if a <= b else range(a, b - 1, -1)


def mini(text: str) -> Pattern:
    """A pattern from mini-notation text: ``mini("c e [g a] <b d5>")``.

    Raises `MiniNotationError` (a ValueError) naming the column and what was
    expected there.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected mini-notation text (str), found {type(text).__name__}")
    placement = placement_of(text)
    if placement is not None:
        # Keyed by placement too: an equal text written elsewhere is another pattern.
        return _mini_placed(str(text), placement)
    return _mini(text if type(text) is str else str(text))


@lru_cache(maxsize=2048)
def _mini(text: str) -> Pattern:
    return _built(text, None)


@lru_cache(maxsize=256)  # each REPL chunk places its strings anew; their event classes live as long as these
def _mini_placed(text: str, placement: Placement) -> Pattern:
    return _built(text, placement)


def _built(text: str, placement: Placement | None) -> Pattern:
    # Parsing makes a tree and patterns that all live on, without cycles: collecting garbage
    # meanwhile frees nothing, and for a long text (``"c4" + "!"*100000``) it took 70% of
    # the time, in pauses of up to 0.2 s with the GIL held, while the music waited.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _Builder(text, placement).build(parse(text))
    finally:
        if paused:
            gc.enable()


set_string_parser(mini)
