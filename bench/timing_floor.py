"""The machine's floor for bench/timing.py: how late the best user-space sender could be here.

Run as a child process (``python bench/timing_floor.py SECONDS PRIORITY``),
it asks for SCHED_FIFO at the sender's priority and its timer slack at 1 ns,
as the timed sender does, then:

- **spins** on ``time.perf_counter()`` for SECONDS, in bursts of 50 ms with
  5 ms rests (below Linux's real-time throttle, 95 % of each second), and
  notes every *jump*: two consecutive readings more than 5 µs apart. A
  spinner at real-time priority that sees the time jump by 1 ms was not
  running for 1 ms: an interrupt, or the hypervisor running something else on
  this virtual CPU. No sender in this VM can be on time inside a jump.
- **sleeps** 0.8 ms at a time in ``select()`` for SECONDS / 2 (as the sender
  sleeps before a deadline) and notes how late each sleep ends. On a virtual
  machine an idle CPU halts, and the host wakes it when it gets round to it.

It prints one JSON line: ``{"realtime", "jumps": [[t, length], ...], "bursts":
[[start, end], ...], "sleep_late": [...]}``, times in seconds.
`floor_lateness` turns the jumps into what a perfect spinner would have
shown for deadlines on a grid of `period` seconds.

Misuse: it spins a whole core at real-time priority while it runs; run it
alone, not beside the measurement it is the floor of.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import select
import sys
import time

__all__ = ["floor_lateness", "measure_floor"]

JUMP = 5e-6  # readings further apart than this are a jump (s)
BURST = 0.05  # seconds of spinning ...
REST = 0.005  # ... then this much sleep, under the real-time throttle
SLEEP = 0.0008  # the sleeps of the sleep probe (s)


def _realtime(priority: int) -> str:
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(priority))
    except (AttributeError, OSError, ValueError) as error:
        return f"not real-time ({error})"
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(29, 1, 0, 0, 0)  # PR_SET_TIMERSLACK, 1 ns
    except (OSError, AttributeError):
        pass
    return f"SCHED_FIFO priority {priority}"


def _spin(seconds: float) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    perf = time.perf_counter
    jumps: list[tuple[float, float]] = []
    bursts: list[tuple[float, float]] = []
    end = perf() + seconds
    while True:
        start = last = perf()
        if start >= end:
            return jumps, bursts
        stop = min(start + BURST, end)
        while last < stop:
            now = perf()
            if now - last > JUMP:
                jumps.append((last, now - last))
            last = now
        bursts.append((start, last))
        time.sleep(REST)


def _sleep(seconds: float) -> list[float]:
    perf = time.perf_counter
    late = []
    end = perf() + seconds
    while perf() < end:
        wake = perf() + SLEEP
        select.select([], [], [], SLEEP)
        late.append(perf() - wake)
    return late


def measure_floor(seconds: float, priority: int = 40) -> dict:
    """Spin `seconds`, then sleep `seconds` / 2, at real-time `priority` (in a child process: see the docstring)."""
    import subprocess

    child = subprocess.run(
        [sys.executable, os.path.abspath(__file__), str(seconds), str(priority)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(child.stdout)


def floor_lateness(floor: dict, period: float) -> list[float]:
    """Sorted lateness (s) a perfect spinner would show for deadlines every `period` s while it spun.

    A deadline inside a jump is late by the rest of the jump; any other is on
    time (a reading takes ~0.1 µs).
    """
    jumps = sorted(floor["jumps"])
    starts = [t for t, _ in jumps]
    count = 0
    late: list[float] = []
    for begin, end in floor["bursts"]:
        count += max(0, math.floor(end / period) - math.ceil(begin / period) + 1)
        for k in range(bisect.bisect_left(starts, begin), bisect.bisect_right(starts, end)):
            t, length = jumps[k]
            for index in range(math.ceil(t / period), math.floor((t + length) / period) + 1):
                deadline = index * period
                if t < deadline <= t + length:
                    late.append(t + length - deadline)
    late.sort()
    return [0.0] * max(1, count - len(late)) + late


def main(argv: list[str]) -> int:
    seconds, priority = float(argv[0]), int(argv[1])
    detail = _realtime(priority)
    jumps, bursts = _spin(seconds)
    sleep_late = _sleep(seconds / 2)
    print(json.dumps({"realtime": detail, "jumps": jumps, "bursts": bursts, "sleep_late": sleep_late}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
