"""A client of the eval server, in Python: what ``livemidi send`` and the Jupyter extension use.

::

    from livemidi.evalserver import connect

    with connect() as client:                       # finds the session through the server file
        answer = client.request("eval", code="p.x = note('c4 e4')", source="set.py", line=3)
        answer["ok"], answer.get("error")

`connect` raises NoSessionError (with what to do) when there is no server
file, when the process it names is gone, or when nothing answers at the
address it gives. Answers come back as dicts, exactly as the server sent
them; events (after ``subscribe``) are kept apart and read with
`next_event`.

Misuse: one client is one connection; use it from one thread at a time.
"""

from __future__ import annotations

import itertools
import json
import socket
from collections import deque
from pathlib import Path
from typing import Any

from ..errors import EvalServerError, NoSessionError
from .discovery import pid_alive, read_server_file, server_file_path
from .protocol import PROTOCOL

__all__ = ["Client", "START_HINT", "connect"]

START_HINT = "start one with `livemidi` (the REPL), `livemidi run FILE.py` or `livemidi --pipe`"


class Client:
    """A connection to the eval server at `host`:`port`, with `token`."""

    def __init__(self, host: str, port: int, token: str, *, timeout: float | None = 5.0) -> None:
        self.token = token
        self._ids = itertools.count(1)
        self._events: deque[dict] = deque()
        self._answers: dict[Any, dict] = {}
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as error:
            raise NoSessionError(f"no livemidi session answers at {host}:{port} ({error}); {START_HINT}") from error
        self.sock.settimeout(None)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._stream = self.sock.makefile("rb")

    def send(self, op: str, **fields: Any) -> Any:
        """Send a request without waiting; returns its id."""
        id = next(self._ids)
        message = {"id": id, "token": self.token, "protocol": PROTOCOL, "op": op, **fields}
        self.sock.sendall((json.dumps(message) + "\n").encode("utf-8"))
        return id

    def _read(self) -> dict:
        line = self._stream.readline()
        if not line:
            raise EvalServerError("the session closed the connection")
        return json.loads(line)

    def wait(self, id: Any, timeout: float | None = None) -> dict:
        """The answer to request `id` (events that come first are kept for `next_event`)."""
        self.sock.settimeout(timeout)
        try:
            while id not in self._answers:
                message = self._read()
                if "event" in message and "id" not in message:
                    self._events.append(message)
                else:
                    self._answers[message.get("id")] = message
        finally:
            self.sock.settimeout(None)
        return self._answers.pop(id)

    def request(self, op: str, *, timeout: float | None = None, **fields: Any) -> dict:
        """Send a request and wait for its answer (a dict with ``ok``)."""
        return self.wait(self.send(op, **fields), timeout)

    def next_event(self, timeout: float | None = None) -> dict:
        """The next event pushed by the server (after ``subscribe``); TimeoutError after `timeout` s."""
        if self._events:
            return self._events.popleft()
        self.sock.settimeout(timeout)
        try:
            while True:
                message = self._read()
                if "event" in message and "id" not in message:
                    return message
                self._answers[message.get("id")] = message
        finally:
            self.sock.settimeout(None)

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            self.sock.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def connect(path: str | Path | None = None, *, timeout: float | None = 5.0) -> Client:
    """Connect to the running session that the server file names (NoSessionError when there is none)."""
    path = server_file_path() if path is None else Path(path)
    try:
        info = read_server_file(path)
    except NoSessionError as error:
        raise NoSessionError(f"{error}; {START_HINT}") from None
    if not pid_alive(info.get("pid")):
        raise NoSessionError(
            f"no running livemidi session: the server file {path} is stale (process {info.get('pid')} is gone); "
            f"{START_HINT}"
        )
    if info.get("protocol") != PROTOCOL:
        raise EvalServerError(
            f"the session at {path} speaks protocol {info.get('protocol')!r}; this livemidi speaks {PROTOCOL}"
        )
    return Client(str(info.get("host", "127.0.0.1")), info["port"], info["token"], timeout=timeout)
