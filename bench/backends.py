"""Benchmark: livemidi's two real backends (rtmidi, libremidi) on JACK, against mido in the same run.

    python3 bench/backends.py [--quick] [--json PATH]

Needs JACK: a running server, or jackd installed (the script then starts one
with the dummy driver, 256 frames at 48 kHz, as the tests do, and stops it).

What is measured, per backend (a backend whose library is not installed here
is left out, and so is mido without python-rtmidi):

send
    seconds per ``port.send(Message)``, the call a user's code makes, and per
    write through ``port.byte_writer()``, the call the timed sender makes just
    after its deadline. mido's ``port.send`` (on python-rtmidi, its default)
    is the peer. Interleaved rounds; the minimum per round (the least
    disturbed) is reported, and ratio = mido / livemidi.
arrival
    from the instant of a write to the instant a callback on another JACK
    client has the message, for each pair (output backend -> input backend).
    JACK hands MIDI over once per period (5.33 ms here), so the floor and
    the spread are JACK's; what a backend adds shows in the mean. Writes are
    spread at random phases of the period.
poll CPU
    CPU seconds per second that libremidi's input thread costs while an input
    is open and idle (it polls every millisecond; rtmidi's inputs cost nothing
    while idle).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # time the working tree, installed or not
sys.path.insert(0, str(REPO / "tests"))  # jackserver: start/stop a dummy JACK server

import livemidi  # noqa: E402
from livemidi import Message  # noqa: E402
from livemidi.backends.jack import server_running  # noqa: E402

BACKENDS = {"rtmidi": "livemidi.backends.rtmidi/UNIX_JACK", "libremidi": "livemidi.backends.libremidi/JACK_MIDI"}


def available() -> dict[str, livemidi.Backend]:
    found = {}
    for kind, spec in BACKENDS.items():
        backend = livemidi.Backend(spec)
        try:
            backend.get_output_names()
        except (ImportError, OSError) as error:
            print(f"# {kind}: left out ({error})")
            continue
        found[kind] = backend
    return found


def mido_output(name: str):
    try:
        import mido

        return mido.Backend("mido.backends.rtmidi", api="UNIX_JACK").open_output(name, virtual=True)
    except Exception as error:  # no python-rtmidi here (Python 3.13+), or no mido
        print(f"# mido: left out ({error})")
        return None


def time_sends(ports: dict, rounds: int, count: int) -> dict[str, float]:
    """Minimum seconds per call over `rounds` interleaved rounds, for each named send function."""
    msg = Message("note_on", note=60, velocity=100)
    data = bytes(msg.bytes())
    calls = {}
    for name, port in ports.items():
        calls[f"{name} send"] = (port.send, msg)
        writer = getattr(port, "byte_writer", None)
        if writer is not None:
            calls[f"{name} byte_writer"] = (writer(), data)
    best = {name: float("inf") for name in calls}
    order = list(calls)
    for round_ in range(rounds):
        for name in order if round_ % 2 == 0 else reversed(order):
            call, arg = calls[name]
            started = time.perf_counter()
            for _ in range(count):
                call(arg)
            best[name] = min(best[name], (time.perf_counter() - started) / count)
            time.sleep(0.012)  # two JACK periods: it takes what was written (its ring buffer is finite)
    return best


def arrival(out_backend, in_backend, notes: int) -> list[float]:
    """Seconds from write to callback, `notes` times, at random phases of the JACK period."""
    name = f"bench{random.randrange(10**6)}"
    sent: dict[int, float] = {}
    delays: list[float] = []
    done = threading.Event()

    def heard(msg) -> None:
        now = time.perf_counter()
        if msg.type == "note_on" and msg.note in sent:
            delays.append(now - sent.pop(msg.note))
            if len(delays) >= notes:
                done.set()

    rng = random.Random(7)
    with out_backend.open_output(name, virtual=True) as out, in_backend.open_input(name, callback=heard):
        time.sleep(0.1)
        write = out.byte_writer()
        for k in range(notes):
            note = k % 128
            time.sleep(0.004 + rng.random() * 0.006)
            sent[note] = time.perf_counter()
            write(bytes((0x90, note, 100)))
        done.wait(5)
    return delays


def poll_cpu(backend, seconds: float) -> float:
    """CPU seconds per second of this process while one idle input is open (minus the same without it)."""

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    base0 = cpu()
    time.sleep(seconds)
    base = cpu() - base0
    with backend.open_output("benchidle", virtual=True), backend.open_input("benchidle"):
        start = cpu()
        time.sleep(seconds)
        used = cpu() - start
    return max(0.0, used - base) / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and notes")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    # 300 sends per round: a JACK client's ring buffer holds a few thousand small messages, and
    # one that is full fails fast (and is not what is measured); JACK empties it every period
    rounds, count, notes, idle = (20, 300, 150, 3.0) if args.quick else (60, 300, 600, 6.0)

    server = None
    if not server_running():
        from jackserver import start_jackd

        server, reason = start_jackd()
        if server is None:
            print(f"no JACK server: {reason}")
            return 1
    try:
        backends = available()
        ports = {f"livemidi/{kind}": backend.open_output(f"bench{kind}", virtual=True) for kind, backend in backends.items()}
        peer = mido_output("benchmido")
        if peer is not None:
            ports["mido/rtmidi"] = peer
        results: dict = {"python": sys.version.split()[0], "send": time_sends(ports, rounds, count)}
        for port in ports.values():
            port.close()

        print(f"Python {results['python']}, JACK dummy driver, 256 frames at 48 kHz")
        print("\nsend (µs per call, best round)")
        mido_send = results["send"].get("mido/rtmidi send")
        for name, seconds in results["send"].items():
            ratio = f"   {mido_send / seconds:5.2f}x mido" if mido_send and not name.startswith("mido") else ""
            print(f"  {name:32s} {seconds * 1e6:7.3f}{ratio}")

        print("\narrival: write -> callback on another client (ms)")
        results["arrival"] = {}
        for out_kind, out_backend in backends.items():
            for in_kind, in_backend in backends.items():
                delays = sorted(arrival(out_backend, in_backend, notes))
                if not delays:
                    print(f"  {out_kind} -> {in_kind}: nothing arrived")
                    continue
                row = {
                    "mean": statistics.fmean(delays),
                    "p50": delays[len(delays) // 2],
                    "p99": delays[min(len(delays) - 1, int(len(delays) * 0.99))],
                    "max": delays[-1],
                    "lost": notes - len(delays),
                }
                results["arrival"][f"{out_kind}->{in_kind}"] = row
                print(f"  {out_kind:9s} -> {in_kind:9s}  mean {row['mean'] * 1e3:6.2f}  p50 {row['p50'] * 1e3:6.2f}"
                      f"  p99 {row['p99'] * 1e3:6.2f}  max {row['max'] * 1e3:6.2f}  lost {row['lost']}")

        print("\nCPU of an idle open input (% of one core)")
        results["idle_cpu"] = {}
        for kind, backend in backends.items():
            share = poll_cpu(backend, idle)
            results["idle_cpu"][kind] = share
            print(f"  {kind:9s} {share * 100:5.2f} %")
    finally:
        if server is not None:
            from jackserver import stop_jackd

            stop_jackd(server)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
