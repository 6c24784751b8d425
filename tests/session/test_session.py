"""The session on a virtual clock: loops, swaps at bar lines, errors, mute/solo/hush, no hanging notes."""

from __future__ import annotations

import threading
from fractions import Fraction as F

import pytest

from livemidi import Message
from livemidi.clock import VirtualSender
from livemidi.errors import LoopNotFoundError
from livemidi.pattern import Pattern, note, stack
from livemidi.session import PatternError, Session, namespace

SECONDS_PER_BAR = 2.0  # 120 BPM, 4 beats a bar


class Rig:
    """A session on a virtual clock; `run(bars)` advances time and collects what was sent."""

    def __init__(self, outputs=("out",), **options):
        self.t = 100.0
        self.notices: list[str] = []
        self.sender = VirtualSender(now=self.now)
        self.session = Session(
            self.sender, threaded=False, now=self.now, on_notice=self.notices.append, **options
        )
        for name in outputs:
            self.session.add_output(name)
        self.sent: list[tuple[F, int, Message]] = []
        self.origin = None

    def now(self) -> float:
        return self.t

    def start(self):
        self.session.start()
        self.origin = self.session.tempo_map.time_at(0)

    def run(self, bars: float, step: float = 0.005):
        end = self.t + bars * SECONDS_PER_BAR
        while self.t < end:
            self.t = round(self.t + step, 9)
            self.session.clock.step()
            self.sender.advance(self.t)
        for sent in self.sender.take_sent():
            cycle = F(round((sent.time - self.origin) / SECONDS_PER_BAR * 960 * 4), 960 * 4)
            self.sent.append((cycle, sent.port, Message.from_bytes(sent.data)))

    def run_to_cycle(self, cycle):
        target = self.origin + float(cycle) * SECONDS_PER_BAR
        self.run((target - self.t) / SECONDS_PER_BAR)

    def notes_on(self):
        return [(cycle, msg.note) for cycle, _port, msg in self.sent if msg.type == "note_on"]

    def sounding(self):
        return len(self.sender.ledger)


def test_a_loop_plays_its_pattern_bar_after_bar():
    rig = Rig()
    rig.session.p.bass = note("c3 e3")
    rig.start()
    rig.run(2.1)
    assert rig.notes_on() == [(0, 48), (F(1, 2), 52), (1, 48), (F(3, 2), 52), (2, 48)]
    offs = [cycle for cycle, _, msg in rig.sent if msg.type == "note_off"]
    assert offs[:4] == [F(1, 2), 1, F(3, 2), 2]


def test_a_new_pattern_takes_over_at_the_next_bar_in_phase():
    rig = Rig()
    rig.session.p.bass = note("c3 c3 c3 c3")
    rig.start()
    rig.run_to_cycle(F(3, 8))
    rig.session.p.bass = note("e3 e3 e3 e3")
    rig.run_to_cycle(F(9, 4))
    assert rig.notes_on() == [(0, 48), (F(1, 4), 48), (F(1, 2), 48), (F(3, 4), 48)] + [
        (1 + F(k, 4), 52) for k in range(6)
    ]
    assert rig.session.p.bass.state(F(2)) == "playing"


@pytest.mark.parametrize("quantize, first_new", [("beat", F(1, 2)), ("now", F(3, 8)), (2, F(2))])
def test_quantize(quantize, first_new):
    rig = Rig(quantize=quantize)
    rig.session.p.x = note("c3*8")
    rig.start()
    rig.run_to_cycle(F(3, 8) - F(1, 100))
    rig.session.p.x = note("d3*8")
    rig.run_to_cycle(F(5, 2))
    first = min(cycle for cycle, n in rig.notes_on() if n == 50)
    assert first == first_new
    assert all(n == 48 for cycle, n in rig.notes_on() if cycle < first_new)


def test_a_pattern_that_raises_when_tried_is_refused_and_the_old_one_plays_on():
    rig = Rig()
    rig.session.p.bass = note("c3")
    rig.start()
    rig.run(0.5)
    with pytest.raises(PatternError, match="the new pattern for 'bass' fails.*old pattern plays on") as caught:
        rig.session.p.bass = raises_from(0, note("c3 e3"))
    assert isinstance(caught.value.__cause__, RuntimeError)
    rig.run(2)
    assert {n for _, n in rig.notes_on()} == {48}


@pytest.mark.parametrize("text", ["note(60.5)", "note('c3 60.5')", "n('48 60.5')"])
def test_a_fractional_note_is_refused_before_the_swap_and_the_old_pattern_plays_on(text):
    rig = Rig()
    rig.session.p.bass = note("c3")
    rig.start()
    rig.run(0.5)
    with pytest.raises(ValueError, match=r"note 60\.5 is between two keys, and output 'out' plays whole notes only: "
                                         r"open it as an MPE output .* microtonal_channels=\[1, 2, 3, 4\]"):
        exec(f"p.bass = {text}", namespace(rig.session))
    rig.run(2)
    assert {n for _, n in rig.notes_on()} == {48}


def raises_from(cycle: int, good: Pattern) -> Pattern:
    def query(span):
        if span.end > cycle:
            raise RuntimeError(f"broken at {span.end}")
        return good.query(span)

    return Pattern(query)


def test_a_pattern_that_raises_later_goes_back_to_the_last_good_one():
    rig = Rig()
    rig.session.p.lead = note("c4*2")
    rig.start()
    rig.run(0.5)
    rig.session.play("lead", raises_from(6, note("e4*2")))  # passes the 4-cycle trial, fails at cycle 6
    rig.run(7)
    notes = rig.notes_on()
    assert (1, 64) in notes and (5, 64) in notes  # the new one played...
    assert (6, 60) in notes and (7, 60) in notes  # ...then the last good one came back, in phase
    assert any("loop 'lead' failed" in text and "last good pattern" in text for text in rig.notices)
    assert rig.session.errors >= 1


def test_a_first_pattern_that_fails_later_stops_its_loop_and_the_others_play_on():
    rig = Rig()
    rig.session.p.a = raises_from(5, note("c4"))
    rig.session.p.b = note("g4")
    rig.start()
    rig.run_to_cycle(F(15, 2))
    assert [c for c, n in rig.notes_on() if n == 60] == [0, 1, 2, 3, 4]
    assert [c for c, n in rig.notes_on() if n == 67] == list(range(8))
    assert any("it stops" in text for text in rig.notices)


def test_mute_silences_at_once_and_unmute_comes_back_in_phase():
    rig = Rig()
    rig.session.p.pad = note("c3").legato(1)
    rig.session.p.hat = note("f#5*4")
    rig.start()
    rig.run_to_cycle(F(1, 3))
    rig.session.mute("pad")
    rig.run(0.01)
    pad_off = [cycle for cycle, _, msg in rig.sent if msg.type == "note_off" and msg.note == 48]
    assert len(pad_off) == 1 and F(1, 3) <= pad_off[0] < F(1, 3) + F(1, 100)  # at once, not at the bar line
    rig.run_to_cycle(F(5, 2))
    assert [c for c, n in rig.notes_on() if n == 48] == [0]
    rig.session.unmute("pad")
    rig.run_to_cycle(F(9, 2))
    assert [c for c, n in rig.notes_on() if n == 48] == [0, 3, 4]
    assert [c for c, n in rig.notes_on() if n == 78] == [F(k, 4) for k in range(19)]


def test_solo_and_unsolo():
    rig = Rig()
    rig.session.p.a = note("c4")
    rig.session.p.b = note("d4")
    rig.start()
    rig.run(0.5)
    rig.session.solo("b")
    rig.run_to_cycle(F(5, 2))
    rig.session.unsolo()
    rig.run_to_cycle(F(7, 2))
    assert [c for c, n in rig.notes_on() if n == 60] == [0, 3]
    assert [c for c, n in rig.notes_on() if n == 62] == [0, 1, 2, 3]
    assert {s.name: s.state for s in rig.session.status().loops} == {"a": "playing", "b": "playing"}


def test_hush_ends_every_note_now_and_stops_every_loop():
    rig = Rig()
    rig.session.p.pad = stack(note("c3"), note("e3")).duration(8)
    rig.start()
    rig.run(0.25)
    assert rig.sounding() == 2
    rig.session.hush()
    rig.run(0.01)
    assert rig.sounding() == 0
    assert rig.session.loops == {}
    rig.run(2)
    assert len(rig.notes_on()) == 2


def test_stop_loop_and_del():
    rig = Rig()
    rig.session.p.a = note("c4")
    rig.session.p.b = note("d4")
    rig.start()
    rig.run(0.5)
    del rig.session.p.a
    rig.session.p.b = None
    rig.run(3)
    assert rig.notes_on() == [(0, 60), (0, 62)]
    assert rig.sounding() == 0


def test_tempo_changes_keep_the_position():
    rig = Rig()
    rig.session.p.x = note("c4*4")
    rig.start()
    rig.run_to_cycle(1)
    rig.session.tempo(240, at=1)
    rig.run(1.5)
    times = [sent for sent in rig.sent if sent[2].type == "note_on"]
    assert len(times) >= 8
    assert rig.session.tempo() == 240


def test_ports_by_name_and_per_loop_defaults():
    rig = Rig(outputs=("synth A", "drums B"))
    rig.session.play("beat", note("c2*2").port("drums"), channel=9)
    rig.session.play("keys", note("c4"), port=0, channel=3)
    rig.start()
    rig.run(0.9)
    ports = {(port, msg.channel, msg.note) for _, port, msg in rig.sent if msg.type == "note_on"}
    assert ports == {(1, 9, 36), (0, 3, 60)}
    with pytest.raises(PatternError, match="no output matches port 'bass'"):
        rig.session.p.beat = note("c2").port("bass")


def test_every_note_on_has_its_note_off_after_a_busy_session():
    rig = Rig()
    rig.session.p.a = note("c3 [e3 g3] <b3 d4>").legato(1.5)
    rig.session.p.b = note("c5*8").sometimes_by(0.5, lambda p: p.velocity(30))
    rig.start()
    rig.run(1.3)
    rig.session.p.a = note("f3*3").duration(3)
    rig.run(0.7)
    rig.session.mute("b")
    rig.run(1.1)
    rig.session.unmute("b")
    rig.session.tempo(150)
    rig.run(0.8)
    rig.session.stop()
    rig.run(0.1)
    assert rig.sounding() == 0
    last = {}  # (port, channel, note) -> did its last message start a note?
    for _, port, msg in rig.sent:
        if msg.type in ("note_on", "note_off"):
            last[(port, msg.channel, msg.note)] = msg.type == "note_on" and msg.velocity > 0
    assert last and not any(last.values())  # every key's last word was a note-off


def test_the_namespace_has_the_pattern_functions_and_the_commands():
    rig = Rig()
    names = namespace(rig.session)
    exec("p.drums = note('c2*4').ch(9)\ntempo(100)\nquantize('beat')", names)
    assert "drums" in rig.session.loops
    assert rig.session.tempo() == 100
    assert rig.session.quantize == "beat"
    assert names["where"]() == "1.1 at 100 BPM (stopped)"
    for name in ("note", "stack", "euclid", "scale", "hush", "panic", "mute", "solo", "start", "stop", "p"):
        assert name in names


def test_commands_from_another_thread_never_deadlock_with_the_lookahead_thread():
    """The lookahead thread takes the clock's lock, then the session's; commands must not take them the other way."""
    import threading
    import time

    session = Session(VirtualSender(now=time.perf_counter), lookahead=0.02, on_notice=lambda text: None)
    session.add_output("out")
    session.start()
    done = threading.Event()

    def perform():
        for round_ in range(150):
            session.p.a = note("c4*8")
            session.p.b = note("e4*3")
            session.mute("a")
            session.solo("b")
            session.unmute("a")
            session.unsolo()
            session.tempo(100 + round_ % 40)
            session.stop_loop("b")
        done.set()

    worker = threading.Thread(target=perform, daemon=True)
    worker.start()
    assert done.wait(60), "the commands and the lookahead thread are waiting for each other"
    session.close()


@pytest.mark.parametrize("command", ["mute", "unmute", "solo", "unsolo", "stop_loop"])
def test_a_loop_name_that_does_not_exist_says_so_and_lists_the_loops(command):
    rig = Rig()
    rig.session.p.bass = note("c2")
    rig.session.p.kick = note("c1")
    with pytest.raises(LoopNotFoundError) as caught:
        getattr(rig.session, command)("nosuch")
    assert str(caught.value) == "no loop named 'nosuch'; the loops are: bass, kick"
    assert isinstance(caught.value, KeyError)  # what code written before this error caught
    assert (caught.value.name, caught.value.loops) == ("nosuch", ["bass", "kick"])
    assert set(rig.session.loops) == {"bass", "kick"}


def test_with_no_loops_yet_the_error_says_how_to_start_one():
    rig = Rig()
    with pytest.raises(LoopNotFoundError, match=r"^no loop named 'x'; there are no loops yet \(start one with p.x = pattern\)$"):
        rig.session.mute("x")
    with pytest.raises(LoopNotFoundError, match="no loop named 'x'"):
        del rig.session.p.x


def test_unsolo_takes_a_soloed_loop_that_has_since_stopped():
    rig = Rig()
    rig.session.p.a = note("c4")
    rig.session.solo("a")
    rig.session.stop_loop("a")  # stopped: gone at once, the transport is stopped
    rig.session.unsolo("a")
    assert rig.session._solo == set()


def test_ctrl_c_while_the_clock_starts_its_thread_still_closes_cleanly(monkeypatch):
    # Ctrl-C at the moment the lookahead thread is made but not yet started (seen in
    # `livemidi run`, interrupted at start-up): closing the session then raised RuntimeError.
    session = Session(VirtualSender(), on_notice=lambda text: None)
    session.add_output("out")
    session.p.a = note("c4")
    start = threading.Thread.start

    def interrupted(thread):
        if thread.name == "livemidi lookahead":
            raise KeyboardInterrupt
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", interrupted)
    with pytest.raises(KeyboardInterrupt):
        session.start()
    monkeypatch.setattr(threading.Thread, "start", start)
    session.close()


def test_the_first_note_is_shipped_a_lookahead_ahead_and_sent_at_its_deadline(unique):
    # Cycle 0 used to be 50 ms after start(), half the lookahead: the first notes were shipped
    # later than any other, and the first one went out about a millisecond late.
    import time

    from livemidi.clock import Sender

    with Session(Sender(), on_notice=lambda text: None) as session:
        session.add_output(unique, virtual=True, backend="livemidi.backends.memory")
        session.p.a = note("c4*4")
        asked = time.perf_counter()
        session.start()
        time.sleep(session.clock.lookahead + 0.3)
        session.sender.flush()
        first = session.sender.take_sent()[0]
    assert first.data[0] & 0xF0 == 0x90  # the first note-on
    assert first.deadline - asked >= session.clock.lookahead  # as far ahead as every later note
    assert 0 <= first.time - first.deadline < 0.02  # the sender's own record (a sanity bound: a busy machine)
