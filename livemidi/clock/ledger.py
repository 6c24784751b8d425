"""The ledger of sounding notes, per port, channel and note.

The timed sender updates it with every message it puts on a port, so it
knows exactly which notes a synth is holding, and can end each of them with
its own note-off (not a blanket "all notes off", which some synths ignore).

Misuse: the ledger only knows what it is told; a message sent to a port by
anything other than the sender is invisible to it.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["Ledger", "note_key", "note_off_bytes"]

NOTE_OFF = 0x80
NOTE_ON = 0x90


def note_key(data: bytes) -> tuple[bool, int, int] | None:
    """(is_on, channel, note) for a note-on or note-off message, else None.

    A note-on with velocity 0 is a note-off, as MIDI says.
    """
    if len(data) != 3:
        return None
    kind = data[0] & 0xF0
    if kind == NOTE_ON:
        return (data[2] > 0, data[0] & 0x0F, data[1])
    if kind == NOTE_OFF:
        return (False, data[0] & 0x0F, data[1])
    return None


def note_off_bytes(channel: int, note: int) -> bytes:
    """The bytes of a note-off (velocity 0) for `note` on `channel`."""
    return bytes((NOTE_OFF | channel, note, 0))


class Ledger:
    """Which notes sound: ``{port: {(channel, note): count}}``.

    The count is how many note-ons were sent without a note-off since;
    one note-off ends the note (that is what synths do), so it clears it.
    """

    def __init__(self) -> None:
        self._sounding: dict[int, dict[tuple[int, int], int]] = {}

    def update(self, port: int, data: bytes) -> None:
        """Account for `data` having been sent on `port`."""
        key = note_key(data)
        if key is None:
            return
        is_on, channel, note = key
        notes = self._sounding.setdefault(port, {})
        if is_on:
            notes[(channel, note)] = notes.get((channel, note), 0) + 1
        else:
            notes.pop((channel, note), None)

    def sounding(self, port: int | None = None) -> list[tuple[int, int, int]]:
        """The sounding notes as (port, channel, note), sorted; of one port, or all."""
        ports = [port] if port is not None else sorted(self._sounding)
        return sorted(
            (p, channel, note) for p in ports for (channel, note) in self._sounding.get(p, {})
        )

    def is_sounding(self, port: int, channel: int, note: int) -> bool:
        return (channel, note) in self._sounding.get(port, {})

    def __len__(self) -> int:
        return sum(len(notes) for notes in self._sounding.values())

    def releases(self, port: int | None = None) -> Iterator[tuple[int, bytes]]:
        """(port, note-off bytes) for every sounding note of `port` (or all ports).

        Only yields: the ledger changes when the note-offs are sent and
        `update` is called with them.
        """
        for p, channel, note in self.sounding(port):
            yield p, note_off_bytes(channel, note)

    def forget(self, port: int) -> None:
        """Drop a port's notes (the port went away: nothing can be sent to it)."""
        self._sounding.pop(port, None)
