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

from . import backends, frozen, messages, parser, ports, sockets, tokenizer
from ._version import __version__, version_info
from .backends import (
    Backend,
    get_input_names,
    get_ioport_names,
    get_output_names,
    open_input,
    open_ioport,
    open_output,
    set_backend,
)
from .errors import LivemidiError, MidiParseError, PortDisconnectedError, PortError, PortNotFoundError
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
    "Backend",
    "LivemidiError",
    "MAX_PITCHWHEEL",
    "MAX_SONGPOS",
    "MIN_PITCHWHEEL",
    "MIN_SONGPOS",
    "Message",
    "MidiParseError",
    "Parser",
    "PortDisconnectedError",
    "PortError",
    "PortNotFoundError",
    "__version__",
    "backend",
    "backends",
    "format_as_string",
    "frozen",
    "get_input_names",
    "get_ioport_names",
    "get_output_names",
    "messages",
    "open_input",
    "open_ioport",
    "open_output",
    "parse",
    "parse_all",
    "parse_string",
    "parse_string_stream",
    "parser",
    "ports",
    "set_backend",
    "sockets",
    "tokenizer",
    "version_info",
]


def __getattr__(name: str):
    # `livemidi.backend` is whichever Backend `set_backend` chose last; it is
    # looked up on each access rather than stored, so it can never go stale.
    if name == "backend":
        return backends.current_backend()
    raise AttributeError(f"module 'livemidi' has no attribute {name!r}")
