"""Benchmark: how many events a bar one loop can have before the others suffer, on this machine.

The session's budget (`livemidi.session.budget`) refuses or mutes a loop that
needs more than ``Budget.events`` events a bar. This measures what the
performer's whole path sustains here: a `Session` with its real timed-sender
process and an in-memory output, a kick on every beat, and one loop of
``note("c4*N")`` played for a few bars at 120 BPM, for growing N (the budget
raised out of the way). For each N it prints:

- the lookahead thread's CPU, as a share of a core, and per event;
- the kick's notes: how many were skipped (a window rendered too late) and
  how late the latest one was sent, against its deadline;
- the sender's late count (every message sent over 1 ms after its deadline;
  the heavy loop's too).

    python3 bench/budget.py [--bars 4] [--sizes 2500,5000,10000,20000] [--json PATH]

The default budget (5000 events a bar) is half of the N at which the kick
began to suffer on the project's machine (10,000: on time in some runs, late
in others; at 20,000 beats were skipped), for headroom: more loops, a faster
tempo, a busier machine. See docs/live.md, "Budgets".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
os.environ["LIVEMIDI_BACKEND"] = "livemidi.backends.memory"  # the sender process inherits it

from livemidi.pattern import note  # noqa: E402
from livemidi.session import Budget, Session  # noqa: E402

BPM = 120


def measure(size: int, bars: int) -> dict:
    session = Session(bpm=BPM, on_notice=lambda text: None, budget=Budget(events=10**9, share=1))
    try:
        session.add_output("bench", virtual=True)
        session.p.kick = note("c1*4")
        session.p.heavy = note(f"c4*{size}")
        session.start()
        time.sleep(1.0)  # settle: the first bar is not measured
        session.sender.take_sent()
        late0, skipped0 = session.sender.stats.late, session.clock.skipped
        cpu0, wall0 = session.clock.cpu_seconds, time.perf_counter()
        sent = []
        while time.perf_counter() < wall0 + bars * 4 * 60 / BPM:
            time.sleep(0.1)
            sent += session.sender.take_sent()  # often: the sender keeps only the last 100,000
        cpu = session.clock.cpu_seconds - cpu0
        wall = time.perf_counter() - wall0
        skipped = session.clock.skipped - skipped0
        session.mute("heavy")
        time.sleep(3.0)  # the sender reports what it sent when it has slack: now
        sent += session.sender.take_sent()
        late = session.sender.stats.late - late0  # reported with what was sent: after the wait
        kick = bytes([0x90, 24])
        kicks = [record for record in sent if record.data[:2] == kick and wall0 <= record.deadline < wall0 + wall]
    finally:
        session.close()
    played = size * wall * BPM / 240  # events of the heavy loop in that time
    worst_kick = max((sent.time - sent.deadline for sent in kicks), default=float("nan"))
    expected = int(wall * BPM / 60)
    result = {
        "size": size, "cpu_share": cpu / wall, "us_per_event": cpu / played * 1e6, "kicks": len(kicks),
        "kicks_expected": expected, "kick_worst_late_ms": worst_kick * 1000, "sender_late": late, "skipped": skipped,
    }  # fmt: skip
    print(f"c4*{size:<6d} lookahead {cpu / wall:4.0%} of a core, {result['us_per_event']:5.1f} µs/event; "
          f"kick {len(kicks)}/{expected} sent, latest {worst_kick * 1000:6.2f} ms late; "
          f"sender late {late}, skipped {skipped}")  # fmt: skip
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bars", type=int, default=4, help="bars measured per size (default 4)")
    parser.add_argument("--sizes", default="2500,5000,10000,20000", help="events a bar to try, comma-separated")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)
    results = [measure(int(size), args.bars) for size in args.sizes.split(",")]
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
