"""bench/timing.py's conditions (what else runs while notes are timed) and what the machine does meanwhile.

- `condition(name)`: idle; a busy pure-Python thread in this process (a
  performer's heavy code); a thread making C calls that hold the GIL for
  about 10 ms each (``sum(range(N))``: one C call, no bytecode, so no switch
  interval can take the GIL from it); two CPU-burning processes.
- `CpuWatch`: the whole machine's CPU time over a run, from ``/proc/stat``,
  split into what this bench's own processes used and what others used, and
  the time the hypervisor stole.

Misuse: a condition is a context manager; its load stops when the block
ends, also on an exception. `CpuWatch` reads Linux's ``/proc``; elsewhere it
reports nothing.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time

__all__ = ["CONDITIONS", "CpuWatch", "condition", "gil_call_size", "preemptions", "thread_cpu"]

CONDITIONS = ("idle", "busy thread", "GIL-holding C calls", "2 CPU burners")
GIL_CALL = 0.010  # seconds each GIL-holding C call lasts
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

_gil_size: list[int] = []


def gil_call_size() -> int:
    """The N for which ``sum(range(N))`` takes about `GIL_CALL` seconds here (measured once)."""
    if not _gil_size:
        n = 100_000
        while True:
            started = time.perf_counter()
            sum(range(n))
            took = time.perf_counter() - started
            if took > 0.002:
                _gil_size.append(max(1, int(n * GIL_CALL / took)))
                break
            n *= 4
    return _gil_size[0]


def _burn(stop: threading.Event) -> None:
    x = 0
    while not stop.is_set():
        for i in range(2000):
            x += i * i


def _hold_gil(stop: threading.Event, n: int) -> None:
    while not stop.is_set():
        sum(range(n))  # one C call: the GIL is held until it returns
        time.sleep(0)  # let the other threads have it between calls


@contextlib.contextmanager
def condition(name: str):
    """Run the load of condition `name` while the block runs; yields the burner pids (if any)."""
    if name not in CONDITIONS:
        raise ValueError(f"a condition is one of {', '.join(CONDITIONS)}; got {name!r}")
    stop = threading.Event()
    processes: list[subprocess.Popen] = []
    thread = None
    if name == "busy thread":
        thread = threading.Thread(target=_burn, args=(stop,), daemon=True)
    elif name == "GIL-holding C calls":
        thread = threading.Thread(target=_hold_gil, args=(stop, gil_call_size()), daemon=True)
    elif name == "2 CPU burners":
        processes = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    if thread is not None:
        thread.start()
    try:
        yield [process.pid for process in processes]
    finally:
        stop.set()
        if thread is not None:
            thread.join()
        for process in processes:
            process.kill()
            process.wait()


def _proc_cpu(pid: int | str) -> float:
    """CPU seconds (user + system) of a process (or ``'self/task/TID'``) so far; 0 if unknown."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def thread_cpu(native_id: int | None) -> float:
    """CPU seconds of one of this process's threads, by its native id (Linux); 0 if unknown."""
    return 0.0 if native_id is None else _proc_cpu(f"self/task/{native_id}")


def preemptions(pid: int) -> tuple[int, int] | None:
    """(involuntary context switches so far, scheduling policy) of a process; None off Linux.

    A SCHED_FIFO process is switched out involuntarily only for a task of
    higher priority (or by the real-time throttle); time the hypervisor takes
    from the whole virtual CPU is not counted. Policy 1 is SCHED_FIFO, 0 normal.
    Traced with the kernel's sched_switch events (15 s at 1000/s under the busy
    thread, 70 switches): every one was the stopper thread migration/N, which
    moves normal threads between CPUs for the load balancer and outranks
    every policy; it gave the CPU back after 11 µs (median), 21 µs at most.
    """
    try:
        with open(f"/proc/{pid}/sched") as file:
            fields = {key.strip(): value for key, value in (line.split(":", 1) for line in file if ":" in line)}
        return int(fields["nr_involuntary_switches"]), int(fields["policy"])
    except (OSError, KeyError, ValueError):
        return None


def _machine() -> tuple[float, float] | None:
    """(busy, steal) CPU seconds of the whole machine so far, from /proc/stat; None off Linux."""
    try:
        with open("/proc/stat") as file:
            fields = [int(x) for x in file.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / TICK, steal / TICK


class CpuWatch:
    """The machine's CPU use over a run: ``watch = CpuWatch(); ...; watch.stop(our_pids)``.

    After `stop`: `others` is the CPU (in cores, averaged over the run) used
    by processes that are not this bench's (this process, the given pids: the
    sender, the burners), and `steal` the share of a core the hypervisor took.
    Both are None where /proc is missing.
    """

    def __init__(self, pids: list[int] = ()) -> None:
        self.started = time.perf_counter()
        self.machine = _machine()
        self.ours = self._ours(pids)
        self.others: float | None = None
        self.steal: float | None = None

    @staticmethod
    def _ours(pids) -> float:
        return _proc_cpu("self") + sum(_proc_cpu(pid) for pid in pids)

    def stop(self, pids: list[int] = (), ours_before: float | None = None) -> CpuWatch:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        machine = _machine()
        if machine is None or self.machine is None:
            return self
        ours = self._ours(pids) - (self.ours if ours_before is None else ours_before)
        busy = machine[0] - self.machine[0]
        self.others = max(0.0, (busy - ours) / elapsed)
        self.steal = (machine[1] - self.machine[1]) / elapsed
        return self
