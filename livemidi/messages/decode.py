"""Bytes -> messages, one small decoder per message type.

`DECODERS[status](data, time)` turns a complete, already validated message
(a bytes-like object or list of ints, status byte first) into a layout
object holding its values (see build.py), which the caller gives its
message class (``msg.__class__ = cls``). `validate` says what is wrong with
bytes that are not exactly one message; `decode_message` returns the
attribute dict.
"""

from __future__ import annotations

from .build import LAYOUT_BY_TYPE
from .checks import SysexData
from .specs import MESSAGE_LENGTH, MIN_PITCHWHEEL, SPEC_BY_STATUS, SPECS, SYSEX_END, SYSEX_START

__all__ = ["DECODERS", "decode_message", "validate"]


_new = object.__new__


def _decoder_source(spec) -> str:
    """The decoder of one type: each value a plain slot store (see build.py)."""
    lines = [f"def decode_{spec.type}(data, time):", f"    msg = new(layout_{spec.type})"]
    if spec.type == "sysex":
        lines.append("    msg.data = SysexData(data[1:-1])")
    elif spec.type == "pitchwheel":
        lines += ["    msg.channel = data[0] & 0x0F", f"    msg.pitch = (data[1] | data[2] << 7) + {MIN_PITCHWHEEL}"]
    elif spec.type == "quarter_frame":
        lines += ["    msg.frame_type = data[1] >> 4", "    msg.frame_value = data[1] & 0x0F"]
    elif spec.type == "songpos":
        lines.append("    msg.pos = data[1] | data[2] << 7")
    else:  # the data bytes are the values
        index = 1
        for name in spec.value_names:
            if name == "channel":
                lines.append("    msg.channel = data[0] & 0x0F")
            else:
                lines.append(f"    msg.{name} = data[{index}]")
                index += 1
    lines += ["    msg.time = time", "    return msg"]
    return "\n".join(lines)


def _make_decoders() -> dict:
    namespace = {"new": _new, "SysexData": SysexData}
    namespace.update({f"layout_{type_}": layout for type_, layout in LAYOUT_BY_TYPE.items()})
    # One exec for all types: compiling is what costs at import.
    exec("\n\n".join(_decoder_source(spec) for spec in SPECS), namespace)  # from the spec table only
    return {spec.type: namespace[f"decode_{spec.type}"] for spec in SPECS}


_DECODER_BY_TYPE = _make_decoders()


DECODERS = [_DECODER_BY_TYPE[SPEC_BY_STATUS[status].type] if status in SPEC_BY_STATUS else None
            for status in range(256)]


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


def decode_message(data, time=0) -> dict:
    """Decode the bytes of one message into its attribute dict."""
    data = validate(data)
    msg = DECODERS[data[0]](data, time)
    spec = SPEC_BY_STATUS[data[0]]
    return {"type": spec.type, **{name: getattr(msg, name) for name in spec.value_names}, "time": time}
