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
mido's) and `Parser` (messages). Whole messages at a message boundary are
recognised in one step instead of byte by byte, which is most of the speed.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from numbers import Integral

from .specs import MESSAGE_LENGTH, SYSEX_END, SYSEX_START

__all__ = ["StreamSplitter", "Tokenizer", "as_stream_bytes"]

_STATUS = re.compile(rb"[\x80-\xff]")


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

    __slots__ = ("_buffer", "_need", "_running")

    def __init__(self) -> None:
        self._buffer: bytearray | None = None  # the message being collected, status first
        self._need = 0  # its full length in bytes; 0 while collecting a sysex
        self._running = 0  # the running status byte, or 0

    def split(self, data: bytes) -> Iterator[bytes]:
        """Yield every complete message in `data` (checked bytes), status byte first."""
        lengths = MESSAGE_LENGTH
        buffer = self._buffer
        running = self._running
        i = 0
        n = len(data)
        try:
            while i < n:
                byte = data[i]
                if buffer is None:
                    # Fast path: a whole channel message (or running-status data) at once.
                    if 0x80 <= byte < 0xF0:
                        end = i + lengths[byte]
                        if end <= n and data[i + 1] < 0x80 and (end - i == 2 or data[i + 2] < 0x80):
                            running = byte
                            yield data[i:end]
                            i = end
                            continue
                    elif byte < 0x80 and running:
                        end = i + lengths[running] - 1
                        if end <= n and (end - i == 1 or data[i + 1] < 0x80):
                            yield bytes((running,)) + data[i:end]
                            i = end
                            continue
                i += 1
                if byte >= 0xF8:
                    if lengths[byte] is not None:  # 0xF9 and 0xFD are undefined
                        yield bytes((byte,))
                elif byte < 0x80:
                    if buffer is None:
                        if running:
                            buffer = bytearray((running, byte))
                            self._need = lengths[running]
                        else:
                            continue  # a stray data byte
                    elif self._need == 0:
                        # Inside a sysex: take every data byte up to the next status byte.
                        match = _STATUS.search(data, i)
                        stop = match.start() if match else n
                        buffer.append(byte)
                        buffer += data[i:stop]
                        i = stop
                        continue
                    else:
                        buffer.append(byte)
                    if len(buffer) == self._need:
                        yield bytes(buffer)
                        buffer = None
                else:
                    if buffer is not None and self._need == 0:
                        buffer.append(SYSEX_END)
                        yield bytes(buffer)  # ended by 0xF7, or by another status byte
                    buffer = None
                    if byte < 0xF0:
                        running = byte
                        buffer = bytearray((byte,))
                        self._need = lengths[byte]
                        continue
                    running = 0
                    if byte == SYSEX_START:
                        buffer = bytearray((byte,))
                        self._need = 0
                    elif byte == SYSEX_END or lengths[byte] is None:
                        pass  # the end of a sysex (handled above), or undefined 0xF4/0xF5
                    elif lengths[byte] == 1:
                        yield bytes((byte,))  # tune request
                    else:
                        buffer = bytearray((byte,))
                        self._need = lengths[byte]
        finally:
            self._buffer = buffer
            self._running = running


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
