"""Recording a session to a Standard MIDI File: the session journal.

The recorder writes down what the sender *actually sent* — cancelled events
never appear, note-offs from a hush or a mute do — with the time it was sent,
and places it in musical time: each message's tick comes from the wall time
since the take began, through the tempo the session had at each moment (so a
stop, a restart from bar 1 or a tempo change all land where they were heard).

The file is type 1 at 480 ticks per beat (or more): a tempo track (the take's
name, the time signature, every tempo change, and every piece of code the
performer ran, as a marker where it took effect), one named track per loop,
and a track for what arrived on a MIDI input, if one is recorded. Notes keep
their real durations; a note-off that the sender sent on its own (a release)
goes to the track of its note-on.

Crash-safe: the whole file is written anew at every flush (at least once a
second) to a temporary file that then replaces the old one, so the file on
disk is always a complete, valid .mid. A normal stop, Ctrl-C or SIGTERM
flushes a last time; after SIGKILL at most the last second is missing.
Recording never delays the music: the sender is another process, and the
recorder only reads its reports.
"""

from __future__ import annotations

import errno
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import RecordingError
from ..messages import Message
from ..midifiles import MetaMessage, MidiFile, bpm2tempo
from .ticks import track_from_ticks

__all__ = ["Recorder", "take_path"]

_NOTE_ON = 0x90
_NOTE_OFF = 0x80


class Recorder:
    """``Recorder(path, tempo_at, *, beats_per_bar=4, ticks_per_beat=480, flush_interval=1.0, name=None)``.

    `tempo_at(time)` gives the BPM in force at a wall time; `tempo_changes`
    (a list of ``(time, bpm)``) is read at every flush for the tempo track.
    Feed it with `add_sent` (the sender's reports), `add_input` (messages
    from an input port) and `add_code` (evaluated code); `flush` writes the
    file; `close` writes it a last time.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        start: float,
        tempo_changes: Callable[[], list[tuple[float, Any]]],
        *,
        beats_per_bar: int = 4,
        ticks_per_beat: int = 480,
        name: str | None = None,
        track_name: Callable[[int], str] | None = None,
    ) -> None:
        if isinstance(ticks_per_beat, bool) or not isinstance(ticks_per_beat, int) or ticks_per_beat < 480:
            raise ValueError(f"ticks_per_beat must be an int of 480 or more, got {ticks_per_beat!r}")
        self.path = take_path(path)
        self.start = start
        self.tempo_changes = tempo_changes
        self.beats_per_bar = beats_per_bar
        self.ticks_per_beat = ticks_per_beat
        self.name = name or self.path.stem
        self.track_name = track_name or (lambda tag: f"loop {tag}")
        self._lock = threading.Lock()
        self._tracks: dict[str, list[tuple[float, Message]]] = {}  # track name -> (time, message)
        self._sounding: dict[tuple[int, int, int], str] = {}  # (port, channel, note) -> track of its note-on
        self._markers: list[tuple[float, str]] = []
        self.closed = False
        self.flush()  # a valid (empty) file from the first moment

    # -- what goes in -------------------------------------------------------------------

    def add_sent(self, records) -> None:
        """Add the sender's reports: objects with ``time``, ``port``, ``data`` and (optionally) ``tag``."""
        with self._lock:
            for sent in records:
                if sent.time < self.start:
                    continue
                data = sent.data
                status = data[0]
                if status >= 0xF8:
                    continue  # MIDI clock and other real-time bytes have no place in a file
                try:
                    message = Message.from_bytes(data)
                except ValueError:
                    continue
                tag = getattr(sent, "tag", 0)
                track = self.track_name(tag) if tag else None
                kind = status & 0xF0
                if status < 0xF0 and kind in (_NOTE_ON, _NOTE_OFF):
                    key = (sent.port, status & 0x0F, data[1])
                    if kind == _NOTE_ON and data[2] > 0:
                        track = track or "played"
                        self._sounding[key] = track
                    else:
                        track = self._sounding.pop(key, None) or track or "played"
                self._tracks.setdefault(track or "played", []).append((sent.time, message))

    def add_input(self, time: float, message: Message, track: str = "input") -> None:
        """Add a message that arrived on a MIDI input at `time` (perf_counter seconds)."""
        if message.is_meta or message.is_realtime:
            return
        with self._lock:
            self._tracks.setdefault(track, []).append((time, message))

    def add_code(self, time: float, text: str) -> None:
        """Mark code the performer ran, at the time it took effect."""
        with self._lock:
            self._markers.append((time, text))

    # -- time ---------------------------------------------------------------------------

    def _ticks(self) -> Callable[[float], int]:
        """A function from wall time to ticks since the start, through the tempo changes."""
        changes = sorted(self.tempo_changes(), key=lambda change: change[0])
        # Each piece: (from time, ticks at that time, ticks per second).
        pieces: list[tuple[float, float, float]] = []
        ticks = 0.0
        bpm_now = None
        last_time = self.start
        for time, bpm in changes:
            if time <= self.start:
                bpm_now = bpm
                continue
            if bpm_now is None:
                bpm_now = bpm
            rate = float(bpm_now) / 60 * self.ticks_per_beat
            pieces.append((last_time, ticks, rate))
            ticks += (time - last_time) * rate
            last_time, bpm_now = time, bpm
        if bpm_now is None:
            bpm_now = 120
        pieces.append((last_time, ticks, float(bpm_now) / 60 * self.ticks_per_beat))

        def at(time: float) -> int:
            for start, base, rate in reversed(pieces):
                if time >= start:
                    return max(0, round(base + (time - start) * rate))
            return 0

        return at

    # -- the file -----------------------------------------------------------------------

    def midifile(self, end: float | None = None) -> MidiFile:
        """The take so far, as a MidiFile; notes still sounding end at `end` (default: the last event)."""
        tick = self._ticks()
        with self._lock:
            tracks = {name: list(events) for name, events in self._tracks.items()}
            markers = list(self._markers)
            sounding = dict(self._sounding)
        # A file must not leave a note on: what still sounds ends where the file ends.
        last = max((time for events in tracks.values() for time, _ in events), default=self.start)
        end = last if end is None else max(end, last)
        for (port, channel, note), name in sounding.items():
            tracks.setdefault(name, []).append((end, Message("note_off", channel=channel, note=note, velocity=0)))
        midi = MidiFile(type=1, ticks_per_beat=self.ticks_per_beat)
        head = [(0, MetaMessage("track_name", name=self.name)),
                (0, MetaMessage("time_signature", numerator=self.beats_per_bar, denominator=4))]
        changes = sorted(self.tempo_changes(), key=lambda change: change[0])
        before = [bpm for time, bpm in changes if time <= self.start]
        first = before[-1] if before else (changes[0][1] if changes else 120)
        head.append((0, MetaMessage("set_tempo", tempo=bpm2tempo(float(first)))))  # the tempo the take began in
        for time, bpm in changes:
            if time > self.start and bpm != first:
                head.append((tick(time), MetaMessage("set_tempo", tempo=bpm2tempo(float(bpm)))))
            first = bpm if time > self.start else first
        for time, text in markers:
            head.append((tick(time), MetaMessage("marker", text=_latin1(text))))
        midi.tracks.append(track_from_ticks(head))
        for name in sorted(tracks):
            events = [(0, MetaMessage("track_name", name=_latin1(name)))]
            events += [(tick(time), message) for time, message in tracks[name]]
            midi.tracks.append(track_from_ticks(events))
        return midi

    def flush(self, end: float | None = None) -> None:
        """Write the whole file anew, atomically: a reader never sees half a file.

        Raises `RecordingError` (an OSError) naming the file, not the
        temporary one, and saying what is wrong with where it goes.
        """
        midi = self.midifile(end)
        try:
            self._write(midi)
        except OSError as error:
            raise RecordingError(
                f"cannot record to {str(self.path)!r}: {_what_is_wrong(error, self.path)}",
                path=self.path, errno=error.errno,
            ) from error

    def _write(self, midi: MidiFile) -> None:
        # The temporary file is made beside the take, so that replacing the take is atomic.
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                midi.save(file=file)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise

    def close(self, end: float | None = None) -> None:
        """Write the file a last time (notes still sounding end at `end`)."""
        if not self.closed:
            self.flush(end)
            self.closed = True


def take_path(path: Any) -> Path:
    """`path` as the Path of a .mid file to record to; TypeError or ValueError saying what was expected."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"a recording needs a path to a .mid file, like 'take1.mid', got {type(path).__name__} {path!r}"
        )
    take = Path(path)
    if take.suffix.lower() not in (".mid", ".midi", ".smf"):
        raise ValueError(f"a recording needs a path to a .mid file, like 'take1.mid', got {str(path)!r}")
    return take


def _what_is_wrong(error: OSError, path: Path) -> str:
    """What stops `path` from being written, in the user's terms (the temporary file is ours, not theirs)."""
    folder = path.parent
    cause = error.strerror or str(error)
    if path.is_dir():
        return "it is a folder; give a file name inside it, like 'take1.mid'"
    if not folder.is_dir():
        existing = next((parent for parent in path.parents if parent.exists()), None)
        if existing is not None and not existing.is_dir():
            return f"{str(existing)!r} is a file, not a folder"
        return f"the folder {str(folder)!r} does not exist"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"the folder {str(folder)!r} is not writable ({cause})"
    if error.errno == errno.EROFS:
        return f"the folder {str(folder)!r} is on a read-only file system"
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"there is no space left on its disk ({cause})"
    return f"the folder {str(folder)!r} is not writable (making a file there fails: {cause})"


def _latin1(text: str) -> str:
    # Meta text in a MIDI file is latin-1 here (mido's default charset).
    return text.encode("latin-1", "replace").decode("latin-1")

