"""`VirtualSender`: the timed sender's logic in this process, on a virtual clock.

It has the `Sender` commands (schedule, retime, cancel, cancel_ids, panic,
flush, drain, take_sent, stats) over the same `SenderCore`, so the queue,
ordering, ledger and release rules are the real ones; but nothing is sent
until `advance(t)` says that time has passed, and each message is stamped
with its deadline. For tests of code built on the clock, and for rendering
offline (same input, same output, no waiting).

Misuse: it never sends by itself; a program that forgets `advance` plays
nothing. `write(port, data)`, if given, is called for every message (e.g. to
put them on a real port anyway); by default messages only go to the log.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable

from .core import Sent, SenderCore
from .handle import SenderStats, checked_event

__all__ = ["VirtualSender"]


class VirtualSender:
    """A sender without a process: ``VirtualSender(now=time.perf_counter, write=None)``."""

    realtime = False
    realtime_detail = "virtual sender: nothing is sent in real time"

    def __init__(self, *, now: Callable[[], float] = time.perf_counter, write: Callable[[int, bytes], None] | None = None):
        self._now = now
        self._stamp: float | None = None
        self._core = SenderCore(write or (lambda port, data: None), clock=self._clock)
        self._ids = itertools.count(1)
        self.ports: list[str] = []
        self.alive = True

    def _clock(self) -> float:
        return self._now() if self._stamp is None else self._stamp

    # -- ports -----------------------------------------------------------------------

    def open_port(self, name: str | int | None = None, **options) -> int:
        """Add a port (nothing is opened); returns its index."""
        self.ports.append(str(name if name is not None else f"port {len(self.ports)}"))
        return len(self.ports) - 1

    def port_index(self, port: int | str) -> int:
        if isinstance(port, bool) or not isinstance(port, (int, str)):
            raise TypeError(f"a port is an index (int) or a name (str), got {type(port).__name__}")
        if isinstance(port, str):
            if port not in self.ports:
                raise ValueError(f"no open port named {port!r}; the sender's ports are {self.ports}")
            return self.ports.index(port)
        if not 0 <= port < len(self.ports):
            raise ValueError(f"no open port {port}: the sender has {len(self.ports)} port(s) {self.ports}")
        return port

    # -- commands --------------------------------------------------------------------

    def schedule(self, events: Iterable[tuple]) -> list[int]:
        records = []
        for event in events:
            deadline, port, data, tag = checked_event(event)
            records.append((deadline, next(self._ids), tag, self.port_index(port), data))
        self._core.add_many(records, now=self._now())
        return [record[1] for record in records]

    def retime(self, pairs: Iterable[tuple[int, float]]) -> None:
        for id, deadline in pairs:
            self._core.retime(id, float(deadline))

    def cancel(self, tag: int | None = None, *, after: float | None = None, port: int | str | None = None) -> None:
        self._core.cancel(tag=tag, after=after, port=None if port is None else self.port_index(port))

    def cancel_ids(self, ids: Iterable[int]) -> None:
        self._core.cancel_ids(list(ids))

    def panic(self, port: int | str | None = None) -> None:
        self._core.panic(None if port is None else self.port_index(port), range(len(self.ports)))

    def flush(self, timeout: float | None = None) -> None:
        """Nothing to wait for: commands take effect when given."""

    def drain(self, timeout: float | None = None) -> None:
        """Send everything queued, each at its deadline."""
        self.advance(float("inf"))

    def shutdown(self, timeout: float | None = None) -> None:
        """End every sounding note now (paced, each stamped with its slot); the queue is dropped."""
        self._core.release_all()
        self.advance(float("inf"))
        self.alive = False

    close = shutdown

    # -- time ------------------------------------------------------------------------

    def advance(self, t: float) -> int:
        """Send what is due up to time `t`, each stamped with its deadline; returns how many."""
        core = self._core
        count = 0
        try:
            while True:
                deadline = core.next_deadline()
                if deadline is None or deadline > t:
                    return count
                self._stamp = deadline
                count += core.send_due(deadline)  # one instant, each message stamped with its deadline
        finally:
            self._stamp = None

    # -- reports ---------------------------------------------------------------------

    @property
    def stats(self) -> SenderStats:
        core = self._core
        return SenderStats(
            core.sent_count, core.late_count, core.worst_late, len(core), len(core.ledger), 0.0, core.arrived_late,
            core.late_woke, core.late_held, core.worst_other_late,
        )  # fmt: skip

    @property
    def ledger(self):
        """The sounding notes (`Ledger`)."""
        return self._core.ledger

    def take_sent(self) -> list[Sent]:
        return self._core.take_sent()

    def take_errors(self) -> list[str]:
        return self._core.take_errors()

    def __repr__(self) -> str:
        return f"<VirtualSender, {len(self._core)} queued, ports {self.ports}>"
