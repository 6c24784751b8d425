"""The public names: __all__, and every mido-documented name at its mido dotted path."""

from __future__ import annotations

import importlib

import pytest

import livemidi

# mido's documented dotted paths (mido 1.3 docs) that livemidi provides so far.
MIDO_PATHS = [
    "livemidi.Message",
    "livemidi.messages.Message",
    "livemidi.messages.BaseMessage",
    "livemidi.messages.parse_string_stream",
    "livemidi.frozen.FrozenMessage",
    "livemidi.frozen.freeze_message",
    "livemidi.frozen.thaw_message",
    "livemidi.frozen.is_frozen",
    "livemidi.tokenizer.Tokenizer",
    "livemidi.parser.Parser",
    "livemidi.Parser",
    "livemidi.parse",
    "livemidi.parse_all",
    "livemidi.parse_string",
    "livemidi.parse_string_stream",
    "livemidi.format_as_string",
    "livemidi.MIN_PITCHWHEEL",
    "livemidi.MAX_PITCHWHEEL",
    "livemidi.MIN_SONGPOS",
    "livemidi.MAX_SONGPOS",
    "livemidi.version_info",
    "livemidi.__version__",
]


def resolve(path):
    module_name, _, name = path.rpartition(".")
    module = importlib.import_module(module_name)
    return getattr(module, name)


@pytest.mark.parametrize("name", livemidi.__all__)
def test_every_exported_name_exists(name):
    assert hasattr(livemidi, name)


def test_all_is_sorted_and_unique():
    assert livemidi.__all__ == sorted(livemidi.__all__)
    assert len(set(livemidi.__all__)) == len(livemidi.__all__)


@pytest.mark.parametrize("module", ["livemidi.messages", "livemidi.frozen", "livemidi.parser", "livemidi.tokenizer"])
def test_submodule_all(module):
    module = importlib.import_module(module)
    for name in module.__all__:
        assert hasattr(module, name), name


@pytest.mark.parametrize("path", MIDO_PATHS)
def test_mido_documented_path(path):
    resolve(path)


def test_top_level_names_are_exported():
    for path in MIDO_PATHS:
        module_name, _, name = path.rpartition(".")
        if module_name == "livemidi":
            assert name in livemidi.__all__, name


def test_same_objects_at_every_path():
    assert livemidi.Message is livemidi.messages.Message
    assert issubclass(livemidi.Message, livemidi.messages.BaseMessage)
    assert livemidi.Parser is livemidi.parser.Parser
    assert livemidi.parse_string_stream is livemidi.messages.parse_string_stream
    assert issubclass(livemidi.frozen.FrozenMessage, livemidi.Message)


def test_constants():
    assert (livemidi.MIN_PITCHWHEEL, livemidi.MAX_PITCHWHEEL) == (-8192, 8191)
    assert (livemidi.MIN_SONGPOS, livemidi.MAX_SONGPOS) == (0, 16383)


def test_version():
    assert isinstance(livemidi.__version__, str)
    info = livemidi.version_info
    # mido's version_info has .major/.minor/.micro (a packaging Version).
    assert (info.major, info.minor, info.micro) == tuple(int(part) for part in livemidi.__version__.split(".")[:3])


def test_mido_style_import():
    import livemidi as mido

    msg = mido.Message("note_on", note=60)
    assert mido.parse_all(msg.bin()) == [msg]
    assert mido.parse_string(str(msg)) == msg


def test_error_tree():
    from livemidi.errors import LivemidiError, MidiParseError

    assert livemidi.LivemidiError is LivemidiError
    assert livemidi.MidiParseError is MidiParseError
    assert issubclass(MidiParseError, LivemidiError)
    assert issubclass(MidiParseError, ValueError)
    with pytest.raises(LivemidiError):
        livemidi.Message("no_such_type")
    with pytest.raises(LivemidiError):
        livemidi.frozen.FrozenMessage("clock").time = 1
