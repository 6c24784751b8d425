"""A terminal piano roll: look at a loop instead of reading its events.

`roll(source, bars=2)` draws a pattern, a `MidiFile` or a .mid file as text:
one row per key (highest at the top, the range in use and one key either
side), one column per step (16 a bar by default), bar lines between bars.

    ch 0 │0               │1               │
      a4 │                │                │
      g4 │        █───    │        █───    │
     f#4 │                │                │
      f4 │                │                │
      e4 │    ▓───    ░───│    ▓───    ░───│
    ...

- an onset is a shaded block, darker for louder: ``░`` velocity 1–31,
  ``▒`` 32–63, ``▓`` 64–95, ``█`` 96–127; the steps a note still sounds
  are ``─``; where two notes start in one step, the louder one shows;
- empty steps on a beat show ``·`` (`beats` a bar, 4 unless told; a
  file's roll follows its time signatures);
- each channel gets its own block of rows, headed ``ch N`` and the bar
  numbers (cycles, counting from 0 like `load`'s bars); channel 9 rows also
  name the General MIDI drum;
- note lengths are what `livemidi.render` would play: ``duration``, else
  the event's whole scaled by ``legato``.

`show(source, bars=2)` prints the roll (the REPL's ``show``); ``events=True``
prints the events as text instead, as `livemidi.pattern.show` does.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from ..midifiles import MidiFile
from ..pattern import Pattern, reify
from ..pattern.music import note_name, note_number
from ..pattern.time import to_time
from ..render import DEFAULT_VELOCITY
from .bars import BarMap
from .loadmid import read_loop
from .loops import Loop

__all__ = ["MIDI_SUFFIXES", "file_roll", "roll", "show"]

MIDI_SUFFIXES = (".mid", ".midi", ".smf", ".kar", ".rmi")
SHADES = "░▒▓█"
SUSTAIN = "─"
BEAT = "·"
BAR_LINE = "│"

DRUM_NAMES = dict(enumerate((
    "kick 2", "kick", "side stick", "snare", "clap", "snare 2", "low tom 2", "closed hat", "low tom",
    "pedal hat", "mid tom 2", "open hat", "mid tom", "high tom 2", "crash", "high tom", "ride", "china",
    "ride bell", "tambourine", "splash", "cowbell", "crash 2", "vibraslap", "ride 2", "high bongo",
    "low bongo", "mute conga", "high conga", "low conga", "high timbale", "low timbale", "high agogo",
    "low agogo", "cabasa", "maracas", "short whistle", "long whistle", "short guiro", "long guiro",
    "claves", "high block", "low block", "mute cuica", "open cuica", "mute triangle", "open triangle",
), start=35))


def roll(
    source: Any,
    bars: int | None = 2,
    steps_per_bar: int = 16,
    *,
    begin: Any = 0,
    channel: int | Iterable[int] | None = None,
    beats: int | Sequence[int] = 4,
    width: int | None = None,
) -> str:
    """The piano roll of `bars` cycles of `source` from cycle `begin`, as text.

    `source` is a pattern (or anything a pattern is made from: ``"c e g"``),
    a loop (``p.bass``: the pattern it plays or is about to play),
    a `MidiFile`, or the path of a .mid file (a string ending in .mid, .midi,
    .smf, .kar or .rmi, a path object, or the name of an existing file), which
    is drawn as `load` loops it; ``bars=None`` draws a file's whole loop.
    `channel` picks channels (one or a list); `beats` is how many beats a
    bar has (or a list, bar by bar, the last one repeating), for the dots;
    `width` wraps the bars into lines of at most that many characters.
    """
    pattern, length = _pattern_of(source)
    if bars is None:
        if length is None:
            raise ValueError("bars=None draws a MIDI file's whole loop; for a pattern, give a number of bars")
        bars = length
    if isinstance(bars, bool) or not isinstance(bars, int) or bars < 1:
        raise ValueError(f"bars must be a whole number of bars, 1 or more, found {bars!r}")
    if isinstance(steps_per_bar, bool) or not isinstance(steps_per_bar, int) or steps_per_bar < 1:
        raise ValueError(f"steps_per_bar must be a whole number, 1 or more, found {steps_per_bar!r}")
    beat_list = [beats] if isinstance(beats, int) else list(beats)
    if not beat_list or any(isinstance(b, bool) or not isinstance(b, int) or b < 1 for b in beat_list):
        raise ValueError(f"beats must be a whole number 1 or more, or a list of them (per bar), found {beats!r}")
    start = to_time(begin)
    if start.denominator != 1:
        raise ValueError(f"begin must be a bar (a whole number of cycles), found {begin!r}")
    wanted = None if channel is None else ({channel} if isinstance(channel, int) else set(channel))
    steps = bars * steps_per_bar
    cells: dict[tuple[int, int], list] = {}  # (channel, key) -> per step: None, velocity (an onset) or SUSTAIN
    for onset, end, key, velocity, ch in _notes(pattern, start, start + bars):
        if wanted is not None and ch not in wanted:
            continue
        row = cells.setdefault((ch, key), [None] * steps)
        first = max(0, _step(onset - start, steps_per_bar))
        last = min(steps - 1, max(first, -_step(start - end, steps_per_bar) - 1))  # the last step it sounds in
        for s in range(first + (onset >= start), last + 1):
            if row[s] is None:
                row[s] = SUSTAIN
        if onset >= start:
            held = row[first]
            row[first] = velocity if held is None or held == SUSTAIN else max(held, velocity)
    first_bar = start.numerator
    if not cells:
        which = "" if wanted is None else f" on channel{'s' if len(wanted) > 1 else ''} {', '.join(map(str, sorted(wanted)))}"
        return f"(no notes{which} in bars {first_bar} to {start + bars})"
    labels = {k: _label(*k) for k in _rows(cells)}
    label_width = max(len(text) for text in list(labels.values()) + [f"ch {c}" for c, _ in cells])
    per_line = bars if width is None else max(1, (width - label_width - 2) // (steps_per_bar + 1))
    systems = []
    for from_bar in range(0, bars, per_line):
        to_bar = min(bars, from_bar + per_line)
        lines = []
        for ch in sorted({c for c, _ in cells}):
            numbers = "".join(f"{BAR_LINE}{first_bar + b!s:<{steps_per_bar}}" for b in range(from_bar, to_bar))
            lines.append(f"{f'ch {ch}':>{label_width}} {numbers}{BAR_LINE}")
            for key in [k for c, k in _rows(cells) if c == ch]:
                row = cells.get((ch, key))
                text = []
                for s in range(from_bar * steps_per_bar, to_bar * steps_per_bar):
                    bar, inside = divmod(s, steps_per_bar)
                    if inside == 0:
                        text.append(BAR_LINE)
                    cell = row[s] if row else None
                    if cell is None:
                        on_beat = inside * beat_list[min(bar, len(beat_list) - 1)] % steps_per_bar == 0
                        text.append(BEAT if on_beat else " ")
                    else:
                        text.append(cell if cell == SUSTAIN else SHADES[min(3, cell // 32)])
                lines.append(f"{labels[ch, key]:>{label_width}} {''.join(text)}{BAR_LINE}")
        systems.append("\n".join(lines))
    return "\n\n".join(systems)


def show(source: Any, bars: int | None = 2, *, events: bool = False, begin: Any = 0, **options: Any) -> None:
    """Print the piano roll of `source` (see `roll`); ``events=True`` prints its events as text instead."""
    if events:
        pattern, length = _pattern_of(source)
        print(pattern.show(bars if bars is not None else (length or 1), begin))
    else:
        print(roll(source, bars, begin=begin, **options))


def file_roll(source: str | os.PathLike | MidiFile, bars: int | None = None, steps_per_bar: int | None = None, *,
              width: int | None = None, strict: bool | None = None) -> str:
    """The roll of a .mid file (a path or a MidiFile): its whole loop unless `bars` is given.

    The grid follows the file's first time signature: a dot on each beat and,
    unless `steps_per_bar` is given, four steps to a quarter note (12 for 3/4).
    """
    midi = source if isinstance(source, MidiFile) else MidiFile(source, strict=strict)
    if midi.type == 2:
        return roll(midi)  # raises: load says why it cannot loop a type 2 file
    barmap = BarMap.of(midi)
    beats, unit = barmap.meters[0][2:4]
    if steps_per_bar is None:
        steps_per_bar = beats * 16 // unit if (beats * 16) % unit == 0 else 16
    loop = read_loop(midi)
    length = bars if bars is not None else loop.bars
    per_bar = [barmap.meter_at(bar % loop.bars).numerator for bar in range(length)]
    return roll(midi, length, steps_per_bar, beats=per_bar, width=width)


def _pattern_of(source: Any) -> tuple[Pattern, int | None]:
    """The pattern to draw, and the loop length when it came from a file."""
    if isinstance(source, Pattern):
        return source, None
    if isinstance(source, Loop):  # p.name in the REPL: the pattern it plays (or will from the next bar)
        pattern = source.timeline[-1][1] if source.timeline else None
        if pattern is None:
            raise ValueError(f"loop {source.name!r} plays nothing: expected a loop with a pattern")
        return reify(pattern), None
    if isinstance(source, os.PathLike) or (isinstance(source, str) and (
            source.lower().endswith(MIDI_SUFFIXES) or os.path.isfile(source))):
        source = MidiFile(source)
    if isinstance(source, MidiFile):
        loop = read_loop(source)
        return loop.pattern, loop.bars
    return reify(source), None


def _notes(pattern: Pattern, begin: Fraction, end: Fraction) -> list[tuple]:
    """(onset, end, key, velocity, channel) of every note sounding in [begin, end), as render plays them."""
    out = []
    for ev in pattern.events(begin, end):
        whole, value = ev.whole, ev.value
        if whole is None:
            continue  # a signal sample: nothing to draw
        controls = value if isinstance(value, dict) else {"note": value}
        if "note" not in controls or isinstance(controls["note"], bool):
            continue  # a controller, bend...: not on a piano roll
        velocity = round(controls.get("velocity", DEFAULT_VELOCITY))
        if velocity <= 0:
            continue
        onset = whole.begin
        if "duration" in controls:
            stop = onset + Fraction(controls["duration"])
        else:
            stop = onset + (whole.end - onset) * Fraction(controls.get("legato", 1))
        key = round(note_number(controls["note"]))
        if 0 <= key <= 127 and stop > begin:
            out.append((onset, stop, key, min(velocity, 127), int(controls.get("channel", 0))))
    return out


def _step(t: Fraction, steps_per_bar: int) -> int:
    """The step that time `t` (cycles from the start) falls in."""
    scaled = t * steps_per_bar
    return scaled.numerator // scaled.denominator


def _rows(cells: dict) -> list[tuple[int, int]]:
    """(channel, key) of every row: per channel, its range of keys and one more either side, highest first."""
    rows = []
    for ch in sorted({c for c, _ in cells}):
        keys = [k for c, k in cells if c == ch]
        rows += [(ch, k) for k in range(min(127, max(keys) + 1), max(0, min(keys) - 1) - 1, -1)]
    return rows


def _label(channel: int, key: int) -> str:
    if channel == 9 and key in DRUM_NAMES:
        return f"{DRUM_NAMES[key]} {note_name(key)}"
    return note_name(key)
