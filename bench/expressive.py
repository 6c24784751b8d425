"""Benchmark: what expressive MIDI costs a playing session per bar, and isobar's MPE output beside it.

Each row is one loop played by a `Session` on a virtual clock (a
`VirtualSender`: no process, no port; the bytes it would write are kept to be
checked), 120 BPM, after one bar of warm-up. Two figures are taken, each from
a session of its own (one `time.thread_time` call costs about half a
microsecond here, too much to wrap each of a bar's 200 windows in):

- **source**: ``Session.source(begin, end)`` called for consecutive windows of
  1/200 of a bar (10 ms, the lookahead's interval), the virtual time kept one
  lookahead before each window as the clock keeps it: the render and the MPE
  or microtonal placement, the work the session does for the clock.
- **lookahead**: ``session.clock.step()`` every 10 ms of virtual time, as the
  lookahead thread steps: the source and then the clock's own work (checks,
  bytes, deadlines, the hand-over to the sender), all of the lookahead
  thread's CPU for a bar. The sender's sends are made between bars, untimed.

Figures are CPU µs (`time.thread_time`) per bar and per note played, the
median of ``--rounds`` rounds of ``--bars`` bars each; every row (and the
peer) plays its bars in each round in turn, so that a burst of load on a
shared machine falls on all of them alike. ``+/note`` is a row's source per
note above the ``silence`` row's: what a note adds to what any loop costs.
The rows (64 notes a bar unless said):

- ``silence``: ``note("~")``, no notes: what a loop costs a bar whatever it
  plays (200 windows, each rendered within the loop's budget and guard);
- ``ordinary``: ``note("[60 64 67 ...]*4").legato(3)``, 16 different keys four
  times a bar, each note lasting three steps (three sound at once);
- ``mpe``: the same, on an output with ``mpe=True`` (15 member channels);
- ``mpe fractional``: the same keys plus a quarter, a half or three quarters of
  a semitone, on the MPE output: a pitch bend per note;
- ``microtonal 1-4``: the fractional notes on an ordinary output with
  ``microtonal_channels=[1, 2, 3, 4]`` (three at once: they fit);
- ``held arp`` and ``chord arp``: ``held(kb).arp("updown").fast(4)`` with five
  keys held on an `InputState` (what a session's input port feeds), 32 notes
  a bar, and the same written as a chord, ``note("[c4,e4,g4,b4,d5]")``;
- ``cc knob`` and ``cc sine``: ``note("c4*64").cc(74, knob(21, kb) * 127)`` and
  the same with ``sine``;
- ``cc``, ``nrpn``, ``cc14``, ``polytouch``: ``note("c4*64")`` with
  ``.cc(74, saw * 127)``, ``.nrpn(0x0120, saw * 16383)``,
  ``.cc14(1, saw * 16383)``, ``.polytouch(saw * 127)``.

After the timed bars the loop is stopped and played three more bars. Every row
then checks the bytes written: the notes played against the notes written
(``dropped``), and the channels still holding a note (``busy``: 0 when every
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

    python3 bench/expressive.py [--quick] [--bars N] [--rounds N] [--json PATH]

A full run takes about half a minute, ``--quick`` (4 bars, 3 rounds) a few seconds.

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
        ("silence", note("~"), {}, 0),
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
        self.asked = 0  # bars asked of the source by `source`

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

    def source(self, count: int) -> float:
        """Ask the session's source for the next `count` bars of windows (not stepping the clock); its CPU seconds."""
        source, tempo = self.session.source, self.session.tempo_map
        lookahead = self.session.clock.lookahead
        spent = 0.0
        for _ in range(count):
            first = self.asked * WINDOWS
            self.asked += 1
            windows = [Fraction(first + k, WINDOWS) for k in range(WINDOWS + 1)]
            times = [tempo.time_at(begin) - lookahead for begin in windows]  # as the clock asks: a lookahead ahead
            t0 = time.thread_time()
            for k in range(WINDOWS):
                self.t = times[k]
                source(windows[k], windows[k + 1])
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
        now = self.session.position().cycle
        pool_busy = sum(len({held.channel for held in pool.sounding(now)}) for pool in pools)
        self.session.close()
        return {"played": played, "dropped": per_bar * int(stop) - played, "busy": busy, "pool_busy": pool_busy}


class Row:
    """One row: its pattern played in two sessions, one for each figure, measured a round at a time."""

    def __init__(self, name: str, pattern, options: dict, per_bar: int) -> None:
        self.name, self.per_bar = name, per_bar
        self.by_source, self.by_clock = Virtual(pattern, options), Virtual(pattern, options)
        self.by_source.source(1)  # the bar of warm-up
        self.by_clock.bars(1)
        self.sources: list[float] = []
        self.steps: list[float] = []

    def round(self, bars: int) -> None:
        self.sources.append(self.by_source.source(bars) / bars)
        self.steps.append(self.by_clock.bars(bars) / bars)

    def result(self) -> dict:
        self.by_source.session.close()
        source, lookahead = statistics.median(self.sources) * 1e6, statistics.median(self.steps) * 1e6
        each = max(self.per_bar, 1)
        return {"name": self.name, "notes_per_bar": self.per_bar, "source_us_per_bar": source,
                "lookahead_us_per_bar": lookahead, "source_us_per_note": source / each,
                "lookahead_us_per_note": lookahead / each} | self.by_clock.finish(self.per_bar)  # fmt: skip


def print_row(row: dict, silence: dict) -> None:
    """A row of the table; ``+/note``: its source's CPU above silence's, per note."""
    each = row["notes_per_bar"]
    source, lookahead = row["source_us_per_bar"], row["lookahead_us_per_bar"]
    per, extra, per_step = "-", "-", "-"
    if each:
        per, per_step = f"{source / each:.1f}", f"{lookahead / each:.1f}"
        extra = f"{(source - silence['source_us_per_bar']) / each:.1f}"
    print(f"{row['name']:16s} {source:9.0f} {per:>7s} {extra:>7s} {lookahead:10.0f} {per_step:>7s}"
          f" {row['played']:7d} {row['dropped']:7d} {row['busy']:5d}")


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


class Isobar:
    """isobar's MPEOutputDevice (as shipped, or `fixed`) given the note stream a bar at a time, like a `Row`."""

    def __init__(self, fixed: bool, bars: int) -> None:
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
            self.device = (Fixed if fixed else MPEOutputDevice)("sink")
        finally:
            mido.set_backend(before)
        self.name = "isobar, fixed" if fixed else "isobar MPE"
        self.stream = note_stream(bars)
        self.sounding: dict[int, object] = {}
        self.dropped = 0
        self.played: list[float] = []
        self.bars(1)  # the bar of warm-up

    def bars(self, count: int) -> float:
        device, sounding = self.device, self.sounding
        spent = 0.0
        for _ in range(count):
            bar = self.stream.pop(0)
            t0 = time.thread_time()
            for event in bar:
                if event[0] == "on":
                    mpe_note = sounding[event[1]] = device.note_on(event[2], 100)
                    if mpe_note is None:
                        self.dropped += 1
                        continue
                    mpe_note.pitch_bend(0)  # what livemidi sends with each note on an MPE output
                    mpe_note.aftertouch(0)
                    mpe_note.control(74, 64)
                else:
                    mpe_note = sounding.pop(event[1])
                    if mpe_note is not None:
                        mpe_note.note_off()
            spent += time.thread_time() - t0
        return spent

    def round(self, bars: int) -> None:
        self.played.append(self.bars(bars) / bars)

    def result(self) -> dict:
        self.bars(len(self.stream))  # the last note-offs
        busy = sum(1 for channel in self.device.channels if self.device.channel_assignments[channel] is not None)
        notes = sum(1 for message in self.device.midi.sent if message.type == "note_on") + self.dropped
        return {"name": self.name, "us_per_bar": statistics.median(self.played) * 1e6, "notes": notes,
                "dropped": self.dropped, "busy": busy, "sent": len(self.device.midi.sent)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="4 bars, 3 rounds (default 8 bars, 11 rounds)")
    parser.add_argument("--bars", type=int, help="bars a round")
    parser.add_argument("--rounds", type=int, help="rounds, of which the median is printed")
    parser.add_argument("--json", metavar="PATH", help="write the results as JSON")
    args = parser.parse_args(argv)
    bars = args.bars or (4 if args.quick else 8)
    rounds = args.rounds or (3 if args.quick else 11)
    kb = InputState("bench")
    kb.control(0, 21, 100)
    for key in CHORD:
        kb.note_on(0, key, 90)
    measured: list = [Row(*row) for row in rows(kb)]
    try:
        measured += [Isobar(False, 1 + bars * rounds), Isobar(True, 1 + bars * rounds)]
    except ImportError as error:
        print(f"isobar: not measured ({error}); pip install -e '.[dev]'")
    for _ in range(rounds):  # round by round: a burst of load on the machine falls on every row alike
        for each in measured:
            each.round(bars)
    results = [each.result() for each in measured]
    rows_, peer = results[: len(rows(kb))], {r["name"]: r for r in results[len(rows(kb)) :]}
    print(f"{bars} bars × {rounds} rounds, 120 BPM, a window every {STEP * 1000:g} ms; CPU µs, median of rounds")
    print(f"{'row':16s} {'source':>9s} {'/note':>7s} {'+/note':>7s} {'lookahead':>10s} {'/note':>7s}"
          f" {'played':>7s} {'dropped':>7s} {'busy':>5s}")
    for row in rows_:
        print_row(row, rows_[0])
    for figures in peer.values():
        print(f"{figures['name']:16s} {figures['us_per_bar']:9.0f} {figures['us_per_bar'] / 64:7.1f} {'':7s} {'':10s}"
              f" {'':7s} {figures['notes'] - figures['dropped']:7d} {figures['dropped']:7d} {figures['busy']:5d}")
    ratios = {}
    if peer:
        base = peer["isobar, fixed"]["us_per_bar"]
        for row in rows_:
            if row["name"].startswith("mpe"):
                for part in ("source", "lookahead"):
                    ratios[f"{row['name']} {part}"] = row[f"{part}_us_per_bar"] / base
        print("livemidi ÷ isobar (fixed), CPU a bar: " + ", ".join(f"{k} {v:.1f}" for k, v in ratios.items()))
        mpe, shipped = next(row for row in rows_ if row["name"] == "mpe"), peer["isobar MPE"]
        print(f"member channels busy after the stream: livemidi {mpe['busy']} (its pool: {mpe['pool_busy']}), "
              f"isobar {shipped['busy']} ({shipped['dropped']} of {shipped['notes']} notes dropped), "
              f"isobar fixed {peer['isobar, fixed']['busy']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"bars": bars, "rounds": rounds, "rows": rows_, "isobar": peer, "ratios": ratios}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
