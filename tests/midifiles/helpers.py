"""Build MIDI file bytes by hand, so tests state exactly which bytes they read."""

from __future__ import annotations

import io

import livemidi

EOT = b"\x00\xff\x2f\x00"


def mthd(file_type: int = 1, count: int = 1, ticks_per_beat: int = 480) -> bytes:
    return b"MThd\x00\x00\x00\x06" + bytes([0, file_type]) + count.to_bytes(2, "big") + ticks_per_beat.to_bytes(2, "big")


def mtrk(body: bytes, length: int | None = None) -> bytes:
    return b"MTrk" + (len(body) if length is None else length).to_bytes(4, "big") + body


def smf(*bodies: bytes, file_type: int = 1, ticks_per_beat: int = 480) -> bytes:
    return mthd(file_type, len(bodies), ticks_per_beat) + b"".join(mtrk(body) for body in bodies)


def load(data: bytes, **kwargs) -> livemidi.MidiFile:
    return livemidi.MidiFile(file=io.BytesIO(data), **kwargs)


def save(mid: livemidi.MidiFile) -> bytes:
    out = io.BytesIO()
    mid.save(file=out)
    return out.getvalue()
