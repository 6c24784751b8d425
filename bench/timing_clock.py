"""bench/timing.py's MIDI clock out part, and the CPU of a running clock with nothing to play.

MIDI clock out, at 120 and 174 BPM, idle and with the busy thread: the error
of every clock pulse (0xF8) against its ideal time, and the jitter of the
intervals between pulses (their standard deviation, and the p99 and max of
|interval − 60 / (BPM × 24)|), in µs. livemidi: a `Lookahead` with a
`MidiClockOut` and nothing else to play, feeding a `Sender` whose port is an
in-memory output; the ideal time of a pulse is its deadline from the tempo
map. isobar: a Timeline at its default 480 ticks per beat with an output
device of 24 ticks per beat, as its `MidiOutputDevice(send_clock=True)` is,
whose ``tick`` builds the clock message as that device does and stamps where
it would send it; pulse n is due at the clock's start + (1 + 20 n) ticks.

Misuse: the `Sender` given is used by one run at a time; its sent log is
taken (emptied) by each.
"""

from __future__ import annotations

import statistics
import time

from livemidi.clock import Lookahead, MidiClockOut, Sender, TempoMap

from timing_load import condition
from timing_peers import isobar_on_perf_counter

__all__ = ["CLOCK_BPMS", "CLOCK_CONDITIONS", "idle_cpu", "print_clock", "run_clock"]

CLOCK_BPMS = (120, 174)
CLOCK_CONDITIONS = ("idle", "busy thread")
CLOCK_SYSTEMS = ("livemidi", "isobar")  # mido has no clock of its own
PULSES_PER_BEAT = 24


def run_livemidi_clock(sender: Sender, bpm: int, seconds: float) -> tuple[list[tuple[float, float]], dict]:
    """(ideal, sent) of every clock pulse of a clock with nothing else to play, and the sender's split of
    the late ones (`why_late`).

    The split is taken before the close: the Stop that `close` sends is due the moment it is called and
    reaches the sender as late as the main thread is slow to ship it (5–20 ms under the busy thread),
    which is not a pulse's lateness."""
    sender.flush()  # the stats are as last reported: a flush brings them up to date
    sender.take_sent()
    before = sender.stats
    loop = Lookahead(None, sender, TempoMap(bpm), midi_clock=MidiClockOut([0]))
    loop.start()
    time.sleep(seconds)
    sender.flush()
    why = why_late(before, sender.stats)
    loop.close()
    sender.flush()
    return [(s.deadline, s.time) for s in sender.take_sent() if s.data == b"\xf8"], why


def run_isobar_clock(bpm: int, seconds: float) -> list[tuple[float, float]]:
    import isobar.timelines.clock as isobar_clock
    import mido
    from isobar import Timeline
    from isobar.io.output import OutputDevice

    started = isobar_on_perf_counter(isobar_clock)
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


def why_late(before, after) -> dict:
    """The sender's own account of the messages it sent over its late threshold between two of its stats."""
    late = after.late - before.late
    woke, held = after.late_woke - before.late_woke, after.late_held - before.late_held
    return {"late": late, "woke": woke, "held": held, "other": late - woke - held,
            "arrived_late": after.arrived_late - before.arrived_late}  # fmt: skip


def why_late_text(why: dict) -> str:
    return (f"over 1 ms late: {why['late']} (the sender woke late {why['woke']}, was held off the CPU "
            f"{why['held']}, other {why['other']}; reached the sender late {why['arrived_late']})")  # fmt: skip


def run_clock(sender: Sender, systems: list[str], seconds: float) -> list[dict]:
    results = []
    for name in CLOCK_CONDITIONS:
        with condition(name):
            for bpm in CLOCK_BPMS:
                for system in [s for s in CLOCK_SYSTEMS if s in systems]:
                    why = None
                    if system == "livemidi":
                        pairs, why = run_livemidi_clock(sender, bpm, seconds)
                    else:
                        pairs = run_isobar_clock(bpm, seconds)
                    results.append(summarize_clock(system, bpm, name, pairs))
                    r = results[-1]
                    print(f"  clock {system:9} {bpm:3d} BPM {name:12} pulse error p99 {r['error_p99_us']:9.1f} µs  "
                          f"interval p99 {r['interval_p99_us']:9.1f} µs", flush=True)  # fmt: skip
                    if why is not None:
                        r["why_late"] = why
                        print(f"      {why_late_text(why)}", flush=True)
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
