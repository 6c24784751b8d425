"""livemidi: a live-coding MIDI sequencer, on a fast MIDI layer with the mido API.

``import livemidi as mido`` keeps mido code working::

    >>> import livemidi
    >>> msg = livemidi.Message('note_on', note=60, velocity=100)
    >>> msg.bytes()
    [144, 60, 100]
    >>> livemidi.parse_all(b'\\x90\\x3c\\x64\\x3c\\x00')
    [Message('note_on', channel=0, note=60, velocity=100, time=0), Message('note_on', channel=0, note=60, velocity=0, time=0)]

The layers live in packages, from `messages` at the bottom through
`midifiles`, `ports`/`backends`/`sockets`, `pattern`/`mini`, `clock` and
`session` to `repl` and `cli` (the ``livemidi`` command) at the top. The few
modules at the top of the package are here for a reason each:

- `frozen`, `parser`, `tokenizer`, `syx`: mido's documented module paths
  (``mido.frozen.FrozenMessage``, ``mido.parser.Parser``...); `parser` and
  `tokenizer` only show names of `messages` there, `frozen` (frozen
  messages) and `syx` (SysEx files) hold their own code;
- `errors`: the one exception tree, imported by every layer;
- `render`: the one place where pattern events become MIDI messages, the
  layer between `pattern` and `session` that knows both;
- `config`: the user's config file (latency offsets), read by the session
  and written by ``livemidi calibrate``, knowing nothing else of livemidi;
- `_version`: the version alone, so that reading it imports nothing;
- `__main__`: ``python -m livemidi``.

Putting a module here that is none of these makes the top of the package a
hallway again: a new command goes in `cli`, a new layer in a package.
"""

from __future__ import annotations

import importlib

from . import frozen, messages, midifiles, parser, syx, tokenizer
from ._version import __version__, version_info
from .errors import (
    KeySignatureError,
    LivemidiError,
    MidiFileWarning,
    MidiFormatError,
    MidiParseError,
    MidiTruncatedError,
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
    "MidiFormatError",
    "MidiParseError",
    "MidiTrack",
    "MidiTruncatedError",
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


# The port layer (and rtmidi under it) loads on first use, so that `import
# livemidi` stays fast for code that only reads files or builds messages.
_LAZY = {
    "Backend": "backends",
    "get_input_names": "backends",
    "get_ioport_names": "backends",
    "get_output_names": "backends",
    "open_input": "backends",
    "open_ioport": "backends",
    "open_output": "backends",
    "set_backend": "backends",
    "backends": None,
    "ports": None,
    "sockets": None,
}


def __getattr__(name: str):
    # `livemidi.backend` is whichever Backend `set_backend` chose last; it is
    # looked up on each access rather than stored, so it can never go stale.
    if name == "backend":
        return importlib.import_module(".backends", __name__).current_backend()
    if name in _LAZY:
        module = _LAZY[name]
        if module is None:
            return importlib.import_module(f".{name}", __name__)
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'livemidi' has no attribute {name!r}")


def load_ipython_extension(shell) -> None:
    """``%load_ext livemidi`` in IPython or Jupyter: join the running session, or start one (docs/editors.md).

    The extension itself (`livemidi.jupyter`) is imported only now, so that
    ``import livemidi`` stays fast.
    """
    importlib.import_module(".jupyter", __name__).load_ipython_extension(shell)


def unload_ipython_extension(shell) -> None:
    """``%unload_ext livemidi``: end a session started in the kernel; leave a joined one playing."""
    importlib.import_module(".jupyter", __name__).unload_ipython_extension(shell)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"backend"})
