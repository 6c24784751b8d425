"""Benchmark: how close to the intended instant each note is sent, against isobar and mido.

Send-time error = (the time the port's send is called) − (the time the note
was meant for), in µs, for two cases — 16th notes at 180 BPM, and 1000 notes
a second — in three conditions: idle; a pure-Python CPU-bound thread running
in the main process (a performer's heavy code); two CPU-burning processes.
Every note-on is measured (note-offs are sent too, but not measured).

The probe is the same for the three systems: ``time.perf_counter()`` taken
immediately before the backend's send call.

- livemidi: a `Lookahead` loop in this process feeding a `Sender` process
  whose output is an in-memory port; the sender stamps each message right
  before its port's write and reports the stamp with the deadline.
- isobar (0.2.1): a Timeline whose output device stamps in ``note_on``. The
  intended time of note n is the clock's start + (1 + n × ticks per note)
  ticks: isobar plays the first note at its first tick. Its clock is made to
  read ``perf_counter`` instead of ``time.time`` so that the clocks agree.
- mido (1.3.3): ``MidiFile.play(now=perf_counter)``, stamping each message it
  yields (where a program calls ``port.send``); intended = play's start time
  + the file time of the message. The tracks are merged before play starts.

Drift: the median error of the last 10 % of notes minus that of the first
10 %. The CPU use of a running clock with nothing to play is measured too
(the sender's process CPU time plus the loop thread's).

MIDI clock out, at 120 and 174 BPM, idle and with the busy thread: the error
of every clock pulse (0xF8) against its ideal time, and the jitter of the
intervals between pulses (their standard deviation, and the p99 and max of
|interval − 60 / (BPM × 24)|), in µs. livemidi: a `Lookahead` with a
`MidiClockOut` and nothing else to play, feeding the same `Sender`; the
ideal time of a pulse is its deadline from the tempo map. isobar: a Timeline
at its default 480 ticks per beat with an output device of 24 ticks per beat,
as its `MidiOutputDevice(send_clock=True)` is, whose ``tick`` builds the
clock message as that device does and stamps where it would send it; pulse n
is due at the clock's start + (1 + 20 n) ticks.

    python3 bench/timing.py [--quick] [--seconds S] [--json PATH] [--parts notes,clock]

Full: 60 s per system, case and condition (about 28 minutes); --quick: 5 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import contextlib
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time
import types
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from livemidi.clock import ClockEvent, Lookahead, MidiClockOut, Sender, TempoMap  # noqa: E402

CASES = {
    # name: (BPM, note length in beats, isobar ticks per beat)
    "16ths@180": (180, Fraction(1, 4), 480),
    "1000/s": (240, Fraction(1, 250), 500),
}
CONDITIONS = ("idle", "busy thread", "2 busy processes")
SYSTEMS = ("livemidi", "isobar", "mido")
CLOCK_BPMS = (120, 174)
CLOCK_CONDITIONS = ("idle", "busy thread")
CLOCK_SYSTEMS = ("livemidi", "isobar")  # mido has no clock of its own
PULSES_PER_BEAT = 24
PARTS = ("notes", "clock")


# -- load ---------------------------------------------------------------------------------


def _burn(stop: threading.Event) -> None:
    x = 0
    while not stop.is_set():
        for i in range(2000):
            x += i * i


@contextlib.contextmanager
def condition(name: str):
    stop = threading.Event()
    processes: list[subprocess.Popen] = []
    thread = None
    if name == "busy thread":
        thread = threading.Thread(target=_burn, args=(stop,), daemon=True)
        thread.start()
    elif name == "2 busy processes":
        processes = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        yield
    finally:
        stop.set()
        if thread is not None:
            thread.join()
        for process in processes:
            process.kill()
            process.wait()


# -- the three systems ----------------------------------------------------------------------


def run_livemidi(sender: Sender, case: str, seconds: float) -> list[tuple[float, float]]:
    bpm, length, _ = CASES[case]
    step = length / 4  # in cycles of 4 beats

    def source(begin, end):
        events = []
        k = math.ceil(begin / step)
        while k * step < end:
            onset = k * step
            events.append(ClockEvent(onset, (0x90, 60, 100)))
            events.append(ClockEvent(onset + step / 2, (0x80, 60, 0), onset=onset))
            k += 1
        return events

    sender.take_sent()
    loop = Lookahead(source, sender, TempoMap(bpm))
    loop.start()
    time.sleep(seconds)
    loop.close()
    sender.flush()
    return [(s.deadline, s.time) for s in sender.take_sent() if s.data[0] == 0x90 and s.data[2] > 0]


def _isobar_on_perf_counter(isobar_clock) -> list[float]:
    """Make isobar's clock read perf_counter; the list gets the clock's first reading (its start)."""
    started: list[float] = []

    def now() -> float:
        value = time.perf_counter()
        if not started:
            started.append(value)
        return value

    isobar_clock.time = types.SimpleNamespace(time=now, sleep=time.sleep)
    return started


def run_isobar(case: str, seconds: float) -> list[tuple[float, float]]:
    import isobar.timelines.clock as isobar_clock
    from isobar import Timeline
    from isobar.io.output import OutputDevice

    bpm, length, ticks_per_beat = CASES[case]
    started = _isobar_on_perf_counter(isobar_clock)
    stamps: list[float] = []

    class Probe(OutputDevice):
        def note_on(self, note=60, velocity=64, channel=0):
            stamps.append(time.perf_counter())

        def note_off(self, note=60, channel=0):
            pass

    timeline = Timeline(bpm, output_device=Probe(), ticks_per_beat=ticks_per_beat)
    timeline.schedule({"note": 60, "duration": float(length), "gate": 0.5})
    timeline.background()
    time.sleep(seconds)
    timeline.stop()
    time.sleep(0.05)
    tick = 60 / (bpm * ticks_per_beat)
    per_note = round(length * ticks_per_beat)
    return [(started[0] + (1 + n * per_note) * tick, stamp) for n, stamp in enumerate(list(stamps))]


def run_mido(case: str, seconds: float) -> list[tuple[float, float]]:
    import mido

    bpm, length, _ = CASES[case]
    ticks_per_beat = 2 * length.denominator
    per_note = int(length * ticks_per_beat)
    midifile = mido.MidiFile(ticks_per_beat=ticks_per_beat)
    track = mido.MidiTrack()
    midifile.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))
    count = int(seconds * bpm / 60 / float(length))
    for _ in range(count):
        track.append(mido.Message("note_on", note=60, velocity=100, time=0))
        track.append(mido.Message("note_off", note=60, time=per_note // 2))
        track.append(mido.MetaMessage("marker", text="", time=per_note - per_note // 2))
    started: list[float] = []

    def now() -> float:
        value = time.perf_counter()
        if not started:
            started.append(value)
        return value

    midifile.merged_track  # merged (and cached) before playing, so play() starts at once
    pairs = []
    file_time = 0.0
    for msg in midifile.play(meta_messages=True, now=now):
        stamp = time.perf_counter()  # where a program calls port.send(msg)
        file_time += msg.time
        if msg.type == "note_on":
            pairs.append((started[0] + file_time, stamp))
    return pairs


# -- MIDI clock out ---------------------------------------------------------------------------


def run_livemidi_clock(sender: Sender, bpm: int, seconds: float) -> list[tuple[float, float]]:
    """(ideal, sent) of every clock pulse of a clock with nothing else to play."""
    sender.take_sent()
    loop = Lookahead(None, sender, TempoMap(bpm), midi_clock=MidiClockOut([0]))
    loop.start()
    time.sleep(seconds)
    loop.close()
    sender.flush()
    return [(s.deadline, s.time) for s in sender.take_sent() if s.data == b"\xf8"]


def run_isobar_clock(bpm: int, seconds: float) -> list[tuple[float, float]]:
    import isobar.timelines.clock as isobar_clock
    import mido
    from isobar import Timeline
    from isobar.io.output import OutputDevice

    started = _isobar_on_perf_counter(isobar_clock)
    stamps: list[float] = []

    class ClockProbe(OutputDevice):
        """As isobar's MidiOutputDevice(send_clock=True): 24 ticks a beat, each builds a clock message."""

        @property
        def ticks_per_beat(self) -> int:
            return PULSES_PER_BEAT

        def tick(self) -> None:
            mido.Message("clock")  # as MidiOutputDevice.tick does, before its port's send
            stamps.append(time.perf_counter())

    timeline = Timeline(bpm, output_device=ClockProbe())
    ticks_per_beat = timeline.ticks_per_beat
    timeline.background()
    time.sleep(seconds)
    timeline.stop()
    time.sleep(0.05)
    tick = 60 / (bpm * ticks_per_beat)
    per_pulse = ticks_per_beat // PULSES_PER_BEAT
    return [(started[0] + (1 + n * per_pulse) * tick, stamp) for n, stamp in enumerate(list(stamps))]


def summarize_clock(system: str, bpm: int, name: str, pairs: list[tuple[float, float]]) -> dict:
    errors = sorted((actual - intended) * 1e6 for intended, actual in pairs)
    ideal = 60 / (bpm * PULSES_PER_BEAT)
    intervals = [(b[1] - a[1]) * 1e6 for a, b in zip(pairs, pairs[1:])]
    deviations = sorted(abs(interval - ideal * 1e6) for interval in intervals)

    def quantile(ordered: list[float], q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {
        "system": system, "bpm": bpm, "condition": name, "pulses": len(pairs),
        "error_p50_us": quantile(errors, 0.5), "error_p99_us": quantile(errors, 0.99), "error_max_us": errors[-1],
        "interval_stdev_us": statistics.pstdev(intervals), "interval_p99_us": quantile(deviations, 0.99),
        "interval_max_us": deviations[-1],
    }  # fmt: skip


def run_clock(sender: Sender, systems: list[str], seconds: float) -> list[dict]:
    results = []
    for name in CLOCK_CONDITIONS:
        with condition(name):
            for bpm in CLOCK_BPMS:
                for system in [s for s in CLOCK_SYSTEMS if s in systems]:
                    if system == "livemidi":
                        pairs = run_livemidi_clock(sender, bpm, seconds)
                    else:
                        pairs = run_isobar_clock(bpm, seconds)
                    results.append(summarize_clock(system, bpm, name, pairs))
                    r = results[-1]
                    print(f"  clock {system:9} {bpm:3d} BPM {name:12} pulse error p99 {r['error_p99_us']:9.1f} µs  "
                          f"interval p99 {r['interval_p99_us']:9.1f} µs", flush=True)  # fmt: skip
    return results


def print_clock(results: list[dict]) -> list[dict]:
    print("\nMIDI clock out: pulse error (sent − ideal) and interval jitter (|interval − ideal interval|), µs")
    print(f"{'system':9} {'BPM':>4} {'condition':12} {'pulses':>6} {'err p50':>9} {'err p99':>9} {'err max':>9}"
          f" {'ivl sd':>9} {'ivl p99':>9} {'ivl max':>9}")  # fmt: skip
    for r in results:
        print(
            f"{r['system']:9} {r['bpm']:4d} {r['condition']:12} {r['pulses']:6d} {r['error_p50_us']:9.1f}"
            f" {r['error_p99_us']:9.1f} {r['error_max_us']:9.1f} {r['interval_stdev_us']:9.1f}"
            f" {r['interval_p99_us']:9.1f} {r['interval_max_us']:9.1f}"
        )
    by_key = {(r["system"], r["bpm"], r["condition"]): r for r in results}
    ratios = []
    print("\nclock out, isobar ÷ livemidi (how many times tighter livemidi is):")
    for name in CLOCK_CONDITIONS:
        for bpm in CLOCK_BPMS:
            ours, theirs = by_key.get(("livemidi", bpm, name)), by_key.get(("isobar", bpm, name))
            if ours is None or theirs is None:
                continue
            row = {
                "bpm": bpm, "condition": name,
                "interval_p99": theirs["interval_p99_us"] / max(ours["interval_p99_us"], 0.01),
                "interval_stdev": theirs["interval_stdev_us"] / max(ours["interval_stdev_us"], 0.01),
                "error_p99": abs(theirs["error_p99_us"]) / max(abs(ours["error_p99_us"]), 0.01),
            }  # fmt: skip
            ratios.append(row)
            print(f"  {bpm:3d} BPM {name:12} interval p99 {row['interval_p99']:8.1f}x  "
                  f"interval sd {row['interval_stdev']:8.1f}x  pulse error p99 {row['error_p99']:8.1f}x")  # fmt: skip
    return ratios


# -- figures ------------------------------------------------------------------------------


def summarize(system: str, case: str, name: str, pairs: list[tuple[float, float]]) -> dict:
    errors = [(actual - intended) * 1e6 for intended, actual in pairs]
    ordered = sorted(errors)
    n = len(ordered)

    def quantile(q: float) -> float:
        return ordered[min(n - 1, int(q * n))]

    tenth = max(1, n // 10)
    drift = statistics.median(errors[-tenth:]) - statistics.median(errors[:tenth])
    return {
        "system": system, "case": case, "condition": name, "notes": n,
        "p50_us": quantile(0.5), "p99_us": quantile(0.99), "p999_us": quantile(0.999),
        "max_us": ordered[-1], "drift_us": drift,
    }  # fmt: skip


def idle_cpu(sender: Sender, seconds: float, midi_clock: bool) -> dict:
    """CPU use of a running clock with nothing to play (optionally sending MIDI clock)."""
    sender.flush()
    before = sender.stats.cpu_seconds
    loop = Lookahead(lambda begin, end: [], sender, TempoMap(120), midi_clock=MidiClockOut([0]) if midi_clock else None)
    started = time.perf_counter()
    loop.start()
    time.sleep(seconds)
    loop.close()
    elapsed = time.perf_counter() - started
    sender.flush()
    sender_cpu = sender.stats.cpu_seconds - before
    sender.take_sent()
    return {
        "what": "running clock, nothing to play" + (", MIDI clock out at 120 BPM" if midi_clock else ""),
        "sender_percent": 100 * sender_cpu / elapsed,
        "loop_percent": 100 * loop.cpu_seconds / elapsed,
        "total_percent": 100 * (sender_cpu + loop.cpu_seconds) / elapsed,
    }


def print_table(results: list[dict]) -> None:
    print(f"\n{'system':9} {'case':10} {'condition':17} {'notes':>6} {'p50 µs':>9} {'p99 µs':>9} {'p99.9 µs':>9} {'max µs':>9} {'drift µs':>9}")
    for r in results:
        print(
            f"{r['system']:9} {r['case']:10} {r['condition']:17} {r['notes']:6d} {r['p50_us']:9.1f} {r['p99_us']:9.1f}"
            f" {r['p999_us']:9.1f} {r['max_us']:9.1f} {r['drift_us']:9.1f}"
        )


def print_ratios(results: list[dict]) -> list[dict]:
    by_key = {(r["system"], r["case"], r["condition"]): r for r in results}
    ratios = []
    print("\np99 of the peer ÷ p99 of livemidi (how many times tighter livemidi is):")
    for case in CASES:
        for name in CONDITIONS:
            ours = by_key.get(("livemidi", case, name))
            if ours is None:
                continue
            row = {"case": case, "condition": name}
            for peer in ("isobar", "mido"):
                theirs = by_key.get((peer, case, name))
                if theirs is not None:
                    row[peer] = theirs["p99_us"] / max(ours["p99_us"], 0.01)
            ratios.append(row)
            text = "  ".join(f"{peer} {row[peer]:8.1f}x" for peer in ("isobar", "mido") if peer in row)
            print(f"  {case:10} {name:17} {text}")
    return ratios


def print_targets(results: list[dict], cpu: list[dict], ratios: list[dict], clock: list[dict]) -> None:
    ours = [r for r in results if r["system"] == "livemidi"]
    checks = []
    for r in clock:
        if r["system"] == "livemidi":
            where = f"{r['bpm']} BPM, {r['condition']}"
            checks.append((f"clock pulse interval p99 ≤ 50 µs ({where})", r["interval_p99_us"] <= 50,
                           f"{r['interval_p99_us']:.1f} µs"))  # fmt: skip
            checks.append((f"clock pulse error p99 ≤ 50 µs ({where})", r["error_p99_us"] <= 50,
                           f"{r['error_p99_us']:.1f} µs"))  # fmt: skip
    for r in ours:
        if r["condition"] == "idle":
            checks.append((f"p99 ≤ 30 µs idle ({r['case']})", r["p99_us"] <= 30, f"{r['p99_us']:.1f} µs"))
        if r["condition"] == "busy thread":
            checks.append((f"p99 ≤ 50 µs with a busy thread ({r['case']})", r["p99_us"] <= 50, f"{r['p99_us']:.1f} µs"))
        checks.append((f"p99.9 ≤ 2 ms ({r['case']}, {r['condition']})", r["p999_us"] <= 2000, f"{r['p999_us']:.1f} µs"))
        checks.append((f"|drift| ≤ 100 µs ({r['case']}, {r['condition']})", abs(r["drift_us"]) <= 100, f"{r['drift_us']:.1f} µs"))
    for row in ratios:
        if row["condition"] == "busy thread" and "isobar" in row:
            checks.append((f"≥ 100× isobar with a busy thread ({row['case']})", row["isobar"] >= 100, f"{row['isobar']:.0f}×"))
    if cpu:
        checks.append(("idle clock ≤ 3 % of a core", cpu[0]["total_percent"] <= 3, f"{cpu[0]['total_percent']:.2f} %"))
    print("\ntargets:")
    for what, ok, value in checks:
        print(f"  {'PASS' if ok else 'MISS'}  {what}: {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s per run instead of 60")
    parser.add_argument("--seconds", type=float, help="seconds per run (overrides --quick)")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset of " + ",".join(SYSTEMS))
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="comma-separated subset of " + ",".join(PARTS) + " (notes: send-time error and CPU; "
                             "clock: MIDI clock out)")  # fmt: skip
    args = parser.parse_args(argv)
    seconds = args.seconds or (5.0 if args.quick else 60.0)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if "isobar" in systems and importlib.util.find_spec("isobar") is None:
        # isobar needs python-rtmidi, which has no wheel for Python 3.13+ (pyproject.toml's dev extra)
        print("# isobar: left out (not installed: it needs python-rtmidi, which has no wheel for this Python)")
        systems.remove("isobar")
    parts = [s.strip() for s in args.parts.split(",") if s.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"--parts takes {', '.join(PARTS)}; got {', '.join(unknown)}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"{seconds:g} s per run; load average {load}; {os.cpu_count()} CPUs; python {sys.version.split()[0]}")
    results = []
    with Sender(keep_sent=10_000_000) as sender:  # a full run sends 120,000 messages per run
        sender.open_port("probe", virtual=True, backend="livemidi.backends.memory")
        print(f"sender: {sender.realtime_detail}")
        for name in CONDITIONS if "notes" in parts else ():
            with condition(name):
                for case in CASES:
                    for system in systems:
                        if system == "livemidi":
                            pairs = run_livemidi(sender, case, seconds)
                        elif system == "isobar":
                            pairs = run_isobar(case, seconds)
                        else:
                            pairs = run_mido(case, seconds)
                        results.append(summarize(system, case, name, pairs))
                        r = results[-1]
                        print(f"  {system:9} {case:10} {name:17} p99 {r['p99_us']:9.1f} µs  max {r['max_us']:9.1f} µs", flush=True)
        clock = run_clock(sender, systems, seconds) if "clock" in parts else []
        cpu = []
        if "notes" in parts:
            cpu_seconds = min(seconds, 20.0)
            cpu = [idle_cpu(sender, cpu_seconds, midi_clock=False), idle_cpu(sender, cpu_seconds, midi_clock=True)]
        realtime = sender.realtime_detail
    ratios = clock_ratios = []
    if results:
        print_table(results)
        ratios = print_ratios(results)
    if clock:
        clock_ratios = print_clock(clock)
    if cpu:
        print("\nCPU of a running clock (sender process + loop thread, % of one core):")
    for row in cpu:
        print(f"  {row['what']}: {row['total_percent']:.2f} % (sender {row['sender_percent']:.2f}, loop {row['loop_percent']:.2f})")
    if "livemidi" in systems:
        print_targets(results, cpu, ratios, clock)
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"\nload average before {load}, after {load_after}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(
                {"results": results, "ratios": ratios, "clock": clock, "clock_ratios": clock_ratios, "cpu": cpu,
                 "seconds": seconds,
                 "load_average": {"before": load, "after": load_after}, "realtime": realtime},
                file, indent=1,
            )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
