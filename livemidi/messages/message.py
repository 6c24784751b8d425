"""`Message`: one MIDI 1.0 message, with the mido API.

The class composes the spec table, checks, encoders, decoders and the text
format; it holds no protocol knowledge of its own. Attributes live in the
instance ``__dict__`` (so ``vars(msg)`` works as in mido), which the
constructor fills directly: going through ``__setattr__`` for each attribute
would cost a check per name that the constructor has already done.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .build import BUILDERS as _BUILDERS
from .build import UNCHECKED_BUILDERS as _UNCHECKED_BUILDERS
from .checks import SysexData, check_time, check_type, check_value
from .decode import DECODERS as _DECODERS
from .decode import PLAIN_THREE_BYTE as _PLAIN_THREE_BYTE
from .decode import validate
from .encode import ENCODERS as _ENCODERS
from .specs import REALTIME_TYPES, SPEC_BY_TYPE
from .strings import FORMATTERS as _FORMATTERS
from .strings import format_message, parse_msgdict

__all__ = [
    "BaseMessage",
    "Message",
    "SysexData",
    "format_as_string",
    "parse_string",
    "parse_string_stream",
]

_new = object.__new__


class BaseMessage:
    """What all messages share: bytes, hex, dict, comparison, repr."""

    is_meta = False

    def bytes(self) -> list[int]:
        raise NotImplementedError

    def bin(self) -> bytearray:
        """The encoded message as a bytearray."""
        return bytearray(self.bytes())

    def __bytes__(self) -> bytes:
        return bytes(self.bytes())

    def hex(self, sep: str = " ") -> str:
        """The encoded message as hex numbers separated by `sep`: ``'90 3C 40'``."""
        return sep.join(f"{byte:02X}" for byte in self.bytes())

    def dict(self) -> dict:
        """The attributes as a dict, sysex data as a list: ``{'type': 'sysex', 'data': [1, 2], 'time': 0}``."""
        data = vars(self).copy()
        if data["type"] == "sysex":
            data["data"] = list(data["data"])
        return data

    @classmethod
    def from_dict(cls, data: dict):
        """Make a message from a dict like the one `dict()` returns (only 'type' is required)."""
        return cls(**data)

    def _value_names(self) -> Iterable[str]:
        return SPEC_BY_TYPE[self.type].value_names + ("time",)

    def __repr__(self) -> str:
        attrs = vars(self)
        items = [repr(attrs["type"])]
        for name in self._value_names():
            items.append(f"{name}={attrs[name]!r}")
        return f"{type(self).__name__}({', '.join(items)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseMessage):
            raise TypeError(f"can't compare message to {type(other).__name__}")
        return vars(self) == vars(other)

    __hash__ = None  # messages are mutable; see livemidi.frozen

    @property
    def is_realtime(self) -> bool:
        """True for the system real-time messages (clock, start, continue, stop, active_sensing, reset)."""
        return self.type in REALTIME_TYPES

    def is_cc(self, control: int | None = None) -> bool:
        """True for a control_change (with this control number, if given)."""
        if self.type != "control_change":
            return False
        return control is None or self.control == control

    def __delattr__(self, name: str) -> None:
        raise AttributeError("message attributes cannot be deleted")

    def copy(self, skip_checks: bool = False, **overrides):
        """A copy, with the given attributes changed (the type cannot change)."""
        attrs = vars(self)
        if not overrides:
            msg = _new(type(self))
            msg.__dict__.update(attrs)
            return msg
        if "type" in overrides and overrides["type"] != attrs["type"]:
            raise ValueError(f"copy must be of the same message type ({attrs['type']}), got {overrides['type']!r}")
        values = dict(attrs)
        values.update(overrides)
        return type(self)(skip_checks=skip_checks, **values)


def _check_names(type_: str, names) -> None:
    """Raise the ValueError mido users expect for an attribute the type does not have."""
    spec = SPEC_BY_TYPE[type_]
    for name in names:
        if name not in spec.attribute_names or name == "type":
            known = ", ".join(spec.value_names + ("time",))
            raise ValueError(f"{type_} message has no attribute {name!r}; it has: {known}")


# Sets an instance's __dict__ without going through Message.__setattr__.
_set_dict = BaseMessage.__dict__["__dict__"].__set__


class Message(BaseMessage):
    """A MIDI message: ``Message('note_on', note=60, velocity=64)``.

    Unset attributes take their defaults (velocity 64, everything else 0).
    Values are checked: TypeError for a wrong type, ValueError for a value
    out of range or an attribute the type does not have.
    """

    def __init__(self, type: str, skip_checks: bool = False, **args) -> None:
        try:
            build = (_UNCHECKED_BUILDERS if skip_checks else _BUILDERS)[type]
        except (KeyError, TypeError):
            build = None
        if build is None:
            check_type(type)  # raises, outside the except block: no chained KeyError
        try:
            attrs = build(**args)
        except TypeError as error:
            failure = error
        else:
            _set_dict(self, attrs)
            return
        _check_names(type, args)  # an unknown name is a ValueError, as in mido
        raise failure

    @classmethod
    def from_bytes(cls, data, time: float = 0) -> Message:
        """Decode one message from bytes (or any iterable of ints): the inverse of `bytes()`."""
        if time.__class__ is not int and time.__class__ is not float:
            time = check_time(time)
        # Fast path, decoded inline: a note or controller message as a list or
        # bytes. Anything unusual (wrong length, a non-int, out of range) falls
        # through to the full validation, which says what is wrong.
        if data.__class__ is list or data.__class__ is bytes:
            try:
                status, first, second = data
                if 0x80 <= status < 0xC0 and 0 <= first | second < 0x80 and status.__class__ is int:
                    type_, first_name, second_name = _PLAIN_THREE_BYTE[status]
                    msg = _new(cls)
                    attrs = msg.__dict__
                    attrs["type"] = type_
                    attrs["channel"] = status & 0x0F
                    attrs[first_name] = first
                    attrs[second_name] = second
                    attrs["time"] = time
                    return msg
            except (ValueError, TypeError):
                pass
        data = validate(data)
        return _DECODERS[data[0]](cls, data, time)

    @classmethod
    def from_hex(cls, text: str, time: float = 0, sep: str | None = None) -> Message:
        """Decode one message from hex text like ``'90 3C 40'``: the inverse of `hex()`."""
        text = re.sub(r"\s", " ", text)
        if sep is not None:
            text = text.replace(sep, " " * len(sep))  # keep columns for fromhex's error message
        return cls.from_bytes(bytearray.fromhex(text), time=time)

    @classmethod
    def from_str(cls, text: str) -> Message:
        """Parse the text form, the inverse of `str()`."""
        values = parse_msgdict(text)
        return cls(values.pop("type"), **values)

    def bytes(self) -> list[int]:
        """The encoded message as a list of ints: ``[0x90, 60, 64]``."""
        # Notes are most of all MIDI traffic, so they skip the encoder table.
        # (Plain attribute reads are faster here than going through __dict__.)
        type_ = self.type
        if type_ == "note_on":
            return [0x90 | self.channel, self.note, self.velocity]
        if type_ == "note_off":
            return [0x80 | self.channel, self.note, self.velocity]
        return _ENCODERS[type_](self.__dict__)

    def __len__(self) -> int:
        if self.type == "sysex":
            return len(self.data) + 2
        return SPEC_BY_TYPE[self.type].length

    def __str__(self) -> str:
        return _FORMATTERS[self.type](self)

    def __setattr__(self, name: str, value) -> None:
        attrs = self.__dict__
        if name == "type":
            raise AttributeError("type attribute is read only")
        if name not in attrs:
            raise AttributeError(f"{attrs['type']} message has no attribute {name!r}")
        attrs[name] = check_value(name, value)


def format_as_string(msg: BaseMessage, include_time: bool = True) -> str:
    """The text form of a message, as `str(msg)`; ``include_time=False`` leaves out the time."""
    return format_message(msg, include_time=include_time)


def parse_string(text: str) -> Message:
    """Parse the text form of one message; ValueError says what is wrong."""
    return Message.from_str(text)


def parse_string_stream(stream: Iterable[str]) -> Iterator[tuple[Message | None, str | None]]:
    """Parse lines of text forms, yielding ``(message, None)`` or ``(None, error)``.

    ``#`` starts a comment and blank lines are skipped; an error message
    starts with the line number: ``'line 3: unknown message type ...'``.
    """
    for line_number, line in enumerate(stream, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            yield parse_string(line), None
        except (ValueError, TypeError) as error:
            yield None, f"line {line_number}: {error}"
