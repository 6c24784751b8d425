"""The timed-sender process: owns the output ports, waits for deadlines, sends.

Run as ``python -m livemidi.clock.sender`` by `livemidi.clock.Sender`, never
imported for use in the main process. It reads its settings (a JSON line) on
stdin, listens on a `multiprocessing.connection` address it prints on stdout,
and takes the main process's one connection. Then, in one thread: handle the
commands that have arrived; sleep (``select`` with a timeout) until shortly
before the next deadline; spin on ``time.perf_counter()``; send (see
`SenderCore`). How long it spins adapts to how late its sleeps end on this
machine, up to the `spin` setting (1 ms). Reports go back only while there
is slack before the next deadline, and only when the pipe has room, so a stalled main process can
never block a send.

It leaves no note hanging: at shutdown, on SIGTERM or SIGHUP, and when the
main process dies (end of file on the connection, or a new parent pid), it
cancels its queue, sends every sounding note its note-off (paced, see
`livemidi.ports.pace`), closes its ports once they have sent it all, and
exits. It runs in a session of its own (see `Sender`), so the terminal's
Ctrl-C and Ctrl-Z reach only the main process.

Misuse: started by hand it waits for settings on stdin; it is not a CLI.
"""

from __future__ import annotations

import bisect
import collections
import gc
import itertools
import json
import os
import select
import signal
import sys
import threading
import time
from multiprocessing.connection import Listener

from . import protocol
from .core import SenderCore
from .instant import (
    BOUNDED_COMMANDS, COMMAND_BYTE_WORK, MESSAGE_WORK, SHORT_WORK, OffCpu, prepare, write_watched,
)
from .margin import sparse_margin
from .priority import ask_realtime, hold_idle_latency, tighten_timer_slack

CONNECT_TIMEOUT = 60.0  # seconds to wait for the main process to connect, then give up
HOUSEKEEPING = 0.05  # the longest wait without looking at the parent and the reports (s)
REPORT_EVERY = 0.1  # stats and sent records at least this often while playing (s)
MAX_SENT_BATCH = 1000  # sent records per report message (keeps each message small)
LIVENESS_EVERY = 1.0  # seconds between checks that the ports' devices are still there
GC_EVERY = 2.0  # a full collection at most this often, and only with slack (gc is off otherwise)
MIN_SPIN = 0.0001  # the least spin before a deadline (s), however precise the sleeps
COMMAND_MARGIN = 0.0003  # no commands are read this close (s) to a deadline
LOAD_EVERY = 0.1  # seconds between looks at the sender's own CPU use (real-time throttling)
SPARSE_GAP = 0.02  # an event this long (s) after the previous one gets the whole spin (≤ 5 % CPU)
RT_RETRY = 2.0  # seconds at normal priority after a busy spell before asking for real time again
WAKE_SAMPLES = 256  # the oversleeps a dense stream's spin is measured on (~0.25 s at 1000 notes/s)
WAKE_RANK = 3  # the spin covers the 3rd-worst of them (~p99), times 1.25, plus 75 µs
SPARSE_RECENT = 64  # a sparse event's margin follows the worst of the latest this many (margin.py)
# The sender's CPU time, to tell how long it was off the CPU (wall time − CPU time). Windows counts a
# thread's CPU time in whole scheduler ticks (~16 ms), too coarse: there the wall clock stands in, and
# only a jump of the clock in the spin is put down to being held off the CPU.
THREAD_CPU = time.thread_time if os.name == "posix" else time.perf_counter


def _writable(conn) -> bool:
    """True when a report can be written without blocking (POSIX; elsewhere assumed)."""
    if os.name != "posix":
        return True
    try:
        return bool(select.select([], [conn.fileno()], [], 0)[1])
    except (OSError, ValueError):
        return False


class SenderProcess:
    """The state of the running sender: its connection, ports and core."""

    def __init__(self, conn, settings: dict) -> None:
        self.conn = conn
        self.spin = float(settings.get("spin", 0.001))
        self.wake_samples: collections.deque[float] = collections.deque(maxlen=WAKE_SAMPLES)
        self.wake_sorted: list[float] = []  # the same, sorted
        self.current_spin = self.measured_spin = self.spin  # until calibrate() has measured the sleeps
        self.spin_cap = self.spin  # lowered while a dense stream keeps the sender busy (check_load)
        self.priority = int(settings.get("priority", 40))
        self.realtime_wanted = self.realtime = False  # set by main() when granted
        self.load_at = time.perf_counter()
        self.load_cpu = time.process_time()
        self.dropped_at = float("-inf")
        self.spun = 0.0  # seconds spent spinning, and messages sent, since the last check_load
        self.sends = 0
        self.dropped_before = False
        try:
            self.fileno = conn.fileno() if os.name == "posix" else None
        except (OSError, ValueError):
            self.fileno = None
        self.parent = int(settings.get("parent", os.getppid()))
        self.ports: list = []
        self.writers: list = []
        self.core = SenderCore(self._write, late_threshold=float(settings.get("late_threshold", 0.001)))
        self.stop_reason: str | None = None
        self.flushes: list[tuple[int, bool]] = []
        self.messages: list[bytes] = []  # reports waiting for room in the pipe
        self.last_report = self.last_parent_check = self.last_liveness = self.last_gc = time.perf_counter()
        self.stats_sent = None

    # -- ports -----------------------------------------------------------------------

    def _write(self, port: int, data: bytes) -> None:
        if port >= len(self.writers) or self.writers[port] is None:
            raise ValueError(f"no open port {port}")
        self.writers[port](data)

    def _writer(self, port: int):
        """The byte writer of `port`, or None (not open, or gone)."""
        return self.writers[port] if port < len(self.writers) else None

    def open_port(self, spec: dict) -> dict:
        from ..backends import Backend
        from ..errors import PortError

        if len(self.ports) >= protocol.MAX_PORTS:
            return {"error": f"at most {protocol.MAX_PORTS} ports per sender", "type": "ValueError"}
        try:
            backend = Backend(spec.get("backend"))
            port = backend.open_output(spec.get("name"), virtual=bool(spec.get("virtual")), **spec.get("options", {}))
        except Exception as error:  # any failure goes back to the caller, who raises it
            kind = type(error).__name__
            base = "PortError" if isinstance(error, PortError) else kind
            return {"error": str(error), "type": kind, "base": base, "available": getattr(error, "available", [])}
        self.ports.append(port)
        self.writers.append(port.byte_writer())
        return {"index": len(self.ports) - 1, "name": port.name}

    def check_ports(self) -> None:
        for index, port in enumerate(self.ports):
            if self.writers[index] is None:
                continue
            try:
                port.check_alive()
            except OSError as error:
                self.writers[index] = None  # every later send to it is reported, not attempted
                self.core.ledger.forget(index)
                self.report_error(f"port {port.name!r} is gone: {error}")

    def close_ports(self) -> None:
        for port in self.ports:
            try:
                port.close()  # a JACK output waits until JACK has taken what was written (backends.jack)
            except Exception:
                pass

    # -- commands --------------------------------------------------------------------

    def handle(self, payload: bytes) -> None:
        kind = payload[:1]
        core = self.core
        if kind == b"E":
            core.add_many(protocol.unpack_events(payload), now=time.perf_counter())
        elif kind == b"R":
            for id, deadline in protocol.unpack_retime(payload):
                core.retime(id, deadline)
        elif kind == b"X":
            core.cancel_ids(protocol.unpack_cancel_ids(payload))
        elif kind == b"C":
            tag, after, port = protocol.unpack_cancel(payload)
            core.cancel(tag=tag, after=after, port=port)
        elif kind == b"P":
            core.panic(protocol.unpack_panic(payload), [i for i, w in enumerate(self.writers) if w is not None])
        elif kind == b"F":
            self.flushes.append(protocol.unpack_flush(payload))
        elif kind == b"O":
            seq, spec = protocol.unpack_json(payload)
            self.post(protocol.pack_json(b"O", seq, self.open_port(spec)), force=True)
        elif kind == b"Q":
            self.stop_reason = "shutdown"
        else:
            self.report_error(f"unknown command {kind!r} from the main process (ignored)")

    def handle_safely(self, payload: bytes) -> None:
        """`handle`, reporting (not raising) what goes wrong: the sender never dies of a command."""
        try:
            self.handle(payload)
        except Exception as error:
            self.report_error(f"a command from the main process failed and was ignored: {error!r}")

    # -- reports ---------------------------------------------------------------------

    def post(self, message: bytes, force: bool = False) -> None:
        self.messages.append(message)
        if force:
            self.send_reports(block=True)

    def report_error(self, text: str) -> None:
        self.messages.append(b"!" + text.encode("utf-8", "replace"))

    def collect_reports(self) -> None:
        core = self.core
        for text in core.take_errors():
            self.report_error(text)
        sent = core.take_sent()
        for start in range(0, len(sent), MAX_SENT_BATCH):
            self.messages.append(protocol.pack_sent(sent[start : start + MAX_SENT_BATCH]))
        stats = (core.sent_count, core.late_count, core.worst_late, len(core), len(core.ledger), core.arrived_late,
                 core.late_woke, core.late_held, core.worst_other_late)  # fmt: skip
        if stats != self.stats_sent or not self.messages:
            self.stats_sent = stats
            self.messages.append(protocol.pack_stats(*stats[:5], time.process_time(), *stats[5:]))

    def send_reports(self, block: bool = False) -> None:
        """Write waiting reports; without `block`, only while the pipe has room."""
        self.collect_reports()
        while self.messages:
            if not block and not _writable(self.conn):
                return
            self.conn.send_bytes(self.messages.pop(0))
        self.last_report = time.perf_counter()

    def answer_flushes(self) -> None:
        """Answer the flushes that are done: reports first, so the answer comes after them."""
        ready = [(seq, drain) for seq, drain in self.flushes if not drain or not len(self.core)]
        if not ready:
            return
        self.flushes = [flush for flush in self.flushes if flush not in ready]
        self.collect_reports()
        for seq, _ in ready:
            self.messages.append(protocol.pack_seq(b"F", seq))
        self.send_reports(block=True)

    # -- the loop --------------------------------------------------------------------

    def housekeeping(self, now: float, slack: float) -> None:
        if now - self.last_parent_check >= HOUSEKEEPING:
            self.last_parent_check = now
            if os.getppid() != self.parent:
                self.stop_reason = "the main process died"
                return
        if now - self.last_liveness >= LIVENESS_EVERY and slack > 0.01:
            self.last_liveness = now
            self.check_ports()
        if now - self.last_gc >= GC_EVERY and slack > 0.02:
            self.last_gc = now
            gc.collect()
        if self.messages or self.core.sent or self.core.errors or now - self.last_report >= REPORT_EVERY:
            self.send_reports()

    def wait(self, timeout: float) -> bool:
        """Sleep until a command arrives or `timeout` s pass; True if a command did.

        POSIX: select(), whose timeout has µs resolution (poll() and epoll
        round up to whole milliseconds).
        """
        if self.fileno is None:
            return self.conn.poll(timeout)
        return bool(select.select([self.fileno], [], [], timeout)[0])

    def observe_wake(self, late: float) -> float:
        """Learn how late sleeps end here; returns the spin to use.

        At real-time priority a sleep ends when its timer fires, so the spin
        only has to cover the timer's own lateness: 1.25 × the 3rd-worst of
        the last 256 oversleeps (~p99), plus 75 µs, between MIN_SPIN and
        `spin`. A dense stream sleeps once an instant, so that p99 is its
        notes' p99: on the project's VM at 1000 notes/s the 4th-worst of 64
        (~p94) left notes p99 0.26-1.2 ms late under a busy thread, this
        5-250 µs, for ~10 points more of a core (issue 15's note). At normal
        priority a sleep also waits for a free core, which a measure taken
        while idle does not foresee: the whole `spin` is used.
        """
        samples, ordered = self.wake_samples, self.wake_sorted
        if len(samples) == samples.maxlen:
            del ordered[bisect.bisect_left(ordered, samples[0])]
        samples.append(late)
        bisect.insort(ordered, late)
        if len(ordered) >= 8:
            high = ordered[-min(WAKE_RANK, max(1, len(ordered) // 64))]
            self.measured_spin = min(self.spin, max(MIN_SPIN, 1.25 * high + 0.000075))
        self.current_spin = min(self.measured_spin, self.spin_cap) if self.realtime else self.spin
        return self.current_spin

    def recent_wakes(self):
        """The latest SPARSE_RECENT oversleeps (for a sparse event's margin)."""
        return itertools.islice(reversed(self.wake_samples), SPARSE_RECENT)

    def calibrate(self, sleeps: int = 24, length: float = 0.001) -> None:
        """Measure how late short sleeps end, before anything is played."""
        perf = time.perf_counter
        for _ in range(sleeps):
            wake = perf() + length
            if os.name == "posix":
                select.select([], [], [], length)  # the same timer as wait(), without the connection
            else:
                time.sleep(length)
            self.observe_wake(perf() - wake)

    def check_load(self, now: float) -> None:
        """Keep the sender under Linux's real-time throttle.

        Linux stops a SCHED_FIFO process that runs more than 95 % of a second
        for the rest of it (~50 ms: a gap in the music). A stream dense enough
        to keep the sender spinning would get that gap every second. So above
        85 % of a core the spin is halved (down to MIN_SPIN: a little late now
        and then is better than a gap); below 60 % it grows back. If even the
        least spin keeps the sender that busy, it drops to normal priority
        (saying so once) and asks for real time again 2 s later, once the load
        it would have at real time (counting only the measured spin) is low.
        """
        cpu = time.process_time()
        elapsed = max(now - self.load_at, 1e-9)
        busy = (cpu - self.load_cpu) / elapsed
        busy_at_realtime = busy - (self.spun - self.sends * min(self.measured_spin, self.spin_cap)) / elapsed
        self.load_cpu, self.load_at, self.spun, self.sends = cpu, now, 0.0, 0
        if self.realtime:
            if busy > 0.85 and self.spin_cap > MIN_SPIN:
                self.spin_cap = max(MIN_SPIN, self.spin_cap / 2)
            elif busy > 0.85:
                os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
                self.realtime = False
                self.dropped_at = now
                if not self.dropped_before:
                    self.dropped_before = True
                    self.report_error(
                        f"busy {busy:.0%} of a core even with the least spin: real-time priority is off "
                        "while the load lasts (Linux would throttle it)"
                    )
            elif busy < 0.6 and self.spin_cap < self.spin:
                self.spin_cap = min(self.spin, self.spin_cap * 1.25)
        elif now - self.dropped_at >= RT_RETRY and busy_at_realtime < 0.6:
            self.realtime, _ = ask_realtime(self.priority)
        self.current_spin = min(self.measured_spin, self.spin_cap) if self.realtime else self.spin

    def pending(self) -> bool:
        """True if a command (or end of file) waits on the connection; never blocks."""
        if self.fileno is None:
            return self.conn.poll(0)
        return bool(select.select([self.fileno], [], [], 0)[0])

    def run(self) -> None:
        conn = self.conn
        core = self.core
        perf = time.perf_counter
        spin = self.current_spin
        last = float("-inf")  # the deadline of the last message sent
        # For telling why a message was late (SenderCore.record): when the last sleep ended, if that was
        # after it was due (-inf otherwise), when it was due and the deadline it was for, and the wall
        # and CPU clocks since then or since the last instant sent on time.
        woke, asked, asked_for = float("-inf"), float("inf"), float("-inf")
        off_cpu = OffCpu(perf, THREAD_CPU)
        # The last clock reading since which the sender did only short work (no commands, no
        # housekeeping), and how many messages of that work were bookkeeping (OffCpu.gap).
        quiet, quiet_work = off_cpu.at, 0
        while self.stop_reason is None:
            deadline = core.next_deadline()
            now = perf()
            # Commands wait while a deadline is near: unpacking a batch takes
            # tens of µs, and every event in it is for later anyway. After the
            # main process was starved, many batches wait at once: reading them
            # all went past the next deadline by ms, so the reading stops when
            # one comes near.
            if deadline is None or deadline - now > COMMAND_MARGIN:
                try:
                    while self.pending():
                        payload = conn.recv_bytes()
                        self.handle_safely(payload)
                        done = perf()
                        if payload[:1] in BOUNDED_COMMANDS:  # since `quiet`: looking, reading, unpacking
                            bound = SHORT_WORK + MESSAGE_WORK * quiet_work + COMMAND_BYTE_WORK * len(payload)
                            off_cpu.gap(done - quiet, bound)
                        quiet, quiet_work = done, 0
                        deadline = core.next_deadline()
                        if deadline is not None and deadline - perf() <= COMMAND_MARGIN:
                            break
                except (EOFError, OSError):
                    self.stop_reason = "the main process died"
                    break
                if self.flushes:
                    self.answer_flushes()  # waits for the pipe: not short work
                    quiet, quiet_work = perf(), 0
                if self.realtime_wanted and now - self.load_at >= LOAD_EVERY:
                    self.check_load(now)
                    spin = self.current_spin
                now = perf()
            # A sparse stream gets the whole `spin` (more after late wake-ups: see margin.py): it costs
            # little CPU, and covers the rare long oversleep that the measured margin misses.
            margin = (
                spin if deadline is None or deadline - last < SPARSE_GAP
                else sparse_margin(max(spin, self.spin_cap), self.recent_wakes(), deadline - last)
            )  # fmt: skip
            if deadline is not None and deadline - now <= margin:
                # The whole instant, and each message's writer, before the spin: after it, only the writes.
                batch = core.pop_instant(now)
                prepared = prepare(batch, self._writer)
                spun_from = perf()
                off_cpu.gap(spun_from - quiet, SHORT_WORK + MESSAGE_WORK * (quiet_work + len(batch)))
                outcomes, overshot = write_watched(prepared, perf, deadline)  # spin, then stamp and write each
                ended, ended_cpu = perf(), THREAD_CPU()
                self.spun += max(0.0, deadline - spun_from)
                self.sends += len(batch)
                late_before = core.late_count
                # Held off the CPU: the wall time it did not get as CPU time, or jumps of the clock across
                # deadlines in the spin (a hypervisor that takes the CPU may count it as the sender's).
                spun = max(spun_from, deadline + overshot)  # the spin's end, or its start when it was due already
                held = off_cpu.held(ended, ended_cpu, overshot, outcomes, spun)
                core.record_instant(batch, outcomes, woke, held, asked, asked_for)
                if core.late_count == late_before:  # else the backlog behind it was late for the same cause
                    off_cpu.on_time(ended, ended_cpu, outcomes)
                quiet, quiet_work = ended, len(batch)
                last = batch[-1][0]
                continue
            slack = HOUSEKEEPING if deadline is None else deadline - now - margin
            if slack > 0.002 or now - self.last_report > REPORT_EVERY and slack > 0.0005:
                try:
                    self.housekeeping(now, slack)
                except (EOFError, OSError):
                    self.stop_reason = "the main process died"  # the report pipe broke
                    continue
                except Exception as error:  # the sender never dies of its own bookkeeping
                    self.report_error(f"housekeeping failed: {error!r}")
                quiet, quiet_work = perf(), 0
                slack = HOUSEKEEPING if deadline is None else deadline - quiet - margin
            if slack > 0:
                timeout = min(slack, HOUSEKEEPING)
                wake = perf() + timeout
                try:
                    woken_by_command = self.wait(timeout)
                except (EOFError, OSError):
                    self.stop_reason = "the main process died"
                    continue
                off_cpu.mark()
                quiet, quiet_work = off_cpu.at, 0
                woke = off_cpu.at if off_cpu.at > wake else float("-inf")  # a sleep that ended after it was due
                asked, asked_for = wake, float("-inf") if deadline is None else deadline
                if not woken_by_command:  # every timed-out sleep says how late sleeps end
                    spin = self.observe_wake(off_cpu.at - wake)

    def finish(self) -> None:
        """End every sounding note (paced), report (if the main process listens), close the ports."""
        core = self.core
        core.release_all()
        while (deadline := core.next_deadline()) is not None:  # only the release is left: each at its slot
            time.sleep(max(0.0, deadline - time.perf_counter()))
            core.send_due(time.perf_counter())
        if self.stop_reason == "shutdown":
            try:
                self.send_reports(block=True)
            except OSError:
                pass
        self.close_ports()


def main() -> int:
    settings = json.loads(sys.stdin.readline())
    authkey = bytes.fromhex(settings["authkey"])
    listener = Listener(authkey=authkey)
    print(json.dumps({"address": listener.address}), flush=True)
    # Nothing more goes to stdout: the main process stops reading it.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    # A main process that dies before it connects must not leave this one waiting.
    watchdog = threading.Timer(CONNECT_TIMEOUT, os._exit, [1])
    watchdog.daemon = True
    watchdog.start()
    try:
        conn = listener.accept()
    finally:
        watchdog.cancel()
        listener.close()
    process = SenderProcess(conn, settings)

    def stop(signum, frame):
        process.stop_reason = f"signal {signum}"

    signal.signal(signal.SIGTERM, stop)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the main process
    tighten_timer_slack()
    granted, detail = (False, "real-time scheduling not asked for")
    if settings.get("realtime", True):
        granted, detail = ask_realtime(process.priority)
        process.idle_fd, idle_detail = hold_idle_latency()  # held open until this process ends
        detail += idle_detail
    process.realtime_wanted = process.realtime = granted
    process.calibrate()
    gc.collect()
    gc.freeze()
    gc.disable()  # collections happen in housekeeping, when there is slack
    hello = {"pid": os.getpid(), "realtime": granted, "detail": detail, "spin": process.current_spin}
    conn.send_bytes(b"H" + json.dumps(hello).encode())
    try:
        process.run()
    finally:
        process.finish()
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
