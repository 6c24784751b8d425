"""Meta messages: the events of a MIDI file that are not sent to an instrument.

`MetaMessage` composes the specs of meta_specs.py (one explicit list of the
meta types, and the registry that `add_meta_spec` extends, as in mido); it
holds no knowledge of a type of its own. `UnknownMetaMessage` keeps the type
byte and data of an event of a type livemidi does not know, so that saving
writes it back unchanged.

The frozen forms (`FrozenMetaMessage`, `FrozenUnknownMetaMessage`) are
defined here, above the message layer's `livemidi.frozen`, and registered
with it; the package ``livemidi`` also shows them at mido's documented path
``livemidi.frozen``.
"""

from __future__ import annotations

from ..errors import KeySignatureError, UnknownMessageTypeError
from ..frozen import Frozen, register_frozen
from ..messages import BaseMessage, check_time
from .meta_specs import (
    META_SPECS,
    SPEC_BY_BYTE,
    SPEC_BY_TYPE,
    MetaDataError,
    MetaSpec,
    add_meta_spec,
    check_bytes,
    check_int,
    decode_variable_int,
    encode_variable_int,
    register_message_class,
)

__all__ = [
    "FrozenMetaMessage",
    "FrozenUnknownMetaMessage",
    "KeySignatureError",
    "META_SPECS",
    "MetaDataError",
    "MetaMessage",
    "MetaSpec",
    "UnknownMetaMessage",
    "add_meta_spec",
    "build_meta_message",
    "decode_variable_int",
    "encode_variable_int",
]

_new = object.__new__


def _unknown_type(type_) -> UnknownMessageTypeError:
    known = ", ".join(sorted(SPEC_BY_TYPE))
    return UnknownMessageTypeError(f"unknown meta message type {type_!r}; expected one of: {known}")


class MetaMessage(BaseMessage):
    """A meta message: ``MetaMessage('set_tempo', tempo=600000, time=0)``.

    Unset attributes take their defaults; values are checked (TypeError for
    a wrong type, ValueError for a bad value or an unknown attribute).
    """

    is_meta = True

    def __init__(self, type: str, skip_checks: bool = False, **kwargs) -> None:
        spec = SPEC_BY_TYPE.get(type) if isinstance(type, str) else None
        if spec is None:
            raise _unknown_type(type)
        attrs = spec.default_attrs.copy()
        for name, value in kwargs.items():
            if name not in spec.settable_attributes:
                names = ", ".join(spec.value_names)
                raise ValueError(f"{name} is not a valid argument for {type} messages; it has: {names}")
            if not skip_checks:
                value = _checked(spec, name, value)
            attrs[name] = value
        self.__dict__.update(attrs)

    def __setattr__(self, name: str, value) -> None:
        attrs = self.__dict__
        spec = SPEC_BY_TYPE.get(attrs["type"])
        if name == "type":
            raise AttributeError("type attribute is read only")
        if spec is None or name not in spec.settable_attributes:
            raise AttributeError(f"{attrs['type']} message has no attribute {name!r}")
        attrs[name] = _checked(spec, name, value)

    def _spec(self) -> MetaSpec:
        spec = SPEC_BY_TYPE.get(self.type)
        if spec is None:
            raise _unknown_type(self.type)
        return spec

    def _payload(self, charset: str = "latin1") -> list[int]:
        return self._spec().payload(vars(self), charset)

    def _type_byte(self) -> int:
        return self._spec().type_byte

    def bytes(self) -> list[int]:
        """The encoded event as a list of ints: ``[0xFF, type byte, length..., data...]``."""
        data = self._payload()
        return [0xFF, self._type_byte(), *encode_variable_int(len(data)), *data]

    @classmethod
    def from_bytes(cls, msg_bytes) -> MetaMessage:
        """Decode one meta event ``FF type length data`` (the inverse of `bytes()`); ValueError if malformed."""
        data = bytes(msg_bytes)
        if len(data) < 3 or data[0] != 0xFF:
            raise ValueError(f"a meta message starts with 0xFF, a type byte and a length; got {data.hex(' ')!r}")
        position, length = 2, 0
        while True:
            if position >= len(data):
                raise ValueError("meta message length is cut short")
            byte = data[position]
            position += 1
            length = (length << 7) | (byte & 0x7F)
            if byte < 0x80:
                break
        if len(data) - position != length:
            raise ValueError(f"meta message says {length} data bytes but has {len(data) - position}")
        return build_meta_message(data[1], data[position:])

    def _value_names(self):
        return self._spec().value_names


def _checked(spec: MetaSpec, name: str, value):
    if name == "time":
        return check_time(value)
    return spec.checked(name, value)


def build_meta_message(type_byte: int, data: bytes, time=0, charset: str = "latin1") -> MetaMessage:
    """The meta message for one event's type byte and data (MetaDataError if the data does not fit)."""
    spec = SPEC_BY_BYTE.get(type_byte)
    if spec is None:
        return UnknownMetaMessage(type_byte, data, time)
    msg = _new(MetaMessage)
    attrs = msg.__dict__
    attrs["type"] = spec.type
    attrs.update(spec.values(data, charset))
    attrs["time"] = time
    return msg


class UnknownMetaMessage(MetaMessage):
    """A meta event of a type livemidi does not know (or, read leniently, one whose data was bad).

    It keeps the type byte and the data bytes, so saving writes it back unchanged.
    """

    def __init__(self, type_byte: int, data=None, time=0, type: str = "unknown_meta", **kwargs) -> None:
        if kwargs:
            raise ValueError(f"UnknownMetaMessage has no attribute {next(iter(kwargs))!r}")
        self.__dict__.update({
            "type": type,
            "type_byte": check_int("type_byte", type_byte, 0, 0xFF),
            "data": () if data is None else check_bytes("data", data),
            "time": check_time(time),
        })

    def __repr__(self) -> str:
        return f"UnknownMetaMessage(type_byte={self.type_byte!r}, data={self.data!r}, time={self.time!r})"

    def __setattr__(self, name: str, value) -> None:
        if name == "type":
            raise AttributeError("type attribute is read only")
        if name == "type_byte":
            value = check_int(name, value, 0, 0xFF)
        elif name == "data":
            value = check_bytes(name, value)
        elif name == "time":
            value = check_time(value)
        else:
            raise AttributeError(f"unknown_meta message has no attribute {name!r}")
        self.__dict__[name] = value

    def copy(self, skip_checks: bool = False, **overrides) -> UnknownMetaMessage:
        attrs = {**vars(self), **overrides}
        return type(self)(**attrs)

    def _payload(self, charset: str = "latin1") -> list[int]:
        return list(self.data)

    def _type_byte(self) -> int:
        return self.type_byte

    def _value_names(self):
        return ("type_byte", "data", "time")


class FrozenMetaMessage(Frozen, MetaMessage):
    """An immutable, hashable `MetaMessage`."""


class FrozenUnknownMetaMessage(Frozen, UnknownMetaMessage):
    """An immutable, hashable `UnknownMetaMessage`."""

    def __repr__(self) -> str:
        return "Frozen" + UnknownMetaMessage.__repr__(self)


register_frozen(MetaMessage, FrozenMetaMessage)
register_frozen(UnknownMetaMessage, FrozenUnknownMetaMessage)
register_message_class(MetaMessage)  # what a mido-style spec decodes into (see meta_specs)
