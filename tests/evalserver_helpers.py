"""A session with an eval server on a free port, and raw clients that speak the protocol by hand.

(Importable from the tests: under ``--import-mode=importlib`` a test module cannot import another.)
"""

from __future__ import annotations

import json
import socket
import time

from livemidi.clock import VirtualSender
from livemidi.evalserver import serve_eval
from livemidi.session import Session


class Served:
    """A session on a virtual clock (nothing plays) with an eval server on a free port."""

    def __init__(self, **options):
        t = [50.0]
        self.notices: list[str] = []
        self.session = Session(VirtualSender(now=lambda: t[0]), threaded=False, now=lambda: t[0],
                               on_notice=self.notices.append)
        self.session.add_output("out")
        self.evals: list[tuple] = []
        options.setdefault("on_eval", lambda source, line, outcome: self.evals.append((source, line, outcome)))
        self.server = serve_eval(self.session, port=0, **options)

    def raw(self) -> Raw:
        return Raw(self.server.port, self.server.token)

    def close(self):
        self.server.close()
        self.session.close()


class Raw:
    """A client on a plain socket: send any bytes, read the lines that come back."""

    def __init__(self, port: int, token: str):
        self.token = token
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""
        self.ids = 0
        self.early: dict = {}  # answers read while waiting for another one
        self.events: list = []  # events read while waiting for an answer

    def send_bytes(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, op: str, **fields) -> int:
        self.ids += 1
        message = {"id": self.ids, "token": self.token, "op": op, **fields}
        self.sock.sendall((json.dumps(message) + "\n").encode())
        return self.ids

    def line(self, timeout: float = 10.0) -> dict | None:
        """The next line as JSON; None when the server closed the connection."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                return None
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return json.loads(line)

    def answer(self, id: int, timeout: float = 10.0) -> dict:
        """The answer to request `id` (events and other answers that come first are kept for later)."""
        while id not in self.early:
            message = self.line(timeout)
            assert message is not None, f"the connection closed before the answer to {id}"
            if "event" in message:
                self.events.append(message)
            else:
                self.early[message.get("id")] = message
        return self.early.pop(id)

    def event(self, timeout: float = 10.0) -> dict:
        """The next event (one kept while waiting for an answer first)."""
        if self.events:
            return self.events.pop(0)
        while True:
            message = self.line(timeout)
            assert message is not None, "the connection closed while waiting for an event"
            if "event" in message:
                return message
            self.early[message.get("id")] = message

    def request(self, op: str, **fields) -> dict:
        return self.answer(self.send(op, **fields))

    def closed(self, timeout: float = 5.0) -> bool:
        """True once the server has closed the connection (whatever it sent before is read and dropped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.line(deadline - time.monotonic()) is None:
                return True
        return False

    def close(self):
        self.sock.close()


def wait_until(predicate, seconds: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
