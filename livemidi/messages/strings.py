"""The text form of messages: ``note_on channel=0 note=60 velocity=64 time=0``.

`format_msgdict` is the inverse of `parse_msgdict`: every message survives
``str -> parse`` unchanged (sysex data is written ``data=(1,2,3)``, with no
spaces, so that one message is always a run of space-separated words).
"""

from __future__ import annotations

import re
from operator import itemgetter

from .specs import SPEC_BY_TYPE, SPECS

__all__ = ["format_msgdict", "parse_msgdict"]

# type -> ('note_on channel=%s note=%s velocity=%s', value names, a getter of
# (*those values, time)). %s formats exactly as str() does, which is the text form.
_FORMATS = {
    spec.type: (
        " ".join([spec.type] + [f"{name}=%s" for name in spec.value_names]),
        spec.value_names,
        itemgetter(*spec.value_names, "time") if spec.value_names else lambda msg: (msg["time"],),
    )
    for spec in SPECS
}


def format_msgdict(msg: dict, include_time: bool = True) -> str:
    """The text form of a message given as its attribute dict."""
    template, names, values = _FORMATS[msg["type"]]
    if msg["type"] == "sysex":
        text = template % ("(" + ",".join(map(str, msg["data"])) + ")",)
        return f"{text} time={msg['time']}" if include_time else text
    if include_time:
        return (template + " time=%s") % values(msg)
    return template % tuple([msg[name] for name in names])


# A word is name=value; a value in parentheses may contain spaces.
_WORD = re.compile(r"\s*([^\s=]+)=(\([^)]*\)|\S+)\s*")


def _parse_int(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {text!r}") from None


def _parse_time(text: str):
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"time must be an int or float, got {text!r}") from None


def _parse_data(text: str) -> tuple:
    if not (text.startswith("(") and text.endswith(")")):
        raise ValueError(f"data must be written in parentheses, like data=(1,2,3); got {text!r}")
    inner = text[1:-1].strip()
    if not inner:
        return ()
    try:
        return tuple(int(byte) for byte in inner.split(","))
    except ValueError:
        raise ValueError(f"data must be comma-separated integers, got {text!r}") from None


def parse_msgdict(text: str) -> dict:
    """Parse the text form of one message into an (unchecked) attribute dict."""
    if not isinstance(text, str):
        raise TypeError(f"expected a str, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise ValueError("empty string: expected a message like 'note_on channel=0 note=60 velocity=64 time=0'")
    type_, _, rest = stripped.partition(" ")
    if type_ not in SPEC_BY_TYPE:
        raise ValueError(f"unknown message type {type_!r}")
    msg = {"type": type_}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        match = _WORD.match(rest, position)
        if match is None:
            word = rest[position:].split()[0]
            raise ValueError(f"expected name=value, got {word!r}")
        name, value = match.groups()
        if name in msg:
            raise ValueError(f"{name} is given twice")
        if name == "time":
            msg[name] = _parse_time(value)
        elif name == "data":
            msg[name] = _parse_data(value)
        else:
            msg[name] = _parse_int(name, value)
        position = match.end()
    return msg
