"""The one exception tree of livemidi.

Every error livemidi raises on purpose is an instance of `LivemidiError` and
also of the builtin type that a mido user's code already catches::

    LivemidiError
     ├── UnknownMessageTypeError   (also ValueError and LookupError, as mido raises LookupError)
     ├── ImmutableMessageError     (also AttributeError and ValueError: mido raises ValueError)
     ├── NotAMessageError          (also TypeError and ValueError: mido raises ValueError)
     ├── MidiParseError            (also ValueError; malformed file data)
     │    ├── MidiFormatError      (also OSError: bad structure or data byte, as mido raises OSError)
     │    ├── MidiTruncatedError   (also EOFError: the data ends too early, as mido raises EOFError)
     │    └── KeySignatureError    (an impossible key signature; mido exports this name)
     ├── MiniNotationError         (also ValueError; a syntax error in pattern text, with its column)
     ├── ClockStoppedError         (also RuntimeError) a stopped tempo map was asked for a time
     ├── LoopNotFoundError         (also KeyError) no loop has that name; lists the loops there are
     ├── BudgetError               (also RuntimeError) a loop needs more events or time per beat than its budget
     ├── PortError                 (also OSError: mido raises IOError for port trouble)
     │    ├── PortNotFoundError     no port matches a name; lists the ports there are
     │    ├── PortDisconnectedError an open port's device, peer or server went away
     │    └── SenderError           the timed-sender process could not start, or has stopped
     ├── ConfigError               (also OSError) the user's config file could not be written safely
     ├── RecordingError            (also OSError) a recording's .mid file cannot be written where asked
     └── EvalServerError           (also OSError) the eval server cannot listen, or a client cannot reach it
          ├── EvalPortInUseError   the eval server's port is taken (by which session, when the server file says)
          └── NoSessionError       (also ConnectionError) no running session: no server file, a stale one, no answer

    MidiFileWarning (a UserWarning): what was odd in a MIDI file that loaded anyway, and what was done about it

Raise these with ``raise ... from`` so the original cause is kept, and say in
the message what was expected and what was found.
"""

from __future__ import annotations


class LivemidiError(Exception):
    """Base class of every error livemidi raises deliberately."""


class UnknownMessageTypeError(LivemidiError, ValueError, LookupError):
    """A message type name that livemidi does not know.

    mido raises LookupError for ``Message('foo')`` and ValueError elsewhere,
    so this is both.
    """


class ImmutableMessageError(LivemidiError, AttributeError, ValueError):
    """An attempt to change a frozen message (mido raises ValueError here)."""


class NotAMessageError(LivemidiError, TypeError, ValueError):
    """A message was expected and something else was given (mido raises ValueError here)."""


class MidiParseError(LivemidiError, ValueError):
    """Malformed MIDI data.

    ``track`` and ``offset`` (a byte offset into the data) say where the
    problem is, when known; both are also part of the message text.
    """

    def __init__(self, message: str, *, track: int | None = None, offset: int | None = None):
        where = []
        if track is not None:
            where.append(f"track {track}")
        if offset is not None:
            where.append(f"byte {offset}")
        text = f"{message} (at {', '.join(where)})" if where else message
        super().__init__(text)
        self.reason = message  # the text without the location
        self.track = track
        self.offset = offset


class PortError(LivemidiError, OSError):
    """Trouble with a MIDI port or its backend (an OSError, as mido raises IOError)."""


class PortNotFoundError(PortError):
    """No port, or more than one, matches the name asked for.

    ``name`` is what was asked for, ``available`` the port names there are;
    both are in the message text, so the user sees what to type instead.
    """

    def __init__(self, message: str, *, name: object = None, available: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.name = name
        self.available = list(available)


class PortDisconnectedError(PortError):
    """The device, program, server or peer behind an open port went away.

    The port object stays usable for ``close()``; sending or receiving on it
    raises this error again until it is closed.
    """


class MiniNotationError(LivemidiError, ValueError):
    """A syntax error in mini-notation text (``mini("a [b")``).

    ``column`` (1-based) says where; the message shows the text with a caret
    under that column, and ``reason`` is the message without them.
    """

    def __init__(self, message: str, source: str, column: int):
        self.column = column
        self.source = source
        self.reason = message
        pointer = " " * (column - 1) + "^"
        super().__init__(f"{message} at column {column}\n  {source}\n  {pointer}")


class MidiFormatError(MidiParseError, OSError):
    """The bytes do not have the structure of a MIDI file here (or a data byte is over 127).

    mido raises OSError for these, so this is an OSError too.
    """


class MidiTruncatedError(MidiParseError, EOFError):
    """The data ends in the middle of a header, chunk or event (mido raises EOFError)."""


class KeySignatureError(MidiParseError):
    """A key_signature meta event with a key that does not exist (more than 7 sharps or flats, or a bad mode)."""


class MidiFileWarning(UserWarning):
    """Something odd in a MIDI file that loaded anyway: read as mido reads it, or repaired (``strict=False``).

    One warning per repair; the text says what was found and where, like a
    `MidiParseError`. ``MidiFile(..., strict=True)`` raises instead.
    """


class ClockStoppedError(LivemidiError, RuntimeError):
    """A stopped tempo map (or transport) was asked to convert a cycle to a time."""


class BudgetError(LivemidiError, RuntimeError):
    """A loop's pattern needs more than its budget: too many events, or too much time, for one cycle.

    ``limit`` is ``'events'`` or ``'time'``, ``at`` the cycle where the part
    being computed began; the message says what the budget is and how to raise it. The
    session refuses such a pattern at its trial, and mutes a loop that gets
    there while it plays.
    """

    def __init__(self, message: str, *, limit: str, at: object):
        super().__init__(message)
        self.limit = limit
        self.at = at


class SenderError(PortError):
    """The timed-sender process (`livemidi.clock.Sender`) could not start, or is no longer running."""


class LoopNotFoundError(LivemidiError, KeyError):
    """No loop of the session has the name asked for (``mute("nosuch")``).

    ``name`` is what was asked for, ``loops`` the names there are; both are in
    the message. A KeyError (a loop is looked up by name), but it prints as the
    sentence it is, not quoted as a KeyError's key would be.
    """

    def __init__(self, message: str, *, name: object = None, loops: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.name = name
        self.loops = list(loops)

    def __str__(self) -> str:
        return str(self.args[0])


class ClockSyncError(LivemidiError, RuntimeError):
    """A sync source (Ableton Link, MIDI clock in) refused a request: the transport or tempo is its to set."""


class MissingDependencyError(LivemidiError, ImportError):
    """An optional package that a feature needs is not installed; the text says how to install it."""


class ConfigError(LivemidiError, OSError):
    """The user's config file (`livemidi.config`) could not be written, or would have been overwritten unread.

    ``path`` is the file; the message says what is wrong with it and what to do.
    """

    def __init__(self, message: str, *, path: object = None):
        super().__init__(message)
        self.path = path


class RecordingError(LivemidiError, OSError):
    """A recording's .mid file cannot be written where the user asked (``record("/proc/take.mid")``).

    ``path`` is the file as the user gave it; the message names it and says
    what is wrong (the folder does not exist, is not writable, the disk is
    full...). ``errno`` is the cause's, when there is one.
    """

    def __init__(self, message: str, *, path: object = None, errno: int | None = None):
        super().__init__(message)
        self.path = path
        self.errno = errno


class EvalServerError(LivemidiError, OSError):
    """The eval server cannot listen where asked, or a client cannot reach one (`livemidi.evalserver`)."""


class EvalPortInUseError(EvalServerError):
    """The eval server's port is taken; the message says by whom (when the server file knows) and what to do."""


class NoSessionError(EvalServerError, ConnectionError):
    """No running session to send code to: no server file, a stale one (its process is gone), or no answer.

    The message names the server file and says how to start a session.
    """
