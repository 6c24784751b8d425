"""`MidiFile`: a Standard MIDI File in memory, with mido's API.

Reading and writing the bytes live in reader.py and writer.py; this module
holds the file object: its tracks, playback in time order, length, repr.

Playback order is computed once and cached (see `playback_order` in
tracks.py). The cache is dropped when the file's ``tracks`` list is
replaced, when tracks are added or removed, or when a track's length or its
first or last message changes. Editing a message in place (``msg.time = 5``)
is not noticed: call ``del mid.merged_track`` afterwards, as in mido.
"""

from __future__ import annotations

import os
import time as _time
from collections.abc import Callable, Iterator

from .meta import MetaMessage
from .reader import read_midi_bytes
from .tracks import MidiTrack, delta_times, playback_order, with_time
from .writer import encode_midi_file

__all__ = ["DEFAULT_TEMPO", "DEFAULT_TICKS_PER_BEAT", "MidiFile"]

DEFAULT_TEMPO = 500000  # microseconds per quarter note: 120 bpm
DEFAULT_TICKS_PER_BEAT = 480


class MidiFile:
    """A MIDI file: ``MidiFile('song.mid')`` reads one, ``MidiFile(type=1)`` starts an empty one.

    By default a file loads if mido 1.3.3 loads it, with the same messages,
    and a `livemidi.MidiFileWarning` for each oddity it had to read past (a
    missing end_of_track, bytes after the last track...); a file mido cannot
    read raises a `livemidi.MidiParseError`. ``strict=True`` refuses odd
    files too; ``strict=False`` also repairs damaged ones, with a warning for
    each repair (docs/midifiles.md lists them).
    """

    def __init__(
        self,
        filename=None,
        file=None,
        type: int = 1,
        ticks_per_beat: int = DEFAULT_TICKS_PER_BEAT,
        charset: str = "latin1",
        debug: bool = False,
        clip: bool = False,
        tracks=None,
        *,
        strict: bool | None = None,
    ) -> None:
        if type not in (0, 1, 2):
            raise ValueError(f"invalid MIDI file type {type!r} (must be 0, 1 or 2)")
        self.filename = filename
        self.type = type
        self.ticks_per_beat = ticks_per_beat
        self.charset = charset
        self.debug = debug
        self.clip = clip
        self.strict = strict
        self.tracks = []
        self._playback = None
        self._playback_key = None
        self._merged_track = None
        if tracks is not None:
            self.tracks = tracks
        elif file is not None:
            self._load(file.read())
        elif filename is not None:
            with open(filename, "rb") as infile:
                self._load(infile.read())

    def _load(self, data) -> None:
        if isinstance(data, str):
            raise TypeError("MidiFile needs a file opened in binary mode ('rb'), got text")
        # stacklevel 4: the warnings point at the line that made the MidiFile
        self.type, self.ticks_per_beat, self.tracks = read_midi_bytes(
            data, strict=self.strict, clip=self.clip, charset=self.charset, stacklevel=4)
        if self.debug:
            self._print_debug()

    def _print_debug(self) -> None:
        print(f"header: type={self.type}, tracks={len(self.tracks)}, ticks_per_beat={self.ticks_per_beat}")
        for number, track in enumerate(self.tracks):
            print(f"track {number}: {len(track)} messages")
            for msg in track:
                print(f"  {msg!r}")

    # Playback order, cached -------------------------------------------------

    def _key(self) -> tuple:
        tracks = self.tracks
        return (id(tracks), len(tracks), *[(id(t), len(t), id(t[0]) if t else 0, id(t[-1]) if t else 0) for t in tracks])

    def _order(self) -> tuple[list, list, object]:
        if self.type == 2:
            raise TypeError("can't merge tracks in type 2 (asynchronous) file")
        key = self._key()
        if self._playback is None or key != self._playback_key:
            self._playback = playback_order(self.tracks)
            self._playback_key = key
            self._merged_track = None
        return self._playback

    @property
    def merged_track(self) -> MidiTrack:
        """All tracks merged into one in playback order (delta times in ticks), computed on first use and cached."""
        messages, ticks, end = self._order()
        if self._merged_track is None:
            merged = MidiTrack(map(with_time, messages, delta_times(ticks)))
            merged.append(MetaMessage("end_of_track", time=end - (ticks[-1] if ticks else 0)))
            self._merged_track = merged
        return self._merged_track

    @merged_track.deleter
    def merged_track(self) -> None:
        self._playback = None
        self._merged_track = None

    def add_track(self, name: str | None = None) -> MidiTrack:
        """Append a new, empty track (named `name`, if given) and return it."""
        track = MidiTrack()
        if name is not None:
            track.name = name
        self.tracks.append(track)
        return track

    def _seconds(self) -> Iterator[tuple[object, float | int]]:
        """(message, delta seconds) in playback order; the messages are the tracks' own objects."""
        messages, ticks, end = self._order()
        ticks_per_beat = self.ticks_per_beat
        scale = DEFAULT_TEMPO * 1e-6 / ticks_per_beat
        previous = 0
        for msg, tick in zip(messages, ticks):
            delta = tick - previous
            previous = tick
            # As mido: delta 0 stays the int 0, others are float seconds.
            yield msg, (delta * scale if delta > 0 else 0)
            if msg.type == "set_tempo":
                scale = msg.tempo * 1e-6 / ticks_per_beat
        delta = end - previous
        yield None, (delta * scale if delta > 0 else 0)

    def __iter__(self) -> Iterator:
        """Copies of all messages in playback order, ``time`` in seconds since the previous one."""
        messages, ticks, end = self._order()
        ticks_per_beat = self.ticks_per_beat
        scale = DEFAULT_TEMPO * 1e-6 / ticks_per_beat
        previous = 0
        for msg, tick in zip(messages, ticks):
            if tick != previous:
                yield msg._retimed((tick - previous) * scale)
                previous = tick
            else:
                yield msg._retimed(0)  # as mido: a zero delta stays the int 0
            if msg.type == "set_tempo":
                scale = msg.tempo * 1e-6 / ticks_per_beat
        yield MetaMessage("end_of_track", time=(end - previous) * scale if end > previous else 0)

    @property
    def length(self) -> float:
        """Playback time in seconds (ValueError for a type 2 file, whose tracks are not played together)."""
        if self.type == 2:
            raise ValueError("impossible to compute length for type 2 (asynchronous) file")
        # sum(), as mido does: since Python 3.12 it adds floats with compensation, and a
        # plain loop would differ from mido there in the last digits
        return sum(seconds for _msg, seconds in self._seconds())

    def play(
        self,
        meta_messages: bool = False,
        now: Callable[[], float] = _time.time,
        *,
        sleep: Callable[[float], object] = _time.sleep,
    ) -> Iterator:
        """Yield the messages in playback order, each at its time (meta messages too if asked).

        Every message has an absolute deadline (start + its time from the
        start), and the generator sleeps until that deadline, so timing does
        not drift however long the file. `now` and `sleep` may be replaced
        (another clock, or a virtual one in tests).
        """
        start = now()
        position = 0.0
        for msg in self:
            position += msg.time
            deadline = start + position
            remaining = deadline - now()
            while remaining > 0:
                sleep(remaining)
                remaining = deadline - now()
            if meta_messages or not msg.is_meta:
                yield msg

    # Saving -----------------------------------------------------------------

    def save(self, filename=None, file=None) -> None:
        """Write the file to `filename` or to the binary `file` object (which stays open).

        ValueError if neither is given, or for a type 0 file without exactly one track.
        """
        if file is None and filename is None:
            raise ValueError("requires filename or file")
        data = encode_midi_file(self.type, self.ticks_per_beat, self.tracks, self.charset)
        if file is not None:
            file.write(data)
        else:
            with open(os.fspath(filename), "wb") as outfile:
                outfile.write(data)

    def print_tracks(self, meta_only: bool = False) -> None:
        """Print every message of every track (only meta messages with ``meta_only=True``)."""
        for number, track in enumerate(self.tracks):
            print(f"=== Track {number}")
            for msg in track:
                if msg.is_meta or not meta_only:
                    print(repr(msg))

    def __repr__(self) -> str:
        if self.tracks:
            tracks = ",\n".join(repr(track) for track in self.tracks)
            tracks = ", tracks=[\n  " + tracks.replace("\n", "\n  ") + "\n]"
        else:
            tracks = ""
        return f"{self.__class__.__name__}(type={self.type}, ticks_per_beat={self.ticks_per_beat}{tracks})"

    def __enter__(self) -> MidiFile:
        return self

    def __exit__(self, *exc_info) -> bool:
        return False

