"""Bytes -> message attributes, one small decoder per status byte.

`DECODERS[status](cls, data, time)` turns a complete, already validated
message (a bytes-like object or list of ints, status byte first) into an
instance of `cls`. `validate` says what is wrong with bytes that are not
exactly one message; `decode_message` returns the attribute dict.
"""

from __future__ import annotations

from .checks import SysexData
from .specs import MESSAGE_LENGTH, MIN_PITCHWHEEL, SPEC_BY_STATUS, SYSEX_END, SYSEX_START

__all__ = ["DECODERS", "PLAIN_THREE_BYTE", "decode_message", "validate"]


_new = object.__new__


def _make_decoder(status: int):
    """A function (cls, data, time) -> message of class `cls`, for one status byte.

    It writes the instance dict directly: `data` is known to be valid.
    """
    spec = SPEC_BY_STATUS[status]
    type_ = spec.type
    names = spec.value_names
    channel = status & 0x0F

    if type_ == "sysex":

        def values(data):
            return {"data": SysexData(data[1:-1])}

    elif type_ == "pitchwheel":

        def values(data):
            return {"channel": channel, "pitch": (data[1] | data[2] << 7) + MIN_PITCHWHEEL}

    elif type_ == "quarter_frame":

        def values(data):
            return {"frame_type": data[1] >> 4, "frame_value": data[1] & 0x0F}

    elif type_ == "songpos":

        def values(data):
            return {"pos": data[1] | data[2] << 7}

    elif len(names) == 3:  # channel and two data bytes: the common case, so unrolled
        first, second = names[1], names[2]

        def decode(cls, data, time):
            msg = _new(cls)
            attrs = msg.__dict__
            attrs["type"] = type_
            attrs["channel"] = channel
            attrs[first] = data[1]
            attrs[second] = data[2]
            attrs["time"] = time
            return msg

        return decode

    elif len(names) == 2:  # channel and one data byte

        def values(data):
            return {"channel": channel, names[1]: data[1]}

    elif names:

        def values(data):
            return {names[0]: data[1]}

    else:

        def values(data):
            return {}

    def decode(cls, data, time):
        msg = _new(cls)
        attrs = msg.__dict__
        attrs["type"] = type_
        attrs.update(values(data))
        attrs["time"] = time
        return msg

    return decode


# status -> (type, first name, second name) for the three-byte channel messages
# whose data bytes are stored as they are (note_off, note_on, polytouch,
# control_change): the bulk of all traffic, which callers decode inline.
PLAIN_THREE_BYTE = [
    (SPEC_BY_STATUS[status].type, *SPEC_BY_STATUS[status].value_names[1:])
    if 0x80 <= status < 0xC0
    else None
    for status in range(256)
]

DECODERS = [_make_decoder(status) if status in SPEC_BY_STATUS else None for status in range(256)]


def _as_byte_list(data) -> bytes:
    if isinstance(data, (bytes, bytearray)):
        return data
    try:
        return bytes(data)
    except TypeError as error:
        raise TypeError(f"message bytes must be ints 0..255, got {data!r}") from error
    except ValueError as error:
        raise ValueError(f"message bytes must be in range 0..255, got {list(data)!r}") from error


def validate(data) -> bytes:
    """Return `data` as bytes if it is exactly one complete message; raise ValueError if not."""
    if isinstance(data, int):
        raise TypeError(f"expected the bytes of one message, got the int {data}")
    data = _as_byte_list(data)
    if not data:
        raise ValueError("message is empty: expected a status byte and its data bytes")
    status = data[0]
    if status < 0x80:
        raise ValueError(f"message must start with a status byte (0x80..0xFF), got data byte 0x{status:02X}")
    if status == SYSEX_START:
        if len(data) < 2 or data[-1] != SYSEX_END:
            raise ValueError("sysex must end with 0xF7 (end of exclusive)")
        body = data[1:-1]
    else:
        length = MESSAGE_LENGTH[status]
        if length is None:
            raise ValueError(f"0x{status:02X} is not the status byte of a defined MIDI message")
        if len(data) != length:
            type_ = SPEC_BY_STATUS[status].type
            raise ValueError(f"{type_} message must be {length} bytes long, got {len(data)}")
        body = data[1:]
    if body and max(body) > 127:
        bad = next(byte for byte in body if byte > 127)
        raise ValueError(f"data bytes must be in range 0..127, got 0x{bad:02X}")
    return data


class _Attributes:
    """A bare object whose instance dict the decoders fill."""


def decode_message(data, time=0) -> dict:
    """Decode the bytes of one message into its attribute dict."""
    data = validate(data)
    return vars(DECODERS[data[0]](_Attributes, data, time))
