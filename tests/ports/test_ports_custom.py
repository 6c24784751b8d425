"""Ports written by hand, as in mido's "Writing a New Port", and MultiPort / multi_* helpers."""

import threading
import time
from collections import deque

import pytest

from livemidi import Message
from livemidi.ports import (
    BaseInput,
    BaseIOPort,
    BaseOutput,
    EchoPort,
    IOPort,
    MultiPort,
    multi_iter_pending,
    multi_receive,
    multi_send,
)


class PrintPort(BaseOutput):
    def _open(self, **kwargs):
        self.opened_with = kwargs
        self.sent = []

    def _send(self, message):
        self.sent.append(message)

    def _close(self):
        self.close_calls = getattr(self, "close_calls", 0) + 1


class ByteInput(BaseInput):
    """Feeds bytes to self._parser, as a port reading a serial line would."""

    def _open(self, data=b"", **kwargs):
        self.data = deque(data)

    def _receive(self, block=True):
        while self.data:
            self._parser.feed_byte(self.data.popleft())


class ReturningInput(BaseInput):
    """Returns messages from _receive."""

    def _open(self, **kwargs):
        self.queue = deque()

    def _receive(self, block=True):
        return self.queue.popleft() if self.queue else None


def test_hand_written_output():
    port = PrintPort("printer", speed=3)
    assert port.opened_with == {"speed": 3}
    msg = Message("note_on", note=60)
    port.send(msg)
    port.send([0x80, 60, 0])
    assert port.sent == [msg, Message("note_off", note=60, velocity=0)]
    assert port.sent[0] is not msg  # a copy
    assert repr(port) == "<open output 'printer' (PrintPort)>"
    assert port.is_output and not port.is_input
    with pytest.raises(ValueError, match="not an input"):
        port.receive()
    port.close()
    port.close()
    assert port.close_calls == 1 and port.closed


def test_hand_written_output_autoreset_and_context_manager():
    with PrintPort(autoreset=True) as port:
        port.send(Message("note_on"))
    assert len(port.sent) == 1 + 32  # the note, then the reset messages


def test_hand_written_inputs():
    port = ByteInput("serial", data=b"\x90\x3c\x40\x3c\x00\xf8")
    assert [str(m) for m in port.iter_pending()] == [
        "note_on channel=0 note=60 velocity=64 time=0",
        "note_on channel=0 note=60 velocity=0 time=0",
        "clock time=0",
    ]
    returning = ReturningInput()
    returning.queue.append(Message("stop"))
    assert returning.receive() == Message("stop")
    assert returning.poll() is None
    threading.Timer(0.05, returning.queue.append, [Message("start")]).start()
    assert returning.receive() == Message("start")  # blocks until _receive returns one
    returning._messages.append(Message("continue"))  # a port may queue messages itself
    assert returning.receive() == Message("continue")


def test_device_type_and_isinstance():
    class Custom(BaseIOPort):
        _device_type = "Gizmo"

    port = Custom("g")
    assert repr(port) == "<open I/O port 'g' (Gizmo)>"
    assert isinstance(port, BaseInput) and isinstance(port, BaseOutput)


def test_ioport_joins_an_input_and_an_output():
    inp = ReturningInput("in")
    out = PrintPort("out")
    io = IOPort(inp, out)
    assert io.name == "in + out"
    io.send(Message("note_on"))
    assert out.sent == [Message("note_on")]
    inp.queue.append(Message("stop"))
    assert io.receive() == Message("stop")
    io.close()
    assert inp.closed and out.closed


def test_echo_port():
    port = EchoPort()
    port.send(Message("note_on"))
    assert list(port) == [Message("note_on")]


def test_multiport_and_multi_helpers():
    inputs = [ReturningInput(f"in{i}") for i in range(3)]
    outputs = [PrintPort(f"out{i}") for i in range(2)]
    for i, port in enumerate(inputs):
        port.queue.append(Message("note_on", note=i))
    pairs = list(multi_iter_pending(inputs, yield_ports=True))
    assert sorted((port.name, msg.note) for port, msg in pairs) == [("in0", 0), ("in1", 1), ("in2", 2)]
    multi_send(outputs, Message("stop"))
    assert all(port.sent == [Message("stop")] for port in outputs)

    multi = MultiPort(inputs + outputs)
    multi.send(Message("start"))
    assert all(port.sent[-1] == Message("start") for port in outputs)
    threading.Timer(0.05, inputs[1].queue.append, [Message("note_on", note=9)]).start()
    assert multi.receive() == Message("note_on", note=9)  # blocks until one port has a message
    assert multi.poll() is None
    multi.close()
    assert all(port.closed for port in inputs + outputs)
    assert list(multi_receive(inputs)) == []  # every port closed: nothing more will come


def test_multi_receive_blocks_until_a_message():
    port = ReturningInput()
    threading.Timer(0.05, port.queue.append, [Message("note_on")]).start()
    started = time.monotonic()
    assert next(multi_receive([port])) == Message("note_on")
    assert time.monotonic() - started >= 0.04
