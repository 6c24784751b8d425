"""The real timed-sender process, with in-memory ports inside it: what it reports it sent.

The memory backend does not cross processes, so these tests watch the
sender through its reports (every message it sent, with its timestamp);
tests/clock/test_sender_jack.py watches real ports from another client.
"""

from __future__ import annotations

import os
import signal
import time
from fractions import Fraction as F

import pytest

from clock_helpers import notes
from livemidi import Message, PortNotFoundError
from livemidi.clock import Lookahead, Sender, SenderError, TempoMap

MEMORY = "livemidi.backends.memory"


@pytest.fixture
def sender():
    with Sender() as sender:
        sender.open_port("probe", virtual=True, backend=MEMORY)
        sender.open_port("second", virtual=True, backend=MEMORY)
        yield sender


def test_it_starts_and_says_whether_it_got_real_time_priority(sender):
    assert sender.alive and sender.pid != os.getpid()
    assert isinstance(sender.realtime, bool)
    assert ("SCHED_FIFO" in sender.realtime_detail) == sender.realtime
    assert sender.ports == ["probe", "second"]
    assert sender.port_index("second") == 1
    assert "running" in repr(sender)


def test_events_are_sent_in_order_at_their_deadlines(sender):
    sender.take_sent()
    start = time.perf_counter() + 0.3  # far enough ahead that a loaded machine still ships them in time
    events = [(start + k * 0.003, k % 2, Message("note_on", note=k), 5) for k in range(30)]
    events.reverse()  # the order of arrival does not matter, the deadline does
    ids = sender.schedule(events)
    assert len(set(ids)) == 30
    sender.drain(timeout=5)
    sent = sender.take_sent()
    assert [s.data[1] for s in sent] == list(range(30))
    assert [s.port for s in sent] == [k % 2 for k in range(30)]
    assert all(s.time >= s.deadline for s in sent)
    # generous: the machine may be busy; bench/timing.py measures the real figures
    assert max(s.time - s.deadline for s in sent) < 0.02
    stats = sender.stats
    assert stats.sent >= 30 and stats.queued == 0 and stats.cpu_seconds > 0
    assert stats.arrived_late == 0
    sender.schedule([(time.perf_counter() - 0.5, 0, Message("note_off", note=1))])  # shipped too late
    sender.flush()
    assert sender.stats.arrived_late == 1 and sender.stats.late == stats.late + 1


def _stopped_across_a_deadline(sender):
    """Stop the sender from 20 ms before a note's deadline to 40 ms after it; its stats then.

    SIGSTOP stands in for a host that does not run the sender's CPU."""
    deadline = time.perf_counter() + 0.3
    sender.schedule([(deadline, 0, Message("note_on", note=60))])
    sender.flush()
    time.sleep(max(0.0, deadline - 0.02 - time.perf_counter()))
    os.kill(sender.pid, signal.SIGSTOP)
    try:
        time.sleep(0.06)
    finally:
        os.kill(sender.pid, signal.SIGCONT)
    sender.flush()
    return sender.stats


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP to hold the sender off the CPU")
def test_a_message_late_because_the_sender_was_not_run_is_put_down_to_the_machine(sender):
    """The note is late, and the machine's (the sender sleeps until shortly before it); one shipped
    after its deadline is late too, and not the machine's."""
    before = sender.stats
    stats = _stopped_across_a_deadline(sender)
    assert stats.late == before.late + 1 and stats.worst_late > 0.03
    assert stats.late_machine == before.late_machine + 1, stats
    sender.schedule([(time.perf_counter() - 0.5, 0, Message("note_off", note=60))])  # shipped too late
    sender.flush()
    stats = sender.stats
    assert stats.late == before.late + 2 and stats.late_machine == before.late_machine + 1, stats
    assert stats.worst_other_late > 0.4 and stats.arrived_late == before.arrived_late + 1


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP to hold the sender off the CPU")
def test_a_sender_stopped_while_it_spins_was_held_off_the_cpu():
    with Sender(spin=0.05, realtime=False) as sender:  # at normal priority it spins the whole 50 ms
        sender.open_port("probe", virtual=True, backend=MEMORY)
        stats = _stopped_across_a_deadline(sender)
    assert (stats.late, stats.late_held, stats.late_woke) == (1, 1, 0), stats


def test_what_nobody_takes_of_the_sent_records_gives_the_garbage_collector_nothing_to_walk(sender):
    """A session that nobody records keeps up to 100,000 sent records; as tracked objects, every
    full collection of the main process walked them all with the GIL held (issue 15)."""
    import gc

    sender.take_sent()
    gc.collect()
    before = len(gc.get_objects())
    now = time.perf_counter()
    sender.schedule([(now + k * 0.0001, 0, [0xB0, 1, k % 128]) for k in range(3000)])
    sender.drain(timeout=10)
    gc.collect()
    assert len(gc.get_objects()) - before < 300
    sent = sender.take_sent()
    assert len(sent) == 3000 and sent[-1].data == bytes((0xB0, 1, 2999 % 128)) and sent[-1].port == 0


def test_cancel_releases_sounding_notes_at_once(sender):
    sender.take_sent()
    now = time.perf_counter()
    sender.schedule([(now, 0, [0x90, 60, 100], 9), (now + 30, 0, [0x80, 60, 0], 9), (now + 20, 0, [0x90, 61, 1], 9)])
    sender.flush()
    time.sleep(0.05)
    sender.cancel(9)
    sender.flush()
    sent = sender.take_sent()
    assert [s.data for s in sent] == [bytes((0x90, 60, 100)), bytes((0x80, 60, 0))]
    assert sent[1].time - now < 1
    assert sender.stats.sounding == 0 and sender.stats.queued == 0


def test_cancel_after_a_time_and_retime(sender):
    sender.take_sent()
    now = time.perf_counter()
    ids = sender.schedule([(now + 0.2, 0, [0xB0, 1, k]) for k in range(3)])
    sender.schedule([(now + 5, 0, [0xB0, 2, 0])])
    sender.retime([(ids[0], now + 0.05)])
    sender.cancel_ids(ids[1:2])
    sender.cancel(after=now + 1)
    sender.drain(timeout=5)
    sent = sender.take_sent()
    assert [s.data[2] for s in sent] == [0, 2]
    assert abs(sent[0].deadline - (now + 0.05)) < 1e-9


def test_panic_silences_a_port(sender):
    sender.take_sent()
    now = time.perf_counter()
    sender.schedule([(now, 1, [0x91, 40, 100]), (now + 30, 1, [0x81, 40, 0]), (now + 30, 0, [0x90, 41, 0])])
    sender.flush()
    time.sleep(0.02)
    sender.panic("second")
    sender.flush()
    sent = sender.take_sent()
    assert sent[1].data == bytes((0x81, 40, 0))
    assert len(sent) == 2 + 64 and {s.port for s in sent[1:]} == {1}
    assert sender.stats.queued == 1  # the other port's event is still there
    sender.cancel()


def test_bad_input_gets_clear_errors(sender):
    with pytest.raises(ValueError, match="data byte"):
        sender.schedule([(0.0, 0, [0x90, 200, 1])])
    with pytest.raises(TypeError, match="expected a Message"):
        sender.schedule([(0.0, 0, "note_on")])
    with pytest.raises(ValueError, match="no open port named 'nope'"):
        sender.schedule([(0.0, "nope", [0xF8])])
    with pytest.raises(ValueError, match="tag"):
        sender.schedule([(0.0, 0, [0xF8], -1)])
    with pytest.raises(PortNotFoundError, match="unknown output port 'no such port'") as caught:
        sender.open_port("no such port", backend=MEMORY)
    assert caught.value.name == "no such port"
    with pytest.raises(ImportError, match="no backend module"):
        sender.open_port("x", backend="livemidi.backends.nothing")


def test_a_lookahead_loop_plays_through_the_process(sender):
    sender.take_sent()
    loop = Lookahead(notes(every=F(1, 16), length=F(1, 32)), sender, TempoMap(240))
    loop.start()
    time.sleep(0.6)
    loop.close()
    sender.flush()
    sent = sender.take_sent()
    ons = [s for s in sent if s.data[0] == 0x90]
    assert len(ons) >= 8
    assert all(s.data[0] == 0x80 for s in sent[-1:])  # the stop ended the last note
    assert sender.stats.sounding == 0
    assert loop.errors == 0 and loop.cpu_seconds < 0.3


def test_shutdown_ends_every_note_and_the_process():
    with Sender() as sender:
        sender.open_port("x", virtual=True, backend=MEMORY)
        now = time.perf_counter()
        sender.schedule([(now, 0, [0x90, 50 + k, 100]) for k in range(4)])
        sender.flush()
        time.sleep(0.02)
    sent = sender.take_sent()
    assert sorted(s.data for s in sent if s.data[0] == 0x80) == [bytes((0x80, 50 + k, 0)) for k in range(4)]
    assert not sender.alive
    with pytest.raises(SenderError, match="shut down"):
        sender.schedule([(0.0, 0, [0xF8])])


def test_a_sender_that_dies_is_reported():
    problems = []
    sender = Sender(on_error=problems.append)
    os.kill(sender.pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while (sender.alive or not problems) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not sender.alive
    assert problems and "stopped" in problems[-1]
    with pytest.raises(SenderError):
        sender.flush()
    sender.shutdown()


def test_a_garbled_command_is_reported_and_the_sender_goes_on(sender):
    problems = []
    sender.on_error = problems.append
    sender._send(b"Zjunk")  # as if the pipe carried garbage: never from the public API
    sender._send(b"E\x00\x01")  # a truncated batch
    now = time.perf_counter()
    sender.schedule([(now + 0.01, 0, [0xF8])])
    sender.drain(timeout=5)
    assert [s.data for s in sender.take_sent()] == [b"\xf8"]
    assert len(problems) == 2 and "ignored" in problems[1]


def test_the_idle_latency_request_is_held_or_says_why_not(tmp_path):
    import struct
    import sys

    from livemidi.clock.priority import hold_idle_latency

    if not sys.platform.startswith("linux"):
        assert hold_idle_latency(str(tmp_path / "qos")) == (None, "")
        return
    qos = tmp_path / "qos"
    qos.write_bytes(b"")
    fd, detail = hold_idle_latency(str(qos))
    try:
        assert fd is not None and detail == "; CPU idle latency held at 0 µs"
        assert qos.read_bytes() == struct.pack("i", 0)  # the PM QoS request: 0 µs
    finally:
        os.close(fd)
    fd, detail = hold_idle_latency(str(tmp_path / "missing" / "qos"))
    assert fd is None and detail.startswith("; CPU idle latency not held (") and "No such file" in detail
