"""The port API, on in-memory ports (the same wrapper serves every backend)."""

import threading
import time

import pytest

import livemidi
from livemidi import Message, PortDisconnectedError, PortNotFoundError
from livemidi.messages import BaseMessage
from livemidi.ports import BaseInput, BaseIOPort, BaseOutput, BasePort, panic_messages, reset_messages


@pytest.fixture
def loop(memory, unique):
    out = memory.open_output(unique, virtual=True)
    inp = memory.open_input(unique)
    yield out, inp
    inp.close()
    out.close()


class FakeMeta(BaseMessage):
    is_meta = True
    type = "set_tempo"

    def __repr__(self):
        return "MetaMessage('set_tempo')"


def test_send_and_receive_messages_and_bytes(loop):
    out, inp = loop
    out.send(Message("note_on", note=60, velocity=112))
    out.send([0x90, 60, 112])
    out.send(bytes([0x80, 60, 0]))
    out.send(Message("sysex", data=range(100)))
    assert inp.receive() == Message("note_on", note=60, velocity=112)
    assert inp.receive() == Message("note_on", note=60, velocity=112)
    assert inp.poll() == Message("note_off", note=60, velocity=0)
    assert inp.receive().data == tuple(range(100))
    assert inp.poll() is None
    assert list(inp.iter_pending()) == []


def test_send_sends_a_copy(loop):
    out, inp = loop
    msg = Message("note_on", note=60)
    out.send(msg)
    msg.note = 61
    assert inp.receive().note == 60


def test_send_refuses_what_is_not_one_message(loop):
    out, _ = loop
    with pytest.raises(ValueError, match="meta messages"):
        out.send(FakeMeta())
    with pytest.raises(TypeError, match="Message"):
        out.send("note_on")
    with pytest.raises(TypeError):
        out.send(60)
    with pytest.raises(ValueError, match="3 bytes"):
        out.send([0x90, 60])
    with pytest.raises(ValueError, match="0..127"):
        out.send([0x90, 60, 200])


def test_direction_is_checked(loop):
    out, inp = loop
    with pytest.raises(ValueError, match="not an input"):
        out.receive()
    with pytest.raises(ValueError, match="not an output"):
        inp.send(Message("note_on"))
    assert (out.is_input, out.is_output, inp.is_input, inp.is_output) == (False, True, True, False)


def test_iter_pending_and_iteration_until_closed(loop):
    out, inp = loop
    for note in range(5):
        out.send(Message("note_on", note=note))
    assert [m.note for m in inp.iter_pending()] == list(range(5))

    def later():
        time.sleep(0.05)
        out.send(Message("note_on", note=9))
        time.sleep(0.05)
        inp.close()

    thread = threading.Thread(target=later)
    thread.start()
    received = [msg.note for msg in inp]  # ends when the port closes
    thread.join()
    assert received == [9]


def test_closed_ports(loop):
    out, inp = loop
    out.send(Message("note_on", note=1))
    inp.close()
    inp.close()  # twice is fine
    assert inp.closed
    assert inp.receive() == Message("note_on", note=1)  # what arrived before is kept
    assert inp.poll() is None
    with pytest.raises(ValueError, match="closed"):
        inp.receive()
    out.close()
    with pytest.raises(ValueError, match="closed"):
        out.send(Message("note_on"))


def test_receive_wakes_when_closed_from_another_thread(loop):
    _, inp = loop
    threading.Timer(0.05, inp.close).start()
    with pytest.raises(OSError, match="closed during receive"):
        inp.receive()


def test_callback_at_open_and_changed_later(memory, unique):
    out = memory.open_output(unique, virtual=True)
    first, second = [], []
    inp = memory.open_input(unique, callback=first.append)
    out.send(Message("note_on", note=1))
    assert [m.note for m in first] == [1]
    with pytest.raises(ValueError, match="callback"):
        inp.receive()
    with pytest.raises(ValueError, match="callback"):
        iter(inp).__next__()
    inp.callback = second.append
    out.send(Message("note_on", note=2))
    inp.callback = None
    out.send(Message("note_on", note=3))
    assert [m.note for m in second] == [2]
    assert inp.receive().note == 3
    out.send(Message("note_on", note=4))
    inp.callback = second.append  # pending messages go to a new callback at once
    assert [m.note for m in second] == [2, 4]
    inp.close()
    out.close()


def test_a_failing_callback_does_not_break_the_port(memory, unique, capsys):
    out = memory.open_output(unique, virtual=True)
    got = []

    def callback(msg):
        if msg.note == 1:
            raise RuntimeError("boom")
        got.append(msg.note)

    inp = memory.open_input(unique, callback=callback)
    out.send(Message("note_on", note=1))
    out.send(Message("note_on", note=2))
    assert got == [2]
    assert "boom" in capsys.readouterr().err
    inp.close()
    out.close()


def test_reset_panic_and_autoreset(memory, unique):
    listener = memory.open_input(unique, virtual=True)
    out = memory.open_output(unique, autoreset=True)
    out.reset()
    assert list(listener.iter_pending()) == list(reset_messages())
    out.panic()
    assert list(listener.iter_pending()) == list(panic_messages())
    assert len(list(reset_messages())) == 32
    assert {(m.control, m.value) for m in reset_messages()} == {(123, 0), (121, 0)}
    assert {m.control for m in panic_messages()} == {120}
    assert sorted({m.channel for m in panic_messages()}) == list(range(16))
    out.close()
    assert list(listener.iter_pending()) == list(reset_messages())
    out.reset()  # does nothing on a closed port
    listener.close()


def test_context_managers_and_repr(memory, unique):
    with memory.open_output(unique, virtual=True) as out:
        assert repr(out) == f"<open output {unique!r} (memory)>"
        with memory.open_input(unique) as inp:
            assert repr(inp) == f"<open input {unique!r} (memory)>"
    assert out.closed and inp.closed
    assert repr(out) == f"<closed output {unique!r} (memory)>"


def test_isinstance_answers_what_a_port_can_do(memory, unique):
    with memory.open_output(unique, virtual=True) as out, memory.open_input(unique) as inp:
        assert isinstance(out, BaseOutput) and not isinstance(out, BaseInput)
        assert isinstance(inp, BaseInput) and not isinstance(inp, BaseOutput)
        assert isinstance(inp, BasePort) and not isinstance(inp, BaseIOPort)
    with memory.open_ioport(unique, virtual=True) as io:
        assert isinstance(io, BaseIOPort) and isinstance(io, BaseInput) and isinstance(io, BaseOutput)


def test_ioport_loops_back_on_its_own_name(memory, unique):
    with memory.open_ioport(unique, virtual=True) as io:
        assert repr(io) == f"<open I/O port {unique!r} (memory)>"
        io.send(Message("program_change", program=5))
        assert io.receive() == Message("program_change", program=5)


def test_names_exact_part_index_and_errors(memory):
    ports = [memory.open_output(name, virtual=True) for name in ("IAC Driver pioneer", "IAC Driver bus 2", "Synth")]
    try:
        assert memory.get_input_names() == ["IAC Driver pioneer", "IAC Driver bus 2", "Synth"]
        with memory.open_input("pioneer") as inp:
            assert inp.name == "IAC Driver pioneer"
        with memory.open_input("synth") as inp:  # case does not matter when unique
            assert inp.name == "Synth"
        with memory.open_input(2) as inp:
            assert inp.name == "Synth"
        with pytest.raises(PortNotFoundError, match="more than one") as info:
            memory.open_input("IAC")
        assert "'IAC Driver bus 2'" in str(info.value)
        with pytest.raises(OSError, match="unknown input port 'Nope'.*'Synth'"):
            memory.open_input("Nope")
        with pytest.raises(PortNotFoundError, match="no input number 7"):
            memory.open_input(7)
        with pytest.raises(TypeError, match="port name"):
            memory.open_input(1.5)
    finally:
        for port in ports:
            port.close()
    assert memory.get_input_names() == []
    with pytest.raises(PortNotFoundError, match="no inputs"):
        memory.open_input()


def test_virtual_port_needs_a_name(memory):
    with pytest.raises(OSError, match="needs a name"):
        memory.open_output(virtual=True)


def test_default_ports_from_the_environment(memory, unique, monkeypatch):
    other = unique + "x"
    ports = [memory.open_output(name, virtual=True) for name in (unique, other)]
    ports += [memory.open_input(name, virtual=True) for name in (unique, other)]
    try:
        with memory.open_input() as inp:
            assert inp.name == unique  # the first, without a default
        monkeypatch.setenv("MIDO_DEFAULT_INPUT", other)
        with memory.open_input() as inp:
            assert inp.name == other
        monkeypatch.setenv("LIVEMIDI_DEFAULT_OUTPUT", other)
        with memory.open_output() as out:
            assert out.name == other
        monkeypatch.setenv("LIVEMIDI_DEFAULT_IOPORT", other)
        with memory.open_ioport() as io:
            assert io.name == other
        assert livemidi.Backend("livemidi.backends.memory", use_environ=False).open_output().name == unique
    finally:
        for port in ports:
            port.close()


def test_a_port_whose_owner_closes_raises_a_clear_error(memory, unique, monkeypatch):
    monkeypatch.setattr(livemidi.ports.port, "CHECK_INTERVAL", 0.0)
    owner = memory.open_input(unique, virtual=True)
    out = memory.open_output(unique)
    out.send(Message("note_on"))
    owner.close()
    with pytest.raises(PortDisconnectedError, match="closed by the program that made it"):
        out.send(Message("note_on"))
    with pytest.raises(OSError):
        out.send(Message("note_on"))  # and again, until closed
    out.close()
    assert out.closed


def test_thread_safe_send_and_receive(loop):
    out, inp = loop
    received = []

    def reader():
        try:
            while len(received) < 4000:
                received.append(inp.receive())
        except OSError:
            assert inp.closed  # the other reader took the last one; the port closed

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in readers:
        thread.start()

    def sender(channel):
        for note in range(1000):
            out.send(Message("note_on", channel=channel, note=note % 128))

    senders = [threading.Thread(target=sender, args=(channel,)) for channel in range(4)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    deadline = time.monotonic() + 5
    while len(received) < 4000 and time.monotonic() < deadline:
        time.sleep(0.01)
    inp.close()
    for thread in readers:
        thread.join(2)
    assert len(received) >= 4000
    for channel in range(4):
        notes = [m.note for m in received if m.channel == channel]
        assert sorted(notes) == sorted(note % 128 for note in range(1000))


def test_byte_writer_and_check_alive_for_a_single_owner(memory, unique):
    synth = memory.open_input(unique, virtual=True)
    out = memory.open_output(unique)
    write = out.byte_writer()
    write(b"\x90\x3c\x64")  # no decoding, no lock: straight to the device
    assert synth.receive() == Message("note_on", note=60, velocity=100)
    out.check_alive()
    synth.close()
    with pytest.raises(PortDisconnectedError):
        out.check_alive()
    out.close()
    with pytest.raises(ValueError, match="closed"):
        out.check_alive()
    with memory.open_input(unique + "x", virtual=True) as synth_only:
        with pytest.raises(ValueError, match="not an output"):
            synth_only.byte_writer()


def test_byte_writer_of_a_hand_written_port_decodes():
    got = []

    class Recorder(BaseOutput):
        def _send(self, msg):
            got.append(msg)

    Recorder().byte_writer()(b"\xb0\x07\x64")
    assert got == [Message("control_change", control=7, value=100)]
