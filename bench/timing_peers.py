"""bench/timing.py's peers: isobar and mido playing the same notes, stamped where they send.

Each plays one case (bench/timing_session.py's `Case`) at the default legato
(every note-off at the next note-on's instant) and stamps
``time.perf_counter()`` where a program's port would be called, for every
note-on and note-off. The ideal time of each note is computed from the
peer's own start, as the peer defines it.

- isobar (0.2.1): a Timeline whose output device stamps in ``note_on`` and
  ``note_off``. Its clock is made to read ``perf_counter`` (not
  ``time.time``) so that the clocks agree; note n is due at the clock's start
  + (1 + n × ticks per note) ticks: isobar plays its first note at its first
  tick.
- mido (1.3.3): ``MidiFile.play(now=perf_counter)`` over a file of the
  notes, merged before play starts; the stamp is taken for each message it
  yields (where a program calls ``port.send``); note n is due at play's
  start + its file time.

Each returns ``{"pairs": [(ideal, stamp) of each note-on], "gaps": [...]}``,
where a gap is a note-on's stamp − the stamp of the note-off at its instant.

Misuse: isobar and mido are dev-only dependencies (``pip install -e '.[dev]'``);
isobar needs python-rtmidi, which has no wheel beyond Python 3.12.
"""

from __future__ import annotations

import time
import types

__all__ = ["isobar_on_perf_counter", "run_isobar", "run_mido"]


def first_reading_clock() -> tuple:
    """``(now, started)``: `now` reads perf_counter, and `started` gets its first reading (a player's start)."""
    started: list[float] = []

    def now() -> float:
        value = time.perf_counter()
        if not started:
            started.append(value)
        return value

    return now, started


def isobar_on_perf_counter(isobar_clock) -> list[float]:
    """Make isobar's clock read perf_counter; the list gets the clock's first reading (its start)."""
    now, started = first_reading_clock()
    isobar_clock.time = types.SimpleNamespace(time=now, sleep=time.sleep)
    return started


def _gaps(events: list[tuple[str, float]]) -> list[float]:
    """Each note-on's stamp − the stamp of the note-off just before it (legato: the same instant)."""
    return [
        stamp - events[k - 1][1]
        for k, (kind, stamp) in enumerate(events)
        if kind == "on" and k and events[k - 1][0] == "off"
    ]


def run_isobar(case, seconds: float) -> dict:
    import isobar.timelines.clock as isobar_clock
    from isobar import Timeline
    from isobar.io.output import OutputDevice

    started = isobar_on_perf_counter(isobar_clock)
    events: list[tuple[str, float]] = []

    class Probe(OutputDevice):
        def note_on(self, note=60, velocity=64, channel=0):
            events.append(("on", time.perf_counter()))

        def note_off(self, note=60, channel=0):
            events.append(("off", time.perf_counter()))

    ticks_per_beat = case.isobar_ticks
    timeline = Timeline(case.bpm, output_device=Probe(), ticks_per_beat=ticks_per_beat)
    timeline.schedule({"note": 60, "duration": float(case.beats), "gate": 1.0})
    timeline.background()
    time.sleep(seconds)
    timeline.stop()
    time.sleep(0.05)
    tick = 60 / (case.bpm * ticks_per_beat)
    per_note = round(case.beats * ticks_per_beat)
    taken = list(events)
    ons = [stamp for kind, stamp in taken if kind == "on"]
    pairs = [(started[0] + (1 + n * per_note) * tick, stamp) for n, stamp in enumerate(ons)]
    return {"pairs": pairs, "gaps": _gaps(taken)}


def run_mido(case, seconds: float) -> dict:
    import mido

    beats = case.beats
    ticks_per_beat = beats.denominator
    per_note = int(beats * ticks_per_beat)
    midifile = mido.MidiFile(ticks_per_beat=ticks_per_beat)
    track = mido.MidiTrack()
    midifile.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(case.bpm)))
    for n in range(int(seconds / case.period)):
        if n:  # legato: the note-off of the note before, then this note-on, at one instant
            track.append(mido.Message("note_off", note=60, time=per_note))
        track.append(mido.Message("note_on", note=60, velocity=100, time=0))
    track.append(mido.Message("note_off", note=60, time=per_note))
    now, started = first_reading_clock()
    midifile.merged_track  # merged (and cached) before playing, so play() starts at once
    events: list[tuple[str, float]] = []
    pairs = []
    file_time = 0.0
    for msg in midifile.play(meta_messages=True, now=now):
        stamp = time.perf_counter()  # where a program calls port.send(msg)
        file_time += msg.time
        if msg.type == "note_on":
            events.append(("on", stamp))
            pairs.append((started[0] + file_time, stamp))
        elif msg.type == "note_off":
            events.append(("off", stamp))
    return {"pairs": pairs, "gaps": _gaps(events)}
