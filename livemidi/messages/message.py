"""`Message`: one MIDI 1.0 message, with the mido API.

The class composes the spec table, checks, encoders, decoders and the text
format; it holds no protocol knowledge of its own.

Every message is an instance of a small subclass per message type (made
from the spec table, for `Message`, `FrozenMessage` and any subclass a user
writes): ``isinstance(msg, Message)`` holds, ``type(msg) is Message`` does
not. The subclass keeps the values in ``__slots__`` (see build.py for the
layouts and why), holds ``type`` as a class attribute, and has the type's
encoder as its ``bytes`` method and its formatter as ``__str__``. There is
no instance dict, so ``vars(msg)`` raises TypeError; `dict()` gives the
attributes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .build import ATTRS as _ATTRS
from .build import BUILDERS as _BUILDERS
from .build import FIELDS as _FIELDS
from .build import LAYOUT_BY_TYPE as _LAYOUT_BY_TYPE
from .build import RETIMERS as _RETIMERS
from .build import UNCHECKED_BUILDERS as _UNCHECKED_BUILDERS
from .build import VALUES as _VALUES
from .checks import SysexData, check_time, check_type, check_value
from .decode import DECODERS as _DECODERS
from .decode import validate
from .encode import ENCODERS as _ENCODERS
from .specs import REALTIME_TYPES, SPEC_BY_STATUS, SPEC_BY_TYPE, SPECS
from .strings import FORMATTERS as _FORMATTERS
from .strings import format_message, parse_msgdict

__all__ = [
    "BaseMessage",
    "Message",
    "SysexData",
    "format_as_string",
    "message_classes",
    "parse_string",
    "parse_string_stream",
]

_new = object.__new__
_setattr = object.__setattr__
_NOTE = _LAYOUT_BY_TYPE["note_on"]  # note_off and note_on share their slots


class BaseMessage:
    """What all messages share: bytes, hex, dict, comparison, repr."""

    __slots__ = ()
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

    def _attrs(self) -> dict:
        """The attributes, type first and time last (not to be changed: it may be the instance dict)."""
        return vars(self)

    def dict(self) -> dict:
        """The attributes as a dict, sysex data as a list: ``{'type': 'sysex', 'data': [1, 2], 'time': 0}``."""
        data = dict(self._attrs())
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
        attrs = self._attrs()
        items = [repr(attrs["type"])]
        for name in self._value_names():
            items.append(f"{name}={attrs[name]!r}")
        return f"{type(self).__name__}({', '.join(items)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BaseMessage):
            raise TypeError(f"can't compare message to {type(other).__name__}")
        return self._attrs() == other._attrs()

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
        if not overrides:
            return self._retimed(self.time)
        attrs = dict(self._attrs())
        if "type" in overrides and overrides["type"] != attrs["type"]:
            raise ValueError(f"copy must be of the same message type ({attrs['type']}), got {overrides['type']!r}")
        attrs.update(overrides)
        return type(self)(skip_checks=skip_checks, **attrs)

    def _retimed(self, time):
        """A copy of the same class with another time; nothing is checked (for messages with an instance dict)."""
        copy = _new(type(self))
        attrs = dict(vars(self))
        attrs["time"] = time
        _setattr(copy, "__dict__", attrs)
        return copy


def _check_names(type_: str, names) -> None:
    """Raise the ValueError mido users expect for an attribute the type does not have."""
    spec = SPEC_BY_TYPE[type_]
    for name in names:
        if name not in spec.attribute_names or name == "type":
            known = ", ".join(spec.value_names + ("time",))
            raise ValueError(f"{type_} message has no attribute {name!r}; it has: {known}")


def _adopt(layout_msg, cls):
    """`layout_msg`'s values in a new instance of `cls`, whose layout differs (a subclass with a dict)."""
    msg = _new(cls)
    for name in cls._fields:
        _setattr(msg, name, getattr(layout_msg, name))
    return msg


def _retimed_adopting(self, time):
    copy = _adopt(self, type(self))
    _setattr(copy, "time", time)
    return copy


class Message(BaseMessage):
    """A MIDI message: ``Message('note_on', note=60, velocity=64)``.

    Unset attributes take their defaults (velocity 64, everything else 0).
    Values are checked: TypeError for a wrong type, ValueError for a value
    out of range or an attribute the type does not have.
    """

    __slots__ = ()

    def __new__(cls, type: str, skip_checks: bool = False, **args) -> Message:
        try:
            build = (_UNCHECKED_BUILDERS if skip_checks else _BUILDERS)[type]
        except (KeyError, TypeError):
            build = None
        if build is None:
            check_type(type)  # raises, outside the except block: no chained KeyError
        try:
            msg = build(**args)
        except TypeError as error:
            failure = error
        else:
            target = (_FAMILIES.get(cls) or message_classes(cls))[type]
            try:
                msg.__class__ = target
            except TypeError:  # a subclass whose instances have a dict
                return _adopt(msg, target)
            return msg
        _check_names(type, args)  # an unknown name is a ValueError, as in mido
        raise failure

    @classmethod
    def from_bytes(cls, data, time: float = 0) -> Message:
        """Decode one message from bytes (or any iterable of ints): the inverse of `bytes()`."""
        if time.__class__ is not int and time.__class__ is not float:
            time = check_time(time)
        # Fast path: a note or controller message as a list or bytes. Anything
        # unusual (wrong length, a non-int, out of range) falls through to the
        # full validation, which says what is wrong.
        if data.__class__ is list or data.__class__ is bytes:
            try:
                status, first, second = data
                valid = 0x80 <= status < 0xC0 and 0 <= first | second < 0x80 and status.__class__ is int
            except (ValueError, TypeError):
                valid = False
            if valid and status < 0xA0:  # a note, decoded inline
                msg = _new(_NOTE)
                msg.channel = status & 0x0F
                msg.note = first
                msg.velocity = second
                msg.time = time
            else:
                if not valid:
                    data = validate(data)
                    status = data[0]
                msg = _DECODERS[status](data, time)
        else:
            data = validate(data)
            status = data[0]
            msg = _DECODERS[status](data, time)
        target = MESSAGE_BY_STATUS[status] if cls is Message else (_BY_STATUS.get(cls) or _status_classes(cls))[status]
        try:
            msg.__class__ = target
        except TypeError:
            return _adopt(msg, target)
        return msg

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

    # The type's subclass replaces bytes, __str__, _attrs, _retimed and dict
    # with its own (see _type_class); these serve the subclasses of a family
    # that overrides one of them.

    def bytes(self) -> list[int]:
        """The encoded message as a list of ints: ``[0x90, 60, 64]``."""
        return _ENCODERS[self.type](self)

    def __str__(self) -> str:
        return _FORMATTERS[self.type](self)

    def _retimed(self, time):
        return _RETIMERS[self.type](self, time)

    def _attrs(self) -> dict:
        return _ATTRS[self.type](self)

    def dict(self) -> dict:
        """The attributes as a dict, sysex data as a list: ``{'type': 'sysex', 'data': [1, 2], 'time': 0}``."""
        data = self._attrs()  # a new dict
        if data["type"] == "sysex":
            data["data"] = list(data["data"])
        return data

    def _value_names(self) -> tuple:
        return self._fields

    def __eq__(self, other: object) -> bool:
        # Two Messages (mutable or frozen) of one type: compare value tuples,
        # cheaper than building two attribute dicts.
        values = self._value_getter
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        if isinstance(other, Message):
            return self.type == other.type and values(self) == values(other)
        return BaseMessage.__eq__(self, other)

    def __len__(self) -> int:
        if self.type == "sysex":
            return len(self.data) + 2
        return SPEC_BY_TYPE[self.type].length

    def __setattr__(self, name: str, value) -> None:
        if name in self._fields:
            _setattr(self, name, check_value(name, value))
        elif name == "type":
            raise AttributeError("type attribute is read only")
        else:
            raise AttributeError(f"{self.type} message has no attribute {name!r}")

    def _recast(self, family: type):
        """A copy as an instance of `family`'s class for this type (e.g. FrozenMessage's)."""
        copy = self._retimed(self.time)
        target = message_classes(family)[self.type]
        try:
            _setattr(copy, "__class__", target)
        except TypeError:
            return _adopt(copy, target)
        return copy

    def __reduce__(self):
        return _unpickle, (self._family, self._attrs())


def _unpickle(family: type, attrs: dict) -> Message:
    return family(**attrs)


# Message class (Message, FrozenMessage, a user's subclass, or one of their
# type subclasses) -> {type name: the type subclass}.
_FAMILIES: dict[type, dict[str, type]] = {}
# The same by status byte (0x90..0x9F -> the note_on subclass, ...).
_BY_STATUS: dict[type, list] = {}
# The methods that a type subclass specializes, unless its family overrides them.
_SPECIALIZED = {"bytes": _ENCODERS, "__str__": _FORMATTERS, "_retimed": _RETIMERS, "_attrs": _ATTRS}


def _type_class(family: type, spec) -> type:
    type_ = spec.type
    layout = _LAYOUT_BY_TYPE[type_]
    namespace = {
        "__slots__": (),
        "__module__": family.__module__,
        "__qualname__": f"{family.__qualname__}[{type_}]",
        "__doc__": family.__doc__,
        "type": type_,
        "_fields": _FIELDS[type_],
        "_value_getter": _VALUES[type_],  # msg -> (values..., time)
        "_family": family,
    }
    for name, table in _SPECIALIZED.items():
        if getattr(family, name) is getattr(Message, name):
            namespace[name] = table[type_]
    if type_ != "sysex" and family.dict is Message.dict:
        namespace["dict"] = _ATTRS[type_]  # a new dict already (only sysex data needs converting)
    cls = type(family.__name__, (family, layout), namespace)
    try:
        _setattr(_new(layout), "__class__", cls)
    except TypeError:  # instances of `family` have a dict: values are set one by one
        cls._retimed = _retimed_adopting
    return cls


def message_classes(family: type) -> dict[str, type]:
    """{type name: the subclass of `family` (Message or a subclass of it) whose instances are of that type}."""
    classes = _FAMILIES.get(family)
    if classes is None:
        if not (isinstance(family, type) and issubclass(family, Message)):
            raise TypeError(f"expected Message or a subclass of it, got {family!r}")
        classes = {spec.type: _type_class(family, spec) for spec in SPECS}
        # Two threads may get here at once: both use the classes stored first.
        classes = _FAMILIES.setdefault(family, classes)
        for cls in classes.values():
            _FAMILIES[cls] = classes
    return classes


def _status_classes(family: type) -> list:
    classes = message_classes(family)
    by_status = [classes[SPEC_BY_STATUS[status].type] if status in SPEC_BY_STATUS else None for status in range(256)]
    for cls in {family, *classes.values()}:
        _BY_STATUS[cls] = by_status
    return by_status


# The Message classes by status byte, for the decoding loops of the parser and the file reader.
MESSAGE_BY_STATUS = _status_classes(Message)


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
