"""The mini-notation: Tidal-style pattern text, ``mini("bd*2 [~ sn] <hh oh>")``.

`parser` turns text into a syntax tree that keeps source columns; `interpret`
turns the tree into a `Pattern` with the public pattern functions and
registers itself as the way strings become patterns. The language is
described in docs/patterns.md.
"""

from __future__ import annotations

from livemidi.errors import MiniNotationError

from .interpret import mini
from .parser import parse

__all__ = ["MiniNotationError", "mini", "parse"]
