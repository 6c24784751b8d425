"""Writing Standard MIDI Files: (type, ticks_per_beat, tracks) -> bytes.

The output is byte for byte what mido 1.3.3 writes: a 6-byte MThd header,
then one MTrk chunk per track; channel messages use running status (a
status byte is left out when it repeats), which meta and sysex events
cancel; each track ends with exactly one end_of_track (others are dropped,
their delta time carried on to the next event, and one is added if the
track has none). Note and control messages, which are most of any file,
are encoded inline from the message's slots instead of through
``msg.bytes()``.
"""

from __future__ import annotations

from numbers import Integral

from ..messages import BaseMessage, Message
from ..messages.message import message_classes
from .meta_specs import encode_variable_int

__all__ = ["encode_midi_file", "encode_track"]

# The classes of Message -> the status byte of their type for the inline
# path (note_off, note_on, control_change), or 0. (Other message classes,
# frozen or a user's subclass, take the general path.)
_FAST = {cls: {"note_off": 0x80, "note_on": 0x90, "control_change": 0xB0}.get(type_, 0)
         for type_, cls in message_classes(Message).items()}


def _index(track, msg) -> int:
    return next(index for index, item in enumerate(track) if item is msg)


def _bad_time(time, track, msg, number: int) -> int:
    where = f"message {_index(track, msg)} of track {number}"
    if isinstance(time, Integral) and not isinstance(time, bool) and time >= 0:
        return int(time)
    if not isinstance(time, Integral) or isinstance(time, bool):
        raise ValueError(f"{where} has time {time!r}; in a MIDI file, time must be an int (delta ticks)")
    raise ValueError(f"{where} has time {time}; in a MIDI file, time must be a non-negative int (delta ticks)")


def encode_track(track, number: int = 0, charset: str = "latin1") -> bytes:
    """The MTrk chunk (header included) for one track of messages with delta times in ticks."""
    out: list = []
    append = out.append
    extend = out.extend
    running = 0
    pending = 0  # delta time of dropped end_of_track events
    fast = _FAST
    for msg in track:
        kind = fast.get(msg.__class__)
        if kind is not None:
            delta = msg.time
            if delta.__class__ is not int or delta < 0:
                delta = _bad_time(delta, track, msg, number)
            if pending:
                delta += pending
                pending = 0
            # The fast path: notes and controllers, which are most of any file.
            if kind:
                if kind == 0xB0:
                    status = 0xB0 | msg.channel
                    first = msg.control
                    second = msg.value
                else:
                    status = kind | msg.channel
                    first = msg.note
                    second = msg.velocity
                if delta < 0x80:
                    if status == running:
                        extend((delta, first, second))
                    else:
                        extend((delta, status, first, second))
                        running = status
                elif delta < 0x4000:
                    if status == running:
                        extend((delta >> 7 | 0x80, delta & 0x7F, first, second))
                    else:
                        extend((delta >> 7 | 0x80, delta & 0x7F, status, first, second))
                        running = status
                else:
                    extend(encode_variable_int(delta))
                    if status != running:
                        append(status)
                        running = status
                    extend((first, second))
                continue
            if msg.type == "sysex":
                status = 0xF0
            else:
                encoded = msg.bytes()
                status = encoded[0]
        elif isinstance(msg, BaseMessage):
            delta = msg.time
            if delta.__class__ is not int or delta < 0:
                delta = _bad_time(delta, track, msg, number)
            if msg.is_meta:
                if msg.type == "end_of_track":
                    pending += delta
                    continue
                status = 0xFF
            elif msg.type == "sysex":
                status = 0xF0
            else:
                encoded = msg.bytes()
                status = encoded[0]
            if pending:
                delta += pending
                pending = 0
        else:
            raise TypeError(f"track {number} holds {msg!r} at index {_index(track, msg)}; expected a message")
        if status >= 0xF8 and status != 0xFF:
            raise ValueError(f"message {_index(track, msg)} of track {number} is {msg.type}; "
                             "real-time messages are not allowed in MIDI files")
        if delta < 0x80:
            append(delta)
        else:
            extend(encode_variable_int(delta))
        if status < 0xF0:
            if status != running:
                append(status)
                running = status
            extend(encoded[1:])
        elif status == 0xFF:
            data = msg._payload(charset)
            extend((0xFF, msg._type_byte()))
            extend(encode_variable_int(len(data)))
            extend(data)
            running = 0
        elif status == 0xF0:
            data = msg.data
            append(0xF0)
            extend(encode_variable_int(len(data) + 1))
            extend(data)
            append(0xF7)
            running = 0
        else:
            extend(encoded)
            running = 0
    extend(encode_variable_int(pending))
    extend((0xFF, 0x2F, 0x00))
    body = bytes(out)
    return b"MTrk" + len(body).to_bytes(4, "big") + body


def encode_midi_file(file_type: int, ticks_per_beat: int, tracks, charset: str = "latin1") -> bytes:
    """The bytes of a whole MIDI file; ValueError if it cannot be one (bad type, track count, times)."""
    if file_type not in (0, 1, 2):
        raise ValueError(f"MIDI file type must be 0, 1 or 2, got {file_type!r}")
    if file_type == 0 and len(tracks) != 1:
        raise ValueError(f"type 0 file must have exactly 1 track, this one has {len(tracks)}")
    if len(tracks) > 0xFFFF:
        raise ValueError(f"a MIDI file holds at most 65535 tracks, got {len(tracks)}")
    if not isinstance(ticks_per_beat, Integral) or not -0x8000 <= ticks_per_beat <= 0x7FFF or ticks_per_beat == 0:
        raise ValueError(f"ticks_per_beat must be an int in 1..32767 (or a negative SMPTE value), got {ticks_per_beat!r}")
    header = b"MThd\x00\x00\x00\x06" + bytes((0, file_type)) + len(tracks).to_bytes(2, "big") + int(
        ticks_per_beat).to_bytes(2, "big", signed=True)
    return b"".join([header, *(encode_track(track, number, charset) for number, track in enumerate(tracks))])
