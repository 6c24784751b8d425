"""mido's documented path for the byte-stream parser: ``livemidi.parser.Parser``."""

from __future__ import annotations

from .messages.parser import Parser, parse, parse_all

__all__ = ["Parser", "parse", "parse_all"]
