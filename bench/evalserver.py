"""Benchmark: the eval server's answers and play events, on a session that plays for real.

A `Session` with its real sender process and an in-memory output, an eval
server on a free port, and a client on a socket (the one `livemidi send`
uses). It prints:

- the round trip of ``status`` and of a small ``eval``, median and p99 (ms);
- the play events' timing: for each note, the time a client would light it
  up (when the event line came, plus its ``at``) against the time the sender
  process actually wrote it to the port (both on the machine's monotonic
  clock), median, p99 and worst (ms), and how far ahead the events came;
- what telling the notes costs the lookahead thread: its CPU time per second
  with no subscriber and with one.

    python3 bench/evalserver.py [--seconds 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time

if "livemidi" not in sys.modules and not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
os.environ["LIVEMIDI_BACKEND"] = "livemidi.backends.memory"  # the sender process inherits it
os.environ["LIVEMIDI_SERVER_FILE"] = os.path.join(tempfile.mkdtemp(prefix="livemidi-bench-"), "server.json")

from livemidi.evalserver import connect, serve_eval  # noqa: E402
from livemidi.session import Session  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def round_trips(client, count: int, op: str, **fields) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        answer = client.request(op, **fields)
        times.append((time.perf_counter() - started) * 1000)
        assert answer["ok"], answer
    return times


def cpu_per_second(session: Session, seconds: float) -> float:
    before = session.clock.cpu_seconds
    time.sleep(seconds)
    return (session.clock.cpu_seconds - before) / seconds * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="how long to play for each measurement")
    args = parser.parse_args()
    with Session(bpm=120) as session:
        session.add_output("bench", virtual=True)
        sent: list[float] = []
        session.add_listener(lambda records: sent.extend(r.time for r in records if r.data[0] & 0xF0 == 0x90))
        with serve_eval(session, port=0) as server, connect() as client:
            status = round_trips(client, 500, "status")
            small = round_trips(client, 500, "eval", code="x = 1")
            print(f"status round trip: median {statistics.median(status):.3f} ms, p99 {percentile(status, 0.99):.3f} ms")
            print(f"eval round trip:   median {statistics.median(small):.3f} ms, p99 {percentile(small, 0.99):.3f} ms")

            client.request("eval", code="p.hats = note('[c4,e4,g4]*16')")  # 32 notes a second at 120 BPM
            session.start()
            time.sleep(0.5)
            quiet = cpu_per_second(session, args.seconds)
            client.request("subscribe", events=["play"])
            told: list[tuple[float, float]] = []  # (when it should sound, how far ahead it was told)
            done = threading.Event()

            def listen() -> None:
                while not done.is_set():
                    try:
                        event = client.next_event(timeout=0.5)
                    except TimeoutError:
                        continue
                    now = time.perf_counter()
                    told.append((now + event["at"], event["at"]))

            listener = threading.Thread(target=listen)
            listener.start()
            sent.clear()
            busy = cpu_per_second(session, args.seconds)
            time.sleep(0.5)
            done.set()
            listener.join()
        errors = []
        first, last = (min(sent), max(sent)) if sent else (0.0, 0.0)
        for due, _ahead in told:
            if not first - 0.01 <= due <= last + 0.01:
                continue  # sounded before or after the sent notes were taken in
            nearest = min(sent, key=lambda t: abs(t - due), default=None)
            if nearest is not None:
                errors.append(abs(nearest - due) * 1000)
        aheads = [ahead * 1000 for _, ahead in told]
        print(f"play events: {len(told)} told, {len(sent)} notes sent meanwhile")
        print(f"  told ahead: median {statistics.median(aheads):.1f} ms, least {min(aheads):.1f} ms")
        print(f"  light-up vs sent: median {statistics.median(errors):.3f} ms, p99 {percentile(errors, 0.99):.3f} ms, "
              f"worst {max(errors):.3f} ms")
        print(f"lookahead thread CPU: {quiet:.2f} ms/s with no subscriber, {busy:.2f} ms/s with one")


if __name__ == "__main__":
    main()
