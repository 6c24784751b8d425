"""The session following a MIDI clock (and sending one), on a virtual clock; the commands and options."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from livemidi import Message
from livemidi.clock import ClockIn, ClockSyncError, VirtualSender
from livemidi.pattern import note
from livemidi.session import Session, namespace

MEMORY = "livemidi.backends.memory"


class Master:
    """A MIDI clock master on the virtual clock: `run` feeds pulses to a ClockIn and steps the session."""

    def __init__(self, bpm=150.0, outputs=("synth", "gear")):
        self.t = 50.0
        self.notices: list[str] = []
        self.sender = VirtualSender(now=self.now)
        self.session = Session(self.sender, threaded=False, now=self.now, on_notice=self.notices.append)
        for name in outputs:
            self.session.add_output(name)
        self.clock = ClockIn(None, now=self.now)
        self.session.follow(self.clock, owned=True)
        self.interval = 60 / bpm / 24
        self.next_pulse = self.t
        self.sent: list[tuple[float, int, str]] = []

    def now(self) -> float:
        return self.t

    def send(self, data: bytes) -> None:
        self.clock.feed(data, self.t)

    def run(self, seconds: float, step: float = 0.001) -> None:
        end = self.t + seconds
        while self.t < end:
            self.t = round(self.t + step, 9)
            while self.next_pulse <= self.t:
                self.clock.feed(b"\xf8", self.next_pulse)
                self.next_pulse += self.interval
            self.session.clock.step()
            self.sender.advance(self.t)
        self.sent.extend((s.time, s.port, s.data.hex(" ")) for s in self.sender.take_sent())


def test_the_session_plays_in_the_master_s_tempo_from_start_and_seeks_with_song_position():
    rig = Master(150.0)
    session = rig.session
    session.play("kick", note("c2*4"), at="now")
    rig.run(1.0)  # clock while stopped: the tempo is known, nothing plays
    assert not session.status().running and not rig.sent
    rig.send(b"\xfa")  # Start
    start = rig.next_pulse  # the next pulse is the downbeat
    rig.run(3.2)
    assert session.status().running
    assert session.status().bpm == pytest.approx(150, abs=0.05)
    ons = [t for t, _, data in rig.sent if data.startswith("90")]
    beat = 60 / 150
    assert ons[0] == pytest.approx(start, abs=0.002)
    assert [round((t - start) / beat, 2) for t in ons] == [float(k) for k in range(len(ons))]
    rig.send(b"\xfc")  # Stop: every note ends, nothing more plays
    rig.run(0.5)
    assert not session.status().running
    rig.sent.clear()
    rig.send(bytes([0xF2, 64, 0]))  # Song Position Pointer: 16th number 64 = bar 5 (cycle 4)
    rig.send(b"\xfb")  # Continue
    resume = rig.next_pulse
    rig.run(1.0)
    assert session.position().cycle >= 4
    ons = [t for t, _, data in rig.sent if data.startswith("90")]
    assert ons[0] == pytest.approx(resume, abs=0.002)  # bar 5's downbeat, where the master is


def test_the_clock_is_bridged_to_outputs_that_only_speak_midi_clock():
    rig = Master(120.0)
    rig.session.clock_out("gear")
    assert rig.session.status().clock_out == ("gear",)
    rig.run(0.5)
    rig.send(b"\xfa")
    rig.run(1.0)
    gear = [(t, data) for t, port, data in rig.sent if port == 1]
    assert gear[0][1] == "fa"
    pulses = [t for t, data in gear if data == "f8"]
    assert len(pulses) >= 40
    gaps = [b - a for a, b in zip(pulses, pulses[1:])]
    assert max(abs(gap - 0.5 / 24) for gap in gaps[4:]) < 0.0005  # a steady clock out of the smoothed one
    rig.send(b"\xfc")
    rig.run(0.2)
    assert [data for _, port, data in rig.sent if port == 1][-1] == "fc"


def test_the_master_owns_tempo_and_transport():
    rig = Master()
    with pytest.raises(ClockSyncError, match="master"):
        rig.session.tempo(100)
    with pytest.raises(ClockSyncError, match="master"):
        rig.session.start()
    rig.session.follow(None)
    rig.session.tempo(100)
    assert rig.session.tempo() == 100


def test_clock_in_and_out_on_ports_from_the_commands(memory):
    out = memory.open_output("master clock", virtual=True)
    sender = VirtualSender()
    with Session(sender, threaded=False) as session:
        session.add_output("synth")
        names = namespace(session)
        clock = names["clock_in"]("master clock", backend=MEMORY)
        assert isinstance(clock, ClockIn) and session.sync is clock
        assert "clock in" in session.status().sync
        out.send(Message("start"))
        assert clock.playing
        assert names["clock_in"](None) is None and session.sync is None
        with pytest.raises(ValueError, match="outputs"):
            names["clock_out"](3)
    out.close()


def test_clock_out_to_a_port_that_is_not_an_output_opens_it():
    with Session(VirtualSender(), threaded=False) as session:
        session.add_output("synth")
        assert session.clock_out("drum machine") == ["drum machine"]
        assert session.outputs == ["synth", "drum machine"]
        assert session.clock_out() == [] and session.status().clock_out == ()
