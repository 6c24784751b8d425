"""The timed sender on a real JACK server (dummy driver), read by another JACK client.

The sender process owns a virtual JACK output; the test opens an input on
it, as a synth would. These skip without JACK (fail under
LIVEMIDI_REQUIRE_JACK=1), like the port tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from jackserver import client
from livemidi import Message
from livemidi.clock import Sender



@pytest.fixture
def played(jack, jack_spec, unique):
    """(sender, port index, receiving input) on a JACK virtual port the sender owns."""
    with Sender() as sender:
        index = sender.open_port(unique, virtual=True, backend=jack_spec, **client(jack, f"{unique}src"))
        inp = jack.open_input(unique)
        time.sleep(0.05)  # let the connection become active
        yield sender, index, inp
        inp.close()


def drain_input(port, quiet: float = 0.2) -> list:
    """Everything that arrives until nothing has for `quiet` seconds."""
    got = []
    last = time.monotonic()
    while time.monotonic() - last < quiet:
        msg = port.poll()
        if msg is None:
            time.sleep(0.001)
            continue
        got.append(msg)
        last = time.monotonic()
    return got


def test_events_arrive_in_order(played, receive_within):
    sender, port, inp = played
    start = time.perf_counter() + 0.05
    sender.schedule(
        [(start + k * 0.002, port, Message("note_on", note=k, velocity=1 + k)) for k in range(60)]
        + [(start + 0.2 + k * 0.002, port, Message("note_off", note=k)) for k in range(60)]
    )
    got = [receive_within(inp, 3.0) for _ in range(120)]
    assert [(m.type, m.note) for m in got] == [("note_on", k) for k in range(60)] + [("note_off", k) for k in range(60)]
    sender.flush()
    assert sender.stats.sounding == 0


def test_cancel_silences_at_once(played, receive_within):
    sender, port, inp = played
    now = time.perf_counter()
    sender.schedule([(now, port, [0x90, 60 + k, 100], 3) for k in range(4)])
    sender.schedule([(now + 30, port, [0x80, 60 + k, 0], 3) for k in range(4)])
    sender.schedule([(now + 0.3 + k * 0.01, port, [0x90, 70 + k, 100], 3) for k in range(10)])
    assert [receive_within(inp).note for _ in range(4)] == [60, 61, 62, 63]
    asked = time.monotonic()
    sender.cancel(3)
    offs = [receive_within(inp) for _ in range(4)]
    assert time.monotonic() - asked < 0.25
    assert sorted((m.type, m.note) for m in offs) == [("note_off", 60 + k) for k in range(4)]
    assert drain_input(inp, quiet=0.5) == []  # the queued notes never play


def test_panic_silences_at_once(played, receive_within):
    sender, port, inp = played
    now = time.perf_counter()
    sender.schedule([(now, port, [0x92, 40, 100]), (now, port, [0xE2, 0, 100]), (now + 30, port, [0x82, 40, 0])])
    assert receive_within(inp) == Message("note_on", channel=2, note=40, velocity=100)
    assert receive_within(inp).type == "pitchwheel"
    asked = time.monotonic()
    sender.panic()
    first = receive_within(inp)
    assert time.monotonic() - asked < 0.25
    assert first == Message("note_off", channel=2, note=40, velocity=0)
    rest = [receive_within(inp) for _ in range(64)]
    assert Message("control_change", channel=2, control=64, value=0) in rest
    assert Message("control_change", channel=15, control=123, value=0) in rest
    assert Message("pitchwheel", channel=2, pitch=0) in rest
    assert drain_input(inp) == []


MAIN_PROCESS = textwrap.dedent(
    """
    import sys, time
    from livemidi.clock import Sender
    name, backend = sys.argv[1], sys.argv[2]
    sender = Sender()
    port = sender.open_port(name, virtual=True, backend=backend)
    print('ready', sender.pid, flush=True)
    sys.stdin.readline()  # the receiver is connected
    now = time.perf_counter()
    sender.schedule([(now, port, [0x90, 60 + k, 100]) for k in range(8)])
    sender.schedule([(now + 60, port, [0x80, 60 + k, 0]) for k in range(8)])
    sender.flush()
    print('playing', flush=True)
    time.sleep(600)  # killed long before
    """
)


def test_sigkill_of_the_main_process_still_ends_every_note(jack, jack_spec, unique, receive_within):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen(
        [sys.executable, "-c", MAIN_PROCESS, unique, jack_spec],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        ready = child.stdout.readline().split()
        assert ready[:1] == ["ready"], ready
        sender_pid = int(ready[1])
        with jack.open_input(unique) as inp:
            time.sleep(0.05)
            child.stdin.write("go\n")
            child.stdin.flush()
            assert child.stdout.readline().strip() == "playing"
            assert sorted(receive_within(inp).note for _ in range(8)) == list(range(60, 68))
            child.send_signal(signal.SIGKILL)
            child.wait(10)
            offs = [receive_within(inp, 3.0) for _ in range(8)]
            assert sorted((m.type, m.note) for m in offs) == [("note_off", 60 + k) for k in range(8)]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(sender_pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)
        else:
            pytest.fail("the sender process outlived its main process")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
