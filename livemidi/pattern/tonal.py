"""Music helpers as pattern functions: scale, snap, transpose, chord, arp.

They read the tables of `music` and work on plain numbers, note names and
note controls alike: ``transpose(12, "c e g")`` and
``transpose(12, note("c e g"))`` both move up an octave (for a control dict
only its ``note`` changes). The scale name, root, chord quality and arpeggio
mode may be patterns (``scale("<major minor>", "0 2 4")``).
"""

from __future__ import annotations

from typing import Any, Callable

from .core import Event, Pattern, patternify, pure, register_method, stack
from .music import arp_order, chord_notes, note_number, scale_note, snap_note
from .signals import _seed, rand_int
from .time import TimeSpan, _span, sect

__all__ = ["arp", "chord", "scale", "snap", "transpose"]


def _on_notes(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Apply `f` to a note: a number, a note name, or the ``note`` of a control dict."""

    def apply(v: Any) -> Any:
        if isinstance(v, dict):
            if "note" not in v:
                raise ValueError(f"expected a note control, found controls {sorted(v)} without 'note'")
            return {**v, "note": f(v["note"])}
        return f(v)

    return apply


@patternify("name", "root")
def scale(name: str, pat: Any, root: Any = 60) -> Pattern:
    """Scale degrees to notes: ``scale("major", "0 2 4")`` → 60 64 67 (root c4 unless given)."""
    scale_note(0, name, root)  # check the name and root now, not at the first query
    return pat.fmap(_on_notes(lambda d: scale_note(d, name, root)))


@patternify("name", "root")
def snap(name: str, pat: Any, root: Any = 0) -> Pattern:
    """Move every note to the nearest note of the scale (ties go down)."""
    snap_note(60, name, root)
    return pat.fmap(_on_notes(lambda n: snap_note(n, name, root)))


@patternify("semitones")
def transpose(semitones: int, pat: Any) -> Pattern:
    """Add `semitones` to every note (note names become numbers)."""
    if isinstance(semitones, bool) or not isinstance(semitones, (int, float)):
        raise TypeError(f"expected a number of semitones, found {type(semitones).__name__} {semitones!r}")
    return pat.fmap(_on_notes(lambda n: note_number(n) + semitones))


@patternify("quality", "inversion", "voicing")
def chord(quality: str, pat: Any, inversion: int = 0, voicing: str = "close", count: int | None = None) -> Pattern:
    """Each root in `pat` becomes the notes of a chord, sounding together: ``chord("maj7", "c4 a3")``."""
    chord_notes(60, quality, inversion, voicing, count)

    def notes(root: Any) -> Pattern:
        if isinstance(root, dict):
            if "note" not in root:
                raise ValueError(f"expected a note control as chord root, found controls {sorted(root)}")
            return stack(*[pure({**root, "note": n}) for n in chord_notes(root["note"], quality, inversion, voicing, count)])
        return stack(*[pure(n) for n in chord_notes(root, quality, inversion, voicing, count)])

    return pat.squeeze_bind(notes)


@patternify("mode")
def arp(mode: str, pat: Any, seed: int = 0) -> Pattern:
    """Play the notes that sound together one after another, within their shared span.

    Modes: up, down, updown, downup, up_and_down, down_and_up, converge,
    diverge, disconverge, pinkyup, thumbup, random. Notes are taken in
    stacking order (lowest first for chords).
    """
    arp_order(mode, [0, 1], lambda i: 0)  # check the mode now
    seed = _seed(seed)
    q = pat.query

    def query(span: TimeSpan) -> list[Event]:
        out: list[Event] = []
        seen: set[TimeSpan] = set()
        for w, _, _ in q(span):
            if w is None or w in seen:
                continue
            seen.add(w)
            values = [v for w2, p2, v in q(w) if w2 == w and p2[0] == w[0]]
            at = w[0]
            ordered = arp_order(mode, values, lambda i: rand_int(at, i + 1, seed, 7 + i))
            if not ordered:
                continue
            step = (w[1] - w[0]) / len(ordered)
            for i, v in enumerate(ordered):
                sub = _span(at + i * step, at + (i + 1) * step)
                part = sect(sub, span)
                if part is not None:
                    out.append(Event(sub, part, v))
        return out

    return Pattern(query)


for _f in (arp, chord, scale, snap, transpose):
    register_method(_f)
