"""The table of MIDI 1.0 message types, and every lookup derived from it.

`SPECS` is the single source of truth: status byte, type name, value names
(in wire order, channel first) and length in bytes. Checks, encoding,
decoding and the string format are all driven by it. Adding a message type
means adding one line here; a lookup written by hand elsewhere would drift.
"""

from __future__ import annotations

CHANNEL_MESSAGES = frozenset(range(0x80, 0xF0))
COMMON_MESSAGES = frozenset(range(0xF0, 0xF8))
REALTIME_MESSAGES = frozenset(range(0xF8, 0x100))
SYSEX_START = 0xF0
SYSEX_END = 0xF7

# Pitch wheel is a 14-bit value sent offset by 8192, so it reads as signed.
MIN_PITCHWHEEL = -8192
MAX_PITCHWHEEL = 8191
# Song position is a 14-bit unsigned count of MIDI beats (sixteenths).
MIN_SONGPOS = 0
MAX_SONGPOS = 16383

# Inclusive (low, high) range of every integer attribute.
RANGES = {
    "channel": (0, 15),
    "control": (0, 127),
    "frame_type": (0, 7),
    "frame_value": (0, 15),
    "note": (0, 127),
    "pitch": (MIN_PITCHWHEEL, MAX_PITCHWHEEL),
    "pos": (MIN_SONGPOS, MAX_SONGPOS),
    "program": (0, 127),
    "song": (0, 127),
    "value": (0, 127),
    "velocity": (0, 127),
}

DEFAULT_VALUES = {
    "channel": 0,
    "control": 0,
    "data": (),
    "frame_type": 0,
    "frame_value": 0,
    "note": 0,
    "pitch": 0,
    "pos": 0,
    "program": 0,
    "song": 0,
    "value": 0,
    "velocity": 64,
    "time": 0,
}


class MessageSpec:
    """One message type. Also readable as a mapping (``spec['length']``), as in mido."""

    __slots__ = ("status_byte", "type", "value_names", "length", "attribute_names", "defaults", "ranges")

    def __init__(self, status_byte: int, type: str, value_names: tuple, length: float) -> None:
        self.status_byte = status_byte
        self.type = type
        self.value_names = value_names  # in wire order, channel first
        self.length = length  # bytes on the wire; infinite for sysex
        self.attribute_names = frozenset(value_names) | {"type", "time"}
        self.defaults = {name: DEFAULT_VALUES[name] for name in value_names}
        self.defaults["time"] = 0
        self.ranges = {name: RANGES[name] for name in value_names if name in RANGES}

    def __getitem__(self, name: str):
        return getattr(self, name)

    def __repr__(self) -> str:
        return f"MessageSpec(0x{self.status_byte:02X}, {self.type!r}, {self.value_names!r}, {self.length!r})"


SPECS = (
    MessageSpec(0x80, "note_off", ("channel", "note", "velocity"), 3),
    MessageSpec(0x90, "note_on", ("channel", "note", "velocity"), 3),
    MessageSpec(0xA0, "polytouch", ("channel", "note", "value"), 3),
    MessageSpec(0xB0, "control_change", ("channel", "control", "value"), 3),
    MessageSpec(0xC0, "program_change", ("channel", "program"), 2),
    MessageSpec(0xD0, "aftertouch", ("channel", "value"), 2),
    MessageSpec(0xE0, "pitchwheel", ("channel", "pitch"), 3),
    # System common. 0xF4 and 0xF5 are undefined.
    MessageSpec(0xF0, "sysex", ("data",), float("inf")),
    MessageSpec(0xF1, "quarter_frame", ("frame_type", "frame_value"), 2),
    MessageSpec(0xF2, "songpos", ("pos",), 3),
    MessageSpec(0xF3, "song_select", ("song",), 2),
    MessageSpec(0xF6, "tune_request", (), 1),
    # System real time. 0xF9 and 0xFD are undefined.
    MessageSpec(0xF8, "clock", (), 1),
    MessageSpec(0xFA, "start", (), 1),
    MessageSpec(0xFB, "continue", (), 1),
    MessageSpec(0xFC, "stop", (), 1),
    MessageSpec(0xFE, "active_sensing", (), 1),
    MessageSpec(0xFF, "reset", (), 1),
)

SPEC_BY_TYPE = {spec.type: spec for spec in SPECS}
SPEC_BY_STATUS = {
    status: spec
    for spec in SPECS
    for status in (
        range(spec.status_byte, spec.status_byte + 16)
        if spec.status_byte in CHANNEL_MESSAGES
        else (spec.status_byte,)
    )
}
SPEC_LOOKUP = {**SPEC_BY_STATUS, **SPEC_BY_TYPE}

# The MIDI 1.0 system real-time messages: single bytes that may appear
# anywhere in a stream, even between the bytes of another message.
REALTIME_TYPES = frozenset(
    spec.type for spec in SPECS if spec.status_byte in REALTIME_MESSAGES
)

# Number of bytes of each status byte's message (None: sysex, undefined).
MESSAGE_LENGTH = [None] * 256
for _status, _spec in SPEC_BY_STATUS.items():
    if _spec.type != "sysex":
        MESSAGE_LENGTH[_status] = int(_spec.length)
del _status, _spec
