"""Splitting a MIDI byte stream into messages, as MIDI 1.0 says a receiver must.

- Running status: data bytes after a complete channel message start another
  message of the same status (devices omit repeated status bytes).
- Real-time bytes (0xF8..0xFF) may come anywhere, even between the bytes of
  another message; they are delivered at once and disturb nothing.
- System common messages and sysex cancel running status.
- A sysex ends with 0xF7, or with any other non-real-time status byte (the
  spec's rule); its data so far is delivered as a complete sysex.
- Stray data bytes, stray 0xF7, undefined status bytes (0xF4, 0xF5, 0xF9,
  0xFD) and messages cut short by a new status byte are dropped.

`StreamSplitter.split` does the work for both `Tokenizer` (lists of ints, as
mido's) and `Parser` (messages). Speed comes from one regular expression that
cuts the stream, in C, into tokens: whole channel messages, whole sysex
messages, runs of data bytes and single status bytes. Only the tokens that
are not a whole message at a message boundary go through the state machine.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from numbers import Integral

from .specs import MESSAGE_LENGTH, SYSEX_END, SYSEX_START

__all__ = ["StreamSplitter", "Tokenizer", "as_stream_bytes"]

_TOKENS = re.compile(
    rb"[\x80-\xbf\xe0-\xef][\x00-\x7f][\x00-\x7f]"  # a whole three-byte channel message
    rb"|[\xc0-\xdf][\x00-\x7f]"  # a whole two-byte channel message
    rb"|\xf0[\x00-\x7f]*\xf7"  # a whole sysex
    rb"|[\x00-\x7f]+"  # a run of data bytes
    rb"|[\x80-\xff]"  # any other status byte
).findall


def as_stream_bytes(data) -> bytes:
    """`data` (bytes, or any iterable of ints 0..255) as bytes; TypeError/ValueError if not."""
    if isinstance(data, (bytes, bytearray)):
        return data
    if isinstance(data, (str, Integral)):
        raise TypeError(f"expected bytes or an iterable of ints 0..255, got {type(data).__name__}")
    data = list(data)
    try:
        return bytes(data)
    except TypeError:
        bad = next(byte for byte in data if not isinstance(byte, Integral))
        raise TypeError(f"MIDI bytes must be ints 0..255, got {bad!r}") from None
    except ValueError:
        bad = next(byte for byte in data if not 0 <= byte <= 255)
        raise ValueError(f"MIDI bytes must be in range 0..255, got {bad!r}") from None


class StreamSplitter:
    """The state of a MIDI stream between feeds: the partial message and running status."""

    __slots__ = ("_buffer", "_running")

    def __init__(self) -> None:
        self._buffer: bytearray | None = None  # the message being collected, status first
        self._running = 0  # the running status byte, or 0

    def split(self, data: bytes) -> Iterator[bytes]:
        """Yield every complete message in `data` (checked bytes), status byte first."""
        for token in _TOKENS(data):
            first = token[0]
            if first >= 0x80 and len(token) > 1 and self._buffer is None:
                # A whole message at a message boundary: the common case.
                if first < 0xF0:
                    self._running = first
                else:
                    self._running = 0
                yield token
            else:
                yield from self._step(token)

    def _step(self, token: bytes) -> Iterator[bytes]:
        """The state machine, for one token that is not simply a whole message."""
        first = token[0]
        buffer = self._buffer
        if first < 0x80:  # a run of data bytes
            if buffer is not None and buffer[0] == SYSEX_START:
                buffer += token
                return
            start = 0
            if buffer is not None:  # complete the message in progress
                start = MESSAGE_LENGTH[buffer[0]] - len(buffer)
                buffer += token[:start]
                if len(buffer) < MESSAGE_LENGTH[buffer[0]]:
                    return
                self._buffer = None
                yield bytes(buffer)
            running = self._running
            if not running:
                return  # stray data bytes
            size = MESSAGE_LENGTH[running] - 1
            end = len(token)
            status = bytes((running,))
            while start + size <= end:
                yield status + token[start : start + size]
                start += size
            if start < end:
                self._buffer = bytearray(status + token[start:])
            return
        if first >= 0xF8:  # real time: at once, disturbing nothing
            if MESSAGE_LENGTH[first] is not None:  # 0xF9 and 0xFD are undefined
                yield token
            return
        # Any other status byte ends the message in progress.
        if buffer is not None and buffer[0] == SYSEX_START:
            buffer.append(SYSEX_END)
            yield bytes(buffer)  # ended by 0xF7, or by another status byte
        self._buffer = None
        if len(token) > 1:  # a whole message after an unfinished one
            self._running = first if first < 0xF0 else 0
            yield token
            return
        if first < 0xF0:
            self._running = first
            self._buffer = bytearray(token)
            return
        self._running = 0
        if first == SYSEX_START:
            self._buffer = bytearray(token)
        elif first == SYSEX_END or MESSAGE_LENGTH[first] is None:
            pass  # the end of a sysex (handled above), or undefined 0xF4/0xF5
        elif MESSAGE_LENGTH[first] == 1:
            yield token  # tune request
        else:
            self._buffer = bytearray(token)  # quarter frame, song position, song select


class Tokenizer:
    """Splits a MIDI byte stream into messages, each a list of ints.

    ``Tokenizer(data=None)``; `feed` bytes or any iterable of ints 0..255,
    `feed_byte` one int; iterate to take the complete messages so far.
    """

    def __init__(self, data: Iterable[int] | None = None) -> None:
        self._splitter = StreamSplitter()
        self._messages: deque[list[int]] = deque()
        if data is not None:
            self.feed(data)

    def feed(self, data: Iterable[int]) -> None:
        """Feed MIDI bytes: bytes, bytearray, or any iterable of ints 0..255."""
        self._messages.extend(list(raw) for raw in self._splitter.split(as_stream_bytes(data)))

    def feed_byte(self, byte: int) -> None:
        """Feed one MIDI byte, an int 0..255."""
        if not isinstance(byte, Integral):
            raise TypeError(f"MIDI byte must be an int 0..255, got {byte!r}")
        if not 0 <= byte <= 255:
            raise ValueError(f"MIDI byte must be in range 0..255, got {byte}")
        self.feed(bytes((byte,)))

    def __len__(self) -> int:
        return len(self._messages)

    def __iter__(self) -> Iterator[list[int]]:
        """Yield (and remove) the messages that are complete so far."""
        messages = self._messages
        while messages:
            yield messages.popleft()
