"""MIDI clock out through the lookahead loop, on a virtual clock."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from clock_helpers import START_DELAY, Rig, notes
from livemidi.clock import MidiClockOut, song_position


def clock_rig(**options):
    return Rig(None, ports=("synth", "drums"), midi_clock=MidiClockOut(["drums"]), **options)


def test_24_pulses_per_quarter_note_after_start():
    rig = clock_rig()
    rig.loop.start()
    rig.run(START_DELAY + 1.0)  # two beats at 120 BPM
    sent = rig.sent()
    assert sent[0] == (START_DELAY, 1, "fa")  # Start, before the first pulse
    pulses = [t for t, port, data in sent if data == "f8"]
    assert {port for _, port, _ in sent} == {1}
    assert len(pulses) == 49  # 0 to 48 inclusive
    assert pulses == [pytest.approx(START_DELAY + k * 0.5 / 24, abs=1e-12) for k in range(49)]


def test_tempo_changes_retime_the_pulses():
    rig = clock_rig()
    rig.loop.start()
    rig.loop.set_tempo(60, at=F(1, 4))  # after one beat
    rig.run(START_DELAY + 2.0)
    pulses = [t for t, _, data in rig.sent() if data == "f8"]
    gaps = [round(b - a, 9) for a, b in zip(pulses, pulses[1:])]
    assert set(gaps[:24]) == {round(0.5 / 24, 9)}
    assert set(gaps[24:]) == {round(1.0 / 24, 9)}


def test_stop_and_continue_with_song_position():
    rig = clock_rig()
    rig.loop.start()
    rig.run(START_DELAY + 1.0 + 0.01)  # two beats and a bit: 16th number 8
    stopped = rig.loop.stop()
    rig.sender.advance(rig.t)  # Stop is due at once
    sent = rig.sent()
    assert sent[-1] == (START_DELAY + 1.01, 1, "fc")
    rig.run(10.0)
    assert rig.sent() == []
    rig.loop.resume()
    rig.run(10.0 + START_DELAY + 0.1)
    sent = rig.sent()
    assert song_position(stopped, 4) == 8
    assert sent[:3] == [(10.0 + START_DELAY, 1, "f2 08 00"), (10.0 + START_DELAY, 1, "fb"), (sent[2][0], 1, "f8")]


def test_start_elsewhere_sends_song_position_and_continue():
    rig = clock_rig()
    rig.loop.start(F(129, 2))  # bar 65: 1032 sixteenths
    rig.run(0.2)
    assert rig.sent()[:2] == [(START_DELAY, 1, "f2 08 08"), (START_DELAY, 1, "fb")]


def test_song_position_limits_and_types():
    assert song_position(F(1, 4), 4) == 4
    assert song_position(F(5000), 4) == 16383
    assert song_position(F(1, 3), 3) == 4
    with pytest.raises(ValueError, match="at least one port"):
        MidiClockOut([])
    with pytest.raises(TypeError, match="index"):
        MidiClockOut([1.5])


def test_clock_and_notes_together_and_panic_keeps_the_clock():
    rig = Rig(notes(port=0, every=F(1), length=F(1, 2)), ports=("synth", "drums"), midi_clock=MidiClockOut([0, 1]))
    rig.loop.start()
    rig.run(0.3)
    rig.loop.panic()
    after_panic = rig.sent()
    assert "80 3c 00" in [data for _, _, data in after_panic]
    rig.run(0.6)
    pulses = [t for t, port, data in rig.sent() if data == "f8" and port == 0]
    assert pulses and pulses[0] == pytest.approx(0.3, abs=0.5 / 24)  # still ticking after the panic
