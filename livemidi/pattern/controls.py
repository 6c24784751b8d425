"""Controls: patterns of MIDI parameters, as dicts that `render` turns into messages.

``note("c e g")`` has values ``{'note': 60}``, ``{'note': 64}``, ...; combine
controls with ``|`` or with the methods of the same names, **structure from
the left**: the left pattern says when events happen, the right one only
supplies values (sampled over each left event's whole)::

    note("c e g c5") | velocity("100 60")      # four notes, two velocities
    note("c e g c5").velocity("100 60").ch(1)  # the same, as methods

Keys and ranges (the units of mido's messages): ``note`` 0–127 (c4 = 60; a
fractional note such as 60.5 is a microtone: it plays at that pitch on a port
that can bend it, and is refused, never rounded, on any other: see
`livemidi.session.mpe`), ``velocity`` 0–127, ``channel`` 0–15, ``port``
(a name or index; a name string is taken literally, not as mini-notation), ``legato`` (how much of the event's span the note
sounds, 1 = all of it), ``duration`` (cycles, overriding legato), a control
change as ``cc<number>`` (``cc(74, 64)`` → ``{'cc74': 64}``; `cc_items` lists
them), ``bend`` −8192–8191, ``aftertouch`` 0–127, ``pressure`` 0–127
and ``timbre`` 0–127 (per note on an MPE port: channel pressure and CC 74 on
the note's own channel; elsewhere channel pressure and CC 74 on its channel), ``program`` 0–127,
``bank`` 0–16383 (sent before a program change) and ``sysex`` (a tuple of
data bytes 0–127, without F0/F7); beyond 7 bits, ``nrpn``, ``rpn``, ``cc14`` and
``polytouch`` (`livemidi.pattern.hires`). A plain value is checked where it is
written (``velocity(200)`` raises at once), the values of a pattern when it is
queried; an out-of-range value raises ValueError naming the control.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from .core import Pattern, pure
from .lift import patternify, reify
from .music import note_number
from .time import to_time

__all__ = [
    "aftertouch", "bank", "bend", "cc", "cc_items", "ch", "channel", "duration", "legato", "n", "note",
    "port", "pressure", "program", "sysex", "timbre", "vel", "velocity",
]


def _number(name: str, lo: int, hi: int, whole: bool = True) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
            raise TypeError(f"{name} expects a number {lo}..{hi}, found {type(v).__name__} {v!r}")
        if isinstance(v, float) and not math.isfinite(v):  # round() would raise its own words
            raise ValueError(f"{name} expects a number {lo}..{hi}, found {v!r}")
        if whole and not isinstance(v, int):
            v = round(v)
        if not lo <= v <= hi:
            raise ValueError(f"{name} expects a number {lo}..{hi}, found {v!r}")
        return v

    return convert


_note_range = _number("note", 0, 127, whole=False)


def _note(v: Any) -> Any:
    if isinstance(v, str):
        v = note_number(v)
    return _note_range(v)  # a fractional note is a microtone, kept exact (the port decides: session/mpe.py)


def _positive(name: str, exact: bool) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
            raise TypeError(f"{name} expects a positive number, found {type(v).__name__} {v!r}")
        if not v > 0 or v == math.inf:  # also NaN, which compares false with everything
            raise ValueError(f"{name} expects a positive number, found {v!r}")
        return to_time(v) if exact else v

    return convert


def _port(v: Any) -> Any:
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise TypeError(f"port expects a port name or index, found {type(v).__name__} {v!r}")
    return v


def _control(key: str, convert: Callable[[Any], Any], doc: str) -> Callable[[Any], Pattern]:
    def control(pat: Any) -> Pattern:
        if isinstance(pat, (int, float, Fraction)):
            convert(pat)  # a plain value is checked where it is written: note(60.5) raises here
        return reify(pat).fmap(lambda v: {key: convert(v)})

    control.__name__ = control.__qualname__ = key
    control.__doc__ = doc
    return control


note = _control("note", _note, "Notes from note names (``c4`` = 60, ``eb3``, ``f#2``) or numbers.")
velocity = _control("velocity", _number("velocity", 0, 127), "Note-on velocity, 0–127.")
channel = _control("channel", _number("channel", 0, 15), "MIDI channel, 0–15 (as in mido).")
_port_control = _control("port", _port, "")


def port(pat: Any) -> Pattern:
    """Output port, by name or index. A name is taken as it is (``port("IAC Bus 1")``),
    not read as mini-notation; pass a pattern (``port(mini("<0 1>"))``) to switch ports."""
    if isinstance(pat, str):
        return pure({"port": str(pat)})  # (a plain str, not a literal that knows its place)
    return _port_control(pat)
legato = _control("legato", _positive("legato", False), "How much of each event's span the note sounds (1 = all).")
duration = _control("duration", _positive("duration", True), "How long each note sounds, in cycles.")
bend = _control("bend", _number("bend", -8192, 8191), "Pitch bend, −8192–8191 (0 = centre).")
aftertouch = _control("aftertouch", _number("aftertouch", 0, 127), "Channel pressure, 0–127.")
pressure = _control("pressure", _number("pressure", 0, 127), "A note's pressure, 0–127: channel pressure on its MPE channel.")
timbre = _control("timbre", _number("timbre", 0, 127), "A note's timbre, 0–127: CC 74 on its MPE channel (MPE's third dimension).")
program = _control("program", _number("program", 0, 127), "Program change, 0–127.")
bank = _control("bank", _number("bank", 0, 16383), "Bank select (14 bits) sent before a program change.")


def _degree(v: Any) -> Any:
    if isinstance(v, str):
        return note_number(v)
    if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
        raise TypeError(f"n expects a number or a note name, found {type(v).__name__} {v!r}")
    return v  # a fractional note is a microtone, kept exact (the port decides: session/mpe.py)


n = _control("note", _degree, """Notes, like `note`, but not yet checked against 0..127: a scale degree may be
negative or high until `scale` turns it into a note (``n("-2 0 2").scale("C:minor")``).
What reaches the MIDI output is checked there.""")
n.__name__ = n.__qualname__ = "n"


vel = velocity
ch = channel
_cc_value = _number("cc value", 0, 127)
_cc_number = _number("cc number", 0, 127)


@patternify("number")
def cc(number: int, pat: Any) -> Pattern:
    """A control change: ``cc(74, "0 64 127")`` → values ``{'cc74': 0}``, ... (0–127, floats rounded)."""
    if isinstance(number, float) and number != int(number):
        raise ValueError(f"cc number must be whole, found {number!r}")
    key = f"cc{_cc_number(number)}"
    return pat.fmap(lambda v: {key: _cc_value(v)})


def cc_items(controls: dict[str, Any]) -> list[tuple[int, int]]:
    """The ``(control number, value)`` pairs in a control dict, by control number."""
    out = []
    for k, v in controls.items():
        if k.startswith("cc") and k[2:].isdigit():
            out.append((int(k[2:]), v))
    return sorted(out)


def _sysex_data(v: Any) -> tuple[int, ...]:
    if isinstance(v, str):
        try:
            v = bytes.fromhex(v)
        except ValueError:
            raise ValueError(f"sysex expects hex data bytes like '7e 7f 09 01', found {v!r}") from None
    if not isinstance(v, (bytes, bytearray, list, tuple)):
        raise TypeError(f"sysex expects data bytes (bytes, a list of ints or a hex string), found {type(v).__name__}")
    data = tuple(v)
    for b in data:
        if isinstance(b, bool) or not isinstance(b, int) or not 0 <= b <= 127:
            raise ValueError(f"sysex data bytes must be 0..127 (without F0/F7), found {b!r}")
    return data


def sysex(data: Any) -> Pattern:
    """A system-exclusive message once per cycle (or a pattern of them): ``sysex([0x7e, 0x7f, 9, 1])``."""
    if isinstance(data, Pattern):
        return data.fmap(lambda v: {"sysex": _sysex_data(v)})
    return pure({"sysex": _sysex_data(data)})


def _method(control: Callable[..., Pattern], name: str) -> None:
    def method(self: Pattern, *args: Any) -> Pattern:
        if not args and control is not cc:
            return control(self)  # Strudel's "c e g".note(): p's values become the control
        return self | control(*args)

    method.__name__ = name
    method.__doc__ = (f"``p.{name}(x)`` is ``p | {control.__name__}(x)``: structure from p; ``p.{name}()`` is "
                      f"``{control.__name__}(p)``. " + (control.__doc__ or ""))
    setattr(Pattern, name, method)


for _name, _control_fn in {
    "note": note, "n": n, "velocity": velocity, "vel": velocity, "channel": channel, "ch": channel,
    "port": port, "legato": legato, "duration": duration, "bend": bend, "aftertouch": aftertouch,
    "pressure": pressure, "timbre": timbre,
    "program": program, "bank": bank, "cc": cc, "sysex": sysex,
}.items():
    _method(_control_fn, _name)
