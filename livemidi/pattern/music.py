"""Music theory as plain values: note names, scales, chords, voicings, arpeggio orders.

Middle C is ``c4`` = 60 (the convention of Ableton and most DAWs; octave -1
starts at note 0). Names are a letter, any number of accidentals (``#`` or
``s`` sharp, ``b`` or ``f`` flat) and an optional octave (4 when left out):
``c``, ``eb3``, ``f#2``, ``cs5``, ``bb-1``.

`SCALES` and `CHORDS` are the one table of each; the pattern functions in
`tonal` and the chord symbols of the mini-notation (``c4'maj7'ii``) read them.
Everything here works on plain numbers, so it is easy to test and to reuse.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, Callable, Sequence

__all__ = [
    "ARP_MODES", "CHORDS", "SCALES", "SCALE_ALIASES", "VOICINGS", "arp_order", "chord_notes", "colon_chord",
    "degree_note", "is_note_name", "note_name", "note_number", "parse_chord", "scale_note", "scale_spec", "snap_note", "whole_note",
]

_LETTERS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
_NOTE_RE = re.compile(r"([a-gA-G])((?:#|s|b|f)*)(-?\d+)?$")
_SHARP_NAMES = ["c", "c#", "d", "d#", "e", "f", "f#", "g", "g#", "a", "a#", "b"]

SCALES: dict[str, tuple[int, ...]] = {
    # major and its modes
    "major": (0, 2, 4, 5, 7, 9, 11),
    "ionian": (0, 2, 4, 5, 7, 9, 11),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "aeolian": (0, 2, 3, 5, 7, 8, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    # minors and their relatives
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "melodic_minor": (0, 2, 3, 5, 7, 9, 11),
    "harmonic_major": (0, 2, 4, 5, 7, 8, 11),
    "lydian_dominant": (0, 2, 4, 6, 7, 9, 10),
    "altered": (0, 1, 3, 4, 6, 8, 10),
    "phrygian_dominant": (0, 1, 4, 5, 7, 8, 10),
    "hungarian_minor": (0, 2, 3, 6, 7, 8, 11),
    "romanian_minor": (0, 2, 3, 6, 7, 9, 10),
    "double_harmonic": (0, 1, 4, 5, 7, 8, 11),
    "neapolitan_major": (0, 1, 3, 5, 7, 9, 11),
    "neapolitan_minor": (0, 1, 3, 5, 7, 8, 11),
    "persian": (0, 1, 4, 5, 6, 8, 11),
    "enigmatic": (0, 1, 4, 6, 8, 10, 11),
    # pentatonic, hexatonic, blues
    "major_pentatonic": (0, 2, 4, 7, 9),
    "pentatonic": (0, 2, 4, 7, 9),
    "minor_pentatonic": (0, 3, 5, 7, 10),
    "blues": (0, 3, 5, 6, 7, 10),
    "major_blues": (0, 2, 3, 4, 7, 9),
    "egyptian": (0, 2, 5, 7, 10),
    "ritusen": (0, 2, 5, 7, 9),
    "hirajoshi": (0, 2, 3, 7, 8),
    "in_sen": (0, 1, 5, 7, 10),
    "iwato": (0, 1, 5, 6, 10),
    "kumoi": (0, 2, 3, 7, 9),
    "pelog": (0, 1, 3, 7, 8),
    "prometheus": (0, 2, 4, 6, 9, 10),
    "whole_tone": (0, 2, 4, 6, 8, 10),
    "augmented": (0, 3, 4, 7, 8, 11),
    # eight notes and more
    "diminished": (0, 2, 3, 5, 6, 8, 9, 11),
    "diminished_half_whole": (0, 1, 3, 4, 6, 7, 9, 10),
    "bebop_major": (0, 2, 4, 5, 7, 8, 9, 11),
    "bebop_dominant": (0, 2, 4, 5, 7, 9, 10, 11),
    "bebop_minor": (0, 2, 3, 4, 5, 7, 9, 10),
    "chromatic": tuple(range(12)),
}

CHORDS: dict[str, tuple[int, ...]] = {
    "major": (0, 4, 7), "maj": (0, 4, 7), "M": (0, 4, 7),
    "minor": (0, 3, 7), "min": (0, 3, 7), "m": (0, 3, 7),
    "aug": (0, 4, 8), "dim": (0, 3, 6),
    "sus2": (0, 2, 7), "sus4": (0, 5, 7), "5": (0, 7),
    "6": (0, 4, 7, 9), "m6": (0, 3, 7, 9), "69": (0, 4, 7, 9, 14), "m69": (0, 3, 7, 9, 14),
    "7": (0, 4, 7, 10), "dom7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "m7": (0, 3, 7, 10),
    "min7": (0, 3, 7, 10), "mmaj7": (0, 3, 7, 11), "dim7": (0, 3, 6, 9), "m7b5": (0, 3, 6, 10),
    "aug7": (0, 4, 8, 10), "7b5": (0, 4, 6, 10), "7sus2": (0, 2, 7, 10), "7sus4": (0, 5, 7, 10),
    "add9": (0, 4, 7, 14), "madd9": (0, 3, 7, 14), "add11": (0, 4, 7, 17),
    "9": (0, 4, 7, 10, 14), "maj9": (0, 4, 7, 11, 14), "m9": (0, 3, 7, 10, 14),
    "7b9": (0, 4, 7, 10, 13), "7#9": (0, 4, 7, 10, 15),
    "11": (0, 4, 7, 10, 14, 17), "maj11": (0, 4, 7, 11, 14, 17), "m11": (0, 3, 7, 10, 14, 17),
    "13": (0, 4, 7, 10, 14, 17, 21), "maj13": (0, 4, 7, 11, 14, 21), "m13": (0, 3, 7, 10, 14, 17, 21),
}

VOICINGS = ("close", "open", "drop2", "drop3", "drop24")


def is_note_name(word: str) -> bool:
    return bool(_NOTE_RE.match(word))


def note_number(name: Any) -> int:
    """``"c4"`` → 60, ``"eb3"`` → 51, ``"f#2"`` → 42; numbers pass through unchanged."""
    if isinstance(name, bool):
        raise TypeError(f"expected a note name or number, found {name!r}")
    if isinstance(name, (int, float, Fraction)):
        return name  # type: ignore[return-value]
    if not isinstance(name, str):
        raise TypeError(f"expected a note name like 'c4' or a number, found {type(name).__name__} {name!r}")
    m = _NOTE_RE.match(name)
    if not m:
        raise ValueError(f"expected a note name like c4, eb3 or f#2, or a number, found {name!r}")
    letter, accidentals, octave = m.groups()
    pc = _LETTERS[letter.lower()] + sum(1 if a in "#s" else -1 for a in accidentals)
    return (int(octave) + 1 if octave is not None else 5) * 12 + pc


def whole_note(number: Any) -> Any:
    """A note number as the whole number it is (``60.0`` → 60); a fractional one raises ValueError.

    For code that needs a key: a note between two keys (a microtone) plays
    only where the port can bend it (`livemidi.session.mpe`), and rounding
    it would play a note that was not written. What is not a float or a
    Fraction comes back as it is, for the caller's checks.
    """
    if not isinstance(number, (float, Fraction)):
        return number
    if not math.isfinite(number):
        raise ValueError(f"note must be a whole number 0..127, found {number!r}")
    if number == int(number):
        return int(number)
    raise ValueError(
        f"note {number} is between two keys, and a MIDI key is a whole number. Write a whole note ({math.floor(number)} or {math.ceil(number)}), "
        f"or round a computed one where it is made, e.g. note(segment(8, sine.range(60, 72)).fmap(round))"
    )


def note_name(number: int) -> str:
    """60 → ``"c4"``, 61 → ``"c#4"`` (sharps)."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"expected a whole note number, found {number!r}")
    return f"{_SHARP_NAMES[number % 12]}{number // 12 - 1}"


# Other spellings of the scales above: Tidal's names (camelCase is read as
# snake_case, so harmonicMinor needs no entry) and Strudel's (Tonal's) names.
SCALE_ALIASES: dict[str, str] = {
    "maj_pent": "major_pentatonic", "min_pent": "minor_pentatonic", "whole": "whole_tone",
    "wholetone": "whole_tone", "kumai": "kumoi", "super_locrian": "altered", "superlocrian": "altered",
    "diminished2": "diminished_half_whole", "bebop": "bebop_dominant", "minor_blues": "blues",
    "double_harmonic_major": "double_harmonic", "insen": "in_sen",
}


def scale_spec(spec: Any) -> tuple[int | None, tuple[int, ...]]:
    """A scale name as Tidal, Strudel and livemidi write it: (root or None, steps).

    ``"minor"``, ``"harmonicMinor"``, ``"harmonic minor"``, ``"C:major"``,
    ``"D4:dorian"``, ``"C4 bebop major"``. A root without an octave is in
    octave 4 (``"C:major"`` starts on 60), as every note name in livemidi.
    """
    if not isinstance(spec, str):
        raise ValueError(f"unknown scale {spec!r}; expected a scale name like 'major' or 'C:minor'")
    root: int | None = None
    name = spec.strip()
    head, sep, rest = name.partition(":") if ":" in name else name.partition(" ")
    if sep and _NOTE_RE.match(head):
        root, name = note_number(head), rest.strip()
    key = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower().replace(" ", "_").replace("-", "_")
    key = SCALE_ALIASES.get(key, key)
    if key not in SCALES:
        raise ValueError(f"unknown scale {spec!r}; expected one of {', '.join(sorted(SCALES))}, "
                         f"optionally after a root and ':' (e.g. 'C:minor')")
    return root, SCALES[key]


def _scale(name: str) -> tuple[int, ...]:
    return scale_spec(name)[1]


def scale_note(degree: int, scale: str, root: Any = 60) -> int:
    """The note at `degree` (0 = the root; 7 in a seven-note scale is an octave up; -1 is below the root).

    A root in the scale's name (``"C:minor"``) wins over `root`.
    """
    named_root, steps = scale_spec(scale)
    return degree_note(degree, steps, note_number(root if named_root is None else named_root))


def degree_note(degree: Any, steps: Sequence[int], root: int) -> int:
    """`scale_note` for a scale already looked up (`scale_spec`) and a root number."""
    if isinstance(degree, bool) or not isinstance(degree, (int, float, Fraction)) or int(degree) != degree:
        raise ValueError(f"expected a whole-number scale degree, found {degree!r}")
    octave, index = divmod(int(degree), len(steps))
    return root + 12 * octave + steps[index]


def snap_note(note: Any, scale: str, root: Any = 0) -> int:
    """The nearest note of `scale` (on `root`, any octave) to `note`; ties go down."""
    named_root, steps = scale_spec(scale)
    if named_root is not None:
        root = named_root
    n = note_number(note)
    pcs = {(note_number(root) + s) % 12 for s in steps}
    base = round(n)
    for d in range(7):
        for cand in (base - d, base + d):
            if cand % 12 in pcs:
                return cand
    raise AssertionError("every scale has a note within a tritone")


def _chord(quality: str) -> tuple[int, ...]:
    try:
        return CHORDS[quality]
    except (KeyError, TypeError):
        raise ValueError(f"unknown chord {quality!r}; expected one of {', '.join(CHORDS)}") from None


def chord_notes(root: Any, quality: str = "major", inversion: int = 0, voicing: str = "close",
                count: int | None = None) -> list[int]:
    """The notes of a chord, lowest first: ``chord_notes("c4", "maj7")`` → [60, 64, 67, 71].

    `count` extends the chord upwards an octave at a time (or cuts it);
    `inversion` moves the lowest note up an octave that many times; `voicing`
    is ``close``, ``open`` (the second-lowest note up an octave), ``drop2``,
    ``drop3`` or ``drop24`` (that note counted from the top, down an octave).
    """
    base = note_number(root)
    shape = _chord(quality)
    notes = [base + i for i in shape]
    if count is not None:
        if not 0 < count <= 128:  # more notes than MIDI has would only fill the memory
            raise ValueError(f"expected a note count from 1 to 128, found {count}")
        notes = [base + shape[i % len(shape)] + 12 * (i // len(shape)) for i in range(count)]
    if inversion < 0:
        raise ValueError(f"expected an inversion >= 0, found {inversion}")
    for _ in range(inversion):
        notes = notes[1:] + [notes[0] + 12]
    if voicing == "close":
        return notes
    if voicing == "open":
        if len(notes) > 2:
            notes[1] += 12
    elif voicing in ("drop2", "drop3", "drop24"):
        for k in {"drop2": (2,), "drop3": (3,), "drop24": (2, 4)}[voicing]:
            if len(notes) >= k:
                notes[-k] -= 12
    else:
        raise ValueError(f"unknown voicing {voicing!r}; expected one of {', '.join(VOICINGS)}")
    return sorted(notes)


_INVERSIONS = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_DROPS = {"d2": "drop2", "d3": "drop3", "d24": "drop24", "o": "open"}


def parse_chord(symbol: str) -> list[int] | None:
    """A chord symbol ``root'quality['modifier...]`` as notes, or None if it is not one.

    Modifiers: ``i``/``ii``/``iii`` inversions, ``o`` open, ``d2``/``d3``/``d24``
    drop voicings, a number for how many notes. ``c4'maj7`` → [60, 64, 67, 71].
    The root may be a note name or a number (``0'min``).
    """
    parts = symbol.split("'")
    if len(parts) < 2:
        return None
    root, quality, *mods = parts
    try:
        base = int(root) if re.fullmatch(r"-?\d+", root) else note_number(root)
    except ValueError:
        raise ValueError(f"expected a note name or number before ' in chord {symbol!r}, found {root!r}") from None
    inversion, voicing, count = 0, "close", None
    for mod in mods:
        if mod in _INVERSIONS:
            inversion = _INVERSIONS[mod]
        elif mod in _DROPS:
            voicing = _DROPS[mod]
        elif mod.isdigit():
            count = int(mod)
        else:
            raise ValueError(f"unknown chord modifier {mod!r} in {symbol!r}; expected i, ii, iii, o, d2, d3, d24 or a count")
    return chord_notes(base, quality, inversion, voicing, count)


def colon_chord(symbol: str) -> list[int] | None:
    """Strudel-style ``"c4:maj7"`` (a note name, ':', a chord) as notes, or None if it is not one.

    A name that is also a scale (``"C:major"``, ``"a:minor"``) is left to `scale`,
    so ``scale("C:major")`` keeps working; write ``c:maj`` or ``c'major`` for the chord.
    """
    root, sep, quality = symbol.partition(":")
    if not sep or quality not in CHORDS or quality in SCALES or not _NOTE_RE.match(root):
        return None
    return chord_notes(root, quality)


def _converge(xs: list[Any]) -> list[Any]:
    out, lo, hi = [], 0, len(xs) - 1
    while lo <= hi:
        out.append(xs[lo])
        if lo != hi:
            out.append(xs[hi])
        lo, hi = lo + 1, hi - 1
    return out


def _updown(xs: list[Any]) -> list[Any]:
    """Up, then down without repeating either end: c e g e."""
    return xs + xs[-2:0:-1]


def _pinkyup(xs: list[Any]) -> list[Any]:
    return [y for x in xs[:-1] for y in (x, xs[-1])] or xs


def _thumbup(xs: list[Any]) -> list[Any]:
    return [y for x in xs[1:] for y in (xs[0], x)] or xs


ARP_MODES: dict[str, Callable[[list[Any]], list[Any]]] = {
    "up": lambda xs: xs,
    "down": lambda xs: xs[::-1],
    "updown": _updown,
    "downup": lambda xs: xs[::-1] + xs[1:-1],
    "up_and_down": lambda xs: xs + xs[::-1],
    "down_and_up": lambda xs: xs[::-1] + xs,
    "converge": _converge,
    "diverge": lambda xs: _converge(xs)[::-1],
    # Tidal: converge ++ tail (reverse converge), so c e g is c g e g c.
    "disconverge": lambda xs: _converge(xs) + _converge(xs)[::-1][1:],
    "pinkyup": _pinkyup,
    "pinkyupdown": lambda xs: _updown(_pinkyup(xs)),
    "thumbup": _thumbup,
    "thumbupdown": lambda xs: _updown(_thumbup(xs)),
}
ARP_MODES["up&down"] = ARP_MODES["up_and_down"]  # Tidal's and Strudel's spellings
ARP_MODES["down&up"] = ARP_MODES["down_and_up"]


def arp_order(mode: str, values: Sequence[Any], shuffle_key: Callable[[int], int] | None = None) -> list[Any]:
    """`values` (lowest first) in the order arpeggio `mode` plays them.

    ``random`` needs `shuffle_key(i)`, a random index in ``range(i + 1)``, so
    that the caller decides the seed.
    """
    xs = list(values)
    if mode == "random":
        if shuffle_key is None:
            raise ValueError("the random arpeggio needs a shuffle_key")
        for i in range(len(xs) - 1, 0, -1):
            j = shuffle_key(i)
            xs[i], xs[j] = xs[j], xs[i]
        return xs
    try:
        return ARP_MODES[mode](xs)
    except (KeyError, TypeError):
        raise ValueError(f"unknown arpeggio mode {mode!r}; expected one of {', '.join([*ARP_MODES, 'random'])}") from None
