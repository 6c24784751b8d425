"""Message attributes -> bytes, one small encoder per message type.

Encoders take the message's attribute dict (already checked) and return a
list of ints. They are built once from the spec table; the common channel
types get a closure with the attribute names baked in, because `bytes()` sits
on the hot path of every port send and file write.
"""

from __future__ import annotations

from .specs import MIN_PITCHWHEEL, SPECS, SYSEX_END, SYSEX_START

__all__ = ["ENCODERS", "encode_message"]


def _encode_sysex(msg: dict) -> list:
    return [SYSEX_START, *msg["data"], SYSEX_END]


def _encode_pitchwheel_on(status: int):
    def encode(msg: dict) -> list:
        pitch = msg["pitch"] - MIN_PITCHWHEEL
        return [status | msg["channel"], pitch & 0x7F, pitch >> 7]

    return encode


def _encode_quarter_frame(msg: dict) -> list:
    return [0xF1, msg["frame_type"] << 4 | msg["frame_value"]]


def _encode_songpos(msg: dict) -> list:
    pos = msg["pos"]
    return [0xF2, pos & 0x7F, pos >> 7]


def _make_encoder(spec):
    status = spec.status_byte
    names = spec.value_names
    if spec.type == "sysex":
        return _encode_sysex
    if spec.type == "pitchwheel":
        return _encode_pitchwheel_on(status)
    if spec.type == "quarter_frame":
        return _encode_quarter_frame
    if spec.type == "songpos":
        return _encode_songpos
    if len(names) == 3 and names[0] == "channel":
        first, second = names[1], names[2]
        return lambda msg: [status | msg["channel"], msg[first], msg[second]]
    if len(names) == 2 and names[0] == "channel":
        only = names[1]
        return lambda msg: [status | msg["channel"], msg[only]]
    if names == ("song",):
        return lambda msg: [status, msg["song"]]
    if not names:
        return lambda msg: [status]
    raise AssertionError(f"no encoder for {spec.type}")  # a new spec needs one


ENCODERS = {spec.type: _make_encoder(spec) for spec in SPECS}


def encode_message(msg: dict) -> list:
    """Encode a message attribute dict as a list of ints."""
    return ENCODERS[msg["type"]](msg)
