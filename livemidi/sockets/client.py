"""One end of a MIDI-over-TCP connection: `SocketPort` and `connect`.

A `SocketPort` wraps a pull device (`_SocketDevice`) that reads and writes
plain MIDI bytes on a TCP socket. A client's port blocks while it sends (the
server's back-pressure); a server's port for one client never blocks: what
that client does not take waits in an outbox of at most ``max_buffer``
bytes, and then the client is dropped. Incoming sysex longer than
``max_sysex_size`` is dropped while it streams in (`_SysexLimiter`), so no
peer can make a port hold unbounded data.

Misuse: a server reads its clients through `SocketPort._take`, which hands
back what was parsed; reading such a port also by ``receive()`` from another
thread would split its messages between the two readers.
"""

from __future__ import annotations

import re
import select
import socket
import threading
import time
import warnings

from ..errors import PortDisconnectedError, PortError
from ..messages import Message, Parser
from ..ports import Port
from ..ports.port import EndOfStream
from .address import format_address

__all__ = ["SocketPort", "connect"]

DEFAULT_HOST = "127.0.0.1"
MAX_SYSEX_SIZE = 1 << 20  # bytes, F0 and F7 included
MAX_BUFFER = 1 << 20  # bytes waiting to be sent to one slow client
READ_CHUNK = 1 << 16  # most bytes read from one peer at a time
CONNECT_TIMEOUT = 10.0  # seconds
POLL_TIMEOUT = 0.01  # seconds one blocking poll waits in select

_STATUS = re.compile(rb"[\x80-\xff]")


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
        # monotonic seconds when the peer last sent something or took what was sent to it
        self.last_active = time.monotonic()
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
            readable, _, _ = select.select([self._sock], [], [], POLL_TIMEOUT if block else 0)
        except ValueError as error:  # closed by another thread between the check and the select
            raise EndOfStream(str(error)) from error
        if readable:
            self.read_ready()
        return None

    def read_ready(self, limit: int = READ_CHUNK, keep: bool = True) -> int:
        """Read up to `limit` bytes that have arrived and hand them to the port; how many were read.

        With ``keep=False`` they are thrown away unparsed, and a message or
        sysex they cut in two is forgotten (so that what follows cannot
        complete it).
        """
        try:
            data = self._sock.recv(limit)
        except (BlockingIOError, InterruptedError):
            return 0
        except OSError as error:  # a reset (RST) comes here
            raise EndOfStream(str(error)) from error
        if not data:
            raise EndOfStream("the other end closed the connection")
        self.last_active = time.monotonic()
        if not keep:
            self._limiter = _SysexLimiter(self._limiter.limit, self.name)
            return len(data)
        filtered = self._limiter.filter(data)
        if filtered and self._sink is not None:
            self._sink(filtered)
        return len(data)

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
            if sent:
                self.last_active = time.monotonic()

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

    def _take(self, limit: int, keep: bool = True) -> tuple[list[Message], int]:
        """For a server: read up to `limit` bytes now, and take what they parse into.

        ``(messages, bytes read)``; with ``keep=False`` the bytes are thrown
        away and so is any message they cut in two. Closes the port when the
        peer has gone (closed or reset the connection).
        """
        with self._read_lock:
            if self.closed:
                return [], 0
            try:
                count = self._device.read_ready(limit, keep)
            except EndOfStream:
                count = -1
            with self._lock:
                if not keep:
                    self._parser = Parser()
                    self._messages = self._parser.messages
                messages = list(self._messages)
                self._messages.clear()
        if count < 0:
            self.close()
            return messages, 0
        return messages, count


def connect(host: str | None, portno: int, **limits) -> SocketPort:
    """Connect to a MIDI server; returns a `SocketPort` (host None means 127.0.0.1)."""
    return SocketPort(host, portno, **limits)
