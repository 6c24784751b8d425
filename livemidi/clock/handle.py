"""`Sender`: the main process's handle on the timed-sender process.

``Sender()`` starts ``python -m livemidi.clock.sender`` (with `subprocess`:
never `fork`, which would copy the REPL's threads' locks, and not
multiprocessing's `spawn`, which re-runs a script that lacks a
``__main__`` guard) in a session of its own, and connects to it. The
process owns the output ports (`open_port`), takes events ahead of time
(`schedule`) and sends each at its deadline. A reader thread here collects
what it reports: every message sent with its timestamp (`take_sent`), the
counters (`stats`), and errors (`on_error`).

Deadlines are ``time.perf_counter()`` seconds (the machine's monotonic
clock). Tags are ints from 0 to 2**32-1; 0 means untagged.

Misuse: a `Sender` that is never shut down is shut down at interpreter exit
(and if this process dies, the sender notices and ends its notes by
itself); events scheduled for a port index that was never opened are
reported as errors, not sent.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from multiprocessing.connection import Client
from pathlib import Path
from typing import NamedTuple

from ..errors import PortError, PortNotFoundError, SenderError
from ..messages import BaseMessage, Message
from . import protocol
from .core import Sent

__all__ = ["Sender", "SenderStats", "message_bytes"]

PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent.parent)
MAX_TAG = 2**32 - 1
EVENTS_PER_COMMAND = 32  # events a schedule command carries at most (~30 µs for the sender to take in)


class SenderStats(NamedTuple):
    """The sender's counters, as last reported (about every 0.1 s while playing)."""

    sent: int = 0
    late: int = 0  # sent more than late_threshold after the deadline
    worst_late: float = 0.0  # seconds
    queued: int = 0
    sounding: int = 0  # notes on, per the ledger
    cpu_seconds: float = 0.0  # the sender process's CPU time so far
    arrived_late: int = 0  # events that reached the sender more than late_threshold after their deadline
    # Of the late ones: the sender's sleep ended after the deadline; it was held off the CPU (by the
    # operating system or the hypervisor). The worst lateness with neither cause, in seconds.
    late_woke: int = 0
    late_held: int = 0
    worst_other_late: float = 0.0

    @property
    def late_machine(self) -> int:
        """The late messages that the machine made late: it woke the sender late, or held it off the CPU."""
        return self.late_woke + self.late_held


def checked_event(event) -> tuple[float, object, bytes, int]:
    """``(deadline, port, message[, tag])`` checked: (deadline as float, port, message bytes, tag)."""
    if not 3 <= len(event) <= 4:
        raise ValueError(f"an event is (deadline, port, message[, tag]), got {event!r}")
    deadline, port, message = event[:3]
    tag = event[3] if len(event) == 4 else 0
    if isinstance(tag, bool) or not isinstance(tag, int) or not 0 <= tag <= MAX_TAG:
        raise ValueError(f"a sender tag is an int from 0 to {MAX_TAG}, got {tag!r}")
    return float(deadline), port, message_bytes(message), tag


def message_bytes(message) -> bytes:
    """The bytes of one message: a `Message`, or bytes/a list of ints (checked by decoding)."""
    if isinstance(message, BaseMessage):
        if getattr(message, "is_meta", False):
            raise ValueError(f"meta messages exist only in MIDI files and cannot be sent on a port, got {message!r}")
        return bytes(message.bytes())
    if isinstance(message, (bytes, bytearray, list, tuple)):
        data = bytes(message)
        Message.from_bytes(data)  # raises ValueError, saying what is wrong
        return data
    raise TypeError(
        f"expected a Message or the bytes of one message (bytes or a list of ints), got {type(message).__name__}"
    )


def _stop(conn, process, lock, flags: dict, log_path: str) -> None:
    """Ask the sender to end its notes and exit; kill it if it does not (at exit or collection).

    Its log (its stderr) is removed when it holds nothing.
    """
    flags["stopping"] = True
    try:
        with lock:
            conn.send_bytes(b"Q")
    except (OSError, ValueError):
        pass
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    try:
        conn.close()
    except OSError:
        pass
    try:
        if os.path.getsize(log_path) == 0:
            os.unlink(log_path)
    except OSError:
        pass


class Sender:
    """Start a timed-sender process.

    ``Sender(spin=0.001, realtime=True, priority=40, late_threshold=0.001,
    keep_sent=100_000, on_error=None, start_timeout=20.0)``

    `spin`: seconds before each deadline when the sender stops sleeping and
    spins on the clock. `realtime`: ask the OS for SCHED_FIFO at `priority`
    (see `realtime_detail` for what it said). `late_threshold`: seconds after
    its deadline when a send counts as late. `keep_sent`: how many sent
    messages `take_sent` keeps when nobody takes them. `on_error(text)` is
    called from the reader thread for each error the sender reports
    (default: print to stderr).
    """

    def __init__(
        self,
        *,
        spin: float = 0.001,
        realtime: bool = True,
        priority: int = 40,
        late_threshold: float = 0.001,
        keep_sent: int = 100_000,
        on_error: Callable[[str], None] | None = None,
        start_timeout: float = 20.0,
    ) -> None:
        if not 0 <= spin <= 0.05:
            raise ValueError(f"spin must be from 0 to 0.05 seconds, got {spin!r}")
        self.on_error = on_error or (lambda text: print(f"livemidi sender: {text}", file=sys.stderr))
        self._lock = threading.Lock()  # one writer on the connection at a time
        self._state = threading.Condition()
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._flushed: set[int] = set()
        self._opened: dict[int, dict] = {}
        # Kept as plain tuples of numbers and bytes, which the garbage collector stops tracking: a
        # session that nobody records keeps 100,000 of them, and as `Sent` (a tuple subclass, always
        # tracked) every full collection of the main process walked them all, with the GIL held.
        self._sent: collections.deque[tuple] = collections.deque(maxlen=keep_sent)
        self._stats = SenderStats()
        self._flags = {"stopping": False}  # shared with the finalizer: a stop on purpose is no error
        self.ports: list[str] = []  # the names of the open ports, by index
        self._names: dict[str, int] = {}
        self.log_path = tempfile.NamedTemporaryFile(prefix="livemidi-sender-", suffix=".log", delete=False).name
        settings = {
            "authkey": secrets.token_hex(16),
            "spin": spin,
            "realtime": realtime,
            "priority": priority,
            "late_threshold": late_threshold,
            "parent": os.getpid(),
        }
        self._process = self._start(settings)
        try:
            self._conn = self._connect(settings, start_timeout)
        except BaseException:
            self._process.kill()
            self._process.wait()
            raise
        self._finalizer = weakref.finalize(
            self, _stop, self._conn, self._process, self._lock, self._flags, self.log_path
        )
        self._reader = threading.Thread(target=self._read, name="livemidi sender reports", daemon=True)
        self._reader.start()

    # -- starting --------------------------------------------------------------------

    def _start(self, settings: dict) -> subprocess.Popen:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_ROOT, env.get("PYTHONPATH")]))
        options: dict = {"start_new_session": True} if os.name == "posix" else {
            "creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        }
        with open(self.log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "livemidi.clock.sender"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                **options,
            )
        process.stdin.write((json.dumps(settings) + "\n").encode())
        process.stdin.close()
        return process

    def _log_tail(self) -> str:
        try:
            with open(self.log_path, errors="replace") as file:
                return file.read()[-1500:].strip()
        except OSError:
            return ""

    def _connect(self, settings: dict, timeout: float):
        lines: list[bytes] = []
        reader = threading.Thread(target=lambda: lines.append(self._process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not lines or not lines[0]:
            self._process.kill()
            self._process.wait()
            raise SenderError(f"the timed-sender process did not start: {self._log_tail() or 'no output'}")
        self._process.stdout.close()
        address = json.loads(lines[0])["address"]
        conn = Client(address, authkey=bytes.fromhex(settings["authkey"]))
        if not conn.poll(timeout):
            conn.close()
            raise SenderError(f"the timed-sender process did not answer: {self._log_tail() or 'no output'}")
        payload = conn.recv_bytes()
        hello = json.loads(payload[1:])
        self.pid: int = hello["pid"]
        self.realtime: bool = hello["realtime"]
        self.realtime_detail: str = hello["detail"]
        self.spin: float = hello["spin"]  # the spin before each deadline it chose at start (s)
        return conn

    # -- the reader thread -------------------------------------------------------------

    def _read(self) -> None:
        conn = self._conn
        while True:
            try:
                payload = conn.recv_bytes()
            except (EOFError, OSError):
                break
            kind = payload[:1]
            if kind == b"S":
                self._sent.extend(protocol.unpack_sent(payload))
            elif kind == b"T":
                self._stats = SenderStats(*protocol.unpack_stats(payload))
            elif kind == b"F":
                with self._state:
                    self._flushed.add(protocol.unpack_seq(payload))
                    self._state.notify_all()
            elif kind == b"O":
                seq, result = protocol.unpack_json(payload)
                with self._state:
                    self._opened[seq] = result
                    self._state.notify_all()
            elif kind == b"!":
                try:
                    self.on_error(payload[1:].decode("utf-8", "replace"))
                except Exception:
                    pass
        with self._state:
            self._state.notify_all()
        if not self._flags["stopping"]:
            tail = self._log_tail()
            try:
                self.on_error(f"the timed-sender process stopped{': ' + tail if tail else ''}")
            except Exception:
                pass

    @property
    def alive(self) -> bool:
        """True while the sender process runs and takes commands."""
        return self._finalizer.alive and self._process.poll() is None and self._reader.is_alive()

    def _send(self, payload: bytes) -> None:
        if not self._finalizer.alive:
            raise SenderError("the sender was shut down")
        try:
            with self._lock:
                self._conn.send_bytes(payload)
        except (OSError, ValueError) as error:
            raise SenderError(f"the timed-sender process is not running: {self._log_tail() or error}") from error

    def _wait(self, done: Callable[[], bool], timeout: float | None, what: str) -> None:
        end = None if timeout is None else time.monotonic() + timeout
        with self._state:
            while not done():
                if not self._reader.is_alive():
                    raise SenderError(f"the timed-sender process stopped before {what}")
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    raise TimeoutError(f"the timed sender did not finish {what} within {timeout} s")
                self._state.wait(0.1 if left is None else min(left, 0.1))

    # -- ports -------------------------------------------------------------------------

    def open_port(self, name: str | int | None = None, *, virtual: bool = False, backend: str | None = None, **options) -> int:
        """Open an output port in the sender process; returns its index for `schedule`.

        The arguments are those of `livemidi.open_output` (`name`: an exact
        name, a unique part of one, or an index; ``virtual=True`` makes one),
        and `backend` names a `livemidi.Backend` (default: the environment's).
        Errors (no such port...) are raised here, as `open_output` raises them.
        """
        spec = {"name": name, "virtual": bool(virtual), "backend": backend, "options": options}
        try:
            json.dumps(spec)
        except TypeError as error:
            raise TypeError(f"port options must be plain values (str, int, bool): {error}") from None
        seq = next(self._seq)
        self._send(protocol.pack_json(b"O", seq, spec))
        self._wait(lambda: seq in self._opened, 30.0, "opening a port")
        with self._state:
            result = self._opened.pop(seq)
        if "error" in result:
            text = result["error"]
            if result["type"] == "PortNotFoundError":
                raise PortNotFoundError(text, name=name, available=result.get("available", []))
            if result.get("base") == "PortError" or result["type"] in ("OSError",):
                raise PortError(text)
            error_type = {"ValueError": ValueError, "TypeError": TypeError, "ImportError": ImportError}
            raise error_type.get(result["type"], PortError)(text)
        index = result["index"]
        self.ports.append(result["name"])
        self._names.setdefault(result["name"], index)
        if isinstance(name, str):
            self._names.setdefault(name, index)
        return index

    def port_index(self, port: int | str) -> int:
        """The index of an open port given by index, or by the name it was opened with or has."""
        if isinstance(port, bool) or not isinstance(port, (int, str)):
            raise TypeError(f"a port is an index (int) or a name (str), got {type(port).__name__}")
        if isinstance(port, int):
            if not 0 <= port < len(self.ports):
                raise ValueError(f"no open port {port}: the sender has {len(self.ports)} port(s) {self.ports}")
            return port
        if port not in self._names:
            raise ValueError(f"no open port named {port!r}; the sender's ports are {self.ports}")
        return self._names[port]

    # -- commands ----------------------------------------------------------------------

    def schedule(self, events: Iterable[tuple]) -> list[int]:
        """Queue events ``(deadline, port, message[, tag])``; returns their ids, in order.

        `deadline` is perf_counter seconds; `message` a Message or its bytes.
        All are checked before any is sent; they go in commands of at most
        `EVENTS_PER_COMMAND` events each, so that the sender never spends long
        on one command: it reads no command when a deadline is near, and a big
        one (after the main process was starved, the lookahead ships a lot at
        once) took it past the next deadline by up to 3.5 ms.
        """
        records = []
        for event in events:
            deadline, port, data, tag = checked_event(event)
            records.append((deadline, next(self._ids) & MAX_TAG, tag, self.port_index(port), data))
        for start in range(0, len(records), EVENTS_PER_COMMAND):
            self._send(protocol.pack_events(records[start : start + EVENTS_PER_COMMAND]))
        return [record[1] for record in records]

    def retime(self, pairs: Iterable[tuple[int, float]]) -> None:
        """Move queued events to new deadlines: ``(id, deadline)`` pairs; sent ones are left alone."""
        pairs = [(int(id), float(deadline)) for id, deadline in pairs]
        if pairs:
            self._send(protocol.pack_retime(pairs))

    def cancel(self, tag: int | None = None, *, after: float | None = None, port: int | str | None = None) -> None:
        """Remove queued events: of a tag, at or after a deadline, of a port (all given filters; none: all).

        A removed note-off whose note sounds is sent at once: notes end, never hang.
        """
        if tag is not None and (isinstance(tag, bool) or not isinstance(tag, int) or not 0 <= tag <= MAX_TAG):
            raise ValueError(f"a sender tag is an int from 0 to {MAX_TAG}, got {tag!r}")
        index = None if port is None else self.port_index(port)
        self._send(protocol.pack_cancel(tag, None if after is None else float(after), index))

    def cancel_ids(self, ids: Iterable[int]) -> None:
        """Remove the queued events with these ids (as `cancel`, notes end at once)."""
        ids = list(ids)
        if ids:
            self._send(protocol.pack_cancel_ids(ids))

    def panic(self, port: int | str | None = None) -> None:
        """Silence a port (or all): cancel its queue, note-off every sounding note, reset all channels."""
        self._send(protocol.pack_panic(None if port is None else self.port_index(port)))

    def flush(self, timeout: float | None = 5.0) -> None:
        """Wait until the sender has done every command given so far and reported all it sent."""
        self._flush(False, timeout)

    def drain(self, timeout: float | None = None) -> None:
        """Wait until everything queued has been sent (and reported)."""
        self._flush(True, timeout)

    def _flush(self, drain: bool, timeout: float | None) -> None:
        seq = next(self._seq)
        self._send(protocol.pack_flush(seq, drain))
        self._wait(lambda: seq in self._flushed, timeout, "draining its queue" if drain else "a flush")
        with self._state:
            self._flushed.discard(seq)

    # -- reports -----------------------------------------------------------------------

    @property
    def stats(self) -> SenderStats:
        """The counters the sender last reported."""
        return self._stats

    def take_sent(self) -> list[Sent]:
        """Every message sent since the last call: `Sent(time, deadline, port, data, tag)`, in order."""
        taken = []
        make = Sent._make
        while True:
            try:
                taken.append(make(self._sent.popleft()))
            except IndexError:
                return taken

    # -- stopping ----------------------------------------------------------------------

    def shutdown(self, timeout: float = 10.0) -> None:
        """End every sounding note, close the ports, stop the process (nothing queued is sent)."""
        if not self._finalizer.alive:
            return
        self._flags["stopping"] = True
        try:
            with self._lock:
                self._conn.send_bytes(b"Q")
        except (OSError, ValueError):
            pass
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(5)
        self._reader.join(timeout)
        self._finalizer()

    close = shutdown

    def __enter__(self) -> Sender:
        return self

    def __exit__(self, *exc_info) -> bool:
        self.shutdown()
        return False

    def __repr__(self) -> str:
        state = "running" if self.alive else "stopped"
        return f"<Sender pid {getattr(self, 'pid', '?')} {state}, ports {self.ports}>"
