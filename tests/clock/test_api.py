"""The clock's public names, and what stays out of the mido-compatible top level."""

from __future__ import annotations

import pytest

import livemidi
import livemidi.clock as clock
from livemidi.clock import message_bytes


def test_every_name_in_all_exists_and_all_is_sorted():
    for name in clock.__all__:
        assert hasattr(clock, name), name
    assert clock.__all__ == sorted(clock.__all__, key=lambda name: (not name.isupper(), name))


def test_the_clock_is_not_in_the_top_level_namespace():
    for name in ("Sender", "Lookahead", "TempoMap", "MidiClockOut", "clock"):
        assert name not in livemidi.__all__


def test_errors_belong_to_the_tree():
    assert issubclass(clock.SenderError, livemidi.PortError) and issubclass(clock.SenderError, OSError)
    assert issubclass(clock.ClockStoppedError, livemidi.LivemidiError)
    assert issubclass(clock.ClockStoppedError, RuntimeError)


def test_message_bytes():
    assert message_bytes(livemidi.Message("note_on", note=60, velocity=1)) == b"\x90\x3c\x01"
    assert message_bytes([0xF8]) == b"\xf8"
    with pytest.raises(ValueError):
        message_bytes([0x90, 60])  # too short
    with pytest.raises(TypeError, match="expected a Message"):
        message_bytes(60)
