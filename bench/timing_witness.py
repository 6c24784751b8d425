"""A witness beside bench/timing.py's livemidi runs: when did a CPU stop running user code?

The floor probe (bench/timing_floor.py) measures the machine at another
moment than the run. The witness watches during the run itself: one child
process per CPU, pinned to it, at real-time priority one above the sender's,
so that nothing but the kernel and the hypervisor can hold it up. It sleeps
0.5-1.5 ms at a time, at random, and notes every wake that comes more than
`STALL` late: a **stall**, (asked, woke). At that priority a wake that late
means the CPU ran no user code until `woke`: an interrupt storm, a kernel
stopper, or the hypervisor running something else on that virtual CPU, or
waking its halted virtual CPU late.

Once the session has started the bench tells it the run's grid
(`Witness.grid`), and it asks for no wake from `CLEAR_BEFORE` before a
deadline to `CLEAR_AFTER` after it, where it would take the CPU from the
sender as it writes.

`covers` says whether a note, late, was written as a CPU came back from a
stall (on any CPU: when a halted virtual CPU is woken late, the witness on
it takes it back first, and the sender, whose timer was late on it too,
writes on the other CPU; traced on the project's VM), and `chance` how
often that would hold for a write at a random moment.

Misuse: it costs ~1000 short wakes a second on each CPU (~2 % of a core
each), and a wake now and then inside the sender's spin; run with
``bench/timing.py --no-witness`` to see what it changes.
"""

from __future__ import annotations

import array
import bisect
import json
import os
import random
import select
import subprocess
import sys
import time

__all__ = ["STALL", "Witness"]

STALL = 200e-6  # a wake later than this is noted (s)
PERIOD = 0.001  # mean sleep (s)
# Once told the run's grid of deadlines, no wake is asked for from this long before a deadline
# to this long after it: a wake there would take the CPU from the sender as it writes.
CLEAR_BEFORE = 100e-6
CLEAR_AFTER = 150e-6
RESUMED = 250e-6  # a write this soon after a CPU came back from a stall was held up by it ...
AFTER = 50e-6  # ... or this soon before the witness on it read its clock


def _asked_after(now: float, rng: random.Random, grid: tuple[float, float] | None) -> float:
    """The next wake: ~`PERIOD` on, at random, and clear of the sender's instants on `grid` (t0, period)."""
    while True:
        asked = now + PERIOD * (0.5 + rng.random())
        if grid is None:
            return asked
        t0, period = grid
        into = (asked - t0) % period  # how far past the last deadline of the grid
        if CLEAR_AFTER < into < period - CLEAR_BEFORE:
            return asked
        now = asked


def _watch(cpu: int, priority: int) -> dict:
    from timing_floor import _realtime

    os.sched_setaffinity(0, {cpu})
    detail = _realtime(priority)
    perf = time.perf_counter
    stalls = array.array("d")
    wakes = 0
    rng = random.Random(cpu)
    grid = None
    started = perf()
    asked = started + PERIOD
    while True:
        ready, _, _ = select.select([sys.stdin], [], [], max(0.0, asked - perf()))
        woke = perf()
        if ready:
            line = sys.stdin.readline()
            if not line:  # the parent closed the pipe: stop
                return {"cpu": cpu, "realtime": detail, "wakes": wakes, "started": started, "ended": woke,
                        "stalls": stalls.tolist()}  # fmt: skip
            t0, period = map(float, line.split())
            grid = (t0, period)
        else:
            wakes += 1
            if woke - asked > STALL:
                stalls.extend((asked, woke))
        asked = _asked_after(woke, rng, grid)


class Witness:
    """One watcher per CPU this process may run on, while the `with` block runs."""

    def __init__(self, priority: int = 41) -> None:
        self.priority = priority
        self.stalls: dict[int, list[tuple[float, float]]] = {}
        self.wakes = 0
        self.realtime = ""
        self.started, self.ended = float("inf"), float("-inf")
        self._merged: list[tuple[float, float]] | None = None
        self._children: list[subprocess.Popen] = []

    def __enter__(self) -> "Witness":
        here = os.path.dirname(os.path.abspath(__file__))
        for cpu in sorted(os.sched_getaffinity(0)):
            self._children.append(subprocess.Popen(
                [sys.executable, os.path.abspath(__file__), str(cpu), str(self.priority)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=here,
            ))  # fmt: skip
        time.sleep(0.2)  # each has pinned itself and asked for real time before the run starts
        return self

    def grid(self, t0: float, period: float) -> None:
        """The run's deadlines are t0 + i × period: wake clear of them from now on."""
        for child in self._children:
            child.stdin.write(f"{t0!r} {period!r}\n")
            child.stdin.flush()

    def __exit__(self, *exc) -> None:
        for child in self._children:
            child.stdin.close()
        for child in self._children:
            out = child.stdout.read()
            child.wait(timeout=10)
            if child.returncode != 0:
                raise RuntimeError(f"the witness on a CPU failed (exit {child.returncode})")
            seen = json.loads(out)
            flat = seen["stalls"]
            self.stalls[seen["cpu"]] = list(zip(flat[0::2], flat[1::2]))
            self.wakes += seen["wakes"]
            self.realtime = seen["realtime"]
            self.started = min(self.started, seen["started"])
            self.ended = max(self.ended, seen["ended"])

    def covers(self, deadline: float, stamp: float) -> bool:
        """Was a message due at `deadline` and written at `stamp` written as a CPU came back from a stall?

        A stall (asked, woke) is the least a CPU was away: it went before
        `asked`, at a time the witness cannot see, and came back at `woke`.
        A message is inside it when it was written while the stall lasted
        (the sender writes on another CPU while this one is away) or less
        than `RESUMED` after it ended (or at most `AFTER` before the witness
        read its clock), or when the stall spans half the time it was late.
        """
        stalls = self._all()
        k = bisect.bisect_left(stalls, deadline - self.longest(), key=lambda stall: stall[0])
        for asked, woke in stalls[k:]:
            if asked >= stamp:
                break
            if stamp - RESUMED <= woke and stamp <= woke + AFTER:
                return True
            if min(woke, stamp) - max(asked, deadline) >= (stamp - deadline) / 2:
                return True
        return False

    def chance(self) -> float:
        """The share of the run's time in which a write would be inside a stall by chance (from `asked` to `AFTER` past `woke`)."""
        spans = sorted((min(asked, woke - RESUMED), woke + AFTER) for asked, woke in self._all())
        covered, reach = 0.0, float("-inf")
        for start, end in spans:
            covered += max(0.0, end - max(start, reach))
            reach = max(reach, end)
        return covered / max(1e-9, self.ended - self.started)

    def account(self, pairs: list[tuple[float, float]]) -> dict:
        """How many note-ons (ideal, stamp) over 1 ms and over `STALL` late were inside a stall."""
        row = {"stalls": len(self._all()), "longest_us": self.longest() * 1e6, "wakes": self.wakes,
               "realtime": self.realtime, "chance": self.chance()}  # fmt: skip
        for name, limit in (("over_1ms", 1e-3), ("over_stall", STALL)):
            late = [(ideal, stamp) for ideal, stamp in pairs if stamp - ideal > limit]
            row[name] = len(late)
            row[name + "_covered"] = sum(self.covers(ideal, stamp) for ideal, stamp in late)
        row["uncovered"] = [self.nearest(ideal, stamp) for ideal, stamp in pairs
                            if stamp - ideal > 1e-3 and not self.covers(ideal, stamp)][:5]  # fmt: skip
        return row

    def nearest(self, deadline: float, stamp: float) -> dict:
        """A late message and the stall nearest its write, in µs after its deadline: to show why it is not covered."""
        row = {"late_us": (stamp - deadline) * 1e6}
        stall = min(self._all(), key=lambda s: max(s[0] - stamp, stamp - s[1], 0.0), default=None)
        if stall is not None:
            row["stall_us"] = [(stall[0] - deadline) * 1e6, (stall[1] - deadline) * 1e6]
        return row

    def _all(self) -> list[tuple[float, float]]:
        if self._merged is None:
            self._merged = sorted(stall for stalls in self.stalls.values() for stall in stalls)
        return self._merged

    def longest(self) -> float:
        """The longest stall seen on any CPU (s)."""
        return max((woke - asked for stalls in self.stalls.values() for asked, woke in stalls), default=0.0)


if __name__ == "__main__":
    print(json.dumps(_watch(int(sys.argv[1]), int(sys.argv[2]))))
