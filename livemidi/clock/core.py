"""The timed sender's bookkeeping: the queue, cancel/retime, the ledger, the sent log.

`SenderCore` is everything the sender process does except waiting and I/O:
it keeps the queued events (a heap by deadline), applies commands, and when
told the time, sends what is due through a ``write(port, data)`` function,
an instant at a time: the messages that share a deadline are written back
to back, each timestamped immediately before its write, and accounted for
after the last one (`livemidi.clock.instant`). The sender process
(`livemidi.clock.sender`) wraps it with the wait-then-spin loop and the pipe;
`VirtualSender` wraps it with a virtual clock for tests and offline rendering.

The rule that keeps notes from hanging lives here: when a cancel removes a
note-off whose note sounds and has no other note-off queued, the note-off is
sent at once. A release of many notes (a cancel, panic, `release_all`) is
paced (`livemidi.ports.pace`): what does not fit the burst goes into the
queue as the sender's own events, each at its slot, which no cancel removes.

Misuse: the core is not thread-safe; one thread owns it. `data` must be the
bytes of exactly one valid message (the sender process checks on arrival).
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable, Iterable
from typing import NamedTuple

from ..ports.pace import Pace
from .instant import Instant, prepare, write_all
from .ledger import Ledger, note_key, note_off_bytes

__all__ = ["SenderCore", "Sent", "panic_bytes"]

ANY = None


class Sent(NamedTuple):
    """A message the sender put on a port: when (perf_counter s), when it was due, where, what, whose.

    `tag` is the tag of the event it was scheduled with (0: none, or a note-off
    the ledger sent on its own).
    """

    time: float
    deadline: float
    port: int
    data: bytes
    tag: int = 0

    def describe(self) -> str:
        """The message as ``str(Message)`` reads it without its time (its bytes in hex if they do not parse)."""
        from ..messages import Message

        try:
            return str(Message.from_bytes(self.data)).rsplit(" time=", 1)[0]
        except ValueError:
            return self.data.hex(" ")


class _Entry:
    __slots__ = ("deadline", "id", "tag", "port", "data", "order", "seq", "off")

    def __init__(self, deadline: float, id: int, tag: int, port: int, data: bytes, seq: int) -> None:
        key = note_key(data)
        self.deadline = deadline
        self.id = id
        self.tag = tag
        self.port = port
        self.data = data
        self.seq = seq
        # At one deadline note-offs go first, so that a repeated note is not
        # silenced by the previous note's off that falls on the same instant.
        self.off = (port, key[1], key[2]) if key is not None and not key[0] else None
        self.order = 0 if self.off is not None else 1


def panic_bytes() -> list[bytes]:
    """What panic sends after the note-offs, on each of the 16 channels:
    sustain off, all sounds off, all notes off, pitch bend centre."""
    messages = []
    for channel in range(16):
        messages.append(bytes((0xB0 | channel, 64, 0)))
        messages.append(bytes((0xB0 | channel, 120, 0)))
        messages.append(bytes((0xB0 | channel, 123, 0)))
        messages.append(bytes((0xE0 | channel, 0, 64)))
    return messages


class SenderCore:
    """Queued events, the ledger and the statistics of one timed sender.

    ``SenderCore(write, clock=time.perf_counter, late_threshold=0.001)``:
    `write(port, data)` puts bytes on a port (and may raise, which is
    recorded in `errors` and stops nothing); `clock()` is the time
    used for timestamps.
    """

    def __init__(
        self,
        write: Callable[[int, bytes], None],
        *,
        clock: Callable[[], float] = time.perf_counter,
        late_threshold: float = 0.001,
        keep_sent: bool = True,
    ) -> None:
        self._write = write
        self._clock = clock
        self.late_threshold = late_threshold
        self.keep_sent = keep_sent
        self._heap: list[tuple[float, int, int, int]] = []  # (deadline, order, seq, id)
        self._entries: dict[int, _Entry] = {}
        self._pending_offs: dict[tuple[int, int, int], int] = {}
        self._seq = 0
        self._owed_ids = itertools.count(-1, -1)  # the sender's own events (paced releases): ids below 0
        self.pace = Pace()
        self.ledger = Ledger()
        self.sent: list[Sent] = []
        self.sent_count = 0
        self.late_count = 0
        self.worst_late = 0.0
        self.arrived_late = 0  # events that reached the queue more than late_threshold after their deadline
        # Why the late ones were late (`record_instant`): the sender's sleep ended after their
        # deadline, or it was held off the CPU; the worst lateness with neither cause.
        self.late_woke = 0
        self.late_held = 0
        self.worst_other_late = 0.0
        self.errors: dict[str, int] = {}  # message -> how many times, since last taken

    # -- the queue ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, deadline: float, id: int, tag: int, port: int, data: bytes) -> None:
        """Queue `data` for `port` at `deadline`. An id already queued is replaced."""
        if id in self._entries:
            self._remove(id)
        self._seq += 1
        entry = _Entry(deadline, id, tag, port, bytes(data), self._seq)
        self._entries[id] = entry
        if entry.off is not None:
            self._pending_offs[entry.off] = self._pending_offs.get(entry.off, 0) + 1
        heapq.heappush(self._heap, (deadline, entry.order, entry.seq, id))

    def add_many(self, events: Iterable[tuple[float, int, int, int, bytes]], now: float | None = None) -> None:
        """`add` each event; with `now` (when they arrived), count those that came too late.

        An event that arrives more than `late_threshold` after its deadline
        (`arrived_late`) was shipped late: the main process did not run in
        time. The sender sends it at once and counts it late as well.
        """
        add = self.add
        for deadline, id, tag, port, data in events:
            add(deadline, id, tag, port, data)
            if now is not None and now - deadline > self.late_threshold:
                self.arrived_late += 1

    def _remove(self, id: int) -> _Entry | None:
        entry = self._entries.pop(id, None)
        if entry is not None and entry.off is not None:
            left = self._pending_offs[entry.off] - 1
            if left:
                self._pending_offs[entry.off] = left
            else:
                del self._pending_offs[entry.off]
        return entry  # its heap tuple stays and is skipped when it comes up

    def retime(self, id: int, deadline: float) -> bool:
        """Move a queued event to a new deadline; False if it was already sent or cancelled."""
        entry = self._entries.get(id)
        if entry is None:
            return False
        self._seq += 1
        entry.deadline = deadline
        entry.seq = self._seq
        heapq.heappush(self._heap, (deadline, entry.order, entry.seq, id))
        return True

    def next_deadline(self) -> float | None:
        """The earliest deadline queued, or None."""
        heap = self._heap
        entries = self._entries
        while heap:
            deadline, _, seq, id = heap[0]
            entry = entries.get(id)
            if entry is not None and entry.seq == seq:
                return deadline
            heapq.heappop(heap)  # cancelled or retimed: a stale tuple
        return None

    # -- sending -----------------------------------------------------------------------

    def pop_instant(self, now: float) -> list[tuple[float, int, bytes, int]]:
        """Take the next instant off the queue: ``[(deadline, port, data, tag), ...]``, in order.

        That is every event at the earliest deadline, and with them every
        other event already due at `now` (a backlog goes in one burst). The
        sender process pops an instant *before* spinning to its deadline, so
        that nothing but the writes stands between the end of the spin and
        the wire (`livemidi.clock.instant`); then it calls `record_instant`.
        Empty when nothing is queued.
        """
        heap = self._heap
        entries = self._entries
        batch: list[tuple[float, int, bytes, int]] = []
        until = None
        while heap:
            deadline, _, seq, id = heap[0]
            entry = entries.get(id)
            if entry is None or entry.seq != seq:
                heapq.heappop(heap)  # cancelled or retimed: a stale tuple
                continue
            if until is None:
                until = max(deadline, now)
            elif deadline > until:
                break
            heapq.heappop(heap)
            self._remove(id)
            batch.append((deadline, entry.port, entry.data, entry.tag))
        return batch

    def record_instant(
        self, batch: Instant, outcomes: list, woke: float = float("-inf"), held: float = 0.0,
        asked: float = float("inf"), asked_for: float = float("-inf"),
    ) -> None:  # fmt: skip
        """Account for the writes of an instant: `outcomes` has each one's stamp, or the error it raised.

        `woke`: when the sender woke from its last sleep, if that sleep ended
        after it was due (-inf otherwise); `asked`: when that sleep was to
        end, a margin ahead of the deadline `asked_for`; `held`: seconds it
        was off the CPU since then (or since the last instant it sent on
        time), up to the last write. They say why a late message was late (`record`).
        """
        record = self.record
        for (deadline, port, data, tag), outcome in zip(batch, outcomes):
            if isinstance(outcome, Exception):
                record(port, data, deadline, 0.0, outcome, tag)
            else:
                record(port, data, deadline, outcome, tag=tag, woke=woke, held=held, asked=asked, asked_for=asked_for)

    def record(
        self, port: int, data: bytes, deadline: float, stamp: float, error: Exception | None = None, tag: int = 0,
        woke: float = float("-inf"), held: float = 0.0, asked: float = float("inf"), asked_for: float = float("-inf"),
    ) -> None:  # fmt: skip
        """Account for a write of `data` on `port` at `stamp` (perf_counter s), or for its failure.

        A message sent more than `late_threshold` after its deadline is late
        (`late_count`). It is the machine's when the time the sender slept
        too long and the time it was off the CPU since (`held`) make up at
        least half its lateness: the operating system or the hypervisor did
        not run the sender in time. Slept too long: past the deadline (the
        sleep ended at `woke`), or, for a message due no later than the
        deadline the sleep was for (`asked_for`), past the time it was asked
        to end (`asked`, a margin ahead of it: the margin it lost was the
        time to get from the wake to the write). It counts in `late_woke`
        when the first is the bigger part, else in `late_held`. Any other
        late message (the sender's own work, a slow write, an event that
        arrived late) sets `worst_other_late`.
        """
        if error is not None:
            text = f"could not send {data.hex(' ')} on port {port}: {error}"
            self.errors[text] = self.errors.get(text, 0) + 1
            return
        self.ledger.update(port, data)
        self.sent_count += 1
        late = stamp - deadline
        if late > self.late_threshold:
            self.late_count += 1
            if late > self.worst_late:
                self.worst_late = late
            asleep = max(woke - deadline, woke - asked if deadline <= asked_for else 0.0, 0.0)
            if asleep + held >= late / 2:
                if asleep >= held:
                    self.late_woke += 1
                else:
                    self.late_held += 1
            elif late > self.worst_other_late:
                self.worst_other_late = late
        if self.keep_sent:
            self.sent.append(Sent(stamp, deadline, port, data, tag))

    def _writer(self, port: int) -> Callable[[bytes], None]:
        write = self._write
        return lambda data: write(port, data)

    def emit(self, port: int, data: bytes, deadline: float, tag: int = 0) -> bool:
        """Send one message now (timestamp, write, `record`). False if the write failed."""
        batch = [(deadline, port, data, tag)]
        outcomes = write_all(prepare(batch, self._writer), self._clock)
        self.record_instant(batch, outcomes)
        return not isinstance(outcomes[0], Exception)

    def send_due(self, now: float) -> int:
        """Send every event due at or before `now`, an instant at a time (`pop_instant`); returns how many."""
        count = 0
        while True:
            deadline = self.next_deadline()
            if deadline is None or deadline > now:
                return count
            batch = self.pop_instant(deadline)
            self.record_instant(batch, write_all(prepare(batch, self._writer), self._clock))
            count += len(batch)

    # -- cancelling --------------------------------------------------------------------

    def _send_owed(self, port: int, data: bytes, tag: int, now: float) -> None:
        """Send a message of a release now if the pace allows, else queue it for its slot."""
        at = self.pace.slot(port, now)
        if at <= now:
            self.emit(port, data, now, tag)
        else:
            self.add(at, next(self._owed_ids), tag, port, data)

    def _release(self, removed: list[_Entry]) -> None:
        """Send the note-offs of sounding notes that lost their last queued note-off."""
        now = self._clock()
        done = set()
        for entry in removed:
            key = entry.off
            if key is None or key in done or self._pending_offs.get(key):
                continue
            done.add(key)
            port, channel, note = key
            if self.ledger.is_sounding(port, channel, note):
                self._send_owed(port, note_off_bytes(channel, note), entry.tag, now)

    def cancel(self, tag: int | None = ANY, after: float | None = None, port: int | None = ANY) -> int:
        """Remove the queued events that match all the given filters (none: all of them).

        `tag`: that tag only; `after`: deadlines at or after this time;
        `port`: that port only. Returns how many were removed. The note-offs
        of a paced release stay: they are owed.
        """
        chosen = [
            id
            for id, entry in self._entries.items()
            if id >= 0
            and (tag is ANY or entry.tag == tag)
            and (after is None or entry.deadline >= after)
            and (port is ANY or entry.port == port)
        ]
        return self.cancel_ids(chosen)

    def cancel_ids(self, ids: Iterable[int]) -> int:
        """Remove the queued events with these ids (ids already sent are ignored)."""
        removed = [entry for entry in (self._remove(id) for id in ids) if entry is not None]
        if not self._entries:
            self._heap.clear()
        self._release(removed)
        return len(removed)

    def release_all(self, port: int | None = ANY) -> None:
        """Cancel the queue (of one port, or all) and end every sounding note there (paced)."""
        self.cancel(port=port)
        now = self._clock()
        for p, data in list(self.ledger.releases(port)):
            if not self._pending_offs.get((p, data[0] & 0x0F, data[1])):  # else its note-off is owed already
                self._send_owed(p, data, 0, now)

    def panic(self, port: int | None, ports: Iterable[int]) -> None:
        """Release a port's notes (or every port's), then reset all 16 channels there (paced)."""
        self.release_all(port)
        now = self._clock()
        for p in [port] if port is not None else ports:
            for data in panic_bytes():
                self._send_owed(p, data, 0, now)

    # -- reports -----------------------------------------------------------------------

    def take_sent(self) -> list[Sent]:
        sent, self.sent = self.sent, []
        return sent

    def take_errors(self) -> list[str]:
        errors, self.errors = self.errors, {}
        return [text if count == 1 else f"{text} (×{count})" for text, count in errors.items()]
