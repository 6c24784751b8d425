"""Benchmark: events per second computed by the pattern engine.

The dense pattern is what a busy live set looks like: eight stacked voices
of sixteen steps with Euclidean rhythms, ``every``, ``sometimes``, an
arpeggiated chord progression, a scale melody, a signal-driven velocity and
a CC sweep. It is queried the way the clock queries it (bar by bar, and in
quarter-bar lookahead windows) over 64 cycles, and once more with the
cycle-table compilation switched off to show the general query's speed.
The rows "with locations" query the same pattern compiled as the REPL
compiles the performer's code (`livemidi.mini.code`): every event then
carries the source spans of the mini-notation elements that made it.

    python3 bench/patterns.py [--quick] [--json PATH]

The JSON is ``{"results": [{"name": ..., "events_per_s": ...}, ...]}``. The
target is 100,000 events/s, i.e. a bar of this pattern (about 90 events) in
under a millisecond.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import time
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from livemidi.pattern import (
    arp,
    cc,
    fast,
    meter,
    n,
    note,
    ply,
    saw,
    scale,
    sine,
    stack,
    tables,  # noqa: E402
    locations,
    transpose,
)

CYCLES = 64


def dense_pattern():
    """Eight voices, sixteen steps each."""
    return stack(
        # kick and bass: a 16-step line, doubled in speed every fourth bar
        note("c2 ~ c2 [~ c3] c2 ~ eb2 ~ c2 ~ c2 g1 c2 ~ bb1 ~").every(4, fast(2)).velocity("100 70").ch(0),
        # Euclidean percussion
        note("c1(3,8) d1(5,16,2)").ch(9),
        note("fs1*16").velocity(sine.range(40, 110)).ch(9),
        note("[~ ds1]*4").sometimes(ply(2)).ch(9),
        # an arpeggiated chord progression, one chord per bar, sixteen notes
        arp("<updown converge>", note("<c4'maj7'5 a3'min7'5 f3'maj9'5 g3'7'5>")).fast(4).ch(1),
        # a scale melody with random octave jumps
        n(scale("minor", "0 2 4 <6 7> 2 4 5 3 0 [2 4] 7 6 4 2 1 0", root="c4")).sometimes_by(0.3, transpose(12)).ch(2),
        # a filter sweep, sixteen CC steps
        cc(74, saw.range(0, 127).segment(16)).ch(2),
        # a lead that answers itself an eighth later, a fifth up
        note("e5 ~ g5 a5 ~ ~ b5 ~ e5 ~ d5 ~ ~ g5 ~ ~").off(Fraction(1, 8), transpose(7)).rev().ch(3),
    )


def located_dense_pattern():
    """`dense_pattern`, its strings knowing where they are written (as the REPL runs it); None before that existed."""
    try:
        from livemidi.mini.code import compile_located
    except ImportError:
        return None
    lines, first = inspect.getsourcelines(dense_pattern)
    names = dict(globals())
    exec(compile_located("".join(lines), __file__, first_line=first), names)
    return names["dense_pattern"]()


def measure(name: str, pat, window: Fraction, repeat: int) -> dict:
    best = None
    count = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        count = 0
        t = Fraction(0)
        end = Fraction(CYCLES)
        while t < end:
            count += len(pat.events(t, t + window))
            t += window
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    rate = count / best
    print(f"{name:36s} {count:6d} events in {best * 1000:8.1f} ms  {rate:12,.0f} events/s  "
          f"({best / CYCLES * 1000:.3f} ms per bar)")
    return {"name": name, "events_per_s": rate, "events": count, "seconds": best}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run instead of the best of five")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else 5
    results = [
        measure("dense, bar by bar", dense_pattern(), Fraction(1), repeat),
        measure("dense, quarter-bar windows", dense_pattern(), Fraction(1, 4), repeat),
    ]
    # The same pattern without the cycle-table compilation: the general
    # queries alone, i.e. the speed for patterns that tables cannot describe.
    with tables.disabled():
        general = dense_pattern()
    results.append(measure("dense, general path, bar by bar", general, Fraction(1), repeat))
    # As a session computes it: counted by a meter (the loop's budget), which looks
    # at its clock every 256 events.
    counter = meter.Meter(256, lambda m: setattr(m, "left", 256))
    with meter.metered(counter):
        results.append(measure("dense, bar by bar, metered", dense_pattern(), Fraction(1), repeat))
    per_event = counter.spent / (results[-1]["events"] * repeat)
    print(f"events computed (metered) per event played: {per_event:.2f}")
    located = located_dense_pattern()
    if located is not None:
        results.append(measure("dense, with locations, bar by bar", located, Fraction(1), repeat))
        with tables.disabled():
            general = located_dense_pattern()
        results.append(measure("dense, with locations, general path", general, Fraction(1), repeat))
        evs = located.events(0, CYCLES)
        with_places = sum(1 for ev in evs if locations(ev))
        print(f"events with locations: {with_places} of {len(evs)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
