"""livemidi: a live-coding MIDI sequencer, on a fast MIDI layer with the mido API.

``import livemidi as mido`` keeps mido code working::

    >>> import livemidi
    >>> msg = livemidi.Message('note_on', note=60, velocity=100)
    >>> msg.bytes()
    [144, 60, 100]
    >>> livemidi.parse_all(b'\\x90\\x3c\\x64\\x3c\\x00')
    [Message('note_on', channel=0, note=60, velocity=100, time=0), Message('note_on', channel=0, note=60, velocity=0, time=0)]
"""

from __future__ import annotations

from . import frozen, messages, parser, tokenizer
from ._version import __version__, version_info
from .errors import LivemidiError, MidiParseError
from .messages import (
    MAX_PITCHWHEEL,
    MAX_SONGPOS,
    MIN_PITCHWHEEL,
    MIN_SONGPOS,
    Message,
    Parser,
    format_as_string,
    parse,
    parse_all,
    parse_string,
    parse_string_stream,
)

__all__ = [
    "LivemidiError",
    "MAX_PITCHWHEEL",
    "MAX_SONGPOS",
    "MIN_PITCHWHEEL",
    "MIN_SONGPOS",
    "Message",
    "MidiParseError",
    "Parser",
    "__version__",
    "format_as_string",
    "frozen",
    "messages",
    "parse",
    "parse_all",
    "parse_string",
    "parse_string_stream",
    "parser",
    "tokenizer",
    "version_info",
]
