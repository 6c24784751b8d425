"""What a performer plays, as patterns: knobs, held notes, notes that trigger a pattern.

An `InputState` keeps what has arrived on one MIDI input, in plain numbers:
the latest value of each controller, the notes held now, the lowest of them
(kept after release: a bass key "latches"), and the cycles at which notes
asked for a pattern to start. The pattern layer knows no MIDI: the session
(`livemidi.session.inputs`) reads the port and calls `control`, `note_on`,
`note_off` and `trigger`; the patterns here only read the state.

- `knob(cc, input, channel=None, range=(0, 1))`: a continuous signal, the
  controller's latest value scaled from 0..127 to `range`; before any value
  has arrived it is the bottom of the range (``range[0]``).
- `held(input, channel=None)`: the notes held now as one chord per cycle
  (lowest first, each with the velocity it was struck with); silence when
  nothing is held. ``held(kb).arp("updown")`` arpeggiates what is held.
- `held_root(input, base="c")`: the lowest held note, as semitones above
  `base` (for `transpose`); see its docstring.
- `on_note(input, pattern)`: `pattern` starts from its beginning at each note
  (one-shot: `cycles` cycles of it; ``loop=True``: it loops on, restarted by
  the next note).

Values are read when the clock renders a window (the lookahead, 100 ms by
default), not when a note is played: a knob turned now changes the notes
rendered from now on, so it is heard at most one lookahead later.

Threads: one thread (the input port's callback) writes, others (the
lookahead, the REPL's trial) read; one lock keeps each read consistent.
Misuse: feeding an `InputState` numbers outside MIDI's ranges raises
ValueError; a pattern built on one state never sees another's values.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from fractions import Fraction
from typing import Any

from .compose import reify, stack
from .core import Event, Pattern, pure, signal
from .music import _NOTE_RE, note_number
from .time import TimeSpan, _span, to_time

__all__ = ["InputState", "held", "held_root", "knob", "on_note"]

_tuple_new = tuple.__new__
KEEP_TRIGGERS = 8  # the triggers an InputState remembers per key (older ones have long finished playing)


def _check_int(name: str, value: Any, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"expected {what} (a whole number {low}..{high}) for {name}, found {type(value).__name__} {value!r}"
        )
    if not low <= value <= high:
        raise ValueError(f"expected {what} (a whole number {low}..{high}) for {name}, found {value!r}")
    return value


def _check_channel(channel: Any) -> int | None:
    if channel is None:
        return None
    return _check_int("channel", channel, 0, 15, "a MIDI channel")


class InputState:
    """``InputState(name='input')``: what has arrived on one MIDI input, for patterns to read.

    The writer calls `control`, `note_on` (velocity 0 is a note-off, as on
    the wire), `note_off`, `trigger` and `release_all`; patterns read with
    `value`, `notes` and `root`. `reads` counts the reads (the toolbar
    shows the input's latency while patterns read it).
    """

    def __init__(self, name: str = "input") -> None:
        self.name = name
        self.reads = 0
        self._lock = threading.Lock()
        self._controls: dict[tuple[int | None, int], int] = {}  # (channel or None: any, cc) -> 0..127
        self._held: dict[tuple[int, int], int] = {}  # (channel, note) -> velocity, in the order struck
        self._roots: dict[int | None, int] = {}  # channel or None -> the lowest held note, kept after release
        # Kept per (channel, note): a solo on other keys must never push out the note that started a loop.
        self._triggers: dict[tuple[int, int], deque[Fraction]] = {}

    def __repr__(self) -> str:
        return f"<InputState {self.name!r}: {len(self._held)} held, {len(self._controls)} controllers>"

    # -- writing (the input's thread) --------------------------------------

    def control(self, channel: int, cc: int, value: int) -> None:
        """A controller moved: `cc` on `channel` is `value` (0..127) now."""
        _check_int("channel", channel, 0, 15, "a MIDI channel")
        _check_int("cc", cc, 0, 127, "a controller number")
        _check_int("value", value, 0, 127, "a controller value")
        with self._lock:
            self._controls[channel, cc] = value
            self._controls[None, cc] = value

    def note_on(self, channel: int, note: int, velocity: int) -> None:
        """A key went down (velocity 0: it came up, as MIDI says)."""
        if velocity == 0:
            self.note_off(channel, note)
            return
        _check_int("velocity", velocity, 1, 127, "a velocity")
        key = (_check_int("channel", channel, 0, 15, "a MIDI channel"), _check_int("note", note, 0, 127, "a note"))
        with self._lock:
            self._held.pop(key, None)  # struck again: it moves to the end, with its new velocity
            self._held[key] = velocity
            self._new_roots(channel)

    def note_off(self, channel: int, note: int) -> None:
        """A key came up (one that was not held is ignored: its note-on came before we listened)."""
        key = (_check_int("channel", channel, 0, 15, "a MIDI channel"), _check_int("note", note, 0, 127, "a note"))
        with self._lock:
            if self._held.pop(key, None) is not None:
                self._new_roots(channel)

    def release_all(self) -> None:
        """Nothing is held any more (the keyboard is gone); knob values and roots stay."""
        with self._lock:
            self._held.clear()

    def trigger(self, cycle: Any, channel: int, note: int) -> None:
        """A note asks `on_note` patterns to start at `cycle` (the session says which cycle)."""
        cycle = to_time(cycle)
        key = (_check_int("channel", channel, 0, 15, "a MIDI channel"), _check_int("note", note, 0, 127, "a note"))
        with self._lock:
            self._triggers.setdefault(key, deque(maxlen=KEEP_TRIGGERS)).append(cycle)

    def _new_roots(self, channel: int) -> None:
        # Called with the lock held. A root changes only while something is held: after
        # the last key is let go it stays where it was, so a bass key "latches".
        here = [n for (ch, n) in self._held if ch == channel]
        if here:
            self._roots[channel] = min(here)
        if self._held:
            self._roots[None] = min(n for _, n in self._held)

    # -- reading (the lookahead's thread, the REPL's trial) -----------------

    def value(self, cc: int, channel: int | None = None) -> int | None:
        """Controller `cc`'s latest value (0..127) on `channel` (None: any channel), or None before any."""
        self.reads += 1
        with self._lock:
            return self._controls.get((channel, cc))

    def notes(self, channel: int | None = None) -> list[tuple[int, int]]:
        """The notes held now on `channel` (None: any) as (note, velocity), lowest first, each once."""
        self.reads += 1
        with self._lock:
            held = [(n, v) for (ch, n), v in self._held.items() if channel is None or ch == channel]
        latest: dict[int, int] = {}
        for n, v in held:  # a note held on two channels counts once, at its latest velocity
            latest[n] = v
        return sorted(latest.items())

    def root(self, channel: int | None = None) -> int | None:
        """The lowest note held (or, when nothing is held now, the last one held); None before any."""
        self.reads += 1
        with self._lock:
            return self._roots.get(channel)

    def triggers(self, channel: int | None = None, notes: frozenset[int] | None = None) -> list[Fraction]:
        """The cycles at which notes (of these `notes` and `channel`, None: any) asked to start, in order."""
        self.reads += 1
        with self._lock:
            kept = [list(cycles) for (ch, n), cycles in self._triggers.items()
                    if (channel is None or ch == channel) and (notes is None or n in notes)]
        return sorted({cycle for cycles in kept for cycle in cycles})


def _state(input: Any, function: str) -> InputState:
    if isinstance(input, InputState):
        return input
    if input is None:
        raise ValueError(
            f"{function}() needs a MIDI input: in a session (the REPL, `livemidi run`, the editor server) it reads "
            f"the session's input (livemidi --input NAME); on its own, pass an InputState"
        )
    raise TypeError(
        f"{function}(): expected an InputState for input (a port's name works in a session), "
        f"found {type(input).__name__} {input!r}"
    )


def _check_range(range: Any) -> tuple[float, float]:
    try:
        lo, hi = range
    except (TypeError, ValueError):
        raise ValueError(f"expected range=(low, high), two numbers, found {range!r}") from None
    for x in (lo, hi):
        if isinstance(x, bool) or not isinstance(x, (int, float, Fraction)) or not math.isfinite(x):
            raise ValueError(f"expected range=(low, high), two finite numbers, found {range!r}")
    return lo, hi


def knob(cc: int, input: Any = None, channel: int | None = None, range: Any = (0, 1)) -> Pattern:
    """Controller `cc`'s latest value on `input`, scaled from 0..127 to `range`, as a continuous signal.

    ``note("c*8").cc(74, knob(21, kb) * 127)``; ``.velocity(knob(7, kb, range=(40, 127)))``.
    `channel` None takes the controller from any channel. Before any value
    has arrived it is ``range[0]``. The value is read when the clock renders
    a window, so a turn is heard at most one lookahead later.
    """
    state = _state(input, "knob")
    _check_int("cc", cc, 0, 127, "a controller number")
    channel = _check_channel(channel)
    lo, hi = _check_range(range)

    def value(_: Fraction) -> Any:
        raw = state.value(cc, channel)
        if raw is None:
            return lo
        return lo + (hi - lo) * raw / 127

    return signal(value)


def held(input: Any = None, channel: int | None = None) -> Pattern:
    """The notes held now on `input` as a chord filling each cycle (lowest first); silence when none is held.

    Each note is ``{'note': n, 'velocity': v}``, v as it was struck:
    ``held(kb).arp("updown")``. A key pressed or let go changes what the
    next rendered window plays; a chord already sounding keeps its notes.
    """
    state = _state(input, "held")
    channel = _check_channel(channel)

    last: list = [((), None)]  # the chord built for the notes held last: built again only when they change

    def query(span: TimeSpan) -> list[Event]:
        notes = tuple(state.notes(channel))
        if not notes:
            return []
        built = last[0]
        if built[0] != notes:  # (one tuple swapped whole: two threads querying at once each see a whole pair)
            built = last[0] = (notes, stack(*[pure({"note": n, "velocity": v}) for n, v in notes]))
        return built[1].query(span)

    return Pattern(query)


def _base(base: Any) -> tuple[str, int] | None:
    """(mode, number): ('class', pitch class) for a name without octave, ('note', n) for a note, None for None."""
    if base is None:
        return None
    if isinstance(base, str):
        m = _NOTE_RE.match(base.strip())
        if m and m.group(3) is None:
            return "class", note_number(base.strip()) % 12
    number = note_number(base)  # TypeError / ValueError that say what a note is
    if not isinstance(number, int) or not 0 <= number <= 127:
        raise ValueError(
            f"expected a note 0..127, a note name like c3 or a pitch class like 'eb' for base, found {base!r}"
        )
    return "note", number


def held_root(input: Any = None, channel: int | None = None, *, base: Any = "c") -> Pattern:
    """The lowest held note on `input`, as semitones above `base`: ``transpose(held_root(kb), pat)`` follows a bass key.

    - `base` a pitch class (``"c"``, the default; ``"eb"``): 0..11, the key
      held in any octave: D2 and D4 both give 2.
    - `base` a note (``"c3"``, 48): the interval, negative below it: D2 gives -10.
    - ``base=None``: the note number itself (``scale("major", "0 2 4", root=held_root(kb, base=None))``).

    When the keys are let go it keeps the last lowest note (it latches).
    Before any key: 0 (the pattern plays as written); with ``base=None``, silence.
    """
    state = _state(input, "held_root")
    channel = _check_channel(channel)
    mode = _base(base)

    def query(span: TimeSpan) -> list[Event]:
        root = state.root(channel)
        if root is None:
            if mode is None:
                return []
            value = 0
        elif mode is None:
            value = root
        elif mode[0] == "class":
            value = (root - mode[1]) % 12
        else:
            value = root - mode[1]
        return [_tuple_new(Event, (None, span, value))]

    return Pattern(query)


def on_note(*args: Any, note: Any = None, channel: int | None = None, loop: bool = False, cycles: Any = 1,
            quantize: Any = None) -> Pattern:
    """``on_note([input,] pattern)``: `pattern` starts from its beginning at each note played on `input`.

    One-shot (the default): each note plays the first `cycles` cycles of
    `pattern`, then silence until the next note; a note during it starts it
    again. ``loop=True``: silent until the first note, then it loops on,
    and every note restarts it from its beginning (Tidal's ``trigger``).
    `note`: only these keys trigger (a note, a name like ``"c2"``, or a
    list of them; None: any key); `channel`: only this channel. A note
    starts the pattern as soon as the clock can (the first cycle not yet
    rendered: within one lookahead of the key), or with `quantize` (in
    cycles: ``1`` a bar, ``1/4`` a beat in 4/4) at the next line of that grid
    (Tidal's ``qtrigger``).
    """
    if len(args) == 1:
        input, pattern = None, args[0]
    elif len(args) == 2:
        input, pattern = args
    else:
        raise TypeError(f"on_note() expects (pattern) or (input, pattern), found {len(args)} positional arguments")
    state = _state(input, "on_note")
    pattern = reify(pattern)
    channel = _check_channel(channel)
    if note is None:
        keys = None
    else:
        listed = note if isinstance(note, (list, tuple, set, frozenset)) else [note]
        keys = frozenset(_check_int("note", note_number(k), 0, 127, "a note") for k in listed)
    if not isinstance(loop, bool):
        raise TypeError(f"on_note(): expected True or False for loop, found {loop!r}")
    length = None if loop else to_time(cycles)
    if length is not None and length <= 0:
        raise ValueError(f"on_note(): expected cycles > 0 (how long each note plays the pattern), found {cycles!r}")
    grid = None if quantize is None else to_time(quantize)
    if grid is not None and grid <= 0:
        raise ValueError(f"on_note(): expected quantize > 0 (a grid in cycles) or None, found {quantize!r}")
    query_pattern = pattern.query

    def query(span: TimeSpan) -> list[Event]:
        begin, end = span
        starts = state.triggers(channel, keys)
        if grid is not None:  # each start moves up to the next line of the grid (two may meet there: once)
            starts = sorted({-(-start // grid) * grid for start in starts})
        out: list[Event] = []
        for i, start in enumerate(starts):
            stop = starts[i + 1] if i + 1 < len(starts) else None
            if length is not None:
                stop = start + length if stop is None else min(stop, start + length)
            lo, hi = max(begin, start), end if stop is None else min(end, stop)
            if lo > hi or (lo == hi and (begin != end or (stop is not None and stop <= begin))):
                continue  # this start plays nothing in the span (a point query samples [start, stop))
            for ev in query_pattern(_span(lo - start, hi - start)):
                w, p, v = ev
                if w is not None and w[0] < 0:
                    continue  # it began before the pattern started
                whole = None if w is None else _span(w[0] + start, w[1] + start)
                out.append(_tuple_new(type(ev), (whole, _span(p[0] + start, p[1] + start), v)))
        return out

    return Pattern(query)
