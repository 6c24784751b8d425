"""Benchmark: MIDI files in livemidi against mido, measured in the same run.

Usage: python bench/midifiles.py [--quick] [--json PATH]

Two files are generated from a fixed seed: a large one (16 tracks of
~100k notes each, with tempo changes; 10k with --quick) and a small,
realistic one (a conductor track and 8 instrument tracks). Before timing,
both libraries must read the same messages from each file. Then, in
seconds per event (lower is better), the best of a few runs:

- load: MidiFile(file=...) of the whole file;
- first iteration: a fresh MidiFile over the loaded tracks, iterated once in
  playback order (for mido that includes building merged_track, for
  livemidi the sorting of absolute ticks);
- save: MidiFile.save(file=...) to memory;
- peak memory of loading the large file, each library in its own process
  (the growth of peak RSS, VmHWM, over the RSS before loading; Linux only).

The ratio is mido / livemidi (for memory: mido's bytes / livemidi's bytes).
``--json PATH`` writes ``{"results": [{"name", "livemidi", "mido", "ratio"}]}``.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mido  # noqa: E402

import livemidi  # noqa: E402

TARGETS = {"load": 8.0, "first iteration": 8.0, "save": 5.0, "peak memory": 2.0}


def large_file(notes_per_track: int, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    mid = livemidi.MidiFile(ticks_per_beat=480)
    for number in range(16):
        track = mid.add_track(f"track {number}")
        channel = number % 16
        track.append(livemidi.Message("program_change", channel=channel, program=rng.randrange(128)))
        for index in range(notes_per_track):
            if number == 0 and index % 500 == 0:
                track.append(livemidi.MetaMessage("set_tempo", tempo=rng.randrange(300000, 900000)))
            if index % 64 == 0:
                track.append(livemidi.Message("control_change", channel=channel, control=7, value=rng.randrange(128)))
            if index % 200 == 0:
                track.append(livemidi.Message("pitchwheel", channel=channel, pitch=rng.randrange(-8192, 8192)))
            note = rng.randrange(24, 108)
            track.append(livemidi.Message("note_on", channel=channel, note=note, velocity=rng.randrange(1, 128),
                                          time=rng.choice((0, 0, 60, 120, 240, 480))))
            track.append(livemidi.Message("note_off", channel=channel, note=note, velocity=64,
                                          time=rng.choice((30, 60, 120, 240, 480, 960))))
    out = io.BytesIO()
    mid.save(file=out)
    return out.getvalue()


def small_file(seed: int = 2) -> bytes:
    rng = random.Random(seed)
    mid = livemidi.MidiFile(ticks_per_beat=96)
    conductor = mid.add_track("conductor")
    conductor.append(livemidi.MetaMessage("time_signature", numerator=4, denominator=4))
    conductor.append(livemidi.MetaMessage("key_signature", key="Em"))
    for bar in range(64):
        conductor.append(livemidi.MetaMessage("set_tempo", tempo=livemidi.bpm2tempo(110 + bar % 8),
                                              time=0 if bar == 0 else 384))
        if bar % 16 == 0:
            conductor.append(livemidi.MetaMessage("marker", text=f"section {bar // 16}"))
    for channel in range(8):
        track = mid.add_track(f"instrument {channel}")
        track.append(livemidi.MetaMessage("instrument_name", name=f"synth {channel}"))
        track.append(livemidi.Message("program_change", channel=channel, program=rng.randrange(128)))
        track.append(livemidi.Message("sysex", data=[0x41, 0x10, 0x42, 0x12, channel]))
        for step in range(150):
            chord = [rng.randrange(36, 96) for _ in range(rng.choice((1, 1, 3)))]
            for index, note in enumerate(chord):
                track.append(livemidi.Message("note_on", channel=channel, note=note, velocity=rng.randrange(40, 120),
                                              time=rng.choice((0, 24, 48)) if index == 0 else 0))
            if step % 10 == 0:
                track.append(livemidi.Message("control_change", channel=channel, control=1, value=rng.randrange(128)))
            for index, note in enumerate(chord):
                track.append(livemidi.Message("note_off", channel=channel, note=note, time=24 if index == 0 else 0))
    out = io.BytesIO()
    mid.save(file=out)
    return out.getvalue()


def _dicts(messages):
    return [(type(msg).__name__, msg.dict()) for msg in messages]


def check_equal(data: bytes) -> int:
    """Both libraries read the same messages, iterate them alike and save the same bytes; return the event count."""
    ours = livemidi.MidiFile(file=io.BytesIO(data))
    theirs = mido.MidiFile(file=io.BytesIO(data))
    assert len(ours.tracks) == len(theirs.tracks)
    for track, their_track in zip(ours.tracks, theirs.tracks):
        assert _dicts(track) == _dicts(their_track), "tracks differ"
    assert _dicts(ours) == _dicts(theirs), "playback order differs"
    out, their_out = io.BytesIO(), io.BytesIO()
    ours.save(file=out)
    theirs.save(file=their_out)
    assert out.getvalue() == their_out.getvalue() == data, "saved bytes differ"
    return sum(len(track) for track in ours.tracks)


def best(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def iterate(library, tracks, ticks_per_beat):
    for _msg in library.MidiFile(tracks=tracks, ticks_per_beat=ticks_per_beat):
        pass


def measure(name: str, data: bytes, events: int, runs: int, mido_runs: int) -> list[dict]:
    ours = livemidi.MidiFile(file=io.BytesIO(data))
    theirs = mido.MidiFile(file=io.BytesIO(data))
    cases = {
        "load": (lambda: livemidi.MidiFile(file=io.BytesIO(data)), lambda: mido.MidiFile(file=io.BytesIO(data))),
        "first iteration": (lambda: iterate(livemidi, ours.tracks, ours.ticks_per_beat),
                            lambda: iterate(mido, theirs.tracks, theirs.ticks_per_beat)),
        "save": (lambda: ours.save(file=io.BytesIO()), lambda: theirs.save(file=io.BytesIO())),
    }
    results = []
    for case, (our_function, their_function) in cases.items():
        our_time = best(our_function, runs) / events
        their_time = best(their_function, mido_runs) / events
        results.append({"name": f"{case} ({name})", "livemidi": our_time, "mido": their_time,
                        "ratio": their_time / our_time, "target": TARGETS[case]})
    return results


# VmHWM (peak RSS) starts afresh at exec; ru_maxrss would carry the parent's peak over.
_MEMORY_SCRIPT = """
import io, sys
sys.path.insert(0, {root!r})
import {library} as library
data = open({path!r}, 'rb').read()
def status(field):
    with open('/proc/self/status') as lines:
        return next(int(line.split()[1]) * 1024 for line in lines if line.startswith(field + ':'))
before = status('VmRSS')
mid = library.MidiFile(file=io.BytesIO(data))
print(status('VmHWM') - before)
"""


def peak_memory(library: str, path: Path) -> int:
    script = _MEMORY_SCRIPT.format(root=str(Path(__file__).resolve().parent.parent), library=library, path=str(path))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return int(result.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller large file and fewer runs")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)
    notes = 10_000 if args.quick else 100_000
    runs = 2 if args.quick else 3

    print(f"generating files (large: 16 tracks x {notes} notes) ...", flush=True)
    large, small = large_file(notes), small_file()
    results = []
    for name, data, file_runs, mido_runs in (("small", small, runs * 3, runs), ("large", large, runs, 1)):
        events = check_equal(data)
        print(f"{name} file: {len(data)} bytes, {events} events; livemidi and mido read equal messages", flush=True)
        results += measure(name, data, events, file_runs, mido_runs)

    path = Path("/tmp") / f"livemidi-bench-{len(large)}.mid"
    path.write_bytes(large)
    try:
        ours, theirs = peak_memory("livemidi", path), peak_memory("mido", path)
    finally:
        path.unlink()
    events = sum(len(track) for track in livemidi.MidiFile(file=io.BytesIO(large)).tracks)
    results.append({"name": "peak memory (large)", "livemidi": ours / events, "mido": theirs / events,
                    "ratio": theirs / ours, "target": TARGETS["peak memory"], "unit": "bytes/event"})

    print(f"\n{'benchmark':<28}{'livemidi':>14}{'mido':>14}{'ratio':>9}{'target':>9}  met")
    for row in results:
        unit = row.get("unit", "s/event")
        fmt = (lambda value: f"{value:.0f} B") if unit == "bytes/event" else (lambda value: f"{value * 1e9:.0f} ns")
        met = "yes" if row["ratio"] >= row["target"] else "NO"
        print(f"{row['name']:<28}{fmt(row['livemidi']):>14}{fmt(row['mido']):>14}"
              f"{row['ratio']:>8.1f}x{row['target']:>8.0f}x  {met}")
    if args.json:
        keep = ("name", "livemidi", "mido", "ratio")
        Path(args.json).write_text(json.dumps({"results": [{key: row[key] for key in keep} for row in results]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
