"""What a MIDI file read does with what is wrong in a file: the three modes of `MidiFile(strict=...)`.

Two kinds of trouble, and three modes:

- *odd*: a file that mido 1.3.3 reads (or that the specification allows and
  mido refuses, such as an unknown chunk), but that a careful writer would not
  write: a missing end_of_track, bytes after the last track, header type 3.
  The default (``strict=None``) and ``strict=False`` read it as mido does and
  warn; ``strict=True`` raises.
- *damaged*: a file that mido cannot read either: a wrong track length, a
  cut-off track, a data byte over 127. The default and ``strict=True``
  raise; ``strict=False`` repairs it and warns.

So the default loads exactly the files mido loads, with mido's messages.
Every repair is one warning, collected while reading and issued by `emit`
only when the whole file has loaded: a file that fails gives one error and
no warnings before it. A reader that forgets to call `odd` or `damaged` for
something it repairs repairs it silently, which is what this module exists
to prevent.
"""

from __future__ import annotations

import warnings

from ..errors import MidiFileWarning, MidiParseError

__all__ = ["Problems"]


class Problems:
    """The mode of one read (`strict` as given to MidiFile) and the warnings it has collected."""

    def __init__(self, strict: bool | None) -> None:
        if strict is not None and not isinstance(strict, bool):
            raise TypeError(f"strict must be None (the default), True or False, got {strict!r}")
        self.strict = strict is True
        self.repair = strict is False
        self.notes: list[str] = []

    def warn(self, reason: str, track: int | None, offset: int) -> None:
        self.notes.append(str(MidiParseError(reason, track=track, offset=offset)))

    def odd(self, cls: type, reason: str, track: int | None, offset: int) -> None:
        """Something mido reads: warn and return, so the caller reads it as mido does; raise if strict."""
        if self.strict:
            raise cls(f"{reason} (strict=True refuses odd files; without it the file loads with a warning)",
                      track=track, offset=offset)
        self.warn(reason, track, offset)

    def damaged(self, cls: type, reason: str, track: int | None, offset: int, repair: str) -> None:
        """Damage mido cannot read: raise; with strict=False, warn and return so the caller repairs it."""
        if not self.repair:
            hint = "" if self.strict else "; strict=False loads the file, repaired"
            raise cls(reason + hint, track=track, offset=offset)
        self.warn(f"{reason}; {repair}", track, offset)

    def emit(self, stacklevel: int) -> None:
        """Issue the collected warnings, each a `MidiFileWarning`, as warnings.warn(stacklevel=...) in the caller would."""
        for text in self.notes:
            warnings.warn(MidiFileWarning(text), stacklevel=stacklevel + 1)
