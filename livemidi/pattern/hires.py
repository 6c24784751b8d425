"""Controllers beyond 7 bits, as pattern controls: NRPN, RPN, 14-bit CCs and polyphonic key pressure.

::

    note("c e").nrpn(0x0120, "0 8192")      # NRPN 0x0120 (MSB 2, LSB 32) = 0, then 8192
    note("c").rpn(0, 12 * 128)              # RPN 0: pitch-bend range 12 semitones, 0 cents
    note("c*4").cc14(1, "0 4096 8192 16383") # mod wheel, MSB on CC 1 and LSB on CC 33
    note("c e g").polytouch("20 60 100")    # key pressure on each note's own key

Each is a control like `cc`: structure from the left, value patternable, and
any number of them on one event (``.nrpn(1, 5).nrpn(2, 6)``). Values are 0–16383
(14 bits; floats are rounded), parameters 0–16383. The keys in the control
dicts name the parameter, as ``cc<number>`` does: ``{'nrpn288': 8192}``,
``{'rpn0': 1536}``, ``{'cc14_1': 4096}``, ``{'polytouch': 60}``; `hires_key`
reads one back. ``polytouch<key>`` (``{'polytouch60': 90}``) is key pressure on
key 60 without a note of its own: what `load` makes of pressure on a held key.

What they send is `livemidi.render`'s business (`livemidi.messages.controllers`
builds the byte sequences): this module stays free of MIDI, as the pattern
layer must. A value out of range raises ValueError naming the control, the
range and the value found; a plain value where it is written, a patterned one
when it is queried.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

from .core import Pattern
from .lift import patternify, reify

__all__ = ["cc14", "hires_key", "nrpn", "polytouch", "rpn"]

MAX14 = 16383  # the largest 14-bit value: MSB 127, LSB 127
NULL_RPN = MAX14  # RPN 127/127 is the null parameter: what ends a sequence, never one to set

# Each kind of key by its prefix. ("cc14_" with its underscore: "cc14" is 7-bit CC 14, a `cc` key.)
_PREFIXES = (("polytouch", "polytouch"), ("nrpn", "nrpn"), ("rpn", "rpn"), ("cc14_", "cc14"))


def hires_key(key: str) -> tuple[str, int | None] | None:
    """The kind and number of a control key of this module: ``'nrpn288'`` → ``('nrpn', 288)``,
    ``'cc14_1'`` → ``('cc14', 1)``, ``'polytouch'`` → ``('polytouch', None)``; None for other keys."""
    for prefix, kind in _PREFIXES:
        if key.startswith(prefix):
            rest = key[len(prefix):]
            if rest.isdigit():
                return kind, int(rest)
            if not rest and kind == "polytouch":
                return kind, None
            return None
    return None


def _whole(what: str, v: Any, low: int, high: int) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, float, Fraction)):
        raise TypeError(f"{what} expects a number {low}..{high}, found {type(v).__name__} {v!r}")
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError(f"{what} expects a number {low}..{high}, found {v!r}")
    number = v if isinstance(v, int) else round(v)
    if not low <= number <= high:
        raise ValueError(f"{what} expects a number {low}..{high}, found {v!r}")
    return number


def _exact(what: str, v: Any, low: int, high: int, note: str = "") -> int:
    """A parameter or controller number: whole, never rounded (rounding would address another one)."""
    if (isinstance(v, float) and v.is_integer()) or (isinstance(v, Fraction) and v.denominator == 1):
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"{what} expects a whole number {low}..{high}{note}, found {type(v).__name__} {v!r}")
    if not low <= v <= high:
        raise ValueError(f"{what} expects a whole number {low}..{high}{note}, found {v!r}")
    return v


def _valued(key: str, what: str, pat: Pattern, low: int, high: int) -> Pattern:
    # (`fmap` maps a plain value at once, so a plain value is checked where it is written)
    return pat.fmap(lambda v: {key: _whole(what, v, low, high)})


@patternify("param")
def nrpn(param: int, pat: Any) -> Pattern:
    """A non-registered parameter: ``nrpn(0x0120, "0 8192")`` → ``{'nrpn288': 0}``, ... (param and value 0–16383).

    Sent as CC 99/98 (parameter MSB/LSB), CC 6/38 (data entry MSB/LSB), then
    the null RPN (CC 101/100 = 127/127), all at the event's onset.
    """
    number = _exact("nrpn() parameter", param, 0, MAX14)
    return _valued(f"nrpn{number}", f"nrpn({number}) value", pat, 0, MAX14)


@patternify("param")
def rpn(param: int, pat: Any) -> Pattern:
    """A registered parameter: ``rpn(0, 2 * 128)`` (pitch-bend range 2 semitones) → ``{'rpn0': 256}``.

    Parameters 0–16382 (16383 is the null RPN), values 0–16383: for RPN 0 the
    value is semitones × 128 + cents. Sent as CC 101/100, CC 6/38, then the null RPN.
    """
    number = _exact("rpn() parameter", param, 0, NULL_RPN - 1, " (16383 is the null RPN)")
    return _valued(f"rpn{number}", f"rpn({number}) value", pat, 0, MAX14)


@patternify("msb_cc")
def cc14(msb_cc: int, pat: Any) -> Pattern:
    """A 14-bit controller: ``cc14(1, 8192)`` sends CC 1 = 64 (MSB), then CC 33 = 0 (LSB) → ``{'cc14_1': 8192}``.

    `msb_cc` is 0–31 (its LSB is `msb_cc` + 32), the value 0–16383.
    """
    number = _exact("cc14() controller", msb_cc, 0, 31, " (an MSB controller; its LSB is that number + 32)")
    return _valued(f"cc14_{number}", f"cc14({number}) value", pat, 0, MAX14)


def polytouch(pat: Any) -> Pattern:
    """Polyphonic key pressure for each note, 0–127: ``note("c e").polytouch("20 90")``.

    Sent on the note's own key and channel right after its note-on (pressure on
    a key that is not sounding yet would be ignored by the instrument).
    """
    return _valued("polytouch", "polytouch", reify(pat), 0, 127)


def _method(name: str, control: Callable[..., Pattern], arity: int) -> None:
    def method(self: Pattern, *args: Any) -> Pattern:
        if arity == 1 and not args:
            return control(self)  # "20 90".polytouch(): the values become the control
        if len(args) != arity:
            wanted = "a parameter and a value" if arity == 2 else "a value"
            raise TypeError(f"{name}() takes {wanted}, found {len(args)} argument{'s' if len(args) != 1 else ''}")
        return self | control(*args)

    method.__name__ = name
    method.__doc__ = f"``p.{name}(...)`` is ``p | {name}(...)``: structure from p. " + (control.__doc__ or "")
    setattr(Pattern, name, method)


for _name, _fn, _arity in (("nrpn", nrpn, 2), ("rpn", rpn, 2), ("cc14", cc14, 2), ("polytouch", polytouch, 1)):
    _method(_name, _fn, _arity)
