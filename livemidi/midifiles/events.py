"""The events of one MIDI file track: bytes -> messages, in one tight loop.

`EventParser.parse_events` walks the bytes of a track body by index,
dispatches on the status byte and fills each message's slots directly (the
data bytes are checked here, so the message constructor's checks would only
repeat them). Delta times are ints; a table shares the int objects of common
delta times between messages. Anything unusual leaves the loop for a method
of its own, so that the common events pay for no check they do not need;
those methods report what they find through the read's `Problems` (odd:
read as mido reads it, with a warning; damaged: raise, or repair with
``strict=False``).

An event that does not fit before the limit raises `Cut`, which the file
reader (reader.py) turns into an error or a repair: this module knows one
track at a time, not the file around it.
"""

from __future__ import annotations

from ..errors import MidiFormatError, MidiParseError
from ..messages.build import LAYOUT_BY_TYPE
from ..messages.checks import SysexData
from ..messages.decode import DECODERS
from ..messages.message import MESSAGE_BY_STATUS
from ..messages.specs import MESSAGE_LENGTH, SPEC_BY_STATUS
from .meta import MetaMessage, UnknownMetaMessage
from .meta_specs import SPEC_BY_BYTE
from .problems import Problems
from .tracks import MidiTrack

__all__ = ["Cut", "EventParser"]

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


class Cut(Exception):
    """An event does not fit before the end of the data it is read from."""

    def __init__(self, start: int, track: MidiTrack) -> None:
        self.start = start
        self.track = track


class EventParser:
    """Parses the track bodies of one file's bytes; `running`/`saved` hold the status where it last stopped."""

    def __init__(self, data: bytes, problems: Problems, clip: bool, charset: str) -> None:
        self.data = data
        self.problems = problems
        self.clip = clip
        self.charset = charset
        # The running status in effect at the last end_of_track, and the one a
        # sysex or system event cancelled: mido reads on after end_of_track.
        self.running = 0
        self.saved = 0

    def varlen(self, pos: int, track: int, what: str) -> tuple[int, int]:
        data = self.data
        value = 0
        start = pos
        for _count in range(4):
            byte = data[pos]
            pos += 1
            value = value << 7 | (byte & 0x7F)
            if byte < 0x80:
                return value, pos
        while True:  # mido reads longer numbers; the specification allows 4 bytes
            byte = data[pos]
            pos += 1
            value = value << 7 | (byte & 0x7F)
            if byte < 0x80:
                self.problems.odd(MidiFormatError, f"{what} is {pos - start} bytes long "
                                  "(the specification allows 4)", track, start)
                return value, pos

    def bad_bytes(self, values, what: str, track: int, offset: int) -> list:
        """Data bytes over 127: clip them to 127 (clip=True, or strict=False with a warning) or raise."""
        bad = next(byte for byte in values if byte > 127)
        if not self.clip:
            self.problems.damaged(MidiFormatError, f"data byte 0x{bad:02X} in {what} is over 127 "
                                  "(clip=True clips such bytes to 127)", track, offset, "clipped to 127")
        return [byte if byte < 127 else 127 for byte in values]

    def parse_events(self, pos: int, limit: int, number: int, stop_at_mtrk: bool = False,
                     running: int = 0, saved: int = 0):
        """Parse events from `pos` up to `limit` or an end_of_track: (track, position after, end_of_track seen)."""
        data = self.data
        track = MidiTrack()
        append = track.append
        new = _new
        classes = MESSAGE_BY_STATUS
        note, polytouch, control = _NOTE, _POLYTOUCH, _CONTROL
        program, aftertouch, pitchwheel = _PROGRAM, _AFTERTOUCH, _PITCHWHEEL
        type_of = _TYPE
        ints = _delta_ints()
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
                    raise Cut(start, track)
                status = data[pos]
                if status >= 0x80:
                    pos += 1
                    if status < 0xF0:
                        running = status
                elif running:
                    status = running
                elif saved:
                    status = running = self.resume(saved, status, number, pos)
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
                                raise Cut(start, track)
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
                                raise Cut(start, track)
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
                        raise Cut(start, track)
                    append(self.meta(type_byte, data[pos:end], delta, number, start))
                    pos = end
                    if type_byte == 0x2F:
                        self.running, self.saved = running, saved
                        return track, pos, True
                else:
                    # Sysex, escape and system events cancel running status
                    # (a data byte after one is read by `resume`).
                    if running:
                        saved, running = running, 0
                    elif not saved:
                        saved = -1  # no channel status before it
                    if status == 0xF0 or status == 0xF7:
                        length, pos = self.varlen(pos, number, "sysex event length")
                        end = pos + length
                        if end > limit:
                            raise Cut(start, track)
                        append(self.sysex(data[pos:end], delta, number, start))
                        pos = end
                    else:
                        append(self.system(status, pos, delta, number, start))
                        pos += MESSAGE_LENGTH[status] - 1
                        if pos > limit:
                            raise Cut(start, track)
            # A channel event is not checked against the limit, to save a test
            # per event: one that runs past it ends the loop, and is cut here.
            if pos > limit:
                del track[-1]
                raise Cut(start, track)
        except IndexError:
            raise Cut(start, track) from None
        return track, pos, False

    def resume(self, saved: int, byte: int, number: int, pos: int) -> int:
        """A data byte after a sysex or system event: continue the running status from before it (odd)."""
        # mido reads such a byte as part of another event of the cancelling
        # type (a sysex whose length is the next byte): livemidi continues
        # the channel status the writer evidently meant (docs/midifiles.md).
        if saved < 0:
            raise MidiFormatError(f"data byte 0x{byte:02X} where an event's status byte was expected, after a "
                                  "sysex or system event (which cancels running status) and no channel event "
                                  "before it whose status could continue", track=number, offset=pos)
        self.problems.odd(MidiFormatError, f"running status after a sysex or system event (which cancels it); "
                          f"continuing with status 0x{saved:02X}", number, pos)
        return saved

    def meta(self, type_byte: int, payload: bytes, delta, number: int, start: int):
        spec = SPEC_BY_BYTE.get(type_byte)
        if spec is None:
            msg = _new(UnknownMetaMessage)
            msg.__dict__.update({"type": "unknown_meta", "type_byte": type_byte, "data": tuple(payload), "time": delta})
            return msg
        try:
            values = spec.values(payload, self.charset)
        except MidiParseError as error:
            values = self.bad_meta(spec, payload, number, start, error)
            if values is None:
                return UnknownMetaMessage(type_byte, payload, delta)
        msg = _new(MetaMessage)
        attrs = msg.__dict__
        attrs["type"] = spec.type
        attrs.update(values)
        attrs["time"] = delta
        return msg

    def bad_meta(self, spec, payload: bytes, number: int, start: int, error: MidiParseError) -> dict | None:
        """Meta data that does not fit its type: mido's reading of it, or None to keep it as UnknownMetaMessage."""
        sizes = getattr(spec, "sizes", ())
        needed = max(sizes, default=len(payload))
        if len(payload) > needed:
            # mido decodes the bytes it needs and ignores the rest
            try:
                values = spec.values(payload[:needed], self.charset)
            except MidiParseError as trimmed:
                error = trimmed  # mido fails on these bytes too
            else:
                extra = len(payload) - needed
                self.problems.odd(MidiFormatError, f"{spec.type} meta event has {len(payload)} data "
                                  f"byte{'s' if len(payload) != 1 else ''}, {needed} expected; the last {extra} "
                                  f"ignored, as mido ignores {'it' if extra == 1 else 'them'}", number, start)
                return values
        self.problems.damaged(type(error), error.reason, number, start,
                              f"kept as UnknownMetaMessage(type_byte=0x{spec.type_byte:02X})")
        return None

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
