"""Rendering a pattern file offline to a Standard MIDI File: no waiting, same file -> same bytes.

The file is loaded into a `Session` whose sender is a `VirtualSender` and
whose clock is virtual: time advances in fixed steps as fast as the machine
can go, through the very same lookahead loop, sender logic and ledger as a
live performance. Every message the sender put out is turned back into
musical time (exact cycles -> ticks) through the tempo changes the file made.

The result is a type-1 file: a tempo track (track name, time signature, every
tempo change) and one track per output port. Notes still sounding at the end
get their note-offs at the last bar line.

Without `outputs`, the outputs are the ports the file's patterns name, in the
order they are first used (a pattern without a port goes to the first
output, "out" if there is none yet). Without this, a multi-port file could
not be rendered without repeating its port names on the command line.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from collections.abc import Sequence
from typing import Any

from ..clock import TempoMap, VirtualSender
from ..messages import Message
from ..midifiles import MetaMessage, MidiFile, MidiTrack, bpm2tempo
from .patternfile import load_pattern_file
from .session import Session
from .ticks import track_from_ticks

__all__ = ["render_pattern_file"]

START = 1000.0  # the virtual clock's start: any fixed number, so runs are identical
STEP = 0.005  # seconds per step of the lookahead loop


class _NamedOutputs(Session):
    """A session that adds an output for each port name its patterns use, the first time one is used."""

    def _port_index(self, port: Any) -> int:
        if isinstance(port, str) and not any(port == name or port.lower() in name.lower() for name in self.outputs):
            self.add_output(port)
        elif isinstance(port, int) and not isinstance(port, bool):
            if port == 0 and not self.outputs:
                self.add_output("out")
            elif not 0 <= port < len(self.outputs):
                raise ValueError(f"no output {port}: the outputs are the ports the file names, {self.outputs} "
                                 "(name the port, .port('synth'), or give the outputs with --port)")
        return super()._port_index(port)


def _tempo_changes(session: Session) -> list[tuple[Fraction, Fraction]]:
    changes: dict[Fraction, Fraction] = {}
    for cycle, bpm in session.tempo_log:
        changes[max(cycle, Fraction(0))] = bpm
    return sorted(changes.items())


def render_pattern_file(
    path: str | Path,
    bars: int,
    *,
    outputs: tuple[str, ...] | list[str] | None = None,
    bpm=120,
    beats_per_bar: int = 4,
    ticks_per_beat: int = 480,
    notices: list[str] | None = None,
    modes: Sequence[tuple[str, dict]] = (),
) -> MidiFile:
    """Render `bars` bars of the pattern file at `path`; returns the MidiFile (save it with ``.save``).

    `outputs` names the output ports the file's patterns may use (by index or
    name); each becomes a track. Without it, each port the patterns name
    becomes a track (see the module docstring). `modes` are outputs played as
    MPE or with microtonal channels: (name, `Session.add_output` options), e.g.
    ``[("synth", {"mpe": True})]``; each is a track, its configuration at
    tick 0. Errors and notices from the
    run are appended to `notices` when given. Raises PatternFileError if the
    file fails.
    """
    if isinstance(bars, bool) or not isinstance(bars, int) or bars < 1:
        raise ValueError(f"bars must be a whole number of bars, 1 or more, got {bars!r}")
    if outputs is not None and not outputs:
        raise ValueError("give at least one output name, or None for the ports the file names")
    clock = [START]
    now = lambda: clock[0]  # noqa: E731
    sender = VirtualSender(now=now)
    log = notices if notices is not None else []
    kind = Session if outputs is not None else _NamedOutputs
    session = kind(sender, bpm=bpm, beats_per_bar=beats_per_bar, threaded=False, now=now, on_notice=log.append)
    for name in outputs or ():
        session.add_output(name)
    for name, options in modes:
        session.add_output(name, **options)
    load_pattern_file(session, path)
    session.end_at(bars)  # nothing starts on the last bar line
    session.start(0)
    origin = session.tempo_map.time_at(0)
    changes = _tempo_changes(session)
    end = session.tempo_map.time_at(bars)
    sent = []
    while clock[0] < end:
        clock[0] = min(clock[0] + STEP, end)
        session.clock.step()
        sender.advance(clock[0])
    session.stop()  # ends what still sounds, at the last bar line
    sent += sender.take_sent()

    # Times back to exact musical time, through a map that keeps every change.
    times = TempoMap(changes[0][1], beats_per_bar, now=lambda: origin)
    times.start(0)
    for cycle, change in changes[1:]:
        times.set_tempo(change, at=cycle)
    ticks_per_cycle = beats_per_bar * ticks_per_beat

    def tick(t: float) -> int:  # (an MPE output's configuration, sent at open, goes at tick 0)
        return max(0, round(times.cycle_at(t) * ticks_per_cycle))

    midi = MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    tempo_track = MidiTrack()
    tempo_track.append(MetaMessage("track_name", name=Path(path).stem, time=0))
    tempo_track.append(MetaMessage("time_signature", numerator=beats_per_bar, denominator=4, time=0))
    meta_events = [(round(cycle * ticks_per_cycle), MetaMessage("set_tempo", tempo=bpm2tempo(float(change))))
                   for cycle, change in changes]
    midi.tracks.append(track_from_ticks(meta_events, tempo_track))
    for index, name in enumerate(session.outputs):
        track = MidiTrack()
        track.append(MetaMessage("track_name", name=name, time=0))
        events = [(tick(item.time), Message.from_bytes(item.data)) for item in sent if item.port == index]
        midi.tracks.append(track_from_ticks(events, track))
    return midi

