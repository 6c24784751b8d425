"""Random bytes into the parser: it never raises and yields only valid messages.

`reference_split` is a plain byte-at-a-time reading of the MIDI 1.0 receiver
rules, written independently of livemidi's (much faster) splitter, and the
parser must agree with it exactly.
"""

from __future__ import annotations

import random

from livemidi import Message, Parser, parse_all
from livemidi.tokenizer import Tokenizer

SEED = 20240601
SIZE = 1_000_000

# Length of each defined message, by status byte (0 for sysex; undefined absent).
LENGTHS = {}
for _status in range(0x80, 0xF0):
    LENGTHS[_status] = 2 if _status >> 4 in (0xC, 0xD) else 3
LENGTHS.update({0xF0: 0, 0xF1: 2, 0xF2: 3, 0xF3: 2, 0xF6: 1})
LENGTHS.update({status: 1 for status in (0xF8, 0xFA, 0xFB, 0xFC, 0xFE, 0xFF)})


def reference_split(data):
    """The messages in `data` as lists of ints, read one byte at a time."""
    out = []
    buffer = None  # the message being collected
    running = None
    for byte in data:
        if byte >= 0xF8:  # real time: at once, and nothing else changes
            if byte in LENGTHS:
                out.append([byte])
        elif byte < 0x80:
            if buffer is None:
                if running is None:
                    continue  # stray data byte
                buffer = [running]
            buffer.append(byte)
            if buffer[0] != 0xF0 and len(buffer) == LENGTHS[buffer[0]]:
                out.append(buffer)
                buffer = None
        else:
            if buffer is not None and buffer[0] == 0xF0:
                out.append(buffer + [0xF7])  # a sysex ends at any status byte
            buffer = None
            running = byte if byte < 0xF0 else None
            length = LENGTHS.get(byte)
            if length == 1:
                out.append([byte])
            elif length is not None:
                buffer = [byte]
    return out


def random_bytes(rng, size):
    return rng.randbytes(size)


def noisy_message_stream(rng, count):
    """Valid messages with real-time bytes, stray bytes and cut-off messages mixed in."""
    out = bytearray()
    for _ in range(count):
        status = rng.choice([0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0]) | rng.randrange(16)
        roll = rng.random()
        if roll < 0.05:
            out += bytes([0xF0] + [rng.randrange(128) for _ in range(rng.randrange(10))] + [0xF7])
        elif roll < 0.1:
            out.append(rng.choice([0xF8, 0xFA, 0xFB, 0xFC, 0xFE, 0xFF, 0xF9, 0xFD, 0xF4, 0xF5, 0xF6, 0xF7]))
        elif roll < 0.15:
            out.append(rng.randrange(128))
        else:
            out += bytes([status] + [rng.randrange(128) for _ in range(LENGTHS[status] - 1)])
            if rng.random() < 0.3:  # running status
                out += bytes(rng.randrange(128) for _ in range(LENGTHS[status] - 1))
        if rng.random() < 0.05:  # a real-time byte inside the last message
            out.insert(len(out) - rng.randrange(1, 3), 0xF8)
    return bytes(out)


def feed_in_chunks(rng, data, max_chunk):
    parser = Parser()
    messages = []
    position = 0
    while position < len(data):
        size = rng.randint(1, max_chunk)
        parser.feed(data[position : position + size])
        position += size
        if rng.random() < 0.5:
            messages.extend(parser)
    messages.extend(parser)
    return messages


def assert_valid(messages):
    for msg in messages:
        raw = msg.bytes()
        assert raw[0] >= 0x80
        body = raw[1:-1] if msg.type == "sysex" else raw[1:]
        assert all(0 <= byte < 0x80 for byte in body)
        assert Message.from_bytes(raw) == msg
        assert msg.time == 0


def test_a_million_random_bytes_in_random_chunks():
    rng = random.Random(SEED)
    data = random_bytes(rng, SIZE)
    messages = feed_in_chunks(rng, data, 64)
    assert len(messages) > SIZE // 20
    assert_valid(messages)
    assert messages == parse_all(data)
    assert [msg.bytes() for msg in messages] == reference_split(data)


def test_random_bytes_agree_with_reference_reader():
    rng = random.Random(SEED + 1)
    data = random_bytes(rng, 200_000)
    expected = reference_split(data)
    assert [msg.bytes() for msg in parse_all(data)] == expected
    assert list(Tokenizer(data)) == expected


def test_feed_byte_agrees_with_parse_all():
    rng = random.Random(SEED + 2)
    data = random_bytes(rng, 100_000)
    parser = Parser()
    for byte in data:
        parser.feed_byte(byte)
    assert list(parser) == parse_all(data)


def test_noisy_message_stream_agrees_with_reference_reader():
    rng = random.Random(SEED + 3)
    data = noisy_message_stream(rng, 50_000)
    expected = reference_split(data)
    assert len(expected) > 40_000
    messages = feed_in_chunks(rng, data, 16)
    assert [msg.bytes() for msg in messages] == expected
    assert_valid(messages)


def test_data_heavy_stream():
    # Mostly data bytes: long running-status runs and long sysex bodies.
    rng = random.Random(SEED + 4)
    data = bytes(rng.randrange(128) if rng.random() < 0.97 else rng.randrange(128, 256) for _ in range(200_000))
    expected = reference_split(data)
    messages = feed_in_chunks(rng, data, 300)
    assert [msg.bytes() for msg in messages] == expected
    assert_valid(messages)
