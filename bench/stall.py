"""Benchmark: does trying a heavy pattern stall the other loops, and why?

A `Session` with its real sender process and an in-memory output plays a kick
on every beat. In the main thread (as the REPL would) each heavy pattern is
tried in turn (`session.p.big = note(...)`), stopped after ``--seconds`` if it
is still running (a trial without a budget runs for minutes). Meanwhile every
step of the lookahead thread and every garbage collection is timed. For each
pattern it prints:

- how long the line took, and what became of it (refused, accepted, stopped);
- the lookahead thread's longest gap between two steps (it steps every 10 ms
  and works 100 ms ahead: a gap longer than that is heard);
- the garbage collections in that time: how many full ones (generation 2),
  the longest, and the total;
- the kick's beats in that time: expected, and missing (skipped because their
  window came too late).

    python3 bench/stall.py [--seconds 8]

Run it on an older livemidi (``PYTHONPATH=/path/to/old/checkout``) to see the
stall it measures: there, ``c4*1000000`` kept the trial running with millions
of events alive, and each full collection held the GIL for up to half a second.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
import time

if "livemidi" not in sys.modules and not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
os.environ["LIVEMIDI_BACKEND"] = "livemidi.backends.memory"  # the sender process inherits it

from livemidi.pattern import note  # noqa: E402
from livemidi.session import Session  # noqa: E402

HEAVY = {
    "c4*100000": "c4*100000",
    "c4*1000000": "c4*1000000",
    '"c4" + "*2"*60': "c4" + "*2" * 60,
    '"c4" + "!"*60000': "c4" + "!" * 60000,
}
BPM = 240
BEAT = 60 / BPM


class Interrupted(BaseException):
    """Like Ctrl-C: not an Exception, so a trial does not take it for a pattern's error."""


_armed = threading.Event()


def _interrupt(signum, frame):
    if _armed.is_set():
        signal.setitimer(signal.ITIMER_REAL, 0.05)  # again, in case this one lands in a gc callback (and is lost)
        raise Interrupted()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="stop a trial still running after this long")
    args = parser.parse_args(argv)
    steps: list[tuple[float, float]] = []
    collections: list[tuple[float, float, int]] = []
    started: dict[int, float] = {}

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            started[threading.get_ident()] = time.perf_counter()
        else:
            began = started.pop(threading.get_ident(), None)
            if began is not None:
                collections.append((began, time.perf_counter(), info["generation"]))

    session = Session(bpm=BPM, on_notice=lambda text: None)
    try:
        session.add_output("bench", virtual=True)
        session.p.kick = note("c1*4")
        step = session.clock.step

        def timed_step(now=None):
            began = time.perf_counter()
            try:
                return step(now)
            finally:
                steps.append((began, time.perf_counter()))

        session.clock.step = timed_step
        session.start()
        time.sleep(1.0)
        gc.callbacks.append(on_gc)
        signal.signal(signal.SIGALRM, _interrupt)
        for name, text in HEAVY.items():
            time.sleep(0.5)
            session.sender.take_sent()
            began = time.perf_counter()
            _armed.set()
            signal.setitimer(signal.ITIMER_REAL, args.seconds)
            try:
                session.p.big = note(text)
                outcome = "accepted"
            except Interrupted:
                _armed.clear()
                outcome = f"still running after {args.seconds:g} s: stopped"
            except Exception as error:
                outcome = f"refused ({type(error).__name__})"
            finally:
                _armed.clear()
                signal.setitimer(signal.ITIMER_REAL, 0)
            ended = time.perf_counter()
            if "big" in session.loops:
                session.hush()
                session.p.kick = note("c1*4")
            time.sleep(1.0)  # the sender reports what it sent when it has slack
            _report(name, outcome, began, ended, steps, collections, session.sender.take_sent())
    finally:
        if on_gc in gc.callbacks:
            gc.callbacks.remove(on_gc)
        session.close()
    return 0


def _report(name, outcome, began, ended, steps, collections, sent) -> None:
    during = [(a, b) for a, b in steps if began <= a <= ended]
    gap = max((later[0] - earlier[1] for earlier, later in zip(during, during[1:])), default=0.0)
    pauses = [(a, b, generation) for a, b, generation in collections if began <= a <= ended]
    full = sum(1 for *_, generation in pauses if generation == 2)
    longest = max((b - a for a, b, _ in pauses), default=0.0)
    total = sum(b - a for a, b, _ in pauses)
    kick = bytes([0x90, 24])
    beats = sorted(record.deadline for record in sent if record.data[:2] == kick)
    beats = [deadline for deadline in beats if began - BEAT <= deadline <= ended + BEAT]
    missing = sum(round((later - earlier) / BEAT) - 1 for earlier, later in zip(beats, beats[1:]))
    print(f"{name:18s} {ended - began:5.2f} s, {outcome}; lookahead's longest gap {gap * 1000:4.0f} ms; "
          f"gc: {len(pauses)} collections, {full} full, longest {longest * 1000:4.0f} ms, "
          f"total {total * 1000:5.0f} ms; kick: {missing} beats missing")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
