"""The timed sender on a real JACK server (dummy driver), read by another JACK client.

The sender process owns a virtual JACK output; the test opens an input on
it, as a synth would. What the sender wrote (its own record) is checked
strictly; what arrived is checked unless JACK provably lost some of it (a
second listener and the server's log, `jackserver.Witness`). These skip
without JACK (fail under LIVEMIDI_REQUIRE_JACK=1), like the port tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from jackserver import Witness, client
from livemidi import Message
from livemidi.clock import Sender
from livemidi.clock.core import panic_bytes



@pytest.fixture
def played(jack, jack_spec, jack_log, unique):
    """(sender, port index, receiving input, witness) on a JACK virtual port the sender owns."""
    with Sender() as sender:
        index = sender.open_port(unique, virtual=True, backend=jack_spec, **client(jack, f"{unique}src"))
        inp = jack.open_input(unique)
        with Witness(jack, unique, jack_log) as witness:
            witness.connected(lambda msg: sender.schedule([(time.perf_counter(), index, msg)]), [inp])
            sender.take_sent()
            yield sender, index, inp, witness
        inp.close()


def drain_input(port, quiet: float = 0.5) -> list:
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


def written(sender) -> list[Message]:
    """What the sender put on its ports (its own record), once everything queued has gone."""
    sender.drain(10)
    return [Message.from_bytes(sent.data) for sent in sender.take_sent()]


def arrived(inp, witness, expected: list, what: str) -> None:
    """`expected` reaches `inp`, in order and once each, unless JACK provably lost some (then: skip)."""
    got = drain_input(inp)
    if got != expected:
        witness.excuse(what, [msg for msg in expected if msg not in got])
    assert got == expected


def test_events_arrive_in_order(played):
    sender, port, inp, witness = played
    start = time.perf_counter() + 0.05
    ons = [Message("note_on", note=k, velocity=1 + k) for k in range(60)]
    offs = [Message("note_off", note=k) for k in range(60)]
    sender.schedule([(start + k * 0.002, port, m) for k, m in enumerate(ons)]
                    + [(start + 0.2 + k * 0.002, port, m) for k, m in enumerate(offs)])  # fmt: skip
    assert written(sender) == ons + offs  # the sender's part, whatever JACK does with it
    arrived(inp, witness, ons + offs, "events")
    assert sender.stats.sounding == 0


def test_cancel_silences_at_once(played):
    sender, port, inp, witness = played
    now = time.perf_counter()
    sender.schedule([(now, port, [0x90, 60 + k, 100], 3) for k in range(4)])
    sender.schedule([(now + 30, port, [0x80, 60 + k, 0], 3) for k in range(4)])
    sender.schedule([(now + 0.3 + k * 0.01, port, [0x90, 70 + k, 100], 3) for k in range(10)])
    sender.flush()
    asked = time.perf_counter()
    sender.cancel(3)
    sender.drain(10)
    records = sender.take_sent()
    ons = [Message("note_on", note=60 + k, velocity=100) for k in range(4)]
    offs = [Message("note_off", note=60 + k, velocity=0) for k in range(4)]
    assert [Message.from_bytes(record.data) for record in records] == ons + offs  # the queued notes never play
    # at once, not at their deadlines 30 s away (generous: a busy machine may hold the sender up)
    assert all(record.time - asked < 2.0 for record in records[4:])
    arrived(inp, witness, ons + offs, "notes or their note-offs")


def test_panic_silences_at_once(played):
    sender, port, inp, witness = played
    now = time.perf_counter()
    sender.schedule([(now, port, [0x92, 40, 100]), (now, port, [0xE2, 0, 100]), (now + 30, port, [0x82, 40, 0])])
    sender.flush()
    asked = time.perf_counter()
    sender.panic()
    sender.drain(10)
    records = sender.take_sent()
    expected = [Message("note_on", channel=2, note=40, velocity=100), Message.from_bytes([0xE2, 0, 100]),
                Message("note_off", channel=2, note=40, velocity=0)] + [Message.from_bytes(data) for data in panic_bytes()]  # fmt: skip
    assert [Message.from_bytes(record.data) for record in records] == expected
    assert records[2].time - asked < 2.0  # at once, not at the note-off's deadline 30 s away
    assert Message("control_change", channel=15, control=123, value=0) in expected
    arrived(inp, witness, expected, "the note, or what panic sent")


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
