"""The one place where pattern events become MIDI messages.

`render(pattern, begin, end)` queries the pattern for the events whose onset
falls in ``[begin, end)`` (cycles, exact Fractions) and turns each into the
messages it stands for, each with the cycle it is due at:

- ``note``: a note-on at the onset and its note-off when the note ends: at
  ``onset + duration`` when the event has a ``duration`` (cycles), else at the
  end of the event's whole span scaled by ``legato`` (default 1: the note
  lasts its whole step). A note-off can fall bars after the window; it still
  comes out of the call that rendered its note-on, so every note-on has its
  note-off. Velocity defaults to `DEFAULT_VELOCITY`. A fractional note (a
  microtone, 60.5) comes out on the nearest key, and its messages carry a
  `Voice` with the exact pitch: only the session, which knows the port, can
  play it (as a bend on an MPE port or a microtonal channel) or refuse it
  (`livemidi.session.mpe`). A message's bytes alone never play a microtone.
- ``cc<number>`` (``cc74``), ``bend``, ``aftertouch``, ``pressure`` (channel
  pressure), ``timbre`` (CC 74), ``program`` (after a
  bank select, CC 0 and 32, when ``bank`` is given) and ``sysex``: one message
  each, at the onset, before the event's note-on, so a program change or a
  controller applies to the note that comes with it.
- ``nrpn<param>``, ``rpn<param>`` and ``cc14_<msb>`` (`livemidi.pattern.hires`):
  their whole MIDI 1.0 sequence (`livemidi.messages.controllers`), at the
  onset with the other controls; ``polytouch``: key pressure on the event's
  note, right after its note-on; ``polytouch<key>``: key pressure on that key.
- ``channel`` (0–15) and ``port`` (a name or index) say where; the defaults
  are the arguments of `render`.

The messages of an event with a note (its controls, note-on and note-off)
share one `Voice`: on an MPE port they all go to the note's own channel.

Each message carries the `locations` of the event it came from (where in the
performer's code its mini-notation was written, `livemidi.pattern.locations`;
empty when unknown), for an editor to highlight what sounds.

Only onsets trigger: an event fragment that started before the window (the
tail of a long note) renders nothing, so rendering windows one after another
never plays a note twice. A value that is not a dict is taken as a note (a
number or a note name like ``'c4'``), so ``render("c e g", 0, 1)`` plays
three notes.

Errors: a value this module cannot turn into MIDI raises ValueError or
TypeError naming the control and the value; the session catches it and keeps
the last good pattern playing.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, NamedTuple

from .messages import Message
from .messages.controllers import cc14_messages, parameter_messages
from .pattern import Location, Pattern, hires_key, locations, reify
from .pattern.music import note_number

__all__ = ["DEFAULT_VELOCITY", "Rendered", "Voice", "render", "render_events"]

DEFAULT_VELOCITY = 100

# Controls that make no message of their own.
_PLACEMENT = frozenset({"note", "velocity", "channel", "port", "legato", "duration", "bank"})


class Voice:
    """One played note, shared by the messages of its event: `pitch` exact (60.5), `key` the nearest (61).

    Compared by identity: two notes of one chord are two voices.
    """

    __slots__ = ("key", "pitch")

    def __init__(self, pitch: Any, key: int) -> None:
        self.pitch = pitch
        self.key = key

    @property
    def offset(self) -> float:
        """Semitones from `key` up to `pitch` (−0.5..0.5; 0 for a whole note)."""
        return float(self.pitch - self.key)

    def __repr__(self) -> str:
        return f"Voice({self.pitch!r})"


class Rendered(NamedTuple):
    """One message due at `cycle` on `port`; `onset` is the cycle of the event it came from,
    `locations` where that event was written (`livemidi.pattern.locations`).

    ``item.voice`` is the `Voice` of the note the message belongs to (None:
    none). It is an attribute, not a field, so that it takes no part in
    comparisons: a rendered message equals the tuple of its five fields.
    """

    cycle: Fraction
    message: Message
    port: Any
    onset: Fraction
    locations: tuple[Location, ...] = ()
    voice = None


class _Voiced(Rendered):
    # No __slots__: the instance holds `voice`, the tuple keeps the five fields.
    pass


def _controls(value: Any) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, (int, float, Fraction, str)) and not isinstance(value, bool):
        return {"note": value}
    raise TypeError(f"a pattern played as MIDI must have dicts of controls (or notes) as values, found {value!r}")


def _int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise TypeError(f"{name} must be a number {low}..{high}, found {value!r}")
    if isinstance(value, float) and not math.isfinite(value):  # round() would raise its own words
        raise ValueError(f"{name} must be in range {low}..{high}, found {value!r}")
    number = round(value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be in range {low}..{high}, found {value!r}")
    return number


def _hires(key: str, value: Any, channel: int, controls: dict) -> list[Message] | None:
    """The messages of an nrpn/rpn/cc14/polytouch control (`livemidi.pattern.hires`); None for other keys."""
    found = hires_key(key)
    if found is None:
        return None
    kind, number = found
    if kind == "polytouch":
        if number is not None:  # pressure on a held key, without a note of its own (as `load` reads it)
            return [Message("polytouch", channel=channel, note=_int(f"{key} key", number, 0, 127),
                            value=_int(key, value, 0, 127))]
        if "note" not in controls:
            raise ValueError(f"polytouch is pressure on the event's own note: expected a note with it, "
                             f"found {controls!r}")
        return []  # sent after the note-on, below
    value = _int(f"{key} value", value, 0, 16383)
    if kind == "cc14":
        return cc14_messages(channel, _int("cc14 controller (an MSB, its LSB is +32)", number, 0, 31), value)
    param = _int(f"{kind} parameter", number, 0, 16382 if kind == "rpn" else 16383)  # RPN 16383 is the null one
    return parameter_messages(kind, channel, param, value)


def _voice(value: Any) -> Voice:
    pitch = note_number(value)
    if isinstance(pitch, bool) or not isinstance(pitch, (int, float, Fraction)):
        raise TypeError(f"note must be a number 0..127 or a note name, found {value!r}")
    if not (isinstance(pitch, (int, Fraction)) or math.isfinite(pitch)) or not 0 <= pitch <= 127:
        raise ValueError(f"note must be in range 0..127, found {value!r}")
    key = math.floor(pitch + Fraction(1, 2)) if isinstance(pitch, Fraction) else math.floor(pitch + 0.5)
    return Voice(pitch if pitch != key else key, min(key, 127))


def render_events(events, default_channel: int = 0, default_port: Any = 0) -> list[Rendered]:
    """The messages of pattern events (only those with onsets), sorted by cycle."""
    out: list[Rendered] = []
    for event in events:
        if not event.has_onset():
            continue
        controls = _controls(event.value)
        onset = event.whole.begin
        channel = _int("channel", controls.get("channel", default_channel), 0, 15)
        port = controls.get("port", default_port)
        where = locations(event)
        voice = _voice(controls["note"]) if "note" in controls else None

        def emit(message: Message, cycle: Fraction = onset, voice: Voice | None = voice) -> None:
            if voice is None:
                out.append(Rendered(cycle, message, port, onset, where))
            else:
                item = _Voiced(cycle, message, port, onset, where)
                item.voice = voice
                out.append(item)

        for key, value in controls.items():
            if key in _PLACEMENT:
                continue
            if key.startswith("cc") and key[2:].isdigit():
                control = _int("cc number", int(key[2:]), 0, 127)
                emit(Message("control_change", channel=channel, control=control, value=_int(key, value, 0, 127)))
            elif key == "bend":
                emit(Message("pitchwheel", channel=channel, pitch=_int("bend", value, -8192, 8191)))
            elif key in ("aftertouch", "pressure"):
                emit(Message("aftertouch", channel=channel, value=_int(key, value, 0, 127)))
            elif key == "timbre":
                emit(Message("control_change", channel=channel, control=74, value=_int("timbre", value, 0, 127)))
            elif key == "program":  # (a program, a bank and sysex belong to no one note: voice None)
                if "bank" in controls:
                    bank = _int("bank", controls["bank"], 0, 16383)
                    emit(Message("control_change", channel=channel, control=0, value=bank >> 7), voice=None)
                    emit(Message("control_change", channel=channel, control=32, value=bank & 0x7F), voice=None)
                emit(Message("program_change", channel=channel, program=_int("program", value, 0, 127)), voice=None)
            elif key == "sysex":
                emit(Message("sysex", data=value), voice=None)
            elif (sequence := _hires(key, value, channel, controls)) is not None:
                for message in sequence:  # one event's sequence stays whole: see _order
                    emit(message)
            else:
                raise ValueError(
                    f"unknown control {key!r} (expected note, velocity, channel, port, legato, duration, "
                    f"cc<number>, bend, aftertouch, pressure, timbre, program, bank, sysex, nrpn<param>, "
                    f"rpn<param>, cc14_<msb>, polytouch or polytouch<key>)"
                )
        if voice is not None:
            note = voice.key
            velocity = _int("velocity", controls.get("velocity", DEFAULT_VELOCITY), 0, 127)
            if "duration" in controls:
                end = onset + Fraction(controls["duration"])
            else:
                legato = controls.get("legato", 1)
                end = onset + (event.whole.end - onset) * Fraction(legato)
            if velocity == 0:
                continue  # a note-on with velocity 0 is a note-off: nothing to play
            emit(Message("note_on", channel=channel, note=note, velocity=velocity))
            if "polytouch" in controls:  # after its note-on: pressure on a key not yet sounding is ignored
                touch = _int("polytouch", controls["polytouch"], 0, 127)
                emit(Message("polytouch", channel=channel, note=note, value=touch))
            emit(Message("note_off", channel=channel, note=note, velocity=0), end)
    out.sort(key=_order)
    return out


# At one cycle: note-offs first (a repeated note is not cut by the previous
# one's note-off), then controls and program changes (they apply to the notes
# that start with them), then note-ons, then key pressure (on keys now sounding).
# The sort is stable, so the messages of one rank keep the order they were made
# in: an event's NRPN/RPN/14-bit sequence stays contiguous and in order even
# when another event on the same channel starts at the same cycle (the timed
# sender keeps that order too: same deadline, same order, by arrival).
_RANK = {"note_off": 0, "note_on": 2, "polytouch": 3}


def _order(item: Rendered) -> tuple:
    return item.cycle, _RANK.get(item.message.type, 1)


def render(
    pattern: Pattern | Any, begin: Any, end: Any, default_channel: int = 0, default_port: Any = 0
) -> list[Rendered]:
    """The messages of the events of `pattern` whose onsets are in ``[begin, end)``, sorted by cycle."""
    pattern = reify(pattern)
    return render_events(pattern.events(begin, end), default_channel, default_port)
