"""Mini-notation text → syntax tree whose nodes keep their source column.

The grammar, loosest binding first::

    layer    := sequence (',' sequence)*  |  sequence ('|' sequence)*
    sequence := steps ('.' steps)*        -- dots cut the steps into equal groups
    steps    := (step | '_' | '!')*       -- '_' holds the last step, '!' repeats it
    step     := atom postfix*
    atom     := word | number | '~' | '[' layer ']' | '<' layer '>' | '{' layer '}' ('%' factor)?
    range    := step '..' step                -- inside steps: the whole numbers lo..hi, one step
    postfix  := '*' factor | '/' factor | '!' n | '@' n | '?' n? | '(' seq ',' seq (',' seq)? ')'
    factor   := number | word | '[' layer ']' | '<' layer '>'

The parser only builds the tree (see `interpret` for the meaning); it never
imports the pattern engine. Every error is a `MiniNotationError` that names the
1-based column and what was expected there.

A sequence holds at most `MAX_STEPS` steps (``a!n`` counts n), and nesting
is limited to `MAX_DEPTH` levels: each bracket and each postfix
operator wrapping a step (``*2``, ``?``, ``(3,8)``...) is a level. Parsing,
building and querying a pattern each recurse once per level, and Python's
stack ends at about a thousand frames: measured, six frames a level, so that
150 levels of ``[a, [a, ...]]`` raised a bare RecursionError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Union

from livemidi.errors import MiniNotationError

__all__ = [
    "Alternation", "Choice", "Degrade", "Euclid", "MAX_DEPTH", "MAX_STEPS", "MiniNotationError", "Node", "Number",
    "Polymeter", "Range", "Rest", "Sequence", "Speed", "Stack", "Step", "Word", "parse",
]


@dataclass
class Word:
    text: str
    pos: int  # its first character; it ends at ``pos + len(text)``


@dataclass
class Number:
    value: Union[int, float]
    pos: int
    end: "int | None" = None  # one past its last character; None for a number nobody wrote


@dataclass
class Rest:
    pos: int


@dataclass
class Step:
    node: "Node"
    weight: Fraction
    pos: int


@dataclass
class Sequence:
    steps: list[Step]
    pos: int


@dataclass
class Stack:
    layers: list["Node"]
    pos: int


@dataclass
class Choice:
    layers: list["Node"]
    seed: int
    pos: int


@dataclass
class Alternation:
    layers: list[Sequence]
    pos: int


@dataclass
class Polymeter:
    layers: list[Sequence]
    steps: "Node | None"
    pos: int


@dataclass
class Speed:
    node: "Node"
    factor: "Node"
    slow: bool
    pos: int


@dataclass
class Degrade:
    node: "Node"
    amount: float
    seed: int
    pos: int


@dataclass
class Range:
    """``lo .. hi``: the whole numbers from lo to hi, one step (either end may be a pattern)."""
    lo: "Node"
    hi: "Node"
    pos: int


@dataclass
class Euclid:
    node: "Node"
    args: list["Node"] = field(default_factory=list)
    pos: int = 0


Node = Union[Word, Number, Rest, Sequence, Stack, Choice, Alternation, Polymeter, Speed, Degrade, Euclid, Range]

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
      | (?P<number>-?(?:\d+(?:\.\d+)?|\.\d+)(?![A-Za-z0-9_#']|\.(?!\.)))
      | (?P<word>(?:-?\d+(?:\.\d+)?'|[A-Za-z#])[A-Za-z0-9_#'\-:]*)
      | (?P<hold>_)
      | (?P<range>\.\.)
      | (?P<op>[\[\]<>{}(),|.~*/!@?%])
    """,
    re.VERBOSE,
)

_CLOSERS = {"[": "]", "<": ">", "{": "}"}
MAX_DEPTH = 64  # levels of brackets and postfix operators (see the module docstring)
MAX_STEPS = 65536  # steps in one sequence: ``a!1000000000`` would fill the memory before anything could refuse it


@dataclass
class _Token:
    kind: str
    text: str
    pos: int  # 0-based
    end: int


def _tokenize(source: str) -> list[_Token]:
    tokens = []
    i = 0
    while i < len(source):
        m = _TOKEN.match(source, i)
        if not m:
            raise MiniNotationError(
                f"unexpected character {source[i]!r}; expected a word, a number or one of ~ [ ] < > {{ }} ( ) , | . _ * / ! @ ? %",
                source, i + 1)
        kind = m.lastgroup or ""
        if kind != "ws":
            tokens.append(_Token(kind, m.group(), i, m.end()))
        i = m.end()
    tokens.append(_Token("end", "", len(source), len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = _tokenize(source)
        self.i = 0
        self.seeds = 0
        self.depth = 0  # the levels of brackets and operators around the step being read

    # -- helpers -----------------------------------------------------------

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        t = self.tokens[self.i]
        self.i += 1
        return t

    def fail(self, expected: str, tok: _Token | None = None) -> MiniNotationError:
        tok = tok or self.tok
        found = "end of text" if tok.kind == "end" else repr(tok.text)
        return MiniNotationError(f"expected {expected}, found {found}", self.source, tok.pos + 1)

    def deeper(self, tok: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MiniNotationError(
                f"nested {self.depth} levels deep (each bracket and each operator like '*2' or '?' is a level); "
                f"expected at most {MAX_DEPTH}", self.source, tok.pos + 1)

    def is_op(self, text: str) -> bool:
        return self.tok.kind == "op" and self.tok.text == text

    def next_seed(self) -> int:
        self.seeds += 1
        return self.seeds - 1

    def adjacent_number(self, after: _Token) -> _Token | None:
        t = self.tok
        if t.kind == "number" and t.pos == after.end:
            return self.advance()
        return None

    # -- grammar -----------------------------------------------------------

    def parse(self) -> Node:
        node = self.layer(None)
        if self.tok.kind != "end":
            raise self.fail("a step or the end of the text")
        return node

    def layer(self, closer: str | None) -> Node:
        start = self.tok.pos
        seqs = [self.sequence(closer)]
        sep = None
        while self.is_op(",") or self.is_op("|"):
            t = self.advance()
            if sep is not None and t.text != sep:
                raise MiniNotationError(f"expected {sep!r} (',' and '|' cannot be mixed in one group), found {t.text!r}",
                                        self.source, t.pos + 1)
            sep = t.text
            seqs.append(self.sequence(closer))
        if sep is None:
            return seqs[0]
        if sep == ",":
            return Stack(seqs, start)  # type: ignore[arg-type]
        return Choice(seqs, self.next_seed(), start)  # type: ignore[arg-type]

    def sequence(self, closer: str | None) -> Sequence:
        start = self.tok.pos
        groups: list[list[Step]] = []
        steps: list[Step] = []
        while True:
            t = self.tok
            if t.kind == "end" or (t.kind == "op" and t.text in (",", "|", ")", "]", ">", "}")):
                break  # whoever opened the bracket reports a mismatch, naming where it opened
            if t.kind == "hold":
                self.advance()
                if not steps:
                    raise MiniNotationError("expected a step before '_' (it holds the previous step)", self.source, t.pos + 1)
                steps[-1].weight += 1
            elif self.is_op("!"):
                self.advance()
                if not steps:
                    raise MiniNotationError("expected a step before '!' (it repeats the previous step)", self.source, t.pos + 1)
                steps.append(Step(steps[-1].node, steps[-1].weight, t.pos))
            elif t.kind == "range":
                self.range_step(steps)
            elif self.is_op("."):
                self.advance()
                if not steps:
                    raise MiniNotationError("expected steps before '.'", self.source, t.pos + 1)
                groups.append(steps)
                steps = []
            else:
                steps.extend(self.step())
            if len(steps) > MAX_STEPS:
                raise MiniNotationError(f"more than {MAX_STEPS} steps in one sequence; expected at most {MAX_STEPS}",
                                        self.source, t.pos + 1)
        if groups:
            if not steps:
                raise self.fail("steps after '.'")
            groups.append(steps)
            return Sequence([Step(Sequence(g, g[0].pos), Fraction(1), g[0].pos) for g in groups], start)
        return Sequence(steps, start)

    def step(self) -> list[Step]:
        t = self.tok
        node = self.atom()
        weight = Fraction(1)
        copies = 1
        outside = self.depth
        while True:
            op = self.tok
            if op.kind != "op" or op.pos != self.tokens[self.i - 1].end:
                break  # postfix operators are written without a space
            if op.text in "*/?(":
                self.deeper(op)  # each wraps the step once more
            if op.text in "*/":
                self.advance()
                node = Speed(node, self.factor(op.text), op.text == "/", op.pos)
            elif op.text == "!":
                self.advance()
                num = self.adjacent_number(op)
                if num is None:
                    copies += 1
                else:
                    count = self.whole(num, "'!'")
                    if not 1 <= count <= MAX_STEPS:
                        raise MiniNotationError(f"expected a count from 1 to {MAX_STEPS} after '!', found {num.text}",
                                                self.source, num.pos + 1)
                    copies += count - 1
                if copies > MAX_STEPS:
                    raise MiniNotationError(f"more than {MAX_STEPS} steps in one sequence; expected at most {MAX_STEPS}",
                                            self.source, op.pos + 1)
            elif op.text == "@":
                self.advance()
                num = self.adjacent_number(op)
                if num is None:
                    raise self.fail("a number after '@' (the step's weight)")
                weight = Fraction(num.text)
                if weight <= 0:
                    raise MiniNotationError(f"expected a positive weight after '@', found {num.text}", self.source, num.pos + 1)
            elif op.text == "?":
                self.advance()
                num = self.adjacent_number(op)
                amount = 0.5 if num is None else float(num.text)
                if not 0 <= amount <= 1:
                    raise MiniNotationError(f"expected a probability 0..1 after '?', found {num.text}",  # type: ignore[union-attr]
                                            self.source, num.pos + 1)  # type: ignore[union-attr]
                node = Degrade(node, amount, self.next_seed(), op.pos)
            elif op.text == "(":
                self.advance()
                node = self.euclid(node, op)
            else:
                break
        self.depth = outside
        return [Step(node, weight, t.pos) for _ in range(copies)]

    def range_step(self, steps: list[Step]) -> None:
        """``lo .. hi``: the step before and the step after become one `Range` step."""
        t = self.advance()
        if not steps:
            raise MiniNotationError("expected a number before '..' (a range is written 0 .. 3)", self.source, t.pos + 1)
        if self.tok.kind == "end" or (self.tok.kind == "op" and self.tok.text in ",|)]>}."):
            raise self.fail("a number after '..' (a range is written 0 .. 3)")
        after = self.step()
        if len(after) != 1 or after[0].weight != 1:
            raise MiniNotationError("expected one step after '..', without '!' or '@'", self.source, after[0].pos + 1)
        lo = steps[-1]
        steps[-1] = Step(Range(lo.node, after[0].node, t.pos), lo.weight, lo.pos)

    def whole(self, tok: _Token, after: str) -> int:
        value = Fraction(tok.text)
        if value.denominator != 1:
            raise MiniNotationError(f"expected a whole number after {after}, found {tok.text}", self.source, tok.pos + 1)
        return int(value)

    def euclid(self, node: Node, opener: _Token) -> Euclid:
        args: list[Node] = []
        while True:
            seq = self.sequence(")")
            if not seq.steps:
                raise self.fail("a number (Euclidean arguments are (hits,steps) or (hits,steps,rotation))")
            args.append(_unwrap(seq))
            if self.is_op(","):
                self.advance()
                continue
            if self.is_op(")"):
                self.advance()
                break
            raise self.fail(f"',' or ')' to close '(' opened at column {opener.pos + 1}")
        if len(args) not in (2, 3):
            raise MiniNotationError(f"expected 2 or 3 Euclidean arguments (hits,steps[,rotation]), found {len(args)}",
                                    self.source, opener.pos + 1)
        return Euclid(node, args, opener.pos)

    def factor(self, op: str) -> Node:
        t = self.tok
        if t.kind in ("number", "word"):
            self.advance()
            return Number(_number(t.text), t.pos, t.end) if t.kind == "number" else Word(t.text, t.pos)
        if t.kind == "op" and t.text in "[<":
            return self.atom()
        raise self.fail(f"a number, '[' or '<' after {op!r}")

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "number":
            self.advance()
            return Number(_number(t.text), t.pos, t.end)
        if t.kind == "word":
            self.advance()
            return Word(t.text, t.pos)
        if t.kind == "op" and t.text == "~":
            self.advance()
            return Rest(t.pos)
        if t.kind == "op" and t.text in _CLOSERS:
            self.advance()
            closer = _CLOSERS[t.text]
            self.deeper(t)
            inner = self.layer(closer)
            self.depth -= 1
            if not self.is_op(closer):
                raise self.fail(f"{closer!r} to close {t.text!r} opened at column {t.pos + 1}")
            self.advance()
            if t.text == "[":
                return inner
            layers = inner.layers if isinstance(inner, Stack) else [inner]
            if isinstance(inner, Choice):
                raise MiniNotationError(f"expected ',' between layers of {t.text!r} ('|' is only for [ ])", self.source, t.pos + 1)
            if t.text == "<":
                return Alternation(layers, t.pos)  # type: ignore[arg-type]
            steps = None
            if self.is_op("%") and self.tok.pos == self.tokens[self.i - 1].end:
                pct = self.advance()
                steps = self.factor(pct.text)
            return Polymeter(layers, steps, t.pos)  # type: ignore[arg-type]
        raise self.fail("a step (a word, a number, '~', '[', '<' or '{')")


def _unwrap(seq: Sequence) -> Node:
    if len(seq.steps) == 1 and seq.steps[0].weight == 1:
        return seq.steps[0].node
    return seq


def _number(text: str) -> int | float:
    value = Fraction(text)
    return int(value) if value.denominator == 1 else float(text)


def parse(source: str) -> Node:
    """Parse mini-notation text into a tree (raises `MiniNotationError`)."""
    if not isinstance(source, str):
        raise TypeError(f"expected mini-notation text (str), found {type(source).__name__}")
    return _Parser(source).parse()
