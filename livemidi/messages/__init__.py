"""MIDI messages: the Message class, its checks, encoding, text form and byte-stream parsing.

This package imports nothing else of livemidi's but `errors`: everything
above it (files, ports, the clock) is built on it.
"""

from __future__ import annotations

from .checks import check_time
from .message import BaseMessage, Message, SysexData, format_as_string, parse_string, parse_string_stream
from .parser import Parser, parse, parse_all
from .specs import (
    MAX_PITCHWHEEL,
    MAX_SONGPOS,
    MIN_PITCHWHEEL,
    MIN_SONGPOS,
    SPEC_BY_STATUS,
    SPEC_BY_TYPE,
    SPEC_LOOKUP,
    SPECS,
)
from .tokenizer import Tokenizer

__all__ = [
    "BaseMessage",
    "MAX_PITCHWHEEL",
    "MAX_SONGPOS",
    "MIN_PITCHWHEEL",
    "MIN_SONGPOS",
    "Message",
    "Parser",
    "SPECS",
    "SPEC_BY_STATUS",
    "SPEC_BY_TYPE",
    "SPEC_LOOKUP",
    "SysexData",
    "Tokenizer",
    "check_time",
    "format_as_string",
    "parse",
    "parse_all",
    "parse_string",
    "parse_string_stream",
]
