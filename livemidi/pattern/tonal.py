"""Music helpers as pattern functions: scale, snap, transpose, chord, arp.

They read the tables of `music` and work on plain numbers, note names and
note controls alike: ``transpose(12, "c e g")`` and
``transpose(12, note("c e g"))`` both move up an octave (for a control dict
only its ``note`` changes). The scale name, root, chord quality and arpeggio
mode may be patterns (``scale("<major minor>", "0 2 4")``).
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from .compose import stack
from .core import Event, Pattern, pure
from .lift import patternify, register_method
from .music import arp_order, chord_notes, degree_note, note_number, scale_spec, snap_note
from .rational import add, div, frac, sub
from .signals import _seed, rand_int
from .tables import _at, compiled, table, table_period
from .time import TimeSpan, _span, sect

__all__ = ["arp", "chord", "scale", "snap", "transpose"]

_tuple_new = tuple.__new__


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
def scale_(name: str, pat: Any, root: Any = 60) -> Pattern:
    named_root, steps = scale_spec(name)  # checked now, not at the first query
    base = note_number(root if named_root is None else named_root)
    return pat.fmap(_on_notes(lambda d: degree_note(d, steps, base)))


def scale(*args: Any, **kwargs: Any) -> Any:
    """Scale degrees to notes: ``scale("major", "0 2 4")`` → 60 64 67 (root c4 unless given).

    The name may carry its root, as Strudel writes it: ``n("0 2 4").scale("C:major")``,
    ``"D4:dorian"``, ``"<C:major A:minor>"``, and ``"C4 bebop major"`` (a name with
    spaces is one name, not a sequence; see `music.scale_spec`).
    """
    if "name" in kwargs:
        kwargs["name"] = _spaced_name(kwargs["name"])
    elif args:
        args = (_spaced_name(args[0]), *args[1:])
    return scale_(*args, **kwargs)


scale.__signature__ = inspect.signature(scale_)  # type: ignore[attr-defined]  # (for register_method)


def _spaced_name(name: Any) -> Any:
    """``"C4 bebop major"`` as one value: mini-notation would read three steps."""
    if isinstance(name, str) and " " in name.strip() and not any(c in name for c in "<[{,*/!@?~|"):
        try:
            scale_spec(name)
        except ValueError:
            return name
        return pure(name)
    return name


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
    if compiled(pat) and mode != "random":
        return _arp_table(mode, pat)
    q = pat.query

    def query(span: TimeSpan) -> list[Event]:
        out: list[Event] = []
        seen: set[TimeSpan] = set()
        for w, _, _ in q(span):
            if w is None or w in seen:
                continue
            seen.add(w)
            # The events themselves are ordered, so that each note keeps where it came from.
            together = [ev for ev in q(w) if ev[0] == w and ev[1][0] == w[0]]
            at = w[0]
            ordered = arp_order(mode, together, lambda i: rand_int(at, i + 1, seed, 7 + i))
            if not ordered:
                continue
            step = div(sub(w[1], at), frac(len(ordered), 1))
            begin = at
            for ev in ordered:
                end = add(begin, step)
                piece = _span(begin, end)
                part = sect(piece, span)
                if part is not None:
                    out.append(_tuple_new(type(ev), (piece, part, ev[2])))
                begin = end
        return out

    return Pattern(query)


def _arp_table(mode: str, pat: Pattern) -> Pattern:
    """`arp` of a cycle table: the same grouping and order, compiled once."""
    cycles = []
    for j in range(table_period(pat) or 1):
        groups: dict[tuple, list] = {}
        for b, e, v, k in _at(pat, j):
            groups.setdefault((b, e), []).append((v, k))
        entries = []
        for (b, e), values in groups.items():
            ordered = arp_order(mode, values)
            step = (e - b) / len(ordered)
            entries.extend((b + i * step, b + (i + 1) * step, v, k) for i, (v, k) in enumerate(ordered))
        cycles.append(sorted(entries, key=lambda entry: entry[0]))
    return table(cycles)


for _f in (arp, chord, scale, snap, transpose):
    register_method(_f)
