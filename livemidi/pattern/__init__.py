"""Patterns: the pattern engine, the mini-notation and music helpers.

A pattern is a function of time that answers "which events fall in this
span?", with exact `Fraction` cycles and deterministic randomness::

    >>> from livemidi.pattern import note, fast
    >>> print(note("c e <g b>").show())
    0 → 1/3 | note=60
    1/3 → 2/3 | note=64
    2/3 → 1 | note=67

Everything public is importable from here; docs/patterns.md describes it all.
Pure Python, no I/O and no MIDI: `livemidi.render` turns the events into
messages.
"""

from __future__ import annotations

from livemidi.errors import MiniNotationError

from .chance import (
                     almost_always,
                     almost_never,
                     always,
                     degrade,
                     degrade_by,
                     humanize,
                     never,
                     often,
                     randcat,
                     rarely,
                     scramble,
                     shuffle,
                     sometimes,
                     sometimes_by,
                     undegrade_by,
)
from .aliases import (
                     almostAlways,
                     almostNever,
                     brandBy,
                     chunkBack,
                     degradeBy,
                     echoWith,
                     euclidFull,
                     euclidLegato,
                     euclidLegatoRot,
                     euclidOff,
                     euclidRot,
                     fastChunk,
                     fastGap,
                     firstOf,
                     iterBack,
                     lastOf,
                     nTake,
                     pressBy,
                     repeatCycles,
                     seq,
                     slowcat,
                     someCycles,
                     someCyclesBy,
                     somecycles,
                     somecyclesBy,
                     sometimesBy,
                     stutWith,
                     swingBy,
                     timeCat,
                     undegradeBy,
)
from .choice import brand, brand_by, some_cycles, some_cycles_by, wchoose, wrandcat
from .combinators import (
                     brak,
                     compress,
                     early,
                     euclid,
                     euclid_bools,
                     euclid_full,
                     euclid_rot,
                     every,
                     fast,
                     first_of,
                     inside,
                     last_of,
                     late,
                     layer,
                     mask,
                     off,
                     outside,
                     palindrome,
                     ply,
                     range_,
                     rev,
                     run,
                     segment,
                     slow,
                     struct,
                     superimpose,
                     swing,
                     swing_by,
                     when,
                     within,
                     zoom,
)
from .compose import cat, fastcat, sequence, stack, timecat
from .controls import (
                     aftertouch,
                     bank,
                     bend,
                     cc,
                     cc_items,
                     ch,
                     channel,
                     duration,
                     legato,
                     n,
                     note,
                     port,
                     pressure,
                     program,
                     sysex,
                     timbre,
                     vel,
                     velocity,
)
from .core import Event, Pattern, pure, show_value, signal, silence
from .event import Location, locations
from .hires import cc14, hires_key, nrpn, polytouch, rpn
from .layers import contrast, echo, echo_with, fix, squeeze, stut, stut_with, unfix, ur
from .lift import mini, patternify, reify, show
from .music import (
                     ARP_MODES,
                     CHORDS,
                     SCALES,
                     VOICINGS,
                     arp_order,
                     chord_notes,
                     colon_chord,
                     note_name,
                     note_number,
                     parse_chord,
                     scale_note,
                     scale_spec,
                     snap_note,
)
from .signals import (
                     choose,
                     cosine,
                     irand,
                     isaw,
                     perlin,
                     perlin_seeded,
                     rand,
                     rand_at,
                     rand_seeded,
                     rangex,
                     saw,
                     sine,
                     square,
                     tri,
)
from .played import InputState, held, held_root, knob, on_note
from .rhythm import eoff, euclid_legato, euclid_legato_rot, euclid_off
from .structure import (
                     chunk,
                     chunk_back,
                     fast_chunk,
                     fast_gap,
                     hurry,
                     iter_,
                     iter_back,
                     linger,
                     n_take,
                     press,
                     press_by,
                     repeat_cycles,
                     rot,
)
from .time import Time, TimeSpan, to_time
from .tonal import arp, chord, scale, snap, transpose
from .tuning import Tuning, tuning

__all__ = [
    "ARP_MODES", "CHORDS", "Event", "Location", "MiniNotationError", "Pattern", "SCALES", "Time", "TimeSpan", "Tuning", "VOICINGS",
    "aftertouch", "almostAlways", "almostNever", "almost_always", "almost_never", "always", "arp", "arp_order",
    "bank", "bend", "brak", "brand", "brandBy", "brand_by", "cat", "cc", "cc14", "cc_items", "ch", "channel", "choose",
    "chord", "chord_notes", "chunk", "chunkBack", "chunk_back", "colon_chord", "compress", "contrast", "cosine",
    "degrade", "degradeBy", "degrade_by", "duration", "early", "echo", "echoWith", "echo_with", "eoff", "euclid",
    "euclidFull", "euclidLegato", "euclidLegatoRot", "euclidOff", "euclidRot", "euclid_bools", "euclid_full",
    "euclid_legato", "euclid_legato_rot", "euclid_off", "euclid_rot", "every", "fast", "fastChunk", "fastGap",
    "fast_chunk", "fast_gap", "fastcat", "firstOf", "first_of", "fix", "hires_key", "humanize", "hurry", "inside", "irand", "isaw",
    "iterBack", "iter_", "iter_back", "lastOf", "last_of", "late", "layer", "legato", "linger", "locations", "mask", "mini", "n",
    "nTake", "n_take", "never", "note", "note_name", "note_number", "nrpn", "off", "often", "outside", "palindrome",
    "parse_chord", "patternify", "perlin", "perlin_seeded", "ply", "polytouch", "port", "press", "pressBy", "press_by",
    "pressure", "program",
    "pure", "rand", "rand_at", "rand_seeded", "randcat", "range_", "rangex", "rarely", "reify", "repeatCycles",
    "repeat_cycles", "rev", "rot", "rpn", "run", "saw", "scale", "scale_note", "scale_spec", "scramble", "segment", "seq",
    "sequence", "show", "show_value", "shuffle", "signal", "silence", "sine", "slow", "slowcat", "snap", "snap_note",
    "someCycles", "someCyclesBy", "some_cycles", "some_cycles_by", "somecycles", "somecyclesBy", "sometimes",
    "sometimesBy", "sometimes_by", "square", "squeeze", "stack", "struct", "stut", "stutWith", "stut_with",
    "superimpose", "swing", "swingBy", "swing_by", "sysex", "timbre", "timeCat", "timecat", "to_time", "transpose", "tri", "tuning",
    "undegradeBy", "undegrade_by", "unfix", "ur", "vel", "velocity", "wchoose", "when", "within", "wrandcat", "zoom",
    # what the performer plays, read by patterns (played.py)
    "InputState", "held", "held_root", "knob", "on_note",
]
