"""Reading Standard MIDI Files: the bytes of a file -> (type, ticks_per_beat, tracks).

This module reads the structure: the RIFF wrapper, the MThd header, the
chunks and where each track begins and ends. The events inside a track are
events.py's; what to do with an odd or damaged file is problems.py's.

The reading follows mido 1.3.3 wherever mido reads a file: the number of
tracks the header announces (more MTrk chunks, and bytes after the last
track, are ignored), each track exactly as long as its header says (events
after an end_of_track are kept, a track may lack one), meta data longer
than its type needs (the rest ignored). So the default loads every file
mido loads, with mido's messages, and warns where the file is odd.
``strict=True`` refuses what the default warns about; ``strict=False``
also repairs files that mido cannot read (wrong track lengths, a cut-off
end, junk between tracks, data bytes over 127, bad meta data), one warning
per repair. Where livemidi deliberately reads differently from mido (it
follows the specification), docs/midifiles.md lists it.

Errors are `MidiParseError`s that name what is wrong, the track and the
byte offset; where mido raises EOFError (the data ends too early) or
OSError (bad structure), the error is that type too.
"""

from __future__ import annotations

import gc

from ..errors import MidiFormatError, MidiTruncatedError
from .events import Cut, EventParser
from .problems import Problems
from .tracks import MidiTrack

__all__ = ["read_midi_bytes"]

MAX_TRACKS = 0x7FFF  # mido reads the track count as a signed 16-bit number


def _printable(chunk: bytes) -> bool:
    return len(chunk) == 4 and all(0x20 <= byte < 0x7F for byte in chunk)


class _Reader:
    def __init__(self, data: bytes, strict: bool | None, clip: bool, charset: str) -> None:
        self.data = data
        self.problems = Problems(strict)
        self.events = EventParser(data, self.problems, clip, charset)

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
                    self.problems.damaged(MidiTruncatedError, f"RMID 'data' chunk says {size} bytes, but only "
                                          f"{len(data) - pos - 8} remain", None, pos, "read what there is")
                    end = len(data)
                return pos + 8, end
            pos += 8 + size + (size & 1)  # RIFF chunks are padded to an even size
        raise MidiFormatError("RMID file has no 'data' chunk with the MIDI file in it", offset=12)

    def header(self, start: int, stop: int) -> tuple[int, int, int, int, int]:
        """(type, track count, ticks per beat, where MThd starts, where the first chunk starts), from the header."""
        data, problems = self.data, self.problems
        if not data.startswith(b"MThd", start):
            if stop - start < 8:  # as mido: EOFError for anything shorter than a chunk header
                which = "" if b"MThd".startswith(data[start:stop]) else ", and they are not one"
                raise MidiTruncatedError(f"a MIDI file starts with a 14-byte MThd header; the file has only "
                                         f"{stop - start} bytes{which}", offset=start)
            found = data.find(b"MThd", start, stop)
            reason = f"expected b'MThd' at the start of a MIDI file, found {data[start:start + 4]!r}"
            if found < 0:
                raise MidiFormatError(f"{reason} (this is not a Standard MIDI File)", offset=start)
            problems.damaged(MidiFormatError, f"{reason}; an MThd header follows {found - start} bytes later",
                             None, start, f"skipped the {found - start} bytes before it")
            start = found
        if stop - start < 14:
            raise MidiTruncatedError(f"the MThd header needs 14 bytes, the file has {stop - start}", offset=start)
        header_length = int.from_bytes(data[start + 4:start + 8], "big")
        if header_length < 6:
            raise MidiTruncatedError(f"the MThd header says it has {header_length} bytes; it needs 6 (type, "
                                     "track count, ticks per beat)", offset=start + 4)
        file_type = int.from_bytes(data[start + 8:start + 10], "big")
        count = int.from_bytes(data[start + 10:start + 12], "big")
        ticks_per_beat = int.from_bytes(data[start + 12:start + 14], "big", signed=True)
        if file_type > 2:
            problems.odd(MidiFormatError, f"file type {file_type} is not 0, 1 or 2; read as type 1 "
                         "(tracks played together, as mido plays it)", None, start + 8)
            file_type = 1
        if ticks_per_beat == 0:
            problems.odd(MidiFormatError, "ticks per beat is 0; read as 480", None, start + 12)
            ticks_per_beat = 480
        return file_type, count, ticks_per_beat, start, start + 8 + header_length

    def read(self) -> tuple[int, int, list]:
        start, stop = self.unwrap()
        file_type, count, ticks_per_beat, start, pos = self.header(start, stop)
        data, problems = self.data, self.problems
        if count > MAX_TRACKS and not problems.repair:
            problems.odd(MidiFormatError, f"the header announces {count} tracks, more than 32767: mido reads that "
                         "as a negative number and reads no tracks, and so does livemidi (strict=False reads "
                         "the MTrk chunks there are)", None, start + 10)
            return file_type, ticks_per_beat, []
        tracks: list = []
        while len(tracks) < count:
            number = len(tracks)
            if stop - pos < 8:
                if pos >= stop:
                    reason = f"the file ends after {number} of the {count} tracks its header announces"
                else:
                    reason = f"the file ends {stop - pos} bytes into the header of track {number}"
                problems.damaged(MidiTruncatedError, reason, number, pos, "read the tracks there are")
                break
            chunk = data[pos:pos + 4]
            length = int.from_bytes(data[pos + 4:pos + 8], "big")
            if chunk != b"MTrk":
                pos = self.skip_chunk(pos, stop, chunk, length, number)
                continue
            track, pos = self.read_track(pos, stop, length, number, number == count - 1)
            tracks.append(track)
        if pos < stop and len(tracks) == count:
            self.trailing(pos, stop, count)
        return file_type, ticks_per_beat, tracks

    def trailing(self, pos: int, stop: int, count: int) -> None:
        """Bytes after the last track the header announces: mido ignores them, and so does livemidi."""
        data = self.data
        chunks = 0
        at = pos
        while at + 8 <= stop and data.startswith(b"MTrk", at):
            chunks += 1
            at += 8 + int.from_bytes(data[at + 4:at + 8], "big")
        among = f" ({chunks} MTrk chunk{'s' if chunks != 1 else ''} among them)" if chunks else ""
        self.problems.odd(MidiFormatError, f"{stop - pos} bytes after the last of the {count} "
                          f"track{'s' if count != 1 else ''} the header announces{among}; ignored, as mido "
                          "ignores them", None, pos)

    def is_chunk(self, pos: int, stop: int) -> bool:
        """Whether a chunk header (four printable characters and a length that fits) starts at `pos`."""
        return pos + 8 <= stop and _printable(self.data[pos:pos + 4]) and (
            pos + 8 + int.from_bytes(self.data[pos + 4:pos + 8], "big") <= stop)

    def chunk_follows(self, pos: int, stop: int) -> bool:
        return self.data.startswith(b"MTrk", pos) or self.is_chunk(pos, stop)

    def skip_chunk(self, pos: int, stop: int, chunk: bytes, length: int, number: int) -> int:
        """Where to go on after a chunk that is not an MTrk: past an unknown chunk, or (repairing) to the next MTrk."""
        after = pos + 8 + length
        if self.is_chunk(pos, stop) and (after == stop or self.is_chunk(after, stop)):
            # The specification says to skip chunks of unknown types; mido refuses the file.
            self.problems.odd(MidiFormatError, f"skipped a chunk of unknown type {chunk!r} ({length} bytes) before "
                              f"track {number}", number, pos)
            return after
        found = self.data.find(b"MTrk", pos + 1, stop)
        end = found if found >= 0 else stop
        self.problems.damaged(MidiFormatError, f"expected an MTrk chunk for track {number}, found {chunk!r}",
                              number, pos, f"skipped {end - pos} bytes")
        return end

    def read_track(self, pos: int, stop: int, length: int, number: int, last: bool) -> tuple[MidiTrack, int]:
        problems = self.problems
        body = pos + 8
        declared_end = body + length
        if declared_end > stop:
            problems.damaged(MidiTruncatedError, f"track {number} says it has {length} bytes, but the file ends "
                             f"{stop - body} bytes after its start", number, pos + 4, "read what there is")
            declared_end = stop
        mark = len(problems.notes)
        try:
            track, end, found_end = self.events.parse_events(body, declared_end, number)
        except Cut as cut:
            # The track ends in the middle of an event: mido reads on past the
            # track's end, and almost always runs into the end of the file.
            del problems.notes[mark:]  # repairing reads the track again, and warns again
            problems.damaged(MidiTruncatedError, f"the event at byte {cut.start} runs past the end of track "
                             f"{number}, which its header says is {length} bytes long", number, cut.start,
                             "read the track up to its end_of_track or the next MTrk chunk")
            return self.parse_extended(body, stop, number, length)
        if found_end and end < declared_end:
            return self.after_end(track, end, declared_end, number, length)
        if not found_end:
            if problems.repair and not last and declared_end < stop and not self.chunk_follows(declared_end, stop):
                # Another track should start here and none does, which mido
                # cannot read: the header's length is too short.
                return self.parse_extended(body, stop, number, length)
            problems.odd(MidiFormatError, f"track {number} has no end_of_track event", number, declared_end)
        return track, declared_end

    def after_end(self, track: MidiTrack, end: int, declared_end: int, number: int, length: int) -> tuple[MidiTrack, int]:
        """Bytes after an end_of_track, within the track's length: mido reads them as events, and so does livemidi."""
        events = self.events
        extra: list = []
        pos = end
        mark = len(self.problems.notes)
        try:
            while pos < declared_end:
                more, pos, _ = events.parse_events(pos, declared_end, number, running=events.running, saved=events.saved)
                extra += more
        except Cut:
            del self.problems.notes[mark:]  # about events that are not kept
            self.problems.damaged(MidiTruncatedError, f"track {number} has {declared_end - end} bytes after its "
                                  f"end_of_track event that end in the middle of an event (its header says "
                                  f"{length} bytes)",
                                  number, end, "ignored")
            if self.data.startswith(b"MTrk", end):  # the header's length is too long: the next track starts here
                return track, end
            return track, declared_end
        self.problems.odd(MidiFormatError, f"track {number} has {len(extra)} event{'s' if len(extra) != 1 else ''} "
                          "after its end_of_track event; kept, as mido keeps them", number, end)
        track.extend(extra)
        return track, declared_end

    def parse_extended(self, body: int, stop: int, number: int, length: int) -> tuple[MidiTrack, int]:
        """Repairing: parse a track ignoring its length header, up to end_of_track or the next MTrk."""
        problems = self.problems
        try:
            track, end, found_end = self.events.parse_events(body, stop, number, stop_at_mtrk=True)
        except Cut as cut:
            problems.warn(f"the file ends in the middle of an event of track {number}; the event is dropped",
                          number, cut.start)
            return cut.track, stop
        problems.warn(f"track {number} is {end - body} bytes long, but its header says {length} bytes", number, body - 4)
        if not found_end:
            problems.warn(f"track {number} has no end_of_track event", number, end)
        return track, end


def read_midi_bytes(data, *, strict: bool | None = None, clip: bool = False, charset: str = "latin1",
                    stacklevel: int = 2) -> tuple[int, int, list]:
    """Parse the bytes of a MIDI file (or a RIFF RMID file) into ``(type, ticks_per_beat, tracks)``.

    `strict` as for `MidiFile`. The warnings (`MidiFileWarning`, one per
    repair) are issued once the whole file has loaded, at `stacklevel`.
    """
    if not isinstance(data, bytes):
        data = bytes(data)
    # Loading creates one object per event and no reference cycles; left on,
    # the cycle collector would scan the growing heap again and again while
    # it loads (a third of the load time). It is switched off for the load
    # only, and back on even if the load fails.
    collecting = gc.isenabled()
    gc.disable()
    try:
        reader = _Reader(data, strict, clip, charset)
        result = reader.read()
    finally:
        if collecting:
            gc.enable()
    # Nothing the collector tracks is allocated here unless there are
    # warnings: the first such allocation after gc.enable() runs the
    # collection the load put off. That is the same work wherever it runs;
    # left out of the load, bench/midifiles.py stays comparable with before.
    if reader.problems.notes:
        reader.problems.emit(stacklevel)
    return result
