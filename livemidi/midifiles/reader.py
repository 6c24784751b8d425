"""Reading Standard MIDI Files: the bytes of a file -> (type, ticks_per_beat, tracks).

The whole file is read into one bytes object and each track body is parsed
by one tight loop over byte indices that dispatches on the status byte and
fills each message's slots directly (the data bytes are checked here, so
the message constructor's checks would only repeat them). Delta
times are ints; a table shares the int objects of common delta times
between messages.

Two modes. Strict (the default) raises a `MidiParseError` that names what
is wrong, the track number and the byte offset in the file; it is also an
EOFError when the data ends too early and an OSError for bad structure or
a data byte over 127, as mido raises. Lenient (``strict=False``) loads what
real-world files get wrong, with a `MidiFileWarning` for each repair:
wrong track lengths, a missing end_of_track, junk chunks, trailing data,
data bytes over 127 (clipped to 127), meta events whose data does not fit
their type (kept as UnknownMetaMessage, so saving writes the same bytes).
RIFF/RMID files are a valid container and load in both modes.
"""

from __future__ import annotations

import gc
import warnings

from ..errors import MidiFileWarning, MidiFormatError, MidiParseError, MidiTruncatedError
from ..messages.build import LAYOUT_BY_TYPE
from ..messages.checks import SysexData
from ..messages.decode import DECODERS
from ..messages.message import MESSAGE_BY_STATUS
from ..messages.specs import MESSAGE_LENGTH, SPEC_BY_STATUS
from .meta import MetaMessage, UnknownMetaMessage
from .meta_specs import SPEC_BY_BYTE
from .tracks import MidiTrack

__all__ = ["read_midi_bytes"]

_new = object.__new__
_TYPE = [SPEC_BY_STATUS[status].type if 0x80 <= status < 0xF0 else None for status in range(256)]
_shared_ints: list = []
_NOTE = LAYOUT_BY_TYPE["note_on"]  # note_off and note_on share their slots
_POLYTOUCH = LAYOUT_BY_TYPE["polytouch"]
_CONTROL = LAYOUT_BY_TYPE["control_change"]
_PROGRAM = LAYOUT_BY_TYPE["program_change"]
_AFTERTOUCH = LAYOUT_BY_TYPE["aftertouch"]
_PITCHWHEEL = LAYOUT_BY_TYPE["pitchwheel"]
_SYSEX_LAYOUT = LAYOUT_BY_TYPE["sysex"]
_SYSEX = MESSAGE_BY_STATUS[0xF0]


def _delta_ints() -> list:
    # Each message of a loaded file holds its delta time; sharing one int
    # object per value saves 28 bytes for every delta over 256 (ints up to
    # 256 are shared by Python already). Built on first use, not at import.
    if not _shared_ints:
        _shared_ints.extend(range(1 << 14))
    return _shared_ints


class _Cut(Exception):
    """An event does not fit before the end of the data it is read from (internal)."""

    def __init__(self, start: int, track: MidiTrack) -> None:
        self.start = start
        self.track = track


class _Reader:
    def __init__(self, data: bytes, strict: bool, clip: bool, charset: str) -> None:
        self.data = data
        self.strict = strict
        self.clip = clip
        self.charset = charset

    def problem(self, cls: type, reason: str, track: int | None, offset: int) -> None:
        """Raise in strict mode; in lenient mode warn and return so the caller can repair."""
        if self.strict:
            raise cls(reason, track=track, offset=offset)
        self.warn(reason, track, offset)

    def warn(self, reason: str, track: int | None, offset: int) -> None:
        text = str(MidiParseError(reason, track=track, offset=offset))
        warnings.warn(MidiFileWarning(text), stacklevel=5)

    def varlen(self, pos: int, track: int, what: str) -> tuple[int, int]:
        data = self.data
        value = 0
        for count in range(4):
            byte = data[pos]
            pos += 1
            value = value << 7 | (byte & 0x7F)
            if byte < 0x80:
                return value, pos
        raise MidiFormatError(f"{what} is longer than 4 bytes (not a variable-length number)", track=track, offset=pos - 4)

    def bad_bytes(self, values, what: str, track: int, offset: int) -> list:
        """Data bytes over 127: clip them to 127 (clip=True, or lenient with a warning) or raise."""
        bad = next(byte for byte in values if byte > 127)
        if not self.clip:
            self.problem(MidiFormatError, f"data byte 0x{bad:02X} in {what} is over 127 "
                         "(pass clip=True to clip such bytes to 127)", track, offset)
        return [byte if byte < 127 else 127 for byte in values]

    def parse_events(self, pos: int, limit: int, number: int, stop_at_mtrk: bool = False):
        """Parse events from `pos` up to `limit`; return (track, position after, end_of_track seen)."""
        data = self.data
        track = MidiTrack()
        append = track.append
        new = _new
        classes = MESSAGE_BY_STATUS
        note, polytouch, control = _NOTE, _POLYTOUCH, _CONTROL
        program, aftertouch, pitchwheel = _PROGRAM, _AFTERTOUCH, _PITCHWHEEL
        type_of = _TYPE
        ints = _delta_ints()
        running = 0
        saved = 0
        start = pos
        try:
            while pos < limit:
                if stop_at_mtrk and data.startswith(b"MTrk", pos):
                    break
                start = pos
                byte = data[pos]
                pos += 1
                if byte < 0x80:
                    delta = byte
                else:
                    second = data[pos]
                    if second < 0x80:  # two bytes: deltas up to 16383, most of the rest
                        delta = ints[(byte & 0x7F) << 7 | second]
                        pos += 1
                    else:
                        delta, pos = self.varlen(pos - 1, number, "delta time")
                if pos >= limit:
                    raise _Cut(start, track)
                status = data[pos]
                if status >= 0x80:
                    pos += 1
                    if status < 0xF0:
                        running = status
                elif running:
                    status = running
                elif saved and not self.strict:
                    self.warn(f"running status after a sysex event; continuing with status 0x{saved:02X}", number, start)
                    status = running = saved
                else:
                    raise MidiFormatError(f"data byte 0x{status:02X} where an event's status byte was expected "
                                          "(no running status to continue)", track=number, offset=pos)
                if status < 0xF0:
                    first = data[pos]
                    if status < 0xC0 or status >= 0xE0:
                        second = data[pos + 1]
                        pos += 2
                        if first | second > 127:
                            if pos > limit:
                                raise _Cut(start, track)
                            first, second = self.bad_bytes((first, second), type_of[status], number, start)
                        # Each branch fills one slot layout (each store site
                        # sees one class, so CPython specializes it), then the
                        # message gets its class (see livemidi/messages/build.py).
                        if status < 0xA0:
                            msg = new(note)
                            msg.channel = status & 15
                            msg.note = first
                            msg.velocity = second
                            msg.time = delta
                        elif status >= 0xE0:
                            msg = new(pitchwheel)
                            msg.channel = status & 15
                            msg.pitch = (first | second << 7) - 8192
                            msg.time = delta
                        elif status >= 0xB0:
                            msg = new(control)
                            msg.channel = status & 15
                            msg.control = first
                            msg.value = second
                            msg.time = delta
                        else:
                            msg = new(polytouch)
                            msg.channel = status & 15
                            msg.note = first
                            msg.value = second
                            msg.time = delta
                    else:
                        pos += 1
                        if first > 127:
                            if pos > limit:
                                raise _Cut(start, track)
                            (first,) = self.bad_bytes((first,), type_of[status], number, start)
                        if status < 0xD0:
                            msg = new(program)
                            msg.channel = status & 15
                            msg.program = first
                            msg.time = delta
                        else:
                            msg = new(aftertouch)
                            msg.channel = status & 15
                            msg.value = first
                            msg.time = delta
                    msg.__class__ = classes[status]
                    track.append(msg)  # (a method call CPython specializes for lists)
                elif status == 0xFF:
                    type_byte = data[pos]
                    length, pos = self.varlen(pos + 1, number, "meta event length")
                    end = pos + length
                    if end > limit:
                        raise _Cut(start, track)
                    append(self.meta(type_byte, data[pos:end], delta, number, start))
                    pos = end
                    if type_byte == 0x2F:
                        return track, pos, True
                elif status == 0xF0 or status == 0xF7:
                    # Sysex and escape events cancel running status.
                    if running:
                        saved, running = running, 0
                    length, pos = self.varlen(pos, number, "sysex event length")
                    end = pos + length
                    if end > limit:
                        raise _Cut(start, track)
                    append(self.sysex(data[pos:end], delta, number, start))
                    pos = end
                else:
                    append(self.system(status, pos, delta, number, start))
                    pos += MESSAGE_LENGTH[status] - 1
                    if pos > limit:
                        raise _Cut(start, track)
                    running = 0
            # A channel event is not checked against the limit, to save a test
            # per event: one that runs past it ends the loop, and is cut here.
            if pos > limit:
                del track[-1]
                raise _Cut(start, track)
        except IndexError:
            raise _Cut(start, track) from None
        return track, pos, False

    def meta(self, type_byte: int, payload: bytes, delta, number: int, start: int):
        spec = SPEC_BY_BYTE.get(type_byte)
        if spec is None:
            msg = _new(UnknownMetaMessage)
            msg.__dict__.update({"type": "unknown_meta", "type_byte": type_byte, "data": tuple(payload), "time": delta})
            return msg
        try:
            values = spec.values(payload, self.charset)
        except MidiParseError as error:
            if self.strict:
                raise type(error)(error.reason + " (read with strict=False to keep it as an UnknownMetaMessage)",
                                  track=number, offset=start) from None
            self.warn(f"{error.reason}; kept as UnknownMetaMessage(type_byte=0x{type_byte:02X})", number, start)
            return UnknownMetaMessage(type_byte, payload, delta)
        msg = _new(MetaMessage)
        attrs = msg.__dict__
        attrs["type"] = spec.type
        attrs.update(values)
        attrs["time"] = delta
        return msg

    def sysex(self, payload: bytes, delta, number: int, start: int):
        # As in mido, the F0 of a sysex event is implied and its closing F7 is
        # part of the data; escape (F7) events become sysex messages too.
        if payload[:1] == b"\xf0":
            payload = payload[1:]
        if payload[-1:] == b"\xf7":
            payload = payload[:-1]
        if payload and max(payload) > 127:
            payload = self.bad_bytes(payload, "sysex", number, start)
        msg = _new(_SYSEX_LAYOUT)
        msg.data = SysexData(payload)
        msg.time = delta
        msg.__class__ = _SYSEX
        return msg

    def system(self, status: int, pos: int, delta, number: int, start: int):
        length = MESSAGE_LENGTH[status]
        if length is None:
            raise MidiFormatError(f"undefined status byte 0x{status:02X}", track=number, offset=pos - 1)
        body = list(self.data[pos:pos + length - 1])
        if len(body) != length - 1:
            raise IndexError
        if body and max(body) > 127:
            body = self.bad_bytes(body, SPEC_BY_STATUS[status].type, number, start)
        msg = DECODERS[status]([status, *body], delta)
        msg.__class__ = MESSAGE_BY_STATUS[status]
        return msg

    def unwrap(self) -> tuple[int, int]:
        """The offsets of the SMF inside the data: all of it, or the 'data' chunk of a RIFF RMID file."""
        data = self.data
        if not data.startswith(b"RIFF"):
            return 0, len(data)
        if data[8:12] != b"RMID":
            raise MidiFormatError(f"RIFF file of form {data[8:12]!r}, expected b'RMID' (a RIFF-wrapped MIDI file)", offset=8)
        pos = 12
        while pos + 8 <= len(data):
            size = int.from_bytes(data[pos + 4:pos + 8], "little")
            if data[pos:pos + 4] == b"data":
                end = pos + 8 + size
                if end > len(data):
                    self.problem(MidiTruncatedError, f"RMID 'data' chunk says {size} bytes, "
                                 f"but only {len(data) - pos - 8} remain", None, pos)
                    end = len(data)
                return pos + 8, end
            pos += 8 + size + (size & 1)  # RIFF chunks are padded to an even size
        raise MidiFormatError("RMID file has no 'data' chunk with the MIDI file in it", offset=12)

    def read(self) -> tuple[int, int, list]:
        data = self.data
        start, stop = self.unwrap()
        if not data.startswith(b"MThd", start):
            found = data.find(b"MThd", start, stop)
            if self.strict or found < 0:
                raise MidiFormatError(f"expected b'MThd' at the start of a MIDI file, found {data[start:start + 4]!r} "
                                      "(this is not a Standard MIDI File)", offset=start)
            self.warn(f"skipped {found - start} bytes before the MThd header", None, start)
            start = found
        if stop - start < 14:
            raise MidiTruncatedError(f"the MThd header needs 14 bytes, the file has {stop - start}", offset=start)
        header_length = int.from_bytes(data[start + 4:start + 8], "big")
        if header_length < 6:
            raise MidiFormatError(f"MThd header length must be at least 6, got {header_length}", offset=start + 4)
        file_type = int.from_bytes(data[start + 8:start + 10], "big")
        count = int.from_bytes(data[start + 10:start + 12], "big")
        ticks_per_beat = int.from_bytes(data[start + 12:start + 14], "big", signed=True)
        if file_type > 2:
            self.problem(MidiFormatError, f"file type must be 0, 1 or 2, got {file_type} (read as type 1)", None, start + 8)
            file_type = 1
        if ticks_per_beat == 0:
            self.problem(MidiFormatError, "ticks per beat is 0 (read as 480)", None, start + 12)
            ticks_per_beat = 480
        pos = start + 8 + header_length
        tracks: list = []
        while True:
            number = len(tracks)
            if pos >= stop:
                if number < count:
                    self.problem(MidiTruncatedError, f"the file ends after {number} of the {count} tracks "
                                 "its header announces", number, pos)
                break
            if number >= count and data_at(data, pos) != b"MTrk":
                self.problem(MidiFormatError, f"{stop - pos} bytes of unexpected data after the last track "
                             f"(the header announces {count} track{'' if count == 1 else 's'})", None, pos)
                break  # lenient: ignored
            if stop - pos < 8:
                self.problem(MidiTruncatedError, f"the file ends {stop - pos} bytes into the header of "
                             f"track {number}", number, pos)
                break
            chunk = data[pos:pos + 4]
            length = int.from_bytes(data[pos + 4:pos + 8], "big")
            if chunk != b"MTrk":
                pos = self.skip_chunk(pos, stop, chunk, length, number)
                if pos < 0:
                    break
                continue
            if number >= count:
                self.problem(MidiFormatError, f"the header announces {count} tracks, but more MTrk chunks follow "
                             "(read as more tracks)", number, pos)
            track, pos = self.read_track(pos, stop, length, number)
            tracks.append(track)
        return file_type, ticks_per_beat, tracks

    def skip_chunk(self, pos: int, stop: int, chunk: bytes, length: int, number: int) -> int:
        """Lenient: the position of the next MTrk chunk after a chunk that is not one (-1: none)."""
        reason = f"expected an MTrk chunk for track {number}, found {chunk!r}"
        if self.strict:
            raise MidiFormatError(reason, track=number, offset=pos)
        after = pos + 8 + length
        if after <= stop and (after == stop or data_at(self.data, after) == b"MTrk"):
            found = after if after < stop else -1  # a well-formed alien chunk
        else:
            found = self.data.find(b"MTrk", pos + 1, stop)
        skipped = (found if found >= 0 else stop) - pos
        self.warn(f"{reason}; skipped {skipped} bytes", number, pos)
        return found

    def read_track(self, pos: int, stop: int, length: int, number: int) -> tuple[MidiTrack, int]:
        body = pos + 8
        declared_end = body + length
        if declared_end > stop:
            self.problem(MidiTruncatedError, f"track {number} says it has {length} bytes, but the file ends "
                         f"{stop - body} bytes after its start", number, pos + 4)
            declared_end = stop
        try:
            track, end, found_end = self.parse_events(body, declared_end, number)
        except _Cut as cut:
            if self.strict:
                cls = MidiTruncatedError if declared_end == stop else MidiFormatError
                raise cls(f"the event at byte {cut.start} runs past the end of the track, "
                          f"which its header says is {length} bytes long", track=number, offset=cut.start) from None
            return self.parse_extended(body, stop, number, length)
        if not found_end:
            if declared_end == stop or data_at(self.data, declared_end) == b"MTrk":
                self.problem(MidiFormatError, f"track {number} has no end_of_track event", number, declared_end)
                return track, declared_end
            if self.strict:
                raise MidiFormatError(f"track {number} has no end_of_track event within the {length} bytes "
                                      "its header says", track=number, offset=declared_end)
            return self.parse_extended(body, stop, number, length)
        if end != declared_end:
            self.problem(MidiFormatError, f"track {number} has {declared_end - end} bytes after its end_of_track event "
                         f"(its header says {length} bytes)", number, end)
            if data_at(self.data, end) == b"MTrk":
                return track, end
        return track, declared_end

    def parse_extended(self, body: int, stop: int, number: int, length: int) -> tuple[MidiTrack, int]:
        """Lenient: parse a track ignoring its length header, up to end_of_track or the next MTrk."""
        try:
            track, end, found_end = self.parse_events(body, stop, number, stop_at_mtrk=True)
        except _Cut as cut:
            self.warn(f"the file ends in the middle of an event of track {number}; the event is dropped",
                      number, cut.start)
            return cut.track, stop
        self.warn(f"track {number} is {end - body} bytes long, but its header says {length} bytes", number, body - 4)
        if not found_end:
            self.warn(f"track {number} has no end_of_track event", number, end)
        return track, end


def data_at(data: bytes, pos: int) -> bytes:
    return data[pos:pos + 4]


def read_midi_bytes(data, *, strict: bool = True, clip: bool = False, charset: str = "latin1") -> tuple[int, int, list]:
    """Parse the bytes of a MIDI file (or a RIFF RMID file) into ``(type, ticks_per_beat, tracks)``."""
    if not isinstance(data, bytes):
        data = bytes(data)
    # Loading creates one object per event and no reference cycles; left on,
    # the cycle collector would scan the growing heap again and again while
    # it loads (a third of the load time). It is switched off for the load
    # only, and back on even if the load fails.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Reader(data, strict, clip, charset).read()
    finally:
        if collecting:
            gc.enable()
