"""The text form of messages: ``note_on channel=0 note=60 velocity=64 time=0``.

`format_message` is the inverse of `parse_msgdict`: every message survives
``str -> parse`` unchanged (sysex data is written ``data=(1,2,3)``, with no
spaces, so that one message is always a run of space-separated words).
"""

from __future__ import annotations

import re

from .checks import check_type
from .specs import SPEC_BY_TYPE, SPECS

__all__ = ["FORMATTERS", "format_message", "parse_msgdict"]

def _format_data(data) -> str:
    return "(" + ",".join(map(str, data)) + ")"


def _formatter_source(spec) -> str:
    words = [spec.type]
    for name in spec.value_names:
        value = "format_data(msg.data)" if name == "data" else f"msg.{name}"
        words.append(f"{name}={{{value}}}")
    words.append("time={msg.time}")
    return f"def format_{spec.type}(msg):\n    return f{' '.join(words)!r}"


def _make_formatters() -> dict:
    # One f-string function per type, generated from the spec table: str(msg)
    # is common enough (logs, the REPL, text files) to deserve it.
    namespace = {"format_data": _format_data}
    exec("\n\n".join(_formatter_source(spec) for spec in SPECS), namespace)
    return {spec.type: namespace[f"format_{spec.type}"] for spec in SPECS}


# type -> format(message) -> 'note_on channel=0 note=60 velocity=64 time=0'
# (attribute reads, which are faster than going through the __dict__)
FORMATTERS = _make_formatters()


def format_message(msg, include_time: bool = True) -> str:
    """The text form of a message."""
    text = FORMATTERS[msg.type](msg)
    if include_time:
        return text
    return text.rpartition(" ")[0]  # time is always the last word


# A word is name=value, with no spaces in it (mido splits the text at whitespace).
_WORD = re.compile(r"\s*([^\s=]+)=(\S+)\s*")


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
    if text.startswith("(") and not text.endswith(")"):
        raise ValueError(f"data must be one word, with no spaces: data=(1,2,3); got data={text!r}")
    if not (text.startswith("(") and text.endswith(")")):
        raise ValueError(f"data must be written in parentheses, like data=(1,2,3); got {text!r}")
    inner = text[1:-1]
    if not inner:
        return ()  # what str() writes for an empty sysex (mido cannot read that back)
    try:
        return tuple(int(byte) for byte in inner.split(","))
    except ValueError:
        raise ValueError(f"data must be comma-separated integers, like data=(1,2,3); got {text!r}") from None


def parse_msgdict(text: str) -> dict:
    """Parse the text form of one message into an (unchecked) attribute dict."""
    if not isinstance(text, str):
        raise TypeError(f"expected a str, got {type(text).__name__}")
    words = text.split(None, 1)
    if not words:
        raise ValueError("empty string: expected a message like 'note_on channel=0 note=60 velocity=64 time=0'")
    type_ = words[0]
    rest = words[1] if len(words) > 1 else ""
    if type_ not in SPEC_BY_TYPE:
        check_type(type_)  # raises UnknownMessageTypeError, a LookupError as in mido
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
