"""MIDI over TCP on 127.0.0.1, with well-behaved and hostile clients."""

import socket
import time
import warnings

import pytest

from livemidi import Message, PortDisconnectedError
from livemidi.sockets import PortServer, SocketPort, connect, parse_address


@pytest.fixture
def server():
    with PortServer("127.0.0.1", 0) as server:
        yield server


def receive_within(port, seconds=3.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        msg = port.poll()
        if msg is not None:
            return msg
        time.sleep(0.001)
    pytest.fail(f"nothing arrived on {port!r}")


def raw_client(server):
    return socket.create_connection(("127.0.0.1", server.portno))


def test_parse_address():
    assert parse_address("localhost:8080") == ("localhost", 8080)
    assert parse_address(":8080") == ("", 8080)
    with pytest.raises(ValueError, match="exactly one colon"):
        parse_address("localhost")
    with pytest.raises(ValueError, match="exactly one colon"):
        parse_address("a:b:1")
    with pytest.raises(ValueError, match="must be an integer"):
        parse_address("localhost:http")
    for bad in ("localhost:0", "localhost:65536"):
        with pytest.raises(ValueError, match="out of range"):
            parse_address(bad)


def test_server_binds_loopback_by_default():
    with PortServer(None, 0) as server:
        assert server.host == "127.0.0.1"
        assert server.name == f"127.0.0.1:{server.portno}"
        assert repr(server) == f"<open I/O port '127.0.0.1:{server.portno}' (server)>"


def test_every_client_receives_what_the_server_sends(server):
    clients = []
    for _ in range(3):
        clients.append(connect("127.0.0.1", server.portno))
        server.poll()  # a serving loop accepts clients as they come (backlog=1, as in mido)
    server.send(Message("note_on", note=60))
    for client in clients:
        assert receive_within(client) == Message("note_on", note=60)
        assert isinstance(client, SocketPort)
    clients[1].send(Message("control_change", control=1, value=5))
    assert receive_within(server) == Message("control_change", control=1, value=5)
    for client in clients:
        client.close()


def test_accept_non_blocking(server):
    assert server.accept(block=False) is None
    client = connect(None, server.portno)
    port = server.accept()
    port.send(Message("stop"))
    assert receive_within(client) == Message("stop")
    assert server.ports == []  # accepted by hand: the caller's to use
    port.close()
    client.close()


def test_connect_to_nothing_is_a_clear_oserror():
    with PortServer(None, 0) as server:
        portno = server.portno
    with pytest.raises(OSError, match=f"could not connect to 127.0.0.1:{portno}.*livemidi serve"):
        connect("127.0.0.1", portno)


def test_server_survives_garbage_half_messages_and_vanishing_clients(server):
    good = connect(None, server.portno)
    server.poll()
    garbage = raw_client(server)
    server.poll()
    garbage.sendall(bytes(range(256)) * 4 + b"\x00\x01\x02\xf7\xf4\xf5")
    half = raw_client(server)
    server.poll()
    half.sendall(b"\x90\x3c")  # half a note_on, then the client goes quiet
    vanishing = raw_client(server)
    vanishing.sendall(b"\xb0\x07")
    vanishing.close()
    good.send(Message("note_on", note=61))
    received = []
    deadline = time.monotonic() + 3
    while Message("note_on", note=61) not in received and time.monotonic() < deadline:
        received.extend(server.iter_pending())
        time.sleep(0.001)
    assert Message("note_on", note=61) in received
    half.sendall(b"\x40")  # the rest of the note_on
    assert receive_within(server) == Message("note_on", note=60, velocity=64)
    server.send(Message("start"))
    assert receive_within(good) == Message("start")
    assert all(not port.closed for port in server.ports)
    garbage.close()
    half.close()
    good.close()


def test_huge_sysex_is_dropped_with_a_warning_and_the_rest_survives():
    with PortServer(None, 0, max_sysex_size=4096) as server:
        hostile = raw_client(server)
        ok = Message("sysex", data=[5] * 1000)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            hostile.sendall(b"\xf0" + b"\x01" * 100_000)  # never ends... until a status byte
            hostile.sendall(b"\xf7" + ok.bin() + b"\x90\x3c\x40")
            got = [receive_within(server), receive_within(server)]
        assert got == [ok, Message("note_on", note=60)]
        assert any("dropped a sysex" in str(w.message) for w in caught)
        hostile.close()


def test_a_client_that_never_reads_is_dropped(recwarn):
    with PortServer(None, 0, max_buffer=10_000) as server:
        sleeper = raw_client(server)
        sleeper.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        server.poll()
        # Small kernel buffers, so that the test needs kilobytes, not megabytes, to fill them.
        server.ports[0]._device._sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        listener = connect(None, server.portno)
        sysex = Message("sysex", data=[1] * 1000)
        for _ in range(20000):
            server.send(sysex)
            if len(server.ports) < 2:
                break
            listener.receive()
        assert len(server.ports) == 1
        assert any("did not read" in str(w.message) for w in recwarn.list)
        sleeper.close()
        listener.close()


def test_client_sees_the_server_go(server):
    client = connect(None, server.portno)
    server.send(Message("note_on"))
    assert receive_within(client) == Message("note_on")
    server.close()
    assert list(client) == []  # iteration ends when the other end closes
    assert client.closed
    with pytest.raises(ValueError, match="closed"):
        client.send(Message("note_on"))


def test_client_callback(server):
    got = []
    client = connect(None, server.portno)
    client.callback = got.append
    server.send(Message("note_on", note=3))
    deadline = time.monotonic() + 3
    while not got and time.monotonic() < deadline:
        time.sleep(0.001)
    assert got == [Message("note_on", note=3)]
    client.close()


def test_send_to_a_vanished_server_raises_portdisconnected():
    server = PortServer(None, 0)
    client = connect(None, server.portno)
    server.poll()  # accept it
    server.close()
    with pytest.raises(PortDisconnectedError):
        for _ in range(100):
            client.send(Message("sysex", data=[1] * 1000))
            time.sleep(0.001)
    assert client.closed
