"""One client of the eval server: a thread that reads its lines, a thread that writes to it.

The reader hands each line to the server and never waits for an eval (its
answer comes from the evaluator's thread when the block has run), so a
client can send ``interrupt`` or ``hush`` on the same connection while its
own block loops.

The writer sends what is queued. Answers are always queued; events only
while fewer than `MAX_QUEUED_EVENTS` wait, else they are dropped and
counted (the next event says how many): a subscriber that reads too slowly
loses events and never holds up the session. A client that does not read
its answers either is let go once `MAX_QUEUED_BYTES` wait for it.

Before its first request with the right token a connection has
`AUTH_TIMEOUT` seconds to send one, and the first refused request ends
it: a stranger gets one answer and no more of the server's time.

Misuse: only the server's threads call `answer`, `event` and `finish`;
nothing else writes to the socket.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import deque
from typing import Any

from .protocol import MAX_LINE, answer_line, error_answer

__all__ = ["AUTH_TIMEOUT", "Connection", "MAX_QUEUED_BYTES", "MAX_QUEUED_EVENTS"]

AUTH_TIMEOUT = 10.0  # seconds a new connection has to send a request with the token
MAX_QUEUED_EVENTS = 512  # events waiting for a slow subscriber before more are dropped
MAX_QUEUED_BYTES = 16 * 1024 * 1024  # answers waiting for a client that does not read: then it is let go
_FINISH = object()


class Connection:
    """A connected client; `server.handle(connection, line)` is called for each line it sends."""

    def __init__(self, server: Any, sock: socket.socket, number: int) -> None:
        self.server = server
        self.sock = sock
        self.number = number
        self.authenticated = False
        self.opened_at = time.monotonic()
        self.events: frozenset[str] = frozenset()  # what it subscribed to
        self.dropped = 0  # events lost since the last one it got
        self.pending_evals = 0
        self.closed = False
        self._queue: deque = deque()
        self._queued_bytes = 0
        self._queued_events = 0
        self._ready = threading.Condition()
        self._reader = threading.Thread(target=self._read, name=f"livemidi eval client {number}", daemon=True)
        self._writer = threading.Thread(target=self._write, name=f"livemidi eval client {number} out", daemon=True)

    def start(self, read: bool = True) -> None:
        """Start writing, and reading unless `read` is False (a client refused at the door reads nothing)."""
        try:  # answers and play events are small and due now: no Nagle delay (40 ms with a delayed ACK)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        self._writer.start()
        if read:
            self._reader.start()

    # -- reading --------------------------------------------------------------------------

    def _read(self) -> None:
        try:
            self.sock.settimeout(AUTH_TIMEOUT)
            stream = self.sock.makefile("rb")
            while not self.closed:
                try:
                    line = stream.readline(MAX_LINE + 1)
                except TimeoutError:
                    self.answer(error_answer(None, "auth", f"no request with the token within {AUTH_TIMEOUT:g} s"))
                    self.finish()
                    return
                except (OSError, ValueError):
                    return  # reset, or closed under us
                if not line:
                    return
                if len(line) > MAX_LINE:
                    self.answer(error_answer(None, "request", f"a request line must be at most {MAX_LINE} bytes "
                                                              "(1 MiB) with its newline; this one is longer"))
                    self.finish()
                    return
                line = line.rstrip(b"\r\n")
                if line.strip():
                    self.server.handle(self, line)
        finally:
            self.finish()

    def authenticate(self) -> None:
        """The client gave the right token: from now it may take its time."""
        if not self.authenticated:
            self.authenticated = True
            try:
                self.sock.settimeout(None)
            except OSError:
                pass

    def count_eval(self, change: int, limit: int | None = None) -> bool:
        """Add `change` to the blocks this client has waiting; False (and nothing added) past `limit`."""
        with self._ready:
            if limit is not None and self.pending_evals + change > limit:
                return False
            self.pending_evals += change
            return True

    # -- writing --------------------------------------------------------------------------

    def answer(self, message: dict[str, Any]) -> None:
        """Queue an answer (it is always sent, unless the client is let go for not reading)."""
        data = answer_line(message)
        with self._ready:
            if self.closed:
                return
            if self._queued_bytes + len(data) > MAX_QUEUED_BYTES:  # answers only: events are bounded by count
                self._let_go()
                return
            self._queue.append(data)
            self._queued_bytes += len(data)
            self._ready.notify()

    def event(self, message: dict[str, Any], due: float | None = None) -> None:
        """Queue an event for a subscriber, or drop it (counted) when too many wait.

        `due` (on the server's clock, `server.now`): the event's ``at`` is
        set to the seconds left until then as the line is sent.
        """
        with self._ready:
            if self.closed:
                return
            if self._queued_events >= MAX_QUEUED_EVENTS:
                self.dropped += 1
                return
            if self.dropped:
                message = {**message, "dropped": self.dropped}
                self.dropped = 0
            self._queue.append((message, due))  # a tuple: an event, counted apart and encoded when sent
            self._queued_events += 1
            self._ready.notify()

    def finish(self) -> None:
        """Close once what is queued has been sent."""
        with self._ready:
            if not self.closed:
                self._queue.append(_FINISH)
                self.closed = True
                self._ready.notify()

    def _let_go(self) -> None:
        # Called with the lock held: a client that reads nothing gets nothing more.
        self.closed = True
        self._queue.clear()
        self._queue.append(_FINISH)
        self._ready.notify()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _write(self) -> None:
        try:
            while True:
                with self._ready:
                    while not self._queue:
                        self._ready.wait()
                    item = self._queue.popleft()
                    if isinstance(item, tuple):
                        self._queued_events -= 1
                    elif item is not _FINISH:
                        self._queued_bytes -= len(item)
                if item is _FINISH:
                    return
                if isinstance(item, tuple):
                    message, due = item
                    if due is not None:
                        message["at"] = round(max(0.0, due - self.server.now()), 4)
                    item = answer_line(message)
                self.sock.sendall(item)
        except OSError:
            pass  # the client went away: nothing more to send
        finally:
            with self._ready:
                self.closed = True
                self._queue.clear()
            self._close_socket()
            self.server.forget(self)

    def _close_socket(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def abort(self) -> None:
        """Close now, dropping what is queued (the server is closing)."""
        with self._ready:
            self._let_go()
