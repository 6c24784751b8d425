"""`Parser`: a MIDI byte stream in, `Message` objects out (mido's API).

Splitting follows MIDI 1.0 (see tokenizer.py); each complete message is
decoded straight into a Message without checking its values again, since
the splitter only ever yields well-formed messages.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from .build import LAYOUT_BY_TYPE
from .decode import DECODERS
from .message import MESSAGE_BY_STATUS, Message
from .tokenizer import StreamSplitter, as_stream_bytes

__all__ = ["Parser", "parse", "parse_all"]

_new = object.__new__
_NOTE = LAYOUT_BY_TYPE["note_on"]  # note_off and note_on share their slots
_POLYTOUCH = LAYOUT_BY_TYPE["polytouch"]
_CONTROL = LAYOUT_BY_TYPE["control_change"]


def _decode_all(raws: Iterable[bytes], append) -> None:
    decoders = DECODERS
    classes = MESSAGE_BY_STATUS
    note, polytouch, control = _NOTE, _POLYTOUCH, _CONTROL
    new = _new
    for raw in raws:
        status = raw[0]
        # Notes and controllers inline: a call per message would cost more
        # than the decoding. Each branch fills one slot layout (see build.py).
        if 0x80 <= status < 0xA0:
            msg = new(note)
            msg.channel = status & 0x0F
            msg.note = raw[1]
            msg.velocity = raw[2]
        elif 0xB0 <= status < 0xC0:
            msg = new(control)
            msg.channel = status & 0x0F
            msg.control = raw[1]
            msg.value = raw[2]
        elif 0xA0 <= status < 0xB0:
            msg = new(polytouch)
            msg.channel = status & 0x0F
            msg.note = raw[1]
            msg.value = raw[2]
        else:
            msg = decoders[status](raw, 0)
            msg.__class__ = classes[status]
            append(msg)
            continue
        msg.time = 0
        msg.__class__ = classes[status]
        append(msg)


class Parser:
    """MIDI byte stream parser.

    `feed` bytes, a bytearray or any iterable of ints 0..255 (`feed_byte`
    for one int); complete messages collect in the `messages` deque, taken
    by iteration or `get_message`. A message split across feeds is joined.
    """

    def __init__(self, data: Iterable[int] | None = None) -> None:
        # Public and a deque, as in mido: ports read it directly.
        self.messages: deque[Message] = deque()
        self._splitter = StreamSplitter()
        if data is not None:
            self.feed(data)

    def feed(self, data: Iterable[int]) -> None:
        """Feed MIDI bytes: bytes, bytearray, or any iterable of ints 0..255."""
        _decode_all(self._splitter.split(as_stream_bytes(data)), self.messages.append)

    def feed_byte(self, byte: int) -> None:
        """Feed one MIDI byte, an int 0..255."""
        if byte.__class__ is not int or not 0 <= byte <= 255:
            as_stream_bytes([byte])  # raises the right error
        _decode_all(self._splitter.split(bytes((byte,))), self.messages.append)

    def get_message(self) -> Message | None:
        """The first parsed message, or None if there is none yet."""
        return self.messages.popleft() if self.messages else None

    def pending(self) -> int:
        """How many parsed messages are waiting."""
        return len(self.messages)

    __len__ = pending

    def __iter__(self) -> Iterator[Message]:
        """Yield (and remove) the messages parsed so far."""
        messages = self.messages
        while messages:
            yield messages.popleft()


def parse_all(data: Iterable[int]) -> list[Message]:
    """All the messages in `data` (bytes or an iterable of ints 0..255)."""
    messages: list[Message] = []
    _decode_all(StreamSplitter().split(as_stream_bytes(data)), messages.append)
    return messages


def parse(data: Iterable[int]) -> Message | None:
    """The first message in `data`, or None; the rest is ignored."""
    for raw in StreamSplitter().split(as_stream_bytes(data)):
        messages: list[Message] = []
        _decode_all((raw,), messages.append)
        return messages[0]
    return None
