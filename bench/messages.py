"""Benchmark: livemidi's message layer against mido, measured in the same run.

    python3 bench/messages.py [--quick] [--json PATH]

Every operation is timed for both libraries with `timeit`, in interleaved
rounds (livemidi, mido, then mido, livemidi, ...) so that machine noise -- a
frequency change, another process -- hits both alike. The result per library
is the *minimum* seconds per operation over the rounds: the run least
disturbed by noise, which is the best estimate of the code's own cost.
Import time is measured differently (fresh interpreters, median; see
`time_imports`). ratio = mido / livemidi, so 5.0 means livemidi is 5x faster.

mido is a dev-only dependency (the `dev` extra); livemidi never imports it,
which this script checks as well.
"""

from __future__ import annotations

import argparse
import compileall
import json
import random
import statistics
import subprocess
import sys
import time
import timeit
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # time the working tree, installed or not

import mido  # noqa: E402

import livemidi  # noqa: E402

LIBRARIES = {"livemidi": livemidi, "mido": mido}


def make_stream(seed: int = 2024, count: int = 1000) -> bytes:
    """A realistic MIDI stream that both libraries must parse identically.

    Mostly channel messages on all 16 channels (notes, controllers, bends,
    program changes), with a few sysex messages and clock bytes *between*
    messages. Every message has its own status byte: mido does not
    understand running status, and it drops a message that a real-time byte
    interrupts, so neither appears here.
    """
    rng = random.Random(seed)
    out = bytearray()
    kinds = ["note_on"] * 40 + ["note_off"] * 30 + ["control_change"] * 15 + ["pitchwheel"] * 10 + ["program_change"] * 3
    kinds += ["sysex", "clock"]
    for _ in range(count):
        kind = rng.choice(kinds)
        channel = rng.randrange(16)
        if kind == "note_on":
            out += bytes((0x90 | channel, rng.randrange(128), rng.randrange(128)))
        elif kind == "note_off":
            out += bytes((0x80 | channel, rng.randrange(128), rng.randrange(128)))
        elif kind == "control_change":
            out += bytes((0xB0 | channel, rng.randrange(120), rng.randrange(128)))
        elif kind == "pitchwheel":
            out += bytes((0xE0 | channel, rng.randrange(128), rng.randrange(128)))
        elif kind == "program_change":
            out += bytes((0xC0 | channel, rng.randrange(128)))
        elif kind == "sysex":
            out += bytes((0xF0, *(rng.randrange(128) for _ in range(rng.randrange(4, 24))), 0xF7))
        else:
            out += b"\xf8"
    return bytes(out)


def check_same_parse(stream: bytes) -> int:
    """Assert that both libraries parse `stream` into the same messages; return how many."""
    ours = [msg.bytes() for msg in livemidi.parse_all(stream)]
    theirs = [msg.bytes() for msg in mido.parse_all(stream)]
    if ours != theirs:
        first = next(i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b) if len(ours) == len(theirs) else None
        raise AssertionError(
            f"livemidi and mido parse the benchmark stream differently: {len(ours)} vs {len(theirs)} "
            f"messages, first difference at message {first}"
        )
    return len(ours)


def operations(stream: bytes, stream_messages: int) -> list[dict]:
    """The timed operations: name, target ratio, statement, setup globals, ops per statement."""
    ops = []

    def add(name, target, stmt, make_globals, per=1):
        ops.append({"name": name, "target": target, "stmt": stmt, "globals": make_globals, "per": per})

    add(
        "Message('note_on', ...)",
        5.0,
        "Message('note_on', channel=0, note=60, velocity=64)",
        lambda lib: {"Message": lib.Message},
    )
    add(
        "msg.bytes()",
        2.0,
        "msg.bytes()",
        lambda lib: {"msg": lib.Message("note_on", channel=0, note=60, velocity=64)},
    )
    add(
        "Message.from_bytes([0x90, 60, 64])",
        5.0,
        "Message.from_bytes([0x90, 60, 64])",
        lambda lib: {"Message": lib.Message},
    )
    add(
        f"parse_all, per message ({stream_messages} msgs)",
        7.0,
        "parse_all(stream)",
        lambda lib: {"parse_all": lib.parse_all, "stream": stream},
        per=stream_messages,
    )
    add(
        "str(msg)",
        2.0,
        "str(msg)",
        lambda lib: {"msg": lib.Message("note_on", channel=0, note=60, velocity=64)},
    )
    return ops


def loops_for(timer: timeit.Timer, seconds: float) -> int:
    """How many loops make one measurement last about `seconds`."""
    loops = 1
    while True:
        elapsed = timer.timeit(loops)
        if elapsed >= seconds / 10:
            return max(1, int(loops * seconds / elapsed))
        loops *= 10


def time_operation(op: dict, rounds: int, seconds: float) -> dict[str, float]:
    """Minimum seconds per operation for each library, over interleaved rounds."""
    timers = {name: timeit.Timer(op["stmt"], globals=op["globals"](lib)) for name, lib in LIBRARIES.items()}
    loops = {name: loops_for(timer, seconds) for name, timer in timers.items()}
    best = {name: float("inf") for name in timers}
    order = list(timers)
    for round_ in range(rounds):
        for name in order if round_ % 2 == 0 else reversed(order):
            elapsed = timers[name].timeit(loops[name])
            best[name] = min(best[name], elapsed / loops[name] / op["per"])
    return best


def time_imports(repetitions: int) -> dict[str, float]:
    """Median wall-clock seconds of ``import X`` in a fresh interpreter, minus an empty one.

    Each repetition starts ``python -c pass``, ``python -c 'import livemidi'``
    and ``python -c 'import mido'`` in a rotating order; the median of each
    is taken (start-up times have a long tail, so the minimum would flatter
    whichever library got lucky once) and the interpreter start-up removed.
    """
    # Users import compiled bytecode (pip writes it at install, as it did for
    # mido); compile the working tree too, or with PYTHONDONTWRITEBYTECODE set
    # every run would time the compiler instead of the import.
    compileall.compile_dir(str(REPO / "livemidi"), quiet=1)
    commands = {"pass": "pass", "livemidi": "import livemidi", "mido": "import mido"}
    samples: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for rep in range(repetitions):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", commands[name]], cwd=REPO, check=True)
            samples[name].append(time.perf_counter() - start)
    baseline = statistics.median(samples["pass"])
    return {name: max(statistics.median(samples[name]) - baseline, 1e-9) for name in LIBRARIES}


def check_livemidi_does_not_import_mido() -> None:
    code = "import sys, livemidi; sys.exit('mido' in sys.modules)"
    if subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode != 0:
        raise AssertionError("import livemidi imported mido: livemidi must never depend on it")


def format_seconds(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.0f} ns"


def print_table(results: list[dict]) -> None:
    header = ("operation", "livemidi", "mido", "ratio", "target", "")
    rows = [
        (
            r["name"],
            format_seconds(r["livemidi"]),
            format_seconds(r["mido"]),
            f"{r['ratio']:.2f}x",
            f">= {r['target']:g}x",
            "PASS" if r["ratio"] >= r["target"] else "below target",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    aligns = ["<", ">", ">", ">", ">", "<"]

    def line(row):
        return "  ".join(f"{cell:{align}{width}}" for cell, align, width in zip(row, aligns, widths)).rstrip()

    print(line(header))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (under 15 s), for a rough check")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    args = parser.parse_args(argv)

    rounds, seconds, import_reps = (5, 0.01, 5) if args.quick else (25, 0.05, 21)

    check_livemidi_does_not_import_mido()
    stream = make_stream()
    stream_messages = check_same_parse(stream)

    print(
        f"livemidi {livemidi.__version__} vs mido {mido.version_info}, Python {sys.version.split()[0]}; "
        f"{'quick run; ' if args.quick else ''}minimum of {rounds} interleaved rounds, "
        f"import: median of {import_reps} fresh interpreters"
    )
    results = []
    for op in operations(stream, stream_messages):
        best = time_operation(op, rounds, seconds)
        results.append({"name": op["name"], **best, "ratio": best["mido"] / best["livemidi"], "target": op["target"]})
    imports = time_imports(import_reps)
    results.append(
        {"name": "import (fresh interpreter)", **imports, "ratio": imports["mido"] / imports["livemidi"], "target": 1.0}
    )
    print_table(results)

    if args.json:
        keys = ("name", "livemidi", "mido", "ratio")
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump({"results": [{key: r[key] for key in keys} for r in results]}, file, indent=2)
            file.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
