"""Building a MIDI track from messages at absolute ticks (for rendering and recording)."""

from __future__ import annotations

from typing import Any

from ..midifiles import MetaMessage, MidiTrack

__all__ = ["track_from_ticks"]


def track_from_ticks(events: list[tuple[int, Any]], track: MidiTrack | None = None) -> MidiTrack:
    """Append ``(absolute tick, message)`` pairs in tick order with delta times, then end_of_track.

    The sort is stable: messages at one tick keep their order (a note-off
    before the note-on that follows it).
    """
    track = MidiTrack() if track is None else track
    last = 0
    for tick, message in sorted(events, key=lambda event: event[0]):
        track.append(message.copy(time=tick - last))
        last = tick
    track.append(MetaMessage("end_of_track", time=0))
    return track
