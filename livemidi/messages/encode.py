"""Message attributes -> bytes, one small encoder per message type.

Encoders take a message (its values already checked) and return a list of
ints; each message class uses its type's encoder as its ``bytes`` method.
They are built once from the spec table; the channel types get a function
with the attribute names written out, because `bytes()` sits on the hot
path of every port send and file write.
"""

from __future__ import annotations

from types import SimpleNamespace

from .specs import MIN_PITCHWHEEL, SPECS, SYSEX_END, SYSEX_START

__all__ = ["ENCODERS", "encode_message"]


def _encode_sysex(msg) -> list:
    return [SYSEX_START, *msg.data, SYSEX_END]


def _encode_pitchwheel_on(status: int):
    def encode(msg) -> list:
        pitch = msg.pitch - MIN_PITCHWHEEL
        return [status | msg.channel, pitch & 0x7F, pitch >> 7]

    return encode


def _encode_quarter_frame(msg) -> list:
    return [0xF1, msg.frame_type << 4 | msg.frame_value]


def _encode_songpos(msg) -> list:
    pos = msg.pos
    return [0xF2, pos & 0x7F, pos >> 7]


def _channel_encoders() -> dict:
    # Written out per type, so that each attribute read is a plain slot read.
    # (One exec for all: compiling is what costs at import.)
    sources = []
    for spec in SPECS:
        names = spec.value_names
        if spec.type != "pitchwheel" and names[:1] == ("channel",):
            values = "".join(f", msg.{name}" for name in names[1:])
            sources.append(f"def encode_{spec.type}(msg):\n    return [{spec.status_byte} | msg.channel{values}]")
    namespace: dict = {}
    exec("\n\n".join(sources), namespace)  # the source comes from the spec table only
    return {name[len("encode_"):]: value for name, value in namespace.items() if name.startswith("encode_")}


_CHANNEL_ENCODERS = _channel_encoders()


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
    if spec.type in _CHANNEL_ENCODERS:
        return _CHANNEL_ENCODERS[spec.type]
    if names == ("song",):
        return lambda msg: [status, msg.song]
    if not names:
        return lambda msg: [status]
    raise AssertionError(f"no encoder for {spec.type}")  # a new spec needs one


ENCODERS = {spec.type: _make_encoder(spec) for spec in SPECS}


def encode_message(msg: dict) -> list:
    """Encode a message attribute dict (``{'type': 'note_on', 'channel': 0, ...}``) as a list of ints."""
    return ENCODERS[msg["type"]](SimpleNamespace(**msg))
