"""Reading a track's controllers for `load`: NRPN, RPN, 14-bit CCs and key pressure back as controls.

A recording of ``note("c").nrpn(0x0120, 8192)`` holds six control changes at
one tick (CC 99, 98, 6, 38, 101, 100). Read one by one they would be six
controls that `load` sorts and chases each on its own, and played back they
would no longer be one NRPN. So the control changes of a track are read in
runs (the control changes that follow each other with nothing between) and
`livemidi.messages.controllers.fold` turns each whole sequence back into one
control: ``{'nrpn288': 8192}``, ``{'rpn0': 256}``, ``{'cc14_1': 4096}``. A
control change that is not part of a whole sequence stays ``{'cc<n>': v}``.
Rendering what `load` read sends the same bytes in the same order.

Key pressure (polytouch) on a key whose note-on came at the same tick
belongs to that note (``{'note': 60, ..., 'polytouch': 90}``: render sends it
after the note-on, as the recording had it); pressure later on a held key is
a control of its own, ``{'polytouch60': 90}``.

Misuse: `ControlReader` reads one track from its start; give it every
message, in order, through `control_change`, `polytouch` and `other`, and
call `flush` at the end, or the last run of control changes is lost.
"""

from __future__ import annotations

from typing import Any

from ..messages.controllers import fold

__all__ = ["ControlReader"]

_NOTE_TOUCH = 5  # where a note's own pressure goes in `load`'s note lists: [on, off, channel, key, velocity, touch]


class ControlReader:
    """Turns one track's control changes and key pressure into `load`'s changes ``(tick, channel, key, value)``."""

    def __init__(self, changes: list[tuple]) -> None:
        self.changes = changes
        self._run: list[tuple[int, int, int, int]] = []

    def control_change(self, tick: int, msg: Any) -> None:
        self._run.append((tick, msg.channel, msg.control, msg.value))

    def other(self) -> None:
        """Another message came: a sequence cannot go on past it."""
        if self._run:
            self.flush()

    def flush(self) -> None:
        for tick, channel, kind, number, value in fold(self._run):
            key = f"cc14_{number}" if kind == "cc14" else f"{kind}{number}"
            self.changes.append((tick, channel, key, value))
        self._run = []

    def polytouch(self, tick: int, msg: Any, notes: list[list], sounding: dict) -> None:
        """Pressure on a note that began at this tick goes with the note; any other is a control."""
        self.other()
        waiting = sounding.get((msg.channel, msg.note))
        if waiting:
            note = notes[waiting[-1]]
            if note[0] == tick and len(note) == _NOTE_TOUCH:
                note.append(msg.value)
                return
        self.changes.append((tick, msg.channel, f"polytouch{msg.note}", msg.value))
