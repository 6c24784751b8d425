"""MIDI over TCP (mido's ``mido.sockets``): `PortServer`, `connect`, `SocketPort`, `parse_address`.

The wire format is plain MIDI bytes, as in mido, so livemidi and mido
servers and clients talk to each other. A server is an I/O port: what it
sends goes to every connected client, what any client sends comes out of
its ``receive()``/iteration. Clients are accepted whenever the server is
used (receive, poll, send), so none misses a message sent after it connected.

A server must survive whatever clients do, so it bounds everything it keeps
for one: a sysex longer than ``max_sysex_size`` is dropped (with a
warning) while it streams in; at most ``READ_CHUNK`` bytes are read from a
client per poll, and only when the server's queue is empty; a client that
does not read what the server sends is dropped once ``max_buffer`` bytes
wait for it; at most ``max_clients`` are connected at once. Garbage bytes
and half messages are skipped by the MIDI parser.

The server binds 127.0.0.1 unless given another host: MIDI from the network
plays notes on your synths, so opening to other machines is a choice to make.
"""

from __future__ import annotations

import re
import select
import socket
import threading
import warnings

from .errors import PortDisconnectedError, PortError
from .ports import Port
from .ports.port import EndOfStream

__all__ = ["PortServer", "SocketPort", "connect", "format_address", "parse_address"]

DEFAULT_HOST = "127.0.0.1"
MAX_SYSEX_SIZE = 1 << 20  # bytes, F0 and F7 included
MAX_BUFFER = 1 << 20  # bytes waiting to be sent to one slow client
MAX_CLIENTS = 64
READ_CHUNK = 1 << 16
CONNECT_TIMEOUT = 10.0  # seconds
_POLL_TIMEOUT = 0.01  # seconds one blocking poll waits in select

_STATUS = re.compile(rb"[\x80-\xff]")


def parse_address(address: str) -> tuple[str, int]:
    """``'host:port'`` -> ``(host, port)``; ValueError if it is not exactly that with a port 1..65535."""
    if not isinstance(address, str):
        raise TypeError(f"address must be a str like 'localhost:8080', got {type(address).__name__}")
    words = address.split(":")
    if len(words) != 2:
        raise ValueError(f"address must contain exactly one colon, as in 'localhost:8080', got {address!r}")
    host, port = words
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"port number must be an integer, got {port!r}") from None
    if not 0 < number < 2**16:
        raise ValueError(f"port number out of range: expected 1..65535, got {number}")
    return host, number


def format_address(host: str, portno: int) -> str:
    """``('localhost', 8080)`` -> ``'localhost:8080'``."""
    return f"{host}:{portno:d}"


class _SysexLimiter:
    """Holds back each sysex until it is complete, dropping any longer than `limit` bytes.

    The parser would otherwise keep an unterminated sysex growing for ever.
    Real-time bytes inside a sysex pass straight through, as MIDI allows.
    """

    def __init__(self, limit: int, peer: str) -> None:
        self.limit = limit
        self.peer = peer
        self._sysex: bytearray | None = None
        self._dropping = False
        self.dropped = 0  # sysex messages dropped so far

    def _take_data(self, segment: bytes, out: bytearray) -> None:
        if not segment or self._dropping:
            return
        if self._sysex is None:
            out += segment
        elif len(self._sysex) + len(segment) + 1 > self.limit:
            self._sysex = None
            self._dropping = True
            self.dropped += 1
            warnings.warn(
                f"livemidi.sockets: dropped a sysex message longer than {self.limit} bytes from {self.peer}",
                RuntimeWarning,
                stacklevel=2,
            )
        else:
            self._sysex += segment

    def filter(self, data: bytes) -> bytes:
        """The bytes of `data` that can go to the parser now."""
        out = bytearray()
        position = 0
        for match in _STATUS.finditer(data):
            index = match.start()
            self._take_data(data[position:index], out)
            position = index + 1
            byte = data[index]
            if byte >= 0xF8:
                out.append(byte)  # real-time: allowed anywhere
                continue
            if self._dropping:
                self._dropping = False
                if byte == 0xF7:
                    continue
            elif self._sysex is not None:
                sysex, self._sysex = self._sysex, None
                out += sysex  # ended by F7, or cut off by another status byte (the parser's rule)
                if byte == 0xF7:
                    out.append(byte)
                    continue
            if byte == 0xF0:
                self._sysex = bytearray((byte,))
            else:
                out.append(byte)
        self._take_data(data[position:], out)
        return bytes(out)


class _SocketDevice:
    """One TCP connection carrying MIDI bytes both ways (a pull device)."""

    device_type = "socket"
    is_input = True
    is_output = True

    def __init__(self, sock: socket.socket, name: str, *, server_side: bool, max_sysex_size: int, max_buffer: int):
        self.name = name
        self._sock = sock
        self._server_side = server_side
        # A server never waits for one client; a client waits for its server (back-pressure).
        sock.setblocking(not server_side)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # MIDI wants latency, not throughput
        except OSError:
            pass
        self._limiter = _SysexLimiter(max_sysex_size, name)
        self._max_buffer = max_buffer
        self._outbox = bytearray()
        self._write_lock = threading.Lock()
        self._sink = None

    def fileno(self) -> int:
        return self._sock.fileno()

    def connect(self, sink) -> None:
        self._sink = sink

    def pump(self, block: bool) -> None:
        """Read what has arrived (waiting a little if `block`) and hand it to the port."""
        self.flush()
        if self._sock.fileno() < 0:
            raise EndOfStream("the connection was closed")
        try:
            readable, _, _ = select.select([self._sock], [], [], _POLL_TIMEOUT if block else 0)
        except ValueError as error:  # closed by another thread between the check and the select
            raise EndOfStream(str(error)) from error
        if readable:
            self.read_ready()
        return None

    def read_ready(self) -> None:
        try:
            data = self._sock.recv(READ_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as error:
            raise EndOfStream(str(error)) from error
        if not data:
            raise EndOfStream("the other end closed the connection")
        data = self._limiter.filter(data)
        if data and self._sink is not None:
            self._sink(data)

    def write(self, data: bytes) -> None:
        with self._write_lock:
            try:
                if not self._server_side:
                    self._sock.sendall(data)
                    return
                self._outbox += data
                self._flush_locked()
            except OSError as error:
                raise PortDisconnectedError(f"the connection to {self.name} is gone: {error}") from error
            if len(self._outbox) > self._max_buffer:
                self._outbox.clear()
                raise PortDisconnectedError(
                    f"{self.name} did not read what was sent to it ({self._max_buffer} bytes waiting); dropped it"
                )

    def flush(self) -> None:
        """Send what is waiting for a slow client, as far as it will take it now."""
        if self._outbox:
            with self._write_lock:
                try:
                    self._flush_locked()
                except OSError:
                    self._outbox.clear()

    def _flush_locked(self) -> None:
        while self._outbox:
            try:
                sent = self._sock.send(self._outbox)
            except (BlockingIOError, InterruptedError):
                return
            del self._outbox[:sent]

    def close(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()


class SocketPort(Port):
    """One end of a MIDI-over-TCP connection: an I/O port.

    ``SocketPort(host, portno)`` connects to a server (as `connect` does);
    a server makes one per client with ``conn=`` the accepted socket. When
    the other end goes away the port closes: iteration ends, and ``send``
    raises `PortDisconnectedError` (an OSError).
    """

    def __init__(
        self,
        host: str | None,
        portno: int,
        conn: socket.socket | None = None,
        *,
        max_sysex_size: int = MAX_SYSEX_SIZE,
        max_buffer: int = MAX_BUFFER,
    ) -> None:
        host = host or DEFAULT_HOST
        if conn is None:
            try:
                conn = socket.create_connection((host, portno), timeout=CONNECT_TIMEOUT)
                conn.settimeout(None)
            except OSError as error:
                reason = error.strerror or error
                raise PortError(
                    f"could not connect to {format_address(host, portno)}: {reason} "
                    "(is a server, such as `livemidi serve`, running there?)"
                ) from error
            server_side = False
        else:
            server_side = True
        device = _SocketDevice(
            conn,
            format_address(host, portno),
            server_side=server_side,
            max_sysex_size=max_sysex_size,
            max_buffer=max_buffer,
        )
        super().__init__(device)

    def send(self, msg) -> None:
        try:
            super().send(msg)
        except PortDisconnectedError:
            self.close()
            raise


class _ServerDevice:
    """The listening socket and the clients' connections."""

    device_type = "server"
    is_input = True
    is_output = True

    def __init__(self, sock: socket.socket, name: str, server: PortServer) -> None:
        self.name = name
        self._sock = sock
        self._server = server
        self._lock = threading.Lock()

    def connect(self, sink) -> None:
        pass  # client messages are parsed per client, then queued on the server

    def _accept_pending(self) -> None:
        while True:
            readable, _, _ = select.select([self._sock], [], [], 0)
            if not readable:
                return
            client = self._server.accept(block=False)
            if client is None:
                return
            with self._lock:
                self._server.ports = [port for port in self._server.ports if not port.closed]
                if len(self._server.ports) >= self._server.max_clients:
                    warnings.warn(
                        f"livemidi.sockets: refused {client.name}: {self._server.max_clients} clients already",
                        RuntimeWarning,
                        stacklevel=2,
                    )
                    client.close()
                    continue
                self._server.ports.append(client)

    def pump(self, block: bool) -> None:
        self._accept_pending()
        with self._lock:
            clients = [port for port in self._server.ports if not port.closed]
        for client in clients:
            client._device.flush()
        if not clients:
            if block:
                select.select([self._sock], [], [], _POLL_TIMEOUT)
            return None
        readable, _, _ = select.select([client._device for client in clients], [], [], _POLL_TIMEOUT if block else 0)
        queue = self._server._messages
        for device in readable:
            client = next(port for port in clients if port._device is device)
            client._pump_once(block=False)
            queue.extend(client._messages)
            client._messages.clear()
        with self._lock:
            self._server.ports = [port for port in self._server.ports if not port.closed]
        return None

    def write(self, data: bytes) -> None:
        self._accept_pending()
        with self._lock:
            clients = [port for port in self._server.ports if not port.closed]
        for client in clients:
            try:
                client._device.write(data)
            except PortDisconnectedError as error:
                warnings.warn(f"livemidi.sockets: {error}", RuntimeWarning, stacklevel=2)
                client.close()
        with self._lock:
            self._server.ports = [port for port in self._server.ports if not port.closed]

    def close(self) -> None:
        with self._lock:
            clients, self._server.ports = self._server.ports, []
        for client in clients:
            client.close()
        self._sock.close()


class PortServer(Port):
    """A MIDI server: ``PortServer(host, portno, backlog=1)``; an I/O port for all its clients.

    `host` None (or '') binds 127.0.0.1; `portno` 0 picks a free port (see
    ``server.portno``). ``server.ports`` holds the connected clients.
    """

    def __init__(
        self,
        host: str | None,
        portno: int,
        backlog: int = 1,
        *,
        max_clients: int = MAX_CLIENTS,
        max_sysex_size: int = MAX_SYSEX_SIZE,
        max_buffer: int = MAX_BUFFER,
    ) -> None:
        host = host or DEFAULT_HOST
        self.ports: list[SocketPort] = []
        self.max_clients = max_clients
        self._limits = {"max_sysex_size": max_sysex_size, "max_buffer": max_buffer}
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, portno))
            sock.listen(backlog)
            sock.setblocking(False)
        except OSError as error:
            sock.close()
            raise PortError(f"could not serve on {format_address(host, portno)}: {error.strerror or error}") from error
        self.host = host
        self.portno = sock.getsockname()[1]
        self._socket = sock
        super().__init__(_ServerDevice(sock, format_address(host, self.portno), self))

    def accept(self, block: bool = True) -> SocketPort | None:
        """Accept one client and return its `SocketPort` (not added to ``ports``, as in mido).

        With ``block=False``, None if nobody is waiting to connect.
        """
        if self.closed:
            raise ValueError("accept() called on a closed server")
        while True:
            readable, _, _ = select.select([self._socket], [], [], None if block else 0)
            if not readable and not block:
                return None
            try:
                conn, address = self._socket.accept()
            except (BlockingIOError, InterruptedError):
                if not block:
                    return None
                continue
            return SocketPort(address[0], address[1], conn=conn, **self._limits)


def connect(host: str | None, portno: int, **limits) -> SocketPort:
    """Connect to a MIDI server; returns a `SocketPort` (host None means 127.0.0.1)."""
    return SocketPort(host, portno, **limits)
