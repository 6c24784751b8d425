"""Meta message types: the explicit list of specs and the registry built from it.

`META_SPECS` lists every meta type of the mido documentation. Each spec
says its type byte, its attribute names and defaults, how to check a value,
how to turn an event's data bytes into attribute values (`values`) and back
(`payload`). A spec that cannot decode its data raises `MetaDataError`; the
file reader turns that into a `MidiParseError` with the track and byte
offset or, when reading leniently, keeps the event as an
`UnknownMetaMessage`, so nothing is lost.

New meta types are added as in mido: subclass `MetaSpec` (``type_byte``,
``attributes``, ``defaults``, ``decode(message, data)``,
``encode(message)``, optionally ``check(name, value)``) and pass the class
to `add_meta_spec`. The type name is the ``type`` attribute, or the class
name without a ``MetaSpec_`` prefix.
"""

from __future__ import annotations

from numbers import Integral

from ..errors import KeySignatureError, MidiParseError

__all__ = [
    "META_SPECS",
    "MetaDataError",
    "MetaSpec",
    "SPEC_BY_BYTE",
    "SPEC_BY_TYPE",
    "add_meta_spec",
    "check_bytes",
    "check_int",
    "decode_variable_int",
    "encode_variable_int",
]

_new = object.__new__

# The class whose instances a mido-style spec's `decode` and `encode` work on:
# `MetaMessage`, so that an attribute `decode` sets is checked as anyone's is.
# It is defined in meta.py, on top of these specs (it looks its type up here),
# and registers itself as it loads (`register_message_class`), as it registers
# its frozen forms with livemidi.frozen: importing it here would be a cycle.
_message_class: type | None = None


def register_message_class(cls: type) -> None:
    """Make `cls` (meta.py's `MetaMessage`) what `MetaSpec.values` and `payload` hand to a spec."""
    global _message_class
    _message_class = cls


def _scratch_message():
    """An empty message of the registered class, for a mido-style spec to fill or read."""
    if _message_class is None:
        raise RuntimeError("livemidi.midifiles.meta has not registered MetaMessage (import livemidi.midifiles)")
    return _new(_message_class)


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


def check_int(name: str, value, low: int, high: int) -> int:
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

    def checked(self, name: str, value):
        """The value to store for attribute `name` (after `check`); specs may convert it."""
        self.check(name, value)
        return value

    def decode(self, message, data) -> None:
        vars(message).update(self.values(bytes(data), "latin1"))

    def encode(self, message) -> list[int]:
        return self.payload(vars(message), "latin1")

    def values(self, data: bytes, charset: str) -> dict:
        """The attribute values encoded by `data` (raise MetaDataError if it cannot be decoded)."""
        message = _scratch_message()
        message.__dict__.update({"type": self.type, **dict(zip(self.attributes, self.defaults)), "time": 0})
        try:
            self.decode(message, list(data))
        except (IndexError, KeyError, ValueError, TypeError) as error:
            raise MetaDataError(f"cannot decode {self.type} meta event data {bytes(data).hex(' ')}: {error}") from error
        return {name: getattr(message, name) for name in self.attributes}

    def payload(self, attrs: dict, charset: str) -> list[int]:
        """The data bytes that encode the attribute dict `attrs`."""
        message = _scratch_message()
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
        check_int(name, value, 0, 0xFFFF)

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
        check_int(name, value, 0, 255)

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
        check_int(name, value, 0, 0xFFFFFF)

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
            check_int(name, value, 0, _SMPTE_RANGES[name])

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
            check_int(name, value, 1, 2**255)
            if value & (value - 1):
                raise ValueError(f"denominator must be a power of 2, got {value}")
        else:
            check_int(name, value, 0, 255)

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
        check_bytes(name, value)

    def checked(self, name, value):
        return check_bytes(name, value)  # stored as a tuple, as the reader makes it

    def values(self, data, charset):
        return {"data": tuple(data)}

    def payload(self, attrs, charset):
        return list(attrs["data"])


def check_bytes(name: str, value) -> tuple:
    """`value` as a tuple of ints 0..255 (TypeError/ValueError if it is not)."""
    if isinstance(value, (str, Integral)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{name} must be an iterable of ints 0..255, got {value!r}")
    value = tuple(value)
    for byte in value:
        check_int(f"{name} byte", byte, 0, 255)
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
    check_int("type_byte", spec.type_byte, 0, 0x7F)
    old = SPEC_BY_BYTE.get(spec.type_byte)
    if old is not None and old.type != spec.type:
        del SPEC_BY_TYPE[old.type]
    _register(spec)


for _spec in META_SPECS:
    _register(_spec)
del _spec


