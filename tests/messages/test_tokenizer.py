"""Tokenizer: a MIDI byte stream split into messages, each a list of ints."""

from __future__ import annotations

import random

import pytest

from livemidi import parse_all
from livemidi.tokenizer import Tokenizer

# (name, bytes in, messages out as lists of ints)
STREAMS = [
    ("one message", [0x90, 1, 2], [[0x90, 1, 2]]),
    ("running status", [0x90, 1, 2, 3, 4], [[0x90, 1, 2], [0x90, 3, 4]]),
    ("running status, two bytes", [0xC0, 1, 2], [[0xC0, 1], [0xC0, 2]]),
    ("real time inside", [0x90, 1, 0xF8, 2], [[0xF8], [0x90, 1, 2]]),
    ("real time inside sysex", [0xF0, 1, 0xFF, 2, 0xF7], [[0xFF], [0xF0, 1, 2, 0xF7]]),
    ("sysex ended by a status", [0xF0, 1, 0xB0, 7, 100], [[0xF0, 1, 0xF7], [0xB0, 7, 100]]),
    ("common cancels running status", [0x90, 1, 2, 0xF6, 3, 4], [[0x90, 1, 2], [0xF6]]),
    ("stray bytes", [1, 0xF7, 0xF4, 0xF5, 0xF9, 0xFD, 2], []),
    ("interrupted", [0x90, 1, 0xC0, 5], [[0xC0, 5]]),
    ("songpos", [0xF2, 1, 2], [[0xF2, 1, 2]]),
]


@pytest.mark.parametrize("name,data,expected", STREAMS, ids=[case[0] for case in STREAMS])
def test_tokenize(name, data, expected):
    assert list(Tokenizer(data)) == expected
    tokenizer = Tokenizer()
    for byte in data:
        tokenizer.feed_byte(byte)
    assert list(tokenizer) == expected
    tokenizer = Tokenizer()
    tokenizer.feed(bytes(data))
    assert list(tokenizer) == expected


@pytest.mark.parametrize("name,data,expected", STREAMS, ids=[case[0] for case in STREAMS])
def test_tokens_are_lists_of_ints(name, data, expected):
    for token in Tokenizer(bytes(data)):
        assert type(token) is list
        assert all(type(byte) is int for byte in token)


def test_len_and_iteration_drains():
    tokenizer = Tokenizer()
    assert len(tokenizer) == 0
    assert list(tokenizer) == []
    tokenizer.feed([0xF8, 0x90, 1])
    assert len(tokenizer) == 1
    tokenizer.feed([2])
    assert len(tokenizer) == 2
    assert list(tokenizer) == [[0xF8], [0x90, 1, 2]]
    assert len(tokenizer) == 0
    assert list(tokenizer) == []


def test_running_status_across_feeds():
    tokenizer = Tokenizer([0x90, 1, 2])
    tokenizer.feed([3])
    tokenizer.feed_byte(4)
    assert list(tokenizer) == [[0x90, 1, 2], [0x90, 3, 4]]


def test_feed_errors():
    tokenizer = Tokenizer()
    with pytest.raises(ValueError):
        tokenizer.feed_byte(256)
    with pytest.raises(ValueError):
        tokenizer.feed_byte(-1)
    with pytest.raises(TypeError):
        tokenizer.feed_byte(1.0)
    with pytest.raises(TypeError):
        tokenizer.feed("abc")
    with pytest.raises(ValueError):
        tokenizer.feed([300])


def test_same_split_as_parser_on_random_bytes():
    rng = random.Random(7)
    data = bytes(rng.getrandbits(8) for _ in range(20000))
    tokenizer = Tokenizer()
    position = 0
    while position < len(data):
        size = rng.randint(1, 40)
        tokenizer.feed(data[position : position + size])
        position += size
    assert list(tokenizer) == [msg.bytes() for msg in parse_all(data)]
