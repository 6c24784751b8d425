"""PortServer under careless and hostile clients, on 127.0.0.1: places, idle clients, rates, gone clients' notes.

Every client here comes from 127.0.0.1, so the per-address cap applies to
all of them at once. No assertion depends on how fast the machine is: a
bound on what may pass in a time span is measured over a span that holds
the whole exchange, and waits are generous deadlines.
"""

import random
import select
import socket
import struct
import time
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livemidi import Message
from livemidi.sockets import PortServer, connect
from livemidi.sockets.address import exposure


def raw_client(server, timeout=5.0):
    sock = socket.create_connection(("127.0.0.1", server.portno), timeout=timeout)
    return sock


def reset(sock):
    """Close with a reset (RST), as a crashed program or a pulled cable with a reply does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def closed_by_server(server, socks, seconds=5.0, settle=0.1):
    """The raw clients in `socks` that the server closed, polling it meanwhile (it acts only when used).

    Waits up to `seconds` for the first, then `settle` more for others.
    """
    deadline = time.monotonic() + seconds
    closed = []
    while time.monotonic() < deadline:
        assert server.poll() is None  # nothing is expected from these clients
        readable, _, _ = select.select([sock for sock in socks if sock not in closed], [], [], 0.001)
        for sock in readable:
            try:
                data = sock.recv(1)
            except ConnectionResetError:
                data = b""
            assert data == b"", "the server never sends to these clients"
            closed.append(sock)
        if closed and deadline - time.monotonic() > settle:
            deadline = time.monotonic() + settle
    return closed


def is_dropped(server, sock, seconds=5.0):
    return closed_by_server(server, [sock], seconds) == [sock]


def pump_until(server, predicate, seconds=5.0, what="condition"):
    """Poll the server (collecting what it receives) until `predicate(received)`; the messages."""
    received = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        received.extend(server.iter_pending())
        if predicate(received):
            return received
        time.sleep(0.001)
    pytest.fail(f"{what} not reached within {seconds} s; received {received}")


def admitted(server, count, seconds=5.0):
    pump_until(server, lambda _: len(server.ports) >= count, seconds, f"{count} clients admitted")


@pytest.fixture
def notices():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def said(notices, text):
    return [str(w.message) for w in notices if text in str(w.message)]


# -- places: backlog, per-address cap, idle clients ------------------------------------------


def test_clients_that_connect_while_the_server_is_busy_all_get_in(notices):
    with PortServer(None, 0) as server:
        # Nobody accepts while these connect: the kernel holds them in the listen backlog.
        # mido's backlog of 1 let 2 through and left the others hanging in connect().
        clients = [raw_client(server, timeout=5.0) for _ in range(16)]
        admitted(server, 16)
        for number, sock in enumerate(clients):
            sock.sendall(Message("note_on", note=number).bin())
        got = pump_until(server, lambda got: len(got) >= 16, what="a note from every client")
        assert sorted(msg.note for msg in got) == list(range(16))
        assert not said(notices, "refused")
        for sock in clients:
            sock.close()


def test_one_address_gets_at_most_max_per_address_places(notices):
    with PortServer(None, 0, max_per_address=3, idle_timeout=None) as server:
        clients = [raw_client(server) for _ in range(3)]
        admitted(server, 3)
        fourth = raw_client(server)
        assert is_dropped(server, fourth)
        assert len(server.ports) == 3
        assert said(notices, "refused 127.0.0.1:") and said(notices, "3 clients from 127.0.0.1 already")
        clients[0].close()  # a place comes free
        pump_until(server, lambda _: len(server.ports) == 2, what="the closed client gone")
        fifth = connect(None, server.portno)
        admitted(server, 3)
        fifth.send(Message("note_on", note=5))
        assert pump_until(server, bool, what="the newcomer's note") == [Message("note_on", note=5)]
        for sock in (*clients[1:], fourth):
            sock.close()
        fifth.close()


def test_a_newcomer_to_a_full_server_takes_the_place_of_an_idle_client(notices):
    # The case: 64 clients that connect and then do nothing fill every place.
    with PortServer(None, 0, max_per_address=None, idle_timeout=None) as server:
        idle = [raw_client(server) for _ in range(64)]
        admitted(server, 64)
        assert is_dropped(server, raw_client(server)), "with no idle timeout, a newcomer is refused"
        assert said(notices, "64 clients already")
        server.idle_timeout = 0.5  # the limits apply as soon as they change
        time.sleep(0.6)
        # One of the 64 keeps talking: it is never the one that gives way.
        idle[10].sendall(Message("control_change", control=1, value=1).bin())
        pump_until(server, bool, what="the talker's message")
        late = connect(None, server.portno)
        late.send(Message("note_on", note=70))
        got = pump_until(server, lambda got: Message("note_on", note=70) in got, what="the newcomer's note")
        assert got == [Message("note_on", note=70)]
        assert len(server.ports) == 64
        assert said(notices, "dropped 127.0.0.1:") and said(notices, "to make room for")
        dropped = closed_by_server(server, idle)
        assert len(dropped) == 1 and dropped[0] is not idle[10]
        for sock in idle:
            sock.close()
        late.close()


def test_with_no_idle_timeout_a_full_server_refuses(notices):
    with PortServer(None, 0, max_clients=2, max_per_address=None, idle_timeout=None) as server:
        clients = [raw_client(server) for _ in range(2)]
        admitted(server, 2)
        time.sleep(0.1)
        assert is_dropped(server, raw_client(server))
        assert closed_by_server(server, clients, 0.1) == []
        for sock in clients:
            sock.close()


def test_bad_limits_are_clear_errors():
    for options, text in (
        ({"max_clients": 0}, "max_clients must be an int >= 1"),
        ({"max_per_address": 0}, "max_per_address must be an int >= 1 or None"),
        ({"idle_timeout": -1}, "idle_timeout must be a number of seconds >= 0"),
        ({"max_rate": "fast"}, "max_rate must be a number"),
        ({"backlog": 1.5}, "backlog must be an int >= 0"),
    ):
        with pytest.raises(ValueError, match=text):
            PortServer(None, 0, **options)


# -- gone clients' notes -------------------------------------------------------------------------


@pytest.mark.parametrize("leave", [socket.socket.close, reset], ids=["close", "reset"])
def test_a_gone_clients_notes_end_and_no_one_elses(leave):
    with PortServer(None, 0) as server:
        a, b = raw_client(server), raw_client(server)
        admitted(server, 2)
        a.sendall(bytes([0x90, 60, 100, 0x90, 62, 100, 0x91, 67, 90]))  # 67 on channel 1: both play it
        a.sendall(bytes([0x90, 64, 100, 0x80, 64, 0]))  # a note it ends itself
        b.sendall(bytes([0x90, 48, 100, 0x91, 67, 80]))
        pump_until(server, lambda got: len(got) == 7, what="both clients' notes")
        leave(a)
        got = pump_until(server, lambda got: len(got) >= 2, what="a's note-offs")
        assert got == [Message("note_off", note=60, velocity=0), Message("note_off", note=62, velocity=0)]
        b.sendall(bytes([0x90, 50, 100]))
        assert pump_until(server, bool, what="b still heard") == [Message("note_on", note=50, velocity=100)]
        reset(b)
        got = pump_until(server, lambda got: len(got) >= 3, what="b's note-offs")
        assert got == [
            Message("note_off", note=48, velocity=0),
            Message("note_off", note=50, velocity=0),
            Message("note_off", channel=1, note=67, velocity=0),  # now nobody holds it
        ]
        time.sleep(0.05)
        assert list(server.iter_pending()) == []


def test_a_gone_clients_last_notes_come_before_its_note_offs():
    with PortServer(None, 0) as server:
        a = raw_client(server)
        admitted(server, 1)
        a.sendall(bytes([0x90, 60, 100, 0x90, 61, 100]))
        a.close()  # its last notes and its going arrive together
        got = pump_until(server, lambda got: len(got) >= 4, what="notes, then note-offs")
        assert got == [
            Message("note_on", note=60, velocity=100), Message("note_on", note=61, velocity=100),
            Message("note_off", note=60, velocity=0), Message("note_off", note=61, velocity=0),
        ]  # fmt: skip


def test_release_notes_false_passes_only_what_clients_sent():
    with PortServer(None, 0, release_notes=False) as server:
        a = raw_client(server)
        admitted(server, 1)
        a.sendall(bytes([0x90, 60, 100]))
        pump_until(server, bool)
        a.close()
        pump_until(server, lambda _: not server.ports, what="the client gone")
        time.sleep(0.05)
        assert list(server.iter_pending()) == []


# -- floods ------------------------------------------------------------------------------------


def test_garbage_is_rate_limited_with_a_notice_and_a_good_client_still_gets_through(notices):
    rate = 200
    started = time.monotonic()  # every bucket fills from here on: a bound over the whole test holds
    with PortServer(None, 0, max_rate=rate) as server:
        flood = raw_client(server)
        good = connect(None, server.portno)
        admitted(server, 2)
        flood.setblocking(False)
        noise = random.Random(14).randbytes(1 << 16)
        got = []
        sent_good = []
        flooded = 0
        for step in range(400):  # about a second and a half of flood, from one thread
            try:
                flooded += flood.send(noise)
            except BlockingIOError:
                pass
            if step % 20 == 0:
                note = Message("sysex", data=[0x7D, 0x14, step // 20])  # nothing the noise could say
                good.send(note)
                sent_good.append(note)
            got.extend(server.iter_pending())
            time.sleep(0.002)
        got += pump_until(server, lambda later: sent_good[-1] in got + later, what="every good note")
        elapsed = time.monotonic() - started
        good_ones = [msg for msg in got if msg in sent_good]
        assert good_ones == sent_good  # all of them, in order
        from_flood = [msg for msg in got if msg not in sent_good]
        # The flood's own messages: one second's burst plus the rate since; its note-offs for the notes it
        # started come on top of that (at most one per note-on that passed).
        starts = [msg for msg in from_flood if msg.type not in ("note_off", "note_on") or msg.velocity]
        assert len(starts) <= rate + rate * elapsed
        assert len(from_flood) <= 2 * (rate + rate * elapsed)
        assert flooded > 20 * rate * elapsed  # it was a flood: without the limit ~1 message per 3 bytes passes
        assert said(notices, "sends more than 200 messages a second")
        flood.close()
        good.close()


def test_a_fast_client_within_its_rate_loses_nothing():
    with PortServer(None, 0, max_rate=1000) as server:
        client = connect(None, server.portno)
        admitted(server, 1)
        burst = [Message("control_change", control=7, value=n % 128) for n in range(900)]
        for msg in burst:
            client.send(msg)  # a burst under one second's worth passes whole
        got = pump_until(server, lambda got: len(got) >= 900, what="the whole burst")
        assert got == burst
        client.close()


def test_a_client_over_its_rate_has_its_notes_ended(notices):
    started = time.monotonic()
    with PortServer(None, 0, max_rate=50) as server:
        client = raw_client(server)
        admitted(server, 1)
        client.sendall(bytes([0x90, 60, 100]))
        assert pump_until(server, bool) == [Message("note_on", note=60, velocity=100)]
        client.sendall(bytes([0xF8]) * 500)  # ten seconds' worth at once; a note-off may be among the dropped
        got = pump_until(server, lambda got: Message("note_off", note=60, velocity=0) in got, what="the note ended")
        assert got.count(Message("clock")) <= 50 + 50 * (time.monotonic() - started)  # not the 500
        assert said(notices, "ending the notes it holds")
        client.close()


# -- where the server may be reached --------------------------------------------------------------


def test_exposure_says_who_can_reach_an_address():
    for loopback in ("127.0.0.1", "127.5.6.7", "::1", "::ffff:127.0.0.1"):
        assert exposure(loopback) is None
    assert exposure("0.0.0.0") == "every network interface"
    assert exposure("::") == "every network interface"
    assert exposure("192.168.1.5") == "the network at 192.168.1.5"
    assert exposure("fe80::1%eth0") == "the network at fe80::1%eth0"
    with pytest.raises(ValueError, match="expected the IP address a socket is bound to"):
        exposure("localhost")


@pytest.mark.parametrize("host", [None, "", "127.0.0.1", "localhost"])
def test_serving_on_loopback_says_nothing(host, notices):
    with PortServer(host, 0):
        pass
    assert not said(notices, "serving on")


def test_a_client_accepted_by_hand_and_added_to_ports_is_served_and_guarded():
    with PortServer(None, 0) as server:
        sock = raw_client(server)
        client = server.accept()
        server.ports.append(client)  # mido's documented list: a program may manage it
        sock.sendall(bytes([0x90, 60, 100]))
        assert pump_until(server, bool) == [Message("note_on", note=60, velocity=100)]
        sock.close()
        assert pump_until(server, bool, what="its note-off") == [Message("note_off", note=60, velocity=0)]


# -- the law: once every client is gone, nothing sounds ------------------------------------------


def sounding_after(messages):
    """The notes a synth would hold after `messages` (one note-off ends a note)."""
    notes = set()
    for msg in messages:
        if msg.type == "note_on" and msg.velocity:
            notes.add((msg.channel, msg.note))
        elif msg.type in ("note_on", "note_off"):
            notes.discard((msg.channel, msg.note))
    return notes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    streams=st.lists(st.lists(st.binary(max_size=200), max_size=4), min_size=1, max_size=4),
    leaving=st.lists(st.sampled_from(["close", "reset"]), min_size=4, max_size=4),
    rate=st.sampled_from([None, 8, 1000]),
)
def test_whatever_clients_send_nothing_sounds_once_they_are_gone(streams, leaving, rate):
    notes = [bytes([0x90 | n % 3, 60 + n, 100]) for n in range(8)]  # real notes among the noise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with PortServer(None, 0, max_rate=rate) as server:
            socks = [raw_client(server) for _ in streams]
            admitted(server, len(socks))
            got = []
            for turn in range(4):
                for number, (sock, chunks) in enumerate(zip(socks, streams)):
                    if turn < len(chunks):
                        sock.sendall(chunks[turn] + notes[(number + turn) % 8])
                got.extend(server.iter_pending())
            for sock, how in zip(socks, leaving):
                if how == "reset":
                    reset(sock)
                else:
                    sock.close()
            quiet = 0
            deadline = time.monotonic() + 10
            while quiet < 20:
                assert time.monotonic() < deadline, "the clients never went"
                more = list(server.iter_pending())
                got.extend(more)
                quiet = quiet + 1 if not more and not server.ports else 0
                time.sleep(0.001)
    assert sounding_after(got) == set()
