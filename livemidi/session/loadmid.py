"""Loops from .mid files: `load` turns a Standard MIDI File into a pattern that repeats.

::

    p.drums = load("groove.mid")                               # every track, every channel
    p.bass = load("song.mid", track="bass", bars=(8, 12))      # one track, bars 8..11
    p.keys = load("piece.mid", channel=[0, 1], quantize="1/16")

One cycle is one bar of the file (`bars.BarMap`: each bar follows the time
signature in force at its start, so a 3/4 bar and a 4/4 bar both last one
cycle). The loop is the selection's length in whole bars and repeats forever:
cycle c plays bar ``start + c % length`` of the file. Tempo changes in the file
move nothing: ticks are musical time, and the loop plays at the session's tempo.

Each event's value is a control dict that `livemidi.render` plays back as the
file had it:

- a note is ``{'note', 'velocity', 'channel'}`` and its whole spans note-on
  to note-off, so it lasts as long as in the file and `fast`/`slow` stretch it
  with everything else (render ends a note at its whole's end). Note-ons and
  note-offs pair first-in first-out per key and channel within a track (two
  overlapping c4s end in the order they began); a note-on with velocity 0 is a
  note-off; a note never ended lasts to the end of the loop; a note-off on the
  note-on's tick makes a note one tick long (a drum hit).
- a controller is ``{'cc64': 127, 'channel': 0}``; pitch bend ``{'bend': n}``,
  channel pressure ``{'aftertouch': n}`` and program changes ``{'program': n}``
  likewise (with the channel). Each lasts until the next value of the same
  control, at most to the end of its bar, so per-bar transformations (`rev`,
  `every`) never cut one off. A selection that starts after bar 0 begins with
  the last value each control had before it (as a DAW chases controllers).
- an NRPN, RPN or 14-bit controller sequence is one control (``{'nrpn288':
  8192}``, ``{'rpn0': 256}``, ``{'cc14_1': 4096}``), and key pressure sent with
  a note-on belongs to that note (``'polytouch'``); see `loadcontrols`.

At one instant events keep the file's order (tracks in file order, then each
track's order), and several values of one control at one instant all stay, so
that rendering the loop sends the file's bytes in the file's order.

Errors are ValueErrors that say what was expected and list what the file has:
a type-2 file, a track or channel that is not there, bars outside the file, a
selection without notes.
"""

from __future__ import annotations

import math
import os
from collections import deque
from collections.abc import Sequence
from fractions import Fraction
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

from ..midifiles import MidiFile
from ..pattern import Pattern
from ..pattern.core import Event
from ..pattern.time import TimeSpan, to_time
from .bars import BarMap, describe, file_bars
from .loadcontrols import ControlReader

__all__ = ["MidiLoop", "load", "read_loop"]

Entry = tuple  # (begin cycle, end cycle, value) inside one pass of the loop; the end may lie past it

_ONE_TICK = 1


class MidiLoop(NamedTuple):
    """What `read_loop` found: the pattern, its length in bars (cycles), and its events in one pass."""

    pattern: Pattern
    bars: int
    events: tuple[Entry, ...]


def load(
    source: str | os.PathLike | MidiFile,
    track: int | str | Sequence[int | str] | None = None,
    channel: int | Sequence[int] | None = None,
    bars: int | tuple[int, int] | None = None,
    quantize: Any = None,
    *,
    controls: bool = True,
    strict: bool | None = None,
) -> Pattern:
    """A pattern that loops the notes (and controls) of a type 0 or type 1 MIDI file.

    - `source`: a path or a `MidiFile`.
    - `track`: a track number (0 is the first), a track name (exact, else
      ignoring case), or a list of them; None takes every track.
    - `channel`: a channel 0–15 (9 is General MIDI drums, "channel 10"), or a
      list; None takes every channel.
    - `bars`: ``N`` for the first N bars, ``(start, end)`` for bars start to
      end-1 (counting from 0, like cycles); the loop lasts that many cycles.
      None takes the whole file in whole bars (`bars.file_bars`: a bar where
      something starts counts, a few ticks of note-off past the last bar line
      do not), the same length whichever tracks you take.
    - `quantize`: a grid as a fraction of a bar (``"1/16"``, ``Fraction(1, 8)``):
      each onset moves to the nearest grid line, keeping the note's length.
    - `controls`: False drops controllers, bend, pressure and program changes
      (only notes; `transpose` and `snap` want notes in every event).
    - `strict`: as for `MidiFile`: True refuses an odd file, False also reads a damaged one.
    """
    return read_loop(source, track, channel, bars, quantize, controls=controls, strict=strict).pattern


def read_loop(
    source: str | os.PathLike | MidiFile,
    track: int | str | Sequence[int | str] | None = None,
    channel: int | Sequence[int] | None = None,
    bars: int | tuple[int, int] | None = None,
    quantize: Any = None,
    *,
    controls: bool = True,
    strict: bool | None = None,
) -> MidiLoop:
    """`load`, also returning the loop's length in bars and its events (for drawing and tests)."""
    if isinstance(source, MidiFile):
        midi, name = source, repr(source.filename) if source.filename else "the MidiFile"
    elif isinstance(source, (str, os.PathLike)):
        midi, name = MidiFile(source, strict=strict), repr(os.fspath(source))
    else:
        raise TypeError(f"load() expects a path or a MidiFile, found {type(source).__name__} {source!r}")
    if midi.type == 2:
        raise ValueError(f"{name} is a type 2 file (its tracks are independent sequences, not one piece); "
                         f"load reads type 0 and type 1 files. It has:\n{describe(midi)}")
    numbers = _select_tracks(midi, track, name)
    channels = _select_channels(channel)
    start, stop = _select_bars(bars)
    grid = _grid(quantize)

    barmap = BarMap.of(midi)
    whole = file_bars(midi, barmap)
    if start >= whole:
        raise ValueError(f"{name}: bars {start}–{stop if stop is not None else '…'} are outside the file, "
                         f"which has {whole} bar{'s' if whole != 1 else ''} (expected a start below {whole}). "
                         f"It has:\n{describe(midi)}")
    start_tick = barmap.tick(start)
    stop_tick = barmap.tick(stop) if stop is not None else math.inf

    notes, changes = [], []
    for number in sorted(numbers):  # the file's order, whichever order the tracks were asked in
        n, c = _read_track(midi.tracks[number])
        notes += n
        changes += c
    if channels is not None:
        notes = [n for n in notes if n[2] in channels]
        changes = [c for c in changes if c[1] in channels]
    notes = [n for n in notes if start_tick <= n[0] < stop_tick]
    if not notes:
        raise ValueError(_nothing(name, midi, track, channel, bars))
    before = sorted((c for c in changes if c[0] < start_tick), key=itemgetter(0))  # tracks one after another
    changes = [c for c in changes if start_tick <= c[0] < stop_tick] if controls else []

    if stop is None:
        stop = whole  # every track of a file loops over the same length, so they stay together
    length = stop - start

    # [begin, end, rank, channel, note or control, value, order]: at one instant the file's order holds,
    # so that what is rendered from the loop sends the bytes the file has, in its order.
    entries: list[list] = []
    for order, (tick, off, ch, key, velocity, *touch) in enumerate(notes):
        begin = barmap.cycle(tick) - start
        if off is None:
            end = Fraction(length)  # never ended: to the end of the loop
        else:
            end = barmap.cycle(off if off > tick else tick + _ONE_TICK) - start
        value = {"note": key, "velocity": velocity, "channel": ch}
        if touch and controls:
            value["polytouch"] = touch[0]  # key pressure sent with the note-on (`loadcontrols`)
        entries.append([begin, end, 1, ch, key, value, order])
    if controls:
        chased: dict[tuple, tuple] = {}
        for tick, ch, key, value in before:
            chased[ch, key] = (tick, ch, key, value)
        for tick, ch, key, value in changes:
            if tick == start_tick:
                chased.pop((ch, key), None)  # set again where the selection starts: nothing to chase
        for order, (ch, key) in enumerate(sorted(chased, key=lambda k: (k[0], str(k[1]))), -len(chased)):
            entries.append([Fraction(0), None, 0, ch, key, {key: chased[ch, key][3], "channel": ch}, order])
        for order, (tick, ch, key, value) in enumerate(changes):
            entries.append([barmap.cycle(tick) - start, None, 0, ch, key, {key: value, "channel": ch}, order])
    if grid is not None:
        for entry in entries:
            snapped = math.floor(entry[0] / grid + Fraction(1, 2)) * grid
            if snapped >= length:
                snapped -= length  # past the loop's end: the next pass's first beat
            if entry[1] is not None:
                entry[1] += snapped - entry[0]
            entry[0] = snapped
    _hold_controls(entries)
    entries.sort(key=itemgetter(0, 2, 6))
    events = tuple((e[0], e[1], e[5]) for e in entries)
    return MidiLoop(_loop_pattern(events, length), length, events)


def _read_track(track) -> tuple[list, list]:
    """The notes [on tick, off tick or None, channel, key, velocity(, key pressure)] and changes
    (tick, channel, key, value), in file order."""
    notes: list[list] = []
    changes: list[tuple] = []
    sounding: dict[tuple[int, int], deque] = {}
    controllers = ControlReader(changes)  # NRPN, RPN and 14-bit sequences read back whole
    tick = 0
    for msg in track:
        tick += msg.time
        kind = msg.type
        if kind == "control_change":
            controllers.control_change(tick, msg)
            continue
        if kind == "polytouch":
            controllers.polytouch(tick, msg, notes, sounding)
            continue
        controllers.other()
        if kind == "note_on" and msg.velocity:
            sounding.setdefault((msg.channel, msg.note), deque()).append(len(notes))
            notes.append([tick, None, msg.channel, msg.note, msg.velocity])
        elif kind == "note_off" or kind == "note_on":
            waiting = sounding.get((msg.channel, msg.note))
            if waiting:
                notes[waiting.popleft()][1] = tick  # first in, first out
        elif kind == "pitchwheel":
            changes.append((tick, msg.channel, "bend", msg.pitch))
        elif kind == "aftertouch":
            changes.append((tick, msg.channel, "aftertouch", msg.value))
        elif kind == "program_change":
            changes.append((tick, msg.channel, "program", msg.program))
    controllers.flush()
    return notes, changes


def _hold_controls(entries: list[list]) -> None:
    """Give each control change its end: the next value of the same control, at most its bar's end.

    Several values of one control at one instant all stay, in the file's order, and all end where
    the last of them does: played back, they send what the file has (three notes of a chord each
    with its NRPN send it three times), and the last one holds.
    """
    by_control: dict[tuple, list[list]] = {}
    for entry in entries:
        if entry[1] is None:
            by_control.setdefault((entry[3], entry[4]), []).append(entry)
    for series in by_control.values():
        series.sort(key=itemgetter(0))  # stable: file order at one instant
        end = None
        for entry, following in zip(reversed(series), [None] + series[:0:-1]):
            if following is None or following[0] != entry[0]:
                bar_end = math.floor(entry[0]) + 1
                end = bar_end if following is None else min(following[0], bar_end)
            entry[1] = end


def _loop_pattern(events: tuple[Entry, ...], length: int) -> Pattern:
    """A pattern playing `events` (one pass of `length` cycles) in every pass: a lookup per cycle."""
    table: list[list[Entry]] = [[] for _ in range(length)]
    for begin, end, value in events:
        for c in range(math.floor(begin), math.ceil(end)):
            shift = (c // length) * length  # a note held past the loop's end sounds into the next pass
            table[c % length].append((begin - shift, end - shift, value))
    for row in table:
        row.sort(key=itemgetter(0))

    @lru_cache(maxsize=256)
    def cycle_events(c: int) -> tuple[Event, ...]:
        shift = (c // length) * length
        out = []
        for begin, end, value in table[c % length]:
            whole = TimeSpan(begin + shift, end + shift)
            out.append(Event(whole, whole, value))
        return tuple(out)

    def query(span: TimeSpan) -> list[Event]:
        b, e = span
        first = math.floor(b)
        if b == e:
            return [Event(ev[0], span, ev[2]) for ev in cycle_events(first) if ev[0][0] <= b < ev[0][1]]
        out: list[Event] = []
        c = first
        while c < e:
            for ev in cycle_events(c):
                whole = ev[0]
                wb, we = whole
                if we <= b or wb >= e or (c != first and wb < c):
                    continue  # outside the query, or already given for an earlier cycle of it
                if wb >= b and we <= e:
                    out.append(ev)
                else:
                    out.append(Event(whole, TimeSpan(max(wb, b), min(we, e)), ev[2]))
            c += 1
        return out

    return Pattern(query)


def _select_tracks(midi: MidiFile, track: Any, name: str) -> list[int]:
    count = len(midi.tracks)
    if track is None:
        return list(range(count))
    wanted = list(track) if isinstance(track, (list, tuple)) else [track]
    numbers: list[int] = []
    for item in wanted:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            raise TypeError(f"track must be a track number, a track name or a list of them, found {item!r}")
        if isinstance(item, int):
            if not 0 <= item < count:
                raise ValueError(f"{name} has no track {item} (expected 0 to {count - 1}). It has:\n{describe(midi)}")
            found = [item]
        else:
            found = [n for n, t in enumerate(midi.tracks) if t.name == item]
            found = found or [n for n, t in enumerate(midi.tracks) if t.name.casefold() == item.casefold()]
            if not found:
                raise ValueError(f"{name} has no track named {item!r}. It has:\n{describe(midi)}")
        numbers += [n for n in found if n not in numbers]
    return numbers


def _select_channels(channel: Any) -> set[int] | None:
    if channel is None:
        return None
    wanted = list(channel) if isinstance(channel, (list, tuple, set, frozenset)) else [channel]
    for item in wanted:
        if isinstance(item, bool) or not isinstance(item, int):
            raise TypeError(f"channel must be a channel 0..15 or a list of them, found {item!r}")
        if not 0 <= item <= 15:
            raise ValueError(f"channel must be in range 0..15 (9 is General MIDI drums), found {item!r}")
    return set(wanted)


def _select_bars(bars: Any) -> tuple[int, int | None]:
    if bars is None:
        return 0, None
    if isinstance(bars, int) and not isinstance(bars, bool):
        if bars < 1:
            raise ValueError(f"bars=N takes the first N bars: expected 1 or more, found {bars!r}")
        return 0, bars
    if isinstance(bars, (tuple, list)) and len(bars) == 2 and all(
            isinstance(b, int) and not isinstance(b, bool) for b in bars):
        start, stop = bars
        if 0 <= start < stop:
            return start, stop
    raise ValueError(f"bars must be a number of bars N or a range (start, end) with 0 <= start < end, found {bars!r}")


def _grid(quantize: Any) -> Fraction | None:
    if quantize is None:
        return None
    grid = to_time(quantize)
    if not 0 < grid <= 1:
        raise ValueError(f"quantize expects a grid as a fraction of a bar, 0 < grid <= 1 (like '1/16'), found {quantize!r}")
    return grid


def _nothing(name: str, midi: MidiFile, track: Any, channel: Any, bars: Any) -> str:
    asked = [f"{label}={value!r}" for label, value in (("track", track), ("channel", channel), ("bars", bars))
             if value is not None]
    where = f"no notes for {', '.join(asked)}" if asked else "no notes"
    return f"{name} has {where} (expected at least one note to loop). It has:\n{describe(midi)}"
