"""Standard MIDI Files, at mido's documented paths (``livemidi.midifiles.MidiFile`` ...).

meta_specs.py (the list of meta types), meta.py (meta messages), tracks.py (MidiTrack, merging), units.py
(ticks, seconds, tempo, bpm), reader.py (a file's structure), events.py (a
track's events), problems.py (odd and damaged files: warn, raise or repair)
and writer.py (bytes), midifile.py (the MidiFile object). This package uses
only the message layer.
"""

from __future__ import annotations

from ..errors import KeySignatureError
from .meta import MetaMessage, MetaSpec, UnknownMetaMessage, add_meta_spec
from .midifile import MidiFile
from .tracks import MidiTrack, merge_tracks
from .units import bpm2tempo, second2tick, tempo2bpm, tick2second

__all__ = [
    "KeySignatureError",
    "MetaMessage",
    "MetaSpec",
    "MidiFile",
    "MidiTrack",
    "UnknownMetaMessage",
    "add_meta_spec",
    "bpm2tempo",
    "merge_tracks",
    "second2tick",
    "tempo2bpm",
    "tick2second",
]
