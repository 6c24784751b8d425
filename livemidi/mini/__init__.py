"""The mini-notation: Tidal-style pattern text, ``mini("bd*2 [~ sn] <hh oh>")``.

`parser` turns text into a syntax tree that keeps source columns; `interpret`
turns the tree into a `Pattern` with the public pattern functions and
registers itself as the way strings become patterns. The language is
described in docs/patterns.md.

`code` compiles the performer's code so that its string literals know where
they were written (`source`), and the events of their mini-notation too
(`livemidi.pattern.locations`).
"""

from __future__ import annotations

from livemidi.errors import MiniNotationError

from .code import compile_located, parse_located
from .interpret import mini
from .parser import parse
from .source import SourceString

__all__ = ["MiniNotationError", "SourceString", "compile_located", "mini", "parse", "parse_located"]
