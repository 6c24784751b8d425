"""Meta messages: the events of a MIDI file that are not sent to an instrument.

`META_SPECS` is the explicit list of every meta type livemidi knows (the
ones in the mido documentation). Each spec says its type byte, its attribute
names and defaults, how to check a value, how to turn the event's data bytes
into attribute values (`values`) and back (`payload`). A spec that cannot
decode its data raises `MetaDataError`; the file reader turns that into a
`MidiParseError` with the track and byte offset, or, when reading leniently,
keeps the event as an `UnknownMetaMessage` so that nothing is lost.

New meta types are added as in mido: subclass `MetaSpec` (``type_byte``,
``attributes``, ``defaults``, ``decode(message, data)``,
``encode(message)``, optionally ``check(name, value)``) and pass the class
to `add_meta_spec`. The type name is the ``type`` attribute, or the class
name without a ``MetaSpec_`` prefix.

The frozen forms (`FrozenMetaMessage`, `FrozenUnknownMetaMessage`) are
defined here, above the message layer's `livemidi.frozen`, and registered
with it; the package ``livemidi`` also shows them at mido's documented path
``livemidi.frozen``.
"""

from __future__ import annotations

from numbers import Integral

from ..errors import KeySignatureError, MidiParseError, UnknownMessageTypeError
from ..frozen import Frozen, register_frozen
from ..messages import BaseMessage, check_time

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
    "decode_variable_int",
    "encode_variable_int",
]

_new = object.__new__


class MetaDataError(MidiParseError):
    """The data bytes of a meta event do not fit its type (wrong length or value)."""


def encode_variable_int(value: int) -> list[int]:
    """A non-negative int as a MIDI variable-length quantity: 7 bits a byte, high bit = more follow."""
    if not isinstance(value, Integral) or value < 0:
        raise ValueError(f"variable int must be a non-negative integer, got {value!r}")
    if value < 0x80:
        return [value]
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.reverse()
    return out


def decode_variable_int(value) -> int:
    """The int encoded by the bytes of a variable-length quantity (the inverse of `encode_variable_int`)."""
    result = 0
    for byte in value:
        result = (result << 7) | (byte & 0x7F)
    return result


def _check_int(name: str, value, low: int, high: int) -> int:
    if not isinstance(value, Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int in range {low}..{high}, got {value!r} ({type(value).__name__})")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in range {low}..{high}, got {value}")
    return value


class MetaSpec:
    """One meta message type. Subclass it and call `add_meta_spec` to add a type.

    Subclasses written for mido work unchanged: they implement
    ``decode(message, data)`` (set attributes on `message`) and
    ``encode(message)`` (return a list of data bytes). The built-in specs
    implement `values` and `payload` instead, which also take the charset
    of text events.
    """

    type: str
    type_byte: int
    attributes: list = []
    defaults: list = []

    def check(self, name: str, value):
        """Raise TypeError/ValueError if `value` is not allowed for attribute `name`."""

    def decode(self, message, data) -> None:
        vars(message).update(self.values(bytes(data), "latin1"))

    def encode(self, message) -> list[int]:
        return self.payload(vars(message), "latin1")

    def values(self, data: bytes, charset: str) -> dict:
        """The attribute values encoded by `data` (raise MetaDataError if it cannot be decoded)."""
        message = _new(MetaMessage)
        message.__dict__.update({"type": self.type, **dict(zip(self.attributes, self.defaults)), "time": 0})
        try:
            self.decode(message, list(data))
        except (IndexError, KeyError, ValueError, TypeError) as error:
            raise MetaDataError(f"cannot decode {self.type} meta event data {bytes(data).hex(' ')}: {error}") from error
        return {name: getattr(message, name) for name in self.attributes}

    def payload(self, attrs: dict, charset: str) -> list[int]:
        """The data bytes that encode the attribute dict `attrs`."""
        message = _new(MetaMessage)
        message.__dict__.update(attrs)
        return list(self.encode(message))


class _FixedSpec(MetaSpec):
    """A spec whose data has a fixed number of bytes (or none, for a few types written both ways)."""

    sizes: tuple = ()

    def check_size(self, data: bytes) -> None:
        if len(data) not in self.sizes:
            expected = " or ".join(str(size) for size in self.sizes)
            raise MetaDataError(f"{self.type} meta event must have {expected} data bytes, got {len(data)}")


class _SequenceNumber(_FixedSpec):
    type, type_byte, attributes, defaults, sizes = "sequence_number", 0x00, ["number"], [0], (2, 0)

    def check(self, name, value):
        _check_int(name, value, 0, 0xFFFF)

    def values(self, data, charset):
        self.check_size(data)  # some files have it empty (mido issues 42 and 93)
        return {"number": data[0] << 8 | data[1] if data else 0}

    def payload(self, attrs, charset):
        number = attrs["number"]
        return [number >> 8, number & 0xFF]


class _Text(MetaSpec):
    """Text events: the attribute is a str, stored in the file in the file's charset."""

    def __init__(self, type_: str, type_byte: int, attribute: str) -> None:
        self.type, self.type_byte, self.attributes, self.defaults = type_, type_byte, [attribute], [""]
        self.attribute = attribute

    def check(self, name, value):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {value!r} ({type(value).__name__})")

    def values(self, data, charset):
        try:
            return {self.attribute: data.decode(charset)}
        except UnicodeDecodeError as error:
            raise MetaDataError(f"{self.type} text is not valid {charset}: {error}") from None

    def payload(self, attrs, charset):
        return list(attrs[self.attribute].encode(charset))


class _OneByte(_FixedSpec):
    def __init__(self, type_: str, type_byte: int, attribute: str, sizes: tuple) -> None:
        self.type, self.type_byte, self.attributes, self.defaults = type_, type_byte, [attribute], [0]
        self.attribute, self.sizes = attribute, sizes

    def check(self, name, value):
        _check_int(name, value, 0, 255)

    def values(self, data, charset):
        self.check_size(data)  # midi_port may be empty in real files (mido issues 42 and 93)
        return {self.attribute: data[0] if data else 0}

    def payload(self, attrs, charset):
        return [attrs[self.attribute]]


class _EndOfTrack(_FixedSpec):
    type, type_byte, attributes, defaults, sizes = "end_of_track", 0x2F, [], [], (0,)

    def values(self, data, charset):
        self.check_size(data)
        return {}

    def payload(self, attrs, charset):
        return []


class _SetTempo(_FixedSpec):
    type, type_byte, attributes, defaults, sizes = "set_tempo", 0x51, ["tempo"], [500000], (3,)

    def check(self, name, value):
        _check_int(name, value, 0, 0xFFFFFF)

    def values(self, data, charset):
        self.check_size(data)
        return {"tempo": data[0] << 16 | data[1] << 8 | data[2]}

    def payload(self, attrs, charset):
        tempo = attrs["tempo"]
        return [tempo >> 16, tempo >> 8 & 0xFF, tempo & 0xFF]


# SMPTE frame rate code (the top bits of the hours byte) <-> frames per second.
_FRAME_RATES = {0: 24, 1: 25, 2: 29.97, 3: 30}
_FRAME_RATE_CODES = {rate: code for code, rate in _FRAME_RATES.items()}
_SMPTE_RANGES = {"hours": 255, "minutes": 59, "seconds": 59, "frames": 255, "sub_frames": 99}


class _SmpteOffset(_FixedSpec):
    type, type_byte, sizes = "smpte_offset", 0x54, (5,)
    attributes = ["frame_rate", "hours", "minutes", "seconds", "frames", "sub_frames"]
    defaults = [24, 0, 0, 0, 0, 0]

    def check(self, name, value):
        if name == "frame_rate":
            if value not in _FRAME_RATE_CODES:
                raise ValueError(f"frame_rate must be one of 24, 25, 29.97, 30; got {value!r}")
        else:
            _check_int(name, value, 0, _SMPTE_RANGES[name])

    def values(self, data, charset):
        self.check_size(data)
        code = data[0] >> 5
        if code not in _FRAME_RATES:
            raise MetaDataError(f"smpte_offset frame rate code must be 0..3, got {code}")
        values = {"frame_rate": _FRAME_RATES[code], "hours": data[0] & 0x1F, "minutes": data[1],
                  "seconds": data[2], "frames": data[3], "sub_frames": data[4]}
        for name in ("minutes", "seconds", "sub_frames"):
            if values[name] > _SMPTE_RANGES[name]:
                raise MetaDataError(f"smpte_offset {name} must be in range 0..{_SMPTE_RANGES[name]}, got {values[name]}")
        return values

    def payload(self, attrs, charset):
        return [_FRAME_RATE_CODES[attrs["frame_rate"]] << 5 | attrs["hours"], attrs["minutes"],
                attrs["seconds"], attrs["frames"], attrs["sub_frames"]]


class _TimeSignature(_FixedSpec):
    type, type_byte, sizes = "time_signature", 0x58, (4,)
    attributes = ["numerator", "denominator", "clocks_per_click", "notated_32nd_notes_per_beat"]
    defaults = [4, 4, 24, 8]

    def check(self, name, value):
        if name == "denominator":
            _check_int(name, value, 1, 2**255)
            if value & (value - 1):
                raise ValueError(f"denominator must be a power of 2, got {value}")
        else:
            _check_int(name, value, 0, 255)

    def values(self, data, charset):
        self.check_size(data)
        return {"numerator": data[0], "denominator": 2 ** data[1], "clocks_per_click": data[2],
                "notated_32nd_notes_per_beat": data[3]}

    def payload(self, attrs, charset):
        return [attrs["numerator"], attrs["denominator"].bit_length() - 1, attrs["clocks_per_click"],
                attrs["notated_32nd_notes_per_beat"]]


# Keys by (sharps (+) or flats (-), mode 0 major / 1 minor), around the circle of fifths.
_MAJOR = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
_MINOR = ["Abm", "Ebm", "Bbm", "Fm", "Cm", "Gm", "Dm", "Am", "Em", "Bm", "F#m", "C#m", "G#m", "D#m", "A#m"]
_KEY_BY_CODE = {(sharps, mode): names[sharps + 7] for mode, names in enumerate((_MAJOR, _MINOR)) for sharps in range(-7, 8)}
_CODE_BY_KEY = {key: code for code, key in _KEY_BY_CODE.items()}


class _KeySignature(_FixedSpec):
    type, type_byte, attributes, defaults, sizes = "key_signature", 0x59, ["key"], ["C"], (2,)

    def check(self, name, value):
        if value not in _CODE_BY_KEY:
            raise ValueError(f"invalid key {value!r}; expected one of {', '.join(_MAJOR + _MINOR)}")

    def values(self, data, charset):
        self.check_size(data)
        sharps = data[0] - 256 if data[0] > 127 else data[0]
        key = _KEY_BY_CODE.get((sharps, data[1]))
        if key is None:
            count = f"{sharps} sharps" if sharps >= 0 else f"{-sharps} flats"
            raise KeySignatureError(f"impossible key signature: {count} and mode {data[1]} "
                                    "(expected -7..7 sharps and mode 0 major or 1 minor)")
        return {"key": key}

    def payload(self, attrs, charset):
        sharps, mode = _CODE_BY_KEY[attrs["key"]]
        return [sharps & 0xFF, mode]


class _SequencerSpecific(MetaSpec):
    type, type_byte, attributes, defaults = "sequencer_specific", 0x7F, ["data"], [()]

    def check(self, name, value):
        _check_bytes(name, value)

    def values(self, data, charset):
        return {"data": tuple(data)}

    def payload(self, attrs, charset):
        return list(attrs["data"])


def _check_bytes(name: str, value) -> tuple:
    if isinstance(value, (str, Integral)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be an iterable of ints 0..255, got {value!r}")
    value = tuple(value)
    for byte in value:
        _check_int(f"{name} byte", byte, 0, 255)
    return value


# Every meta type of the mido documentation, in type byte order.
META_SPECS = [
    _SequenceNumber(),
    _Text("text", 0x01, "text"),
    _Text("copyright", 0x02, "text"),
    _Text("track_name", 0x03, "name"),
    _Text("instrument_name", 0x04, "name"),
    _Text("lyrics", 0x05, "text"),
    _Text("marker", 0x06, "text"),
    _Text("cue_marker", 0x07, "text"),
    _Text("device_name", 0x09, "name"),
    _OneByte("channel_prefix", 0x20, "channel", (1,)),
    _OneByte("midi_port", 0x21, "port", (1, 0)),
    _EndOfTrack(),
    _SetTempo(),
    _SmpteOffset(),
    _TimeSignature(),
    _KeySignature(),
    _SequencerSpecific(),
]

SPEC_BY_TYPE: dict[str, MetaSpec] = {}
SPEC_BY_BYTE: dict[int, MetaSpec] = {}


def _register(spec: MetaSpec) -> None:
    spec.settable_attributes = set(spec.attributes) | {"time"}
    spec.default_attrs = {"type": spec.type, **dict(zip(spec.attributes, spec.defaults)), "time": 0}
    spec.value_names = tuple(spec.attributes) + ("time",)
    SPEC_BY_TYPE[spec.type] = spec
    SPEC_BY_BYTE[spec.type_byte] = spec


def add_meta_spec(klass: type) -> None:
    """Add a meta type given as a `MetaSpec` subclass (as in mido); it replaces a spec with the same type byte."""
    spec = klass()
    if not isinstance(getattr(spec, "type", None), str):
        spec.type = klass.__name__.replace("MetaSpec_", "")
    _check_int("type_byte", spec.type_byte, 0, 0x7F)
    old = SPEC_BY_BYTE.get(spec.type_byte)
    if old is not None and old.type != spec.type:
        del SPEC_BY_TYPE[old.type]
    _register(spec)


for _spec in META_SPECS:
    _register(_spec)
del _spec


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

    def copy(self, skip_checks: bool = False, **overrides) -> MetaMessage:
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
    if name == "data" and isinstance(spec, _SequencerSpecific):
        return _check_bytes(name, value)
    spec.check(name, value)
    return value


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
            "type_byte": _check_int("type_byte", type_byte, 0, 0xFF),
            "data": () if data is None else _check_bytes("data", data),
            "time": check_time(time),
        })

    def __repr__(self) -> str:
        return f"UnknownMetaMessage(type_byte={self.type_byte!r}, data={self.data!r}, time={self.time!r})"

    def __setattr__(self, name: str, value) -> None:
        if name == "type":
            raise AttributeError("type attribute is read only")
        if name == "type_byte":
            value = _check_int(name, value, 0, 0xFF)
        elif name == "data":
            value = _check_bytes(name, value)
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
