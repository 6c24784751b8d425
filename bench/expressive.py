"""Benchmark: what expressive MIDI costs a playing session per bar, and isobar's MPE output beside it.

Each row is one loop played by a `Session` on a virtual clock (a
`VirtualSender`: no process, no port; the bytes it would write are kept to be
checked), 120 BPM, for a number of bars, after one bar of warm-up. Two figures
are taken, each in a pass of its own (one `time.thread_time` call costs about
half a microsecond here, too much to wrap each of a bar's 200 windows in):

- **source**: ``Session.source(begin, end)`` called for consecutive windows of
  1/200 of a bar (10 ms, the lookahead's interval), the virtual time kept one
  lookahead before each window as the clock keeps it: the render and the MPE
  or microtonal placement, the work the session does for the clock.
- **lookahead**: ``session.clock.step()`` every 10 ms of virtual time, as the
  lookahead thread steps: the source and then the clock's own work (checks,
  bytes, deadlines, the hand-over to the sender), all of the lookahead
  thread's CPU for a bar. The sender's sends are made between bars, untimed.

Figures are CPU per bar and per note played, the median of several repeats of
``--bars`` bars each. The rows (64 notes a bar unless said):

- ``ordinary``: ``note("[60 64 67 ...]*4").legato(3)``, 16 different keys four
  times a bar, each note lasting three steps (three sound at once);
- ``mpe``: the same, on an output with ``mpe=True`` (15 member channels);
- ``mpe fractional``: the same keys plus a quarter, a half or three quarters of
  a semitone, on the MPE output: a pitch bend per note;
- ``microtonal 1-4``: the fractional notes on an ordinary output with
  ``microtonal_channels=[1, 2, 3, 4]``;
- ``held arp`` and ``chord arp``: ``held(kb).arp("updown").fast(4)`` with five
  keys held on an `InputState` (what a session's input port feeds), 32 notes
  a bar, and the same written as a chord, ``note("[c4,e4,g4,b4,d5]")``;
- ``cc knob`` and ``cc sine``: ``note("c4*64").cc(74, knob(21, kb) * 127)`` and
  the same with ``sine``;
- ``cc``, ``nrpn``, ``cc14``, ``polytouch``: ``note("c4*64")`` with
  ``.cc(74, saw * 127)``, ``.nrpn(0x0120, saw * 16383)``,
  ``.cc14(1, saw * 16383)``, ``.polytouch(saw * 127)``.

After the timed bars the loop is stopped and played two more bars. Every row
then checks the bytes written: the notes played against the notes written
(``dropped``), and the channels still holding a note (``busy``, 0 when every
note-on got its note-off); MPE rows also ask the session's channel pool.

The peer, isobar 0.2.1's `MPEOutputDevice` (a dev-only dependency), is given
the same note stream: the ``mpe`` row's 64 notes a bar, each note-off at its
note's end (before a note-on of the same instant), and for each note, as
livemidi sends, a bend, a pressure and a CC 74 through its `MPENote`. Its
Timeline cannot drive it (a Track calls ``note_off(note, channel)``, which
its ``note_off(note_index)`` refuses), so the bench calls it as its docstring
shows, in time order, timed per bar. It opens its port through mido, so the
bench gives mido a backend of its own (an in-memory port, a documented mido
extension point) instead of a real port: the shim is that backend alone,
isobar's classes are used as they are. isobar's ``note_off`` frees
``channel_assignments[note_index]`` (the key) instead of the note's channel,
so its channels leak: after 15 notes every later note-on finds no channel and
is dropped. The bench counts that (busy channels at the end, notes dropped),
and times, for the ratio, isobar with that one line corrected (a subclass),
so that both sides place every note.

    python3 bench/expressive.py [--quick] [--bars N] [--repeats N] [--json PATH]

The ratio printed is livemidi's CPU per bar ÷ isobar's (below 1: livemidi
spends less), for the ``mpe`` rows' source and lookahead. The two do not do
the same work: livemidi renders the pattern and computes the notes' times
ahead; isobar only places and sends notes it is told to play now. The JSON is
``{"rows": [...], "isobar": {...}, "ratios": {...}}``, in µs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import types
from fractions import Fraction

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from livemidi.clock import VirtualSender  # noqa: E402
from livemidi.pattern import InputState, held, knob, note, saw, sine  # noqa: E402
from livemidi.session import Session  # noqa: E402

STEP = 0.01  # the lookahead's interval: a window every 10 ms
WINDOWS = 200  # windows a bar at 120 BPM (2 s a bar)
KEYS = (60, 64, 67, 71, 74, 77, 81, 84, 76, 79, 83, 62, 65, 69, 72, 88)  # no key twice within three steps
LEGATO = 3  # each note lasts three steps: three sound at once
FRACTIONS = (0.25, 0.5, 0.75, -0.25)
CHORD = (60, 64, 67, 71, 74)


def rows(kb: InputState) -> list[tuple[str, object, dict, int]]:
    """(name, pattern, add_output options, notes a bar) of each row."""
    whole = note(f"[{' '.join(map(str, KEYS))}]*4").legato(LEGATO)
    fractional = " ".join(f"{key + FRACTIONS[i % 4]:g}" for i, key in enumerate(KEYS))
    micro = note(f"[{fractional}]*4").legato(LEGATO)
    c64 = note("c4*64")
    return [
        ("ordinary", whole, {}, 64),
        ("mpe", whole, {"mpe": True}, 64),
        ("mpe fractional", micro, {"mpe": True}, 64),
        ("microtonal 1-4", micro, {"microtonal_channels": [1, 2, 3, 4]}, 64),
        ("held arp", held(kb).arp("updown").fast(4), {}, 32),
        ("chord arp", note("[c4,e4,g4,b4,d5]").arp("updown").fast(4), {}, 32),
        ("cc knob", c64.cc(74, knob(21, kb) * 127), {}, 64),
        ("cc sine", c64.cc(74, sine * 127), {}, 64),
        ("cc", c64.cc(74, saw * 127), {}, 64),
        ("nrpn", c64.nrpn(0x0120, saw * 16383), {}, 64),
        ("cc14", c64.cc14(1, saw * 16383), {}, 64),
        ("polytouch", c64.polytouch(saw * 127), {}, 64),
    ]


class Virtual:
    """A session on a virtual clock with one output, 'bench', opened with `options`."""

    def __init__(self, pattern, options: dict) -> None:
        self.t = 100.0
        self.data: list[bytes] = []
        self.notices: list[str] = []
        self.sender = VirtualSender(now=self.now, write=lambda port, data: self.data.append(bytes(data)))
        self.session = Session(self.sender, threaded=False, now=self.now, on_notice=self.notices.append)
        self.session.add_output("bench", **options)
        self.session.p.x = pattern
        self.session.start()

    def now(self) -> float:
        return self.t

    def bars(self, count: int) -> float:
        """Step the clock through `count` bars; the lookahead's CPU seconds (the sender's sends are not timed)."""
        spent = 0.0
        step = self.session.clock.step
        for _ in range(count):
            t0 = time.thread_time()
            for _ in range(WINDOWS):
                self.t = round(self.t + STEP, 9)
                step()
            spent += time.thread_time() - t0
            self.sender.advance(self.t)
        return spent

    def source(self, first: int, count: int) -> float:
        """Ask the session's source for `count` bars of windows from bar `first`; its CPU seconds."""
        source, tempo = self.session.source, self.session.tempo_map
        lookahead = self.session.clock.lookahead
        spent = 0.0
        for bar in range(first, first + count):
            times = [tempo.time_at(Fraction(bar * WINDOWS + k, WINDOWS)) - lookahead for k in range(WINDOWS)]
            t0 = time.thread_time()
            for k in range(WINDOWS):
                self.t = times[k]
                begin = Fraction(bar * WINDOWS + k, WINDOWS)
                source(begin, begin + Fraction(1, WINDOWS))
            spent += time.thread_time() - t0
        return spent

    def finish(self, per_bar: int) -> dict:
        """Stop the loop, let its notes end; what the bytes say: notes played and dropped, channels busy."""
        stop = self.session.next_boundary()  # the next bar: every row's loop plays whole bars
        self.session.stop_loop("x")
        self.bars(3)
        sounding: dict[tuple[int, int], int] = {}
        played = 0
        for data in self.data:
            kind, channel = data[0] & 0xF0, data[0] & 0x0F
            if kind == 0x90 and data[2]:
                played += 1
                sounding[channel, data[1]] = sounding.get((channel, data[1]), 0) + 1
            elif kind in (0x80, 0x90) and sounding.get((channel, data[1])):
                sounding[channel, data[1]] -= 1
        busy = len({channel for (channel, _), count in sounding.items() if count})
        pools = [port.pool for port in self.session._voices._ports.values()]  # the MPE channel pool's own view
        pool_busy = sum(len({held.channel for held in pool.sounding(Fraction(10**6))}) for pool in pools)
        self.session.close()
        return {"played": played, "dropped": per_bar * int(stop) - played, "busy": busy, "pool_busy": pool_busy}


def measure_row(name: str, pattern, options: dict, per_bar: int, bars: int, repeats: int) -> dict:
    virtual = Virtual(pattern, options)
    virtual.source(0, 1)  # warm-up
    sources = [virtual.source(1 + r * bars, bars) / bars for r in range(repeats)]
    virtual.session.close()
    virtual = Virtual(pattern, options)
    virtual.bars(1)
    steps = [virtual.bars(bars) / bars for _ in range(repeats)]
    check = virtual.finish(per_bar)
    source, lookahead = statistics.median(sources) * 1e6, statistics.median(steps) * 1e6
    row = {"name": name, "notes_per_bar": per_bar, "source_us_per_bar": source, "lookahead_us_per_bar": lookahead,
           "source_us_per_note": source / per_bar, "lookahead_us_per_note": lookahead / per_bar} | check
    print(f"{name:16s} {source:9.0f} {source / per_bar:7.1f} {lookahead:10.0f} {lookahead / per_bar:7.1f}"
          f" {check['played']:7d} {check['dropped']:7d} {check['busy']:5d}")
    return row


# -- the peer: isobar's MPE output --------------------------------------------------------------


def mido_sink_backend():
    """A mido backend whose output ports keep what is sent in memory (no port is opened)."""
    import mido
    import mido.ports

    class Output(mido.ports.BaseOutput):
        def _open(self, **kwargs):
            self.sent = []

        def _send(self, msg):
            self.sent.append(msg)

    module = types.ModuleType("_expressive_sink")
    module.Output = Output
    module.get_output_names = lambda **kwargs: ["sink"]
    sys.modules[module.__name__] = module
    return mido.Backend(module.__name__, load=True)


def note_stream(bars: int) -> list[list[tuple]]:
    """The ``mpe`` row's notes, bar by bar: ('off', id) before ('on', id, key) at one instant, in time order."""
    per_bar = 4 * len(KEYS)
    events = []
    for i in range(bars * per_bar):
        events.append((Fraction(i, per_bar), 1, i, KEYS[i % len(KEYS)]))
        events.append((Fraction(i + LEGATO, per_bar), 0, i, None))
    events.sort()
    by_bar: list[list[tuple]] = [[] for _ in range(bars + 1)]
    for at, kind, ident, key in events:
        by_bar[int(at)].append(("on", ident, key) if kind else ("off", ident))
    return by_bar


def isobar_mpe(bars: int, repeats: int, fixed: bool) -> dict:
    """isobar's MPEOutputDevice over the note stream: CPU per bar (median), notes dropped, channels busy."""
    import mido
    from isobar.io.midi.output import MidiOutputDevice
    from isobar.io.mpe import MPEOutputDevice

    class Fixed(MPEOutputDevice):
        def note_off(self, note_index: int):  # isobar's own, the slot freed being the note's channel
            note = self.note_assignments[note_index]
            MidiOutputDevice.note_off(self, note_index, note.channel)
            self.channel_assignments[note.channel] = None
            self.note_assignments[note_index] = None
            note.is_down = False

    before = mido.backend
    mido.set_backend(mido_sink_backend())
    try:
        device = (Fixed if fixed else MPEOutputDevice)("sink")
    finally:
        mido.set_backend(before)
    stream = note_stream(1 + bars * repeats)
    sounding: dict[int, object] = {}
    dropped = 0
    per_bar = []
    for number, bar in enumerate(stream):
        t0 = time.thread_time()
        for event in bar:
            if event[0] == "on":
                mpe_note = sounding[event[1]] = device.note_on(event[2], 100)
                if mpe_note is None:
                    dropped += 1
                    continue
                mpe_note.pitch_bend(0)  # what livemidi sends with each note on an MPE output
                mpe_note.aftertouch(0)
                mpe_note.control(74, 64)
            else:
                mpe_note = sounding.pop(event[1])
                if mpe_note is not None:
                    mpe_note.note_off()
        spent = time.thread_time() - t0
        if 1 <= number <= bars * repeats:  # the first bar is the warm-up; the last holds the last note-offs
            per_bar.append(spent)
    busy = sum(1 for channel in device.channels if device.channel_assignments[channel] is not None)
    chunks = [sum(per_bar[r * bars : (r + 1) * bars]) / bars for r in range(repeats)]
    return {"us_per_bar": statistics.median(chunks) * 1e6, "dropped": dropped, "busy": busy,
            "notes": sum(1 for bar in stream for event in bar if event[0] == "on"), "sent": len(device.midi.sent)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 bars, 3 repeats (default 16 bars, 7 repeats)")
    parser.add_argument("--bars", type=int, help="bars a repeat")
    parser.add_argument("--repeats", type=int, help="repeats, of which the median is printed")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)
    bars = args.bars or (4 if args.quick else 16)
    repeats = args.repeats or (3 if args.quick else 7)
    kb = InputState("bench")
    kb.control(0, 21, 100)
    for key in CHORD:
        kb.note_on(0, key, 90)
    print(f"{bars} bars × {repeats} repeats, 120 BPM, a window every {STEP * 1000:g} ms; CPU µs, median of repeats")
    print(f"{'row':16s} {'source':>9s} {'/note':>7s} {'lookahead':>10s} {'/note':>7s} {'played':>7s} {'dropped':>7s} {'busy':>5s}")
    results = [measure_row(*row, bars, repeats) for row in rows(kb)]
    peer: dict = {}
    try:
        shipped, fixed = isobar_mpe(bars, repeats, False), isobar_mpe(bars, repeats, True)
    except ImportError as error:
        print(f"isobar: not measured ({error}); pip install -e '.[dev]'")
    else:
        peer = {"shipped": shipped, "fixed": fixed}
        for label, figures in (("isobar MPE", shipped), ("isobar, fixed", fixed)):
            print(f"{label:16s} {figures['us_per_bar']:9.0f} {figures['us_per_bar'] / 64:7.1f} {'':10s} {'':7s}"
                  f" {figures['notes'] - figures['dropped']:7d} {figures['dropped']:7d} {figures['busy']:5d}")
    ratios = {}
    if peer:
        base = peer["fixed"]["us_per_bar"]
        for row in results:
            if row["name"].startswith("mpe"):
                for part in ("source", "lookahead"):
                    ratios[f"{row['name']} {part}"] = row[f"{part}_us_per_bar"] / base
        print("livemidi ÷ isobar (fixed), CPU a bar: " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
        mpe = next(row for row in results if row["name"] == "mpe")
        print(f"member channels busy after the stream: livemidi {mpe['busy']} (its pool: {mpe['pool_busy']}), "
              f"isobar {shipped['busy']} ({shipped['dropped']} of {shipped['notes']} notes dropped), "
              f"isobar fixed {fixed['busy']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"bars": bars, "repeats": repeats, "rows": results, "isobar": peer, "ratios": ratios}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
