"""Tracks: `MidiTrack` (a list of messages with delta times in ticks) and merging tracks.

`playback_order` is the one merge used by `merge_tracks`, `MidiFile.merged_track`
and iteration of a file: it sorts all messages by absolute tick, stably
(messages at the same tick keep the order of their tracks, then of their
place in the track, as in mido), and drops the end_of_track events, which
only mark where a track ends. Sorting absolute ticks once is much cheaper
than copying every message twice, which is what mido does.
"""

from __future__ import annotations

from itertools import accumulate
from operator import attrgetter, sub

from ..messages import BaseMessage
from .meta import MetaMessage

__all__ = ["MidiTrack", "delta_times", "fix_end_of_track", "merge_tracks", "playback_order", "with_time"]

_get_time = attrgetter("time")
_get_type = attrgetter("type")


class MidiTrack(list):
    """A list of messages whose ``time`` is the delta time in ticks from the previous message."""

    @property
    def name(self) -> str:
        """The name of the first track_name message, or '' (setting it adds one at the start if there is none)."""
        for message in self:
            if message.type == "track_name":
                return message.name
        return ""

    @name.setter
    def name(self, name: str) -> None:
        for message in self:
            if message.type == "track_name":
                message.name = name
                return
        self.insert(0, MetaMessage("track_name", name=name, time=0))

    def copy(self) -> MidiTrack:
        """A shallow copy (the same message objects in a new track)."""
        return self.__class__(self)

    def __getitem__(self, index_or_slice):
        item = list.__getitem__(self, index_or_slice)
        if index_or_slice.__class__ is slice:
            return self.__class__(item)
        return item

    def __add__(self, other) -> MidiTrack:
        return self.__class__(list.__add__(self, other))

    def __mul__(self, other) -> MidiTrack:
        return self.__class__(list.__mul__(self, other))

    __rmul__ = __mul__

    def __repr__(self) -> str:
        if not self:
            return f"{self.__class__.__name__}()"
        if len(self) == 1:
            return f"{self.__class__.__name__}([{self[0]!r}])"
        return f"{self.__class__.__name__}([\n  " + ",\n  ".join(map(repr, self)) + "])"


def with_time(msg, time):
    """A copy of `msg` (of the same class, frozen or not) with another ``time``; nothing is checked."""
    return msg._retimed(time)


def playback_order(tracks) -> tuple[list, list, object]:
    """All messages of `tracks` but end_of_track, in playback order.

    Returns ``(messages, ticks, end)``: the messages (the objects of the
    tracks, not copies), the absolute tick of each, and the tick where
    the last track ends.
    """
    messages: list = []
    ticks: list = []
    end = 0
    sorted_already = True
    for track in tracks:
        if not track:
            continue
        track_ticks = list(accumulate(map(_get_time, track)))
        if track_ticks[-1] > end:
            end = track_ticks[-1]
        types = list(map(_get_type, track))
        count = types.count("end_of_track")
        if count:
            # Usually one, at the end: find them at C speed, delete from copies.
            track = list(track)
            found = []
            index = -1
            for _ in range(count):
                index = types.index("end_of_track", index + 1)
                found.append(index)
            for index in reversed(found):
                del track[index]
                del track_ticks[index]
        if not track_ticks:
            continue
        if messages:
            sorted_already = False
        messages.extend(track)
        ticks.extend(track_ticks)
    if not sorted_already:
        # Each track is a sorted run: Python's sort merges runs in linear-ish
        # time, and is stable, so equal ticks keep track order.
        order = sorted(range(len(ticks)), key=ticks.__getitem__)
        messages = list(map(messages.__getitem__, order))
        ticks = list(map(ticks.__getitem__, order))
    return messages, ticks, end


def merge_tracks(tracks, skip_checks: bool = False) -> MidiTrack:
    """One MidiTrack with the messages of all `tracks` in playback order, with delta times.

    The messages are copies; the end_of_track events are replaced by one
    at the end. ``skip_checks=True`` skips checking that every item is a message.
    """
    tracks = list(tracks)
    if not skip_checks:
        for number, track in enumerate(tracks):
            for msg in track:
                if not isinstance(msg, BaseMessage):
                    raise TypeError(f"track {number} holds {msg!r}; expected only messages")
    messages, ticks, end = playback_order(tracks)
    merged = MidiTrack(map(with_time, messages, delta_times(ticks)))
    merged.append(MetaMessage("end_of_track", time=end - (ticks[-1] if ticks else 0)))
    return merged


def delta_times(ticks: list):
    """Delta times between consecutive absolute ticks (the first from 0)."""
    previous = [0]
    previous += ticks
    return map(sub, ticks, previous)


def fix_end_of_track(messages, skip_checks: bool = False):
    """Yield `messages` without end_of_track events, then one end_of_track, keeping every message's place in time."""
    pending = 0
    for msg in messages:
        if msg.type == "end_of_track":
            pending += msg.time
        elif pending:
            yield with_time(msg, pending + msg.time)
            pending = 0
        else:
            yield msg
    yield MetaMessage("end_of_track", time=pending)
