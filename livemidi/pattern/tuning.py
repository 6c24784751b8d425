"""Tunings: scale degrees to pitches between the keys (microtones), as pure pitch math.

``tuning("19edo")`` is 19 equal steps to the octave; ``tuning([204, 386, 498,
702, 884, 1088, 1200])`` a scale written as a Scala file writes it: the cents
(or, as strings, ratios like ``"3/2"``) of degrees 1, 2, ... above the root,
the last one the period (an octave, usually). A tuning turns a whole degree
into a note number that may lie between two keys: ``n("0 1 2").tuning("19edo")``
plays 60, 60 + 12/19, 60 + 24/19. Degrees below 0 or past the period go down
or up by periods, as scale degrees go by octaves.

Such a note plays at its pitch where the port can bend it (an MPE output, or
an ordinary one given `microtonal_channels`; see docs/ableton.md); on any
other port the session refuses it, naming the note, rather than round it.

Rules of the Scala format that apply to the strings: a value with a ``.`` is
cents (``"701.955"``), one without is a ratio (``"3/2"``, ``"2"``). Plain
Python numbers are cents. A leading unison (0 cents, ``"1/1"``) may be written
or left out. This module is pure: it makes numbers, never MIDI.

Misuse: a fractional degree, steps that do not rise, or a period of 0 cents
raise ValueError naming what was expected.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any

from .lift import reify, register_method
from .music import note_number

__all__ = ["Tuning", "tuning"]

_EDO = re.compile(r"\s*(\d+)\s*-?\s*(?:edo|tet|et)\s*$", re.IGNORECASE)


class Tuning:
    """The cents of one period's degrees (``steps[0] == 0``) and the period, in cents."""

    __slots__ = ("name", "period", "steps")

    def __init__(self, steps: tuple[Fraction | float, ...], period: Fraction | float, name: str = "") -> None:
        self.steps = steps
        self.period = period
        self.name = name

    def __len__(self) -> int:
        return len(self.steps)

    def cents(self, degree: Any) -> Fraction | float:
        """The cents of a whole `degree` above the root (degrees past the period add periods)."""
        if isinstance(degree, bool) or not isinstance(degree, (int, float, Fraction)) or degree != int(degree):
            raise ValueError(f"a tuning's degree must be a whole number, found {degree!r}")
        periods, index = divmod(int(degree), len(self.steps))
        return periods * self.period + self.steps[index] if periods else self.steps[index]

    def note(self, degree: Any, root: Any = 60) -> Any:
        """The note number (whole or fractional) of `degree` above `root` (a note name or number)."""
        pitch = note_number(root) + self.cents(degree) / 100
        if pitch == int(pitch):  # (60.0 or Fraction(60): the key itself)
            return int(pitch)
        return pitch

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tuning) and (self.steps, self.period) == (other.steps, other.period)

    def __hash__(self) -> int:
        return hash((self.steps, self.period))

    def __repr__(self) -> str:
        if self.name:
            return f"tuning({self.name!r})"
        return f"tuning({[_show(c) for c in (*self.steps[1:], self.period)]!r})"


def _show(cents: Fraction | float) -> Any:
    return int(cents) if cents == int(cents) else float(cents)


def _cents(value: Any) -> Fraction | float:
    """One Scala-like value: a number is cents; a string is cents with a '.', else a ratio."""
    if isinstance(value, bool):
        raise TypeError(f"a tuning's step is cents or a ratio string like '3/2', found {value!r}")
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"a tuning's step must be a finite number of cents, found {value!r}")
        return value
    if not isinstance(value, str):
        raise TypeError(f"a tuning's step is cents or a ratio string like '3/2', found {type(value).__name__} {value!r}")
    text = value.strip()
    try:
        if "." in text:
            return float(text)
        ratio = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"a tuning's step is cents ('701.955') or a ratio ('3/2'), found {value!r}") from None
    if ratio <= 0:
        raise ValueError(f"a tuning's ratio must be positive, found {value!r}")
    octaves = ratio.numerator.bit_length() - 1
    if ratio.denominator == 1 and ratio.numerator == 1 << octaves:
        return Fraction(1200 * octaves)  # 2/1, 4/1: exact
    return 1200 * math.log2(ratio)


def _parse(spec: Any) -> Tuning:
    if isinstance(spec, str):
        match = _EDO.match(spec)
        if not match:
            raise ValueError(f"expected a tuning like '19edo' (or '31-tet'), or a list of cents, found {spec!r}")
        divisions = int(match.group(1))
        if not 1 <= divisions <= 1200:
            raise ValueError(f"an equal tuning has 1 to 1200 steps to the octave, found {divisions}")
        step = Fraction(1200, divisions)
        return Tuning(tuple(step * k for k in range(divisions)), Fraction(1200), f"{divisions}edo")
    if not isinstance(spec, (list, tuple)):
        raise TypeError(f"expected a tuning name like '19edo' or a list of cents, found {type(spec).__name__} {spec!r}")
    values = [_cents(value) for value in spec]
    if values and values[0] == 0:
        values = values[1:]  # a written unison: the root is degree 0 anyway
    if not values:
        raise ValueError("a tuning needs at least its period (e.g. [1200]), found no steps")
    *steps, period = values
    previous: Any = 0
    for value in values:
        if value <= previous:
            raise ValueError(f"a tuning's steps must rise above the root and each other, found {[_show(v) for v in values]}")
        previous = value
    return Tuning((Fraction(0), *steps), period)


def tuning(spec: Any, pat: Any = None, root: Any = 60) -> Any:
    """A `Tuning` (``tuning("19edo")``, ``tuning([100, 200, ..., 1200])``); given `pat`, its degrees as notes.

    ``tuning("19edo", "0 1 2")`` and ``n("0 1 2").tuning("19edo")`` play
    degrees 0, 1, 2 of 19-EDO above `root` (c4 = 60 unless given), as notes
    between the keys. A degree may be a plain number or a note control's.
    """
    scale = spec if isinstance(spec, Tuning) else _parse(spec)
    if pat is None:
        return scale
    base = note_number(root)

    def degree(value: Any) -> Any:
        if isinstance(value, dict):
            if "note" not in value:
                raise ValueError(f"expected a degree (a note control), found controls {sorted(value)} without 'note'")
            return {**value, "note": scale.note(value["note"], base)}
        return scale.note(value, base)

    return reify(pat).fmap(degree)


register_method(tuning)

