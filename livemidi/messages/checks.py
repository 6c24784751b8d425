"""Checks of message attribute values, driven by the ranges in specs.py.

Each check either returns the value to store or raises: TypeError when the
value has the wrong type, ValueError when it is out of range. The message
names the attribute, what was expected and what was found.
"""

from __future__ import annotations

from numbers import Integral, Real

from .specs import RANGES, SPEC_BY_TYPE
from ..errors import UnknownMessageTypeError

__all__ = [
    "SysexData",
    "check_data",
    "check_data_byte",
    "check_msgdict",
    "check_time",
    "check_type",
    "check_value",
]


def _describe(value: object) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{text} ({type(value).__name__})"


def check_type(type_: object) -> str:
    if not isinstance(type_, str):
        raise TypeError(f"message type must be a str like 'note_on', got {_describe(type_)}")
    if type_ not in SPEC_BY_TYPE:
        from difflib import get_close_matches  # only on this error path: keeps import fast

        close = get_close_matches(type_, SPEC_BY_TYPE, n=1)
        if close:
            raise UnknownMessageTypeError(f"unknown message type {type_!r} (did you mean {close[0]!r}?)")
        known = ", ".join(sorted(SPEC_BY_TYPE))
        raise UnknownMessageTypeError(f"unknown message type {type_!r}; expected one of: {known}")
    return type_


def check_int(name: str, value: object) -> int:
    low, high = RANGES[name]
    if not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int in range {low}..{high}, got {_describe(value)}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in range {low}..{high}, got {value}")
    return value


def check_data_byte(value: object) -> int:
    if not isinstance(value, Integral):
        raise TypeError(f"data byte must be an int in range 0..127, got {_describe(value)}")
    if not 0 <= value <= 127:
        raise ValueError(f"data byte must be in range 0..127, got {value}")
    return value


class SysexData(tuple):
    """The data of a sysex message: a tuple of ints 0..127.

    ``msg.data += [1, 2]`` checks and converts any iterable of ints.
    """

    __slots__ = ()

    def __iadd__(self, other) -> SysexData:
        return SysexData(tuple(self) + check_data(other))


def check_data(data: object) -> SysexData:
    """Return sysex data as a SysexData (a tuple of ints 0..127), from any iterable of ints."""
    if data.__class__ is SysexData:
        return data
    if isinstance(data, (bytes, bytearray)):
        if data and max(data) > 127:
            bad = next(byte for byte in data if byte > 127)
            raise ValueError(f"data byte must be in range 0..127, got {bad}")
        return SysexData(data)
    if isinstance(data, (str, Integral)) or not hasattr(data, "__iter__"):
        raise TypeError(f"data must be an iterable of ints 0..127, got {_describe(data)}")
    data = SysexData(data)
    for byte in data:
        if byte.__class__ is not int or not 0 <= byte <= 127:
            check_data_byte(byte)
    return data


def check_time(time: object) -> float:
    if not isinstance(time, Real):
        raise TypeError(f"time must be int or float, got {_describe(time)}")
    return time


def check_value(name: str, value: object):
    """Check one attribute value and return it in the form to store."""
    if name in RANGES:
        return check_int(name, value)
    if name == "time":
        return check_time(value)
    if name == "data":
        return check_data(value)  # a SysexData
    if name == "type":
        return check_type(value)
    raise ValueError(f"unknown message attribute {name!r}")


def check_msgdict(msgdict: dict) -> None:
    """Check a whole message given as a dict with a 'type' key."""
    spec = SPEC_BY_TYPE.get(msgdict.get("type"))
    if spec is None:
        check_type(msgdict.get("type"))
    for name, value in msgdict.items():
        if name not in spec.attribute_names:
            raise ValueError(f"{spec.type} message has no attribute {name!r}")
        check_value(name, value)
