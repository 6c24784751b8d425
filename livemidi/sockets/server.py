"""`PortServer`: a MIDI-over-TCP server that is an I/O port for all its clients.

What any client sends comes out of the server's ``receive()``/iteration;
what the server sends goes to every client. Clients are accepted whenever
the server is used (receive, poll, send). The server holds its own against
careless and hostile clients (see `livemidi.sockets.guard`): a real listen
backlog; at most ``max_clients`` clients, ``max_per_address`` of them from
one IP address, and a newcomer to a full server takes the place of one idle
for ``idle_timeout`` seconds; at most ``max_rate`` messages a second from one
client (what is over is dropped, with a notice); when a client goes, for
whatever reason, note-offs for the notes it started come out of the server
in its place (``release_notes``); TCP keepalive notices a client whose
machine vanished without closing. Serving on anything but loopback warns.

Misuse: the note-offs of a gone client come out of ``receive()``, in order
after its last message; a program that stops reading the server never sees
them (and never needs them: nothing it read is left sounding).
"""

from __future__ import annotations

import math
import select
import socket
import threading
import time
import warnings

from ..errors import PortDisconnectedError, PortError
from ..ports import Port
from .address import exposure, format_address
from .client import DEFAULT_HOST, MAX_BUFFER, MAX_SYSEX_SIZE, POLL_TIMEOUT, READ_CHUNK, SocketPort
from .guard import ClientSlot, NoteOwners, Notices, RateBucket, admission

__all__ = ["PortServer"]

BACKLOG = 128  # connections the kernel holds until the server accepts them (mido: 1)
MAX_CLIENTS = 64
MAX_PER_ADDRESS = 16  # clients from one IP address; all local clients share 127.0.0.1
IDLE_TIMEOUT = 60.0  # seconds without a byte either way before a client may lose its place
MAX_RATE = 2000  # messages a second from one client: twice what a MIDI cable carries
KEEPALIVE = 30.0  # seconds of silence before TCP checks that a client's machine is still there
THROTTLE = 0.01  # seconds a client over its rate is left unread after its excess was dropped
_MESSAGE_BYTES = 3  # the read size per message a client may still send


def _check_count(name: str, value, minimum: int, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        none = " or None" if allow_none else ""
        raise ValueError(f"{name} must be an int >= {minimum}{none}, got {value!r}")


def _check_number(name: str, value, unit: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0 or math.isinf(value):
        raise ValueError(f"{name} must be a number of {unit} >= 0, or None, got {value!r}")


def _keep_alive(sock: socket.socket, seconds: float | None) -> None:
    """Let TCP probe a silent peer after `seconds`, and give up on it about as long again later."""
    if not seconds:
        return
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        idle = max(1, math.ceil(seconds))
        interval = max(1, math.ceil(seconds / 3))
        for option, value in (("TCP_KEEPIDLE", idle), ("TCP_KEEPALIVE", idle), ("TCP_KEEPINTVL", interval),
                              ("TCP_KEEPCNT", 3)):  # fmt: skip
            if hasattr(socket, option):  # Linux has KEEPIDLE; macOS calls it KEEPALIVE
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)
    except OSError:
        pass  # the system's own keepalive timing, or none: the other limits still hold


class _ServerDevice:
    """The listening socket and the clients' connections (a pull device)."""

    device_type = "server"
    is_input = True
    is_output = True

    def __init__(self, sock: socket.socket, name: str, server: PortServer) -> None:
        self.name = name
        self._sock = sock
        self._server = server
        self._lock = threading.Lock()  # server.ports and the slots
        self._reading = threading.Lock()  # a client's messages, then its note-offs, reach the queue in order
        self._slots: dict[SocketPort, ClientSlot] = {}
        self._notes = NoteOwners()
        self.notices = Notices()

    def connect(self, sink) -> None:
        pass  # client messages are parsed per client, then queued on the server

    # -- clients coming and going ----------------------------------------------------

    def _accept_pending(self) -> None:
        while True:
            try:
                client = self._server.accept(block=False)
            except (ValueError, OSError):  # the server closed meanwhile
                return
            if client is None:
                return
            with self._lock:
                self._admit(client, time.monotonic())

    def _admit(self, client: SocketPort, now: float) -> None:
        server = self._server
        self._forget_closed_locked()
        address = client._address
        slots = [slot for slot in self._slots.values() if not slot.port.closed]
        verdict, victim, why = admission(
            slots, address, now, max_clients=server.max_clients, max_per_address=server.max_per_address,
            idle_timeout=server.idle_timeout,
        )  # fmt: skip
        if verdict == "refuse":
            if server.idle_timeout:
                why += f", and none idle for {server.idle_timeout:g} s (idle_timeout)"
            self.notices.say(("refused", address), f"refused {client.name}: {why}", now)
            client.close()
            return
        if verdict == "evict":
            self.notices.say(
                ("evicted", victim.address),
                f"dropped {victim.port.name}, idle for {victim.idle(now):.0f} s, to make room for {client.name}: {why}",
                now,
            )
            victim.port.close()  # its notes are released by the next pump
        server.ports = [port for port in server.ports if not port.closed]
        server.ports.append(client)
        self._slots[client] = ClientSlot(client, address, RateBucket(server.max_rate or 1, now))

    def _forget_closed_locked(self) -> None:
        """Drop closed clients from ``ports``; their slots stay while their notes still need releasing."""
        self._server.ports = [port for port in self._server.ports if not port.closed]
        for port, slot in list(self._slots.items()):
            if port.closed and not slot.started_notes and not slot.dropped_messages:
                del self._slots[port]

    def _reap(self) -> list:
        """Note-offs for what the clients that have gone left sounding (called while `_reading` is held)."""
        with self._lock:
            gone = [slot for port, slot in self._slots.items() if port.closed]
            for slot in gone:
                del self._slots[slot.port]
            self._server.ports = [port for port in self._server.ports if not port.closed]
        released = []
        for slot in gone:
            self._rate_summary(slot, time.monotonic(), final=True)
            offs = self._notes.release(slot.port)
            if offs and self._server.release_notes:
                self.notices.say(
                    ("left", slot.address),
                    f"{slot.port.name} went with {len(offs)} note(s) sounding: sent their note-offs",
                )
                released += offs
        return released

    # -- reading -----------------------------------------------------------------------

    def pump(self, block: bool) -> None:
        self._accept_pending()
        now = time.monotonic()
        with self._lock:
            for port in self._server.ports:  # one accepted by hand and added to ``ports``, as mido allows
                if port not in self._slots and not port.closed:
                    address = getattr(port, "_address", port.name.rpartition(":")[0])
                    self._slots[port] = ClientSlot(port, address, RateBucket(self._server.max_rate or 1, now))
            slots = [slot for slot in self._slots.values() if not slot.port.closed]
        for slot in slots:
            slot.port._device.flush()
        awake = {slot.port._device: slot for slot in slots if slot.resume_at <= now}
        try:
            readable, _, _ = select.select([self._sock, *awake], [], [], POLL_TIMEOUT if block else 0)
        except (ValueError, OSError):  # a client (or the server) was closed by another thread meanwhile
            readable = []
        with self._reading:
            queue = self._server._messages
            for device in readable:
                slot = awake.get(device)
                if slot is not None:
                    queue.extend(self._read(slot))
                    if slot.port.closed:  # its note-offs come right after its last message
                        queue.extend(self._reap())
            queue.extend(self._reap())
        if self._sock in readable:
            self._accept_pending()
        return None

    def _read(self, slot: ClientSlot) -> list:
        """The messages `slot`'s client sent that may pass now (and note-offs, if it went over its rate)."""
        rate = self._server.max_rate
        port = slot.port
        if not rate:
            messages, _ = port._take(READ_CHUNK)
            slot.started_notes |= self._notes.update(port, messages)
            return messages
        now = time.monotonic()
        allowed = int(slot.bucket.available(rate, now))
        if allowed < 1:
            # Throw what it sent away unparsed (parsing a flood costs more than reading it), and leave
            # it unread a moment: what it sends meanwhile could not pass either.
            _, count = port._take(READ_CHUNK, keep=False)
            slot.resume_at = now + max(THROTTLE, 1 / rate)
            return self._over_rate(slot, now, 0, count)
        # Read about as much as may pass: a flood is then never parsed in bulk.
        messages, _ = port._take(min(READ_CHUNK, _MESSAGE_BYTES * (allowed + 1)))
        passed = messages[:allowed]
        slot.bucket.take(len(passed))
        slot.started_notes |= self._notes.update(port, passed)
        if len(messages) > allowed:
            passed += self._over_rate(slot, now, len(messages) - allowed, 0)
        return passed

    def _over_rate(self, slot: ClientSlot, now: float, messages: int, count: int) -> list:
        """Count what `slot`'s client lost to the rate limit, say so, and end the notes it holds.

        Its note-offs for them may have been among what was dropped; the
        server's own count against its rate.
        """
        slot.dropped_messages += messages
        slot.dropped_bytes += count
        if slot.noticed_at is None:
            slot.noticed_at = now
            self.notices.say(
                ("rate", slot.address),
                f"{slot.port.name} sends more than {self._server.max_rate:g} messages a second: dropping what is "
                "over (max_rate), and ending the notes it holds",
                now,
            )
            slot.dropped_messages = slot.dropped_bytes = 0
        else:
            self._rate_summary(slot, now, final=False)
        offs = self._notes.release(slot.port) if self._server.release_notes else []
        slot.bucket.take(len(offs))
        return offs

    def _rate_summary(self, slot: ClientSlot, now: float, final: bool) -> None:
        if slot.noticed_at is None or not (slot.dropped_messages or slot.dropped_bytes):
            return
        if not final and now - slot.noticed_at < self.notices.interval:
            return
        what = f"{slot.dropped_messages} message(s)"
        if slot.dropped_bytes:
            what += f" and {slot.dropped_bytes} unread byte(s)"
        self.notices.say(
            ("rate-summary", slot.address, final),
            f"{slot.port.name}{' went; it' if final else ''} sent {what} over max_rate in the last "
            f"{now - slot.noticed_at:.0f} s; dropped them",
            now,
        )
        slot.noticed_at = now
        slot.dropped_messages = slot.dropped_bytes = 0

    # -- writing and closing -----------------------------------------------------------

    def write(self, data: bytes) -> None:
        self._accept_pending()
        with self._lock:
            clients = [port for port in self._server.ports if not port.closed]
        for client in clients:
            try:
                client._device.write(data)
            except PortDisconnectedError as error:
                self.notices.say(("write", client._address), str(error))
                client.close()
        with self._lock:
            self._forget_closed_locked()

    def close(self) -> None:
        with self._lock:
            clients, self._server.ports = self._server.ports, []
            self._slots.clear()
        for client in clients:
            client.close()
        self._sock.close()


class PortServer(Port):
    """A MIDI server: ``PortServer(host, portno, backlog=128, **limits)``; an I/O port for all its clients.

    `host` None (or '') binds 127.0.0.1; any address that is not loopback
    warns (RuntimeWarning), since whoever reaches it can play your synths
    and send them sysex. `portno` 0 picks a free port (see ``server.portno``).
    ``server.ports`` holds the connected clients. The limits, all keyword
    arguments and attributes of the same name (change them at any time):

    ``max_clients`` (64)
        clients connected at once.
    ``max_per_address`` (16; None: no cap)
        clients from one IP address at once.
    ``idle_timeout`` (60.0 seconds; None or 0: never)
        a newcomer to a full server (or address) takes the place of the
        client that has sent and taken nothing for longest, if that is at
        least this long; otherwise the newcomer is refused.
    ``max_rate`` (2000 messages a second; None or 0: no limit)
        from one client, in bursts of up to one second's worth; what is over
        is dropped (with a notice), and the notes that client holds end.
    ``release_notes`` (True)
        when a client goes (closes, resets, is dropped), note-offs for the
        notes it started and nobody has ended come out of the server after
        its last message; a note another client also started sounds on.
    ``keepalive`` (30.0 seconds; None or 0: off)
        TCP keepalive: a client whose machine vanished without closing is
        noticed about twice this long after it fell silent, and goes.
    ``max_sysex_size`` (1 MiB), ``max_buffer`` (1 MiB)
        a longer sysex is dropped; a client that leaves more unread is dropped.

    Every notice is a RuntimeWarning starting ``livemidi.sockets:``, at most
    one a subject every 10 seconds.
    """

    def __init__(
        self,
        host: str | None,
        portno: int,
        backlog: int = BACKLOG,
        *,
        max_clients: int = MAX_CLIENTS,
        max_per_address: int | None = MAX_PER_ADDRESS,
        idle_timeout: float | None = IDLE_TIMEOUT,
        max_rate: float | None = MAX_RATE,
        release_notes: bool = True,
        keepalive: float | None = KEEPALIVE,
        max_sysex_size: int = MAX_SYSEX_SIZE,
        max_buffer: int = MAX_BUFFER,
    ) -> None:
        _check_count("backlog", backlog, 0, False)
        _check_count("max_clients", max_clients, 1, False)
        _check_count("max_per_address", max_per_address, 1, True)
        _check_number("idle_timeout", idle_timeout, "seconds")
        _check_number("max_rate", max_rate, "messages a second")
        _check_number("keepalive", keepalive, "seconds")
        _check_count("max_sysex_size", max_sysex_size, 2, False)
        _check_count("max_buffer", max_buffer, 1, False)
        host = host or DEFAULT_HOST
        self.ports: list[SocketPort] = []
        self.backlog = backlog
        self.max_clients = max_clients
        self.max_per_address = max_per_address
        self.idle_timeout = idle_timeout
        self.max_rate = max_rate
        self.release_notes = release_notes
        self.keepalive = keepalive
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
        reach = exposure(sock.getsockname()[0])
        if reach is not None:
            warnings.warn(
                f"livemidi.sockets: serving on {self.name}, open to {reach}: anyone who can reach this machine "
                "can play your synths and send them sysex. Serve on 127.0.0.1 unless that is what you want.",
                RuntimeWarning,
                stacklevel=2,
            )

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
            _keep_alive(conn, self.keepalive)
            port = SocketPort(address[0], address[1], conn=conn, **self._limits)
            port._address = address[0]
            return port
