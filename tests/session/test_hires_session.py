"""nrpn/rpn/cc14/polytouch end to end in a Session: contiguous sequences, recorded, loaded back byte for byte.

A session on a virtual clock runs the real lookahead loop, renderer, sender
ordering and recorder (`VirtualSender`: only the waiting is virtual).
"""

from __future__ import annotations

import tempfile
from fractions import Fraction as F
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from livemidi import MidiFile
from livemidi.clock import VirtualSender
from livemidi.messages.controllers import fold
from livemidi.pattern import cc14, fast, note, nrpn, rpn, stack
from livemidi.session import Session
from livemidi.session.loadmid import load
from livemidi.session.offline import render_pattern_file

SECONDS_PER_BAR = 2.0  # 120 BPM


class Rig:
    """A session on a virtual clock that keeps every message sent as (cycle, bytes), through its listeners."""

    def __init__(self):
        self.t = 100.0
        self.notices: list[str] = []
        self.sender = VirtualSender(now=lambda: self.t)
        self.session = Session(self.sender, threaded=False, now=lambda: self.t, on_notice=self.notices.append)
        self.session.add_output("out")
        self.sent: list[tuple[F, bytes]] = []
        self.session.add_listener(self._heard)

    def _heard(self, records) -> None:
        for sent in records:
            cycle = F(round((sent.time - self.origin) / SECONDS_PER_BAR * 3840), 3840)
            self.sent.append((cycle, bytes(sent.data)))

    def start(self, record: Path | None = None) -> None:
        self.session.start()
        self.origin = self.session.tempo_map.time_at(0)
        self.t = self.origin  # a take that starts on the bar line: its bar 0 is cycle 0
        if record is not None:
            self.session.record(record)

    def run(self, bars: int) -> None:
        end = self.origin + bars * SECONDS_PER_BAR - 0.001  # not the next bar's first events
        while round(self.t + 0.005, 9) < end:
            self.t = round(self.t + 0.005, 9)
            self.session.clock.step()
            self.sender.advance(self.t)
            self.session.pump()
        assert not self.notices, self.notices


def controls_at_each_instant(sent):
    """{cycle: the control changes sent at that cycle, folded back into whole sequences}."""
    by_cycle: dict[F, list] = {}
    for cycle, data in sent:
        if data[0] & 0xF0 == 0xB0:
            by_cycle.setdefault(cycle, []).append((0, data[0] & 0x0F, data[1], data[2]))
    return {cycle: [(ch, kind, number, value) for _, ch, kind, number, value in fold(changes)]
            for cycle, changes in by_cycle.items()}


def test_two_loops_with_nrpns_on_one_channel_at_one_instant_each_send_a_whole_sequence():
    rig = Rig()
    rig.session.p.a = note("c*2").nrpn(0x0120, "100 200").rpn(0, 256)
    rig.session.p.b = stack(note("e").nrpn(0x0121, 7).cc14(1, 9000), note("g").nrpn(0x0120, 16383))
    rig.start()
    rig.run(1)
    assert [data.hex(" ") for cycle, data in rig.sent if cycle == 0] == [
        "b0 63 02", "b0 62 20", "b0 06 00", "b0 26 64", "b0 65 7f", "b0 64 7f",  # a: NRPN 0x0120 = 100
        "b0 65 00", "b0 64 00", "b0 06 02", "b0 26 00", "b0 65 7f", "b0 64 7f",  # a: RPN 0 = 256
        "90 3c 64",                                                              # a: c
        "b0 63 02", "b0 62 21", "b0 06 00", "b0 26 07", "b0 65 7f", "b0 64 7f",  # b: NRPN 0x0121 = 7
        "b0 01 46", "b0 21 28",                                                  # b: CC 1/33 = 9000
        "b0 63 02", "b0 62 20", "b0 06 7f", "b0 26 7f", "b0 65 7f", "b0 64 7f",  # b: NRPN 0x0120 = 16383
        "90 40 64", "90 43 64",                                                  # b: e, g
    ]


def test_polytouch_follows_its_note_on_on_its_key_and_channel():
    rig = Rig()
    rig.session.p.a = note("[c,e] g").polytouch("30 90").ch(3)
    rig.start()
    rig.run(1)
    assert [(cycle, data.hex(" ")) for cycle, data in rig.sent if data[0] & 0xF0 in (0x90, 0xA0)] == [
        (0, "93 3c 64"), (0, "93 40 64"), (0, "a3 3c 1e"), (0, "a3 40 1e"),
        (F(1, 2), "93 43 64"), (F(1, 2), "a3 43 5a"),
    ]


hires = st.one_of(
    st.tuples(st.just("nrpn"), st.integers(0, 16383), st.integers(0, 16383)),
    st.tuples(st.just("rpn"), st.integers(0, 16382), st.integers(0, 16383)),
    st.tuples(st.just("cc14"), st.integers(0, 31), st.integers(0, 16383)),
)
MAKERS = {"nrpn": nrpn, "rpn": rpn, "cc14": cc14}


def event(controls, key):
    pattern = note(key)
    for kind, number, value in controls:
        pattern = pattern | MAKERS[kind](number, value)
    return pattern


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.tuples(st.lists(hires, min_size=1, max_size=3), st.sampled_from([1, 2, 4])),
                         min_size=1, max_size=3), min_size=1, max_size=3))
def test_simultaneous_events_never_interleave_their_sequences(loops):
    # Every loop stacks events on channel 0 that repeat 1, 2 or 4 times a bar: many fall at one instant.
    rig = Rig()
    expected: dict[F, list] = {}
    key = 40
    for name, events in enumerate(loops):
        layers = []
        for controls, times in events:
            layers.append(fast(times, event(controls, key)))
            key += 1
            # What one event sends, in its own order (a dict keeps one value per parameter: the last).
            sequence_of = {}
            for kind, number, value in controls:
                sequence_of[kind, number] = value
            for step in range(times):
                expected.setdefault(F(step, times), []).extend(
                    (0, kind, number, value) for (kind, number), value in sequence_of.items())
        rig.session.play(f"l{name}", stack(*layers))
    rig.start()
    rig.run(1)
    # Loops in the order they were added, the events of each in stack order: at every instant,
    # exactly these whole sequences and nothing in between.
    assert controls_at_each_instant(rig.sent) == dict(sorted(expected.items()))


def played(rig):
    return [(cycle, data.hex(" ")) for cycle, data in rig.sent]


def test_a_take_with_every_kind_loads_back_and_plays_the_same_bytes(tmp_path):
    take = tmp_path / "take.mid"
    rig = Rig()
    # (legato 1/2: nothing sounds when the take stops, so the take ends no note early)
    rig.session.p.keys = note("[c,e,g] ~ [d,f] a").nrpn(0x0120, "0 8192 16383 5").polytouch("40 50 60 70") \
        .legato(0.5)
    rig.session.p.wheel = note("c2*4").ch(1).cc14(1, "0 4096 8192 16383").rpn(0, "<256 1536>").cc(74, 20) \
        .legato(0.5)
    rig.start(record=take)
    rig.run(2)
    rig.session.stop_record()
    assert [track.name for track in MidiFile(take).tracks] == ["take", "keys", "wheel"]
    # A take has a track per loop: each track loaded as a loop of its own plays what that loop played.
    again = Rig()
    again.session.p.keys = load(take, track="keys")
    again.session.p.wheel = load(take, track="wheel")
    again.start()
    again.run(2)
    assert played(again) == played(rig)
    assert sum(1 for _, data in rig.sent if data[0] == 0xB0 and data[1] == 99) == 2 * (3 + 2 + 1)
    # Loaded as one loop, every message is there and every sequence whole, in one loop's order at an
    # instant (note-offs, controls, note-ons, key pressure).
    whole = Rig()
    whole.session.p.take = load(take)
    whole.start()
    whole.run(2)
    assert sorted(played(whole)) == sorted(played(rig))
    assert controls_at_each_instant(whole.sent) == controls_at_each_instant(rig.sent)
    loaded = [ev.value for ev in load(take).onsets(0, F(1, 4))]
    assert loaded.count({"nrpn288": 0, "channel": 0}) == 3  # one per note of the chord, as played
    assert {"cc14_1": 0, "channel": 1} in loaded and {"rpn0": 256, "channel": 1} in loaded
    assert {"cc74": 20, "channel": 1} in loaded
    assert {"note": 60, "velocity": 100, "channel": 0, "polytouch": 40} in loaded


steps = st.lists(st.tuples(st.sampled_from([48, 60, 67]), st.lists(hires, max_size=2),
                           st.one_of(st.none(), st.integers(0, 127))), min_size=1, max_size=6)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps, st.integers(0, 15))
def test_render_record_load_render_gives_the_same_messages(line, channel):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        code = folder / "line.py"  # the pattern written as a performer would, run as a pattern file
        code.write_text(f"p.line = sequence(*{[repr_of(s) for s in line]!s}).ch({channel})\n".replace("'", ""))
        first = render_pattern_file(code, 2)
        first.save(str(folder / "line.mid"))
        second_code = folder / "again.py"
        second_code.write_text(f"p.again = load({str(folder / 'line.mid')!r})\n")
        second = render_pattern_file(second_code, 2)
        assert messages(second) == messages(first)
        assert messages(first)  # something was played


def repr_of(step):
    """The step as pattern code, for a pattern file."""
    key, controls, touch = step
    code = f"note({key})"
    for kind, number, value in controls:
        code += f".{kind}({number}, {value})"
    if touch is not None:
        code += f".polytouch({touch})"
    return code


def messages(midi: MidiFile):
    out = []
    for track in midi.tracks[1:]:
        tick = 0
        for msg in track:
            tick += msg.time
            if not msg.is_meta:
                out.append((tick, msg.hex()))
    return out
