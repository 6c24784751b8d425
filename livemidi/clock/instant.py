"""Writing the messages due at one instant back to back: nothing else between two writes.

A note-off and the next note-on, or a chord, share one deadline. The timed
sender takes the whole instant off its queue before it spins
(`SenderCore.pop_instant`), looks up each message's writer then, and calls
`write_all`, which spins to the deadline and then makes one clock reading
and one write per message, in a tight loop. The ledger, the counters and the sent log are updated only
once the instant is out (`SenderCore.record_instant`).

Why: measured through a Session on the project's 2-core VM (issue 15), the
note-on that shares its instant with a note-off went 30-50 µs after it, and
each note of an 8-note chord 4-8 µs after the one before. The bookkeeping of
one message ran between the writes, and code that has not run for 80 ms runs
~10 times slower than warm code: ~25 µs for the ledger and the log, ~15 µs
for a write.

Misuse: `prepared` must be built before the spin (`prepare`), so that the
loop after it does only the writes. A writer that raises stops nothing: its
exception takes the place of the stamp.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

__all__ = ["Instant", "OffCpu", "prepare", "write_all", "write_watched"]

# The bounds of the sender's short work (OffCpu.gap), cold, generous: the few lines from a wake (or
# an instant, or commands) to the next spin, and each message popped or accounted for then; a
# backend's write (µs; one that blocks is off the CPU anyway); the commands of events, retimes and
# cancelled ids, so much a byte to read, unpack and queue (~20 bytes an event).
SHORT_WORK = 0.0003
MESSAGE_WORK = 0.00003
WRITE_WORK = 0.001
BOUNDED_COMMANDS = (b"E", b"R", b"X")
COMMAND_BYTE_WORK = 0.000002

# One message of an instant: (deadline, port, data, tag), as SenderCore.pop_instant gives it.
Instant = Sequence[tuple[float, int, bytes, int]]


def prepare(batch: Instant, writer: Callable[[int], Callable[[bytes], None] | None]) -> list[tuple]:
    """``(write, data)`` for each message of `batch`; `writer(port)` gives a port's write (None: no port)."""
    return [(writer(port), data) for _, port, data, _ in batch]


def write_all(prepared: list[tuple], clock: Callable[[], float] = time.perf_counter, until: float = 0.0) -> list:
    """Spin until `clock()` reaches `until`, then write each message, stamping the clock right
    before each write; the stamps (or the errors), in order (`write_watched` without the gap)."""
    return write_watched(prepared, clock, until)[0]


def write_watched(
    prepared: list[tuple], clock: Callable[[], float] = time.perf_counter, until: float = 0.0
) -> tuple[list, float]:
    """`write_all`, and how far past `until` (s) the spin's last clock reading was.

    The spin is here, not in the caller, so that no call stands between its
    end and the first write: code that has not run for a while is slow, and
    a sender that slept 80 ms between two 16ths wakes with cold caches.
    The spin does nothing but read the clock (~0.1 µs a reading), so a last
    reading further past `until` than that is time the CPU spent elsewhere
    across the deadline: an interrupt, or the hypervisor running something
    else on this virtual CPU, even where the guest counts it as the
    sender's CPU time. 0.0 when the spin did not start before `until`.
    A message whose port has no writer (None) gets a ValueError in place of its stamp.
    """
    outcomes: list = []
    keep = outcomes.append
    overshoot = 0.0
    now = clock()
    if now < until:
        while now < until:
            now = clock()
        overshoot = now - until
    for write, data in prepared:
        stamp = clock()
        try:
            write(data)
        except Exception as error:  # a gone port, a backend's bug: recorded after the instant, never fatal
            keep(error if write is not None else ValueError("the port is not open"))
            continue
        keep(stamp)
    return outcomes, overshoot


class OffCpu:
    """``OffCpu(wall, cpu)``: how long the sender has been off the CPU since it last sent on time.

    `wall` and `cpu` are clocks (perf_counter, the thread's CPU time). The
    sender marks each wake and each instant it sent on time (`mark`); at
    each instant, `held` says how long it was off the CPU since the mark:
    the wall time not counted as its CPU time, or the spins' clock jumps
    across their deadlines (`write_watched`) added up, whichever is more. A
    hypervisor that charges the time it took to the thread shows only in
    the jumps. Both carry over to the instants behind a late one, which are
    late for the same cause: on the project's VM a spin jumped 2.2 ms, its
    note was put down to the machine and the next one, 1.3 ms late with
    nothing else in between, to the sender.

    The same holds for work of the sender's whose cost is short and bounded
    (`gap`): the few lines between its wake (or its last instant, or the
    commands it read) and its spin, the step from the spin to the first
    write, unpacking a command of events, a backend's write. The time past
    the bound is counted as a jump. On the project's VM, under load, each of
    these took 1-20 ms now and then
    (popping an instant of 2 messages, a command of 18 events, one write),
    with most of it counted as the sender's CPU time: notes up to 20 ms late
    went down as the sender's own.
    """

    __slots__ = ("wall", "cpu", "at", "at_cpu", "jumps")

    def __init__(self, wall: Callable[[], float], cpu: Callable[[], float]) -> None:
        self.wall, self.cpu = wall, cpu
        self.at = self.at_cpu = self.jumps = 0.0
        self.mark()

    def mark(self, at: float | None = None, at_cpu: float | None = None) -> None:
        """On the CPU and on time at `at` (now when None; `at_cpu` with it)."""
        self.at = self.wall() if at is None else at
        self.at_cpu = self.cpu() if at_cpu is None else at_cpu
        self.jumps = 0.0

    def gap(self, seconds: float, bound: float) -> None:
        """`seconds` passed between two clock readings around work that takes at most `bound`."""
        if seconds > bound:
            self.jumps += seconds - bound

    def held(
        self, ended: float, ended_cpu: float, overshot: float, outcomes: Sequence = (), spun: float | None = None
    ) -> float:
        """Seconds off the CPU from the mark to `ended` (`ended_cpu` the CPU clock then), with this
        instant's spin `overshot` its deadline and its writes stamped as `outcomes` (`write_watched`),
        from `spun`: when the spin ended (or would have begun, past its deadline)."""
        self.jumps += overshot
        stamps = [stamp for stamp in outcomes if isinstance(stamp, float)]
        if stamps and spun is not None:
            self.gap(stamps[0] - spun, SHORT_WORK)
        for stamp, after in zip(stamps, stamps[1:] + [ended]):
            self.gap(after - stamp, WRITE_WORK)
        return max((ended - self.at) - (ended_cpu - self.at_cpu), self.jumps)

    def on_time(self, ended: float, ended_cpu: float, outcomes: Sequence) -> None:
        """An instant went out on time, its writes stamped as `outcomes`: `mark` after it. Its last
        write, if it took the CPU away past its bound, still counts for the next instant."""
        self.mark(ended, ended_cpu)
        if outcomes and isinstance(outcomes[-1], float):
            self.gap(ended - outcomes[-1], WRITE_WORK)
