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

from . import backends, frozen, messages, midifiles, parser, ports, sockets, syx, tokenizer
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
from .errors import (
    KeySignatureError,
    LivemidiError,
    MidiFileWarning,
    MidiParseError,
    PortDisconnectedError,
    PortError,
    PortNotFoundError,
)
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
from .midifiles import (
    MetaMessage,
    MidiFile,
    MidiTrack,
    UnknownMetaMessage,
    bpm2tempo,
    merge_tracks,
    second2tick,
    tempo2bpm,
    tick2second,
)
from .syx import read_syx_file, write_syx_file

# mido documents the frozen meta message classes in mido.frozen. They are
# defined with the meta messages (livemidi.frozen sits below the file layer
# and cannot import it), so the package puts them where mido users look.
frozen.FrozenMetaMessage = midifiles.meta.FrozenMetaMessage
frozen.FrozenUnknownMetaMessage = midifiles.meta.FrozenUnknownMetaMessage
frozen.__all__ = sorted([*frozen.__all__, "FrozenMetaMessage", "FrozenUnknownMetaMessage"])

__all__ = [
    "Backend",
    "KeySignatureError",
    "LivemidiError",
    "MAX_PITCHWHEEL",
    "MAX_SONGPOS",
    "MIN_PITCHWHEEL",
    "MIN_SONGPOS",
    "Message",
    "MetaMessage",
    "MidiFile",
    "MidiFileWarning",
    "MidiParseError",
    "MidiTrack",
    "Parser",
    "PortDisconnectedError",
    "PortError",
    "PortNotFoundError",
    "UnknownMetaMessage",
    "__version__",
    "backend",
    "backends",
    "bpm2tempo",
    "format_as_string",
    "frozen",
    "get_input_names",
    "get_ioport_names",
    "get_output_names",
    "merge_tracks",
    "messages",
    "midifiles",
    "open_input",
    "open_ioport",
    "open_output",
    "parse",
    "parse_all",
    "parse_string",
    "parse_string_stream",
    "parser",
    "ports",
    "read_syx_file",
    "second2tick",
    "set_backend",
    "sockets",
    "syx",
    "tempo2bpm",
    "tick2second",
    "tokenizer",
    "version_info",
    "write_syx_file",
]


def __getattr__(name: str):
    # `livemidi.backend` is whichever Backend `set_backend` chose last; it is
    # looked up on each access rather than stored, so it can never go stale.
    if name == "backend":
        return backends.current_backend()
    raise AttributeError(f"module 'livemidi' has no attribute {name!r}")
