"""MIDI input as patterns on a real JACK server: a second client plays knobs and keys into a running session.

The output must carry what was played: the knob's value in the controller
messages, the held notes as an arpeggio, the pad's one-shot. Times are bound
generously (a shared, loaded machine); the exact latency (one lookahead) is
checked on a virtual clock in test_inputs.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from evalserver_helpers import wait_until
from jackserver import client

from livemidi import Message
from livemidi.session import Session, namespace

ROOT = Path(__file__).resolve().parents[2]
SLACK = 1.0  # seconds: far more than one lookahead (0.1 s) plus JACK's periods, on a loaded machine


class Heard:
    """What the synth (a JACK input) got, each message with when it was read."""

    def __init__(self, port):
        self.port = port
        self.received: list[tuple[float, Message]] = []

    def take(self, seconds: float) -> Heard:
        deadline = time.monotonic() + seconds
        while True:
            now = time.monotonic()
            self.received += [(now, msg) for msg in self.port.iter_pending()]
            if now >= deadline:
                return self
            time.sleep(0.005)

    def cc(self, channel: int, control: int, since: float = 0.0) -> list[int]:
        return [msg.value for t, msg in self.received
                if t >= since and msg.type == "control_change" and msg.channel == channel and msg.control == control]

    def notes(self, channel: int, since: float = 0.0) -> list[int]:
        return [msg.note for t, msg in self.received
                if t >= since and msg.type == "note_on" and msg.velocity and msg.channel == channel]

    def sounding(self) -> set:
        now = set()
        for _, msg in self.received:
            if msg.type == "note_on" and msg.velocity:
                now.add((msg.channel, msg.note))
            elif msg.type in ("note_on", "note_off"):
                now.discard((msg.channel, msg.note))
        return now


def play_and_check(synth: Heard, keyboard) -> None:
    """Knob, keys and a pad into the session; its output (the synth) carries them."""
    synth.take(0.6)
    assert set(synth.cc(2, 74)) == {0}  # before any value: the bottom of the range
    keyboard.send(Message("control_change", control=21, value=127))
    turned = time.monotonic()
    synth.take(SLACK + 0.5)
    assert 127 in synth.cc(2, 74, since=turned)
    assert set(synth.cc(2, 74, since=turned + SLACK)) == {127}
    for note in (67, 60, 64):
        keyboard.send(Message("note_on", note=note, velocity=80))
    pressed = time.monotonic()
    synth.take(2.0 + SLACK)  # two bars at 240 BPM, and some
    arp = synth.notes(1, since=pressed)
    assert any(arp[i:i + 3] == [60, 64, 67] for i in range(len(arp))), arp  # a whole bar of it: lowest first
    keyboard.send(Message("note_on", note=36, velocity=100, channel=9))
    struck = time.monotonic()
    synth.take(SLACK)
    assert synth.notes(3, since=struck) == [81]  # the pad's one-shot, once
    for note in (67, 60, 64):
        keyboard.send(Message("note_off", note=note))
    keyboard.send(Message("note_off", note=36, channel=9))
    released = time.monotonic()
    synth.take(2 * SLACK)
    assert synth.notes(1, since=released + SLACK) == []  # nothing held: silence


def test_a_second_client_plays_knobs_and_keys_into_a_running_session(jack, jack_spec, unique):
    notices: list[str] = []
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as port:
        synth = Heard(port)
        with Session(on_notice=notices.append) as session:
            session.add_output(unique, backend=jack_spec)
            session.inputs.add(f"{unique}kb", virtual=True, backend=jack_spec)
            names = namespace(session)
            exec(
                "tempo(240)\n"
                "p.f = note('c4*16').cc(74, knob(21) * 127).ch(2)\n"
                "p.arp = held(channel=0).arp('up').ch(1)\n"
                "p.hit = on_note(note('a5'), channel=9).ch(3)\n",
                names,
            )
            session.start()
            with jack.open_output(f"{unique}kb") as keyboard:  # connects to the session's virtual input
                play_and_check(synth, keyboard)
        synth.take(0.3)
    assert not synth.sounding(), f"left on: {synth.sounding()}"
    assert not [text for text in notices if "error" in text.lower()], notices


def test_run_reads_an_existing_input_and_the_editor_server_shares_it(jack, jack_spec, unique, tmp_path,
                                                                    eval_server_file):
    song = tmp_path / "song.py"
    song.write_text("tempo(240)\np.f = note('c4*16').cc(74, knob(21) * 127).ch(2)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as port, \
            jack.open_output(f"{unique}kb", virtual=True, **client(jack, f"{unique}tx")) as keyboard:
        synth = Heard(port)
        process = subprocess.Popen(
            [sys.executable, "-m", "livemidi", "run", str(song), "--port", unique, "--input", f"{unique}kb",
             "--backend", jack_spec],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        try:
            wait_until(eval_server_file.exists, 30, "the session's server file")
            sent = subprocess.run(
                [sys.executable, "-m", "livemidi", "send"], capture_output=True, text=True, timeout=30, env=env,
                input="p.arp = held(channel=0).arp('up').ch(1)\np.hit = on_note(note('a5'), channel=9).ch(3)\n",
            )  # fmt: skip
            assert sent.returncode == 0, sent.stderr
            play_and_check(synth, keyboard)
        finally:
            process.send_signal(2)  # SIGINT: every note ends
            out, err = process.communicate(timeout=30)
        synth.take(0.3)
    assert "Reading MIDI input" in out and f"{unique}kb" in out, (out, err)
    assert not synth.sounding(), f"left on: {synth.sounding()}"


def turn_until_heard(controller, synth: Heard, value: int, wait_for) -> None:
    """Turn knob 21 to `value` until the synth hears it as CC 74 on channel 2.

    JACK connects a port some time after it is asked to, and a loaded server
    drops a cycle's events: a single turn could be lost before livemidi is
    listening. Turning it again is what a performer would do.
    """
    def heard() -> bool:
        controller.send(Message("control_change", control=21, value=value))
        return value in synth.take(0.25).cc(2, 74)

    wait_for(heard, 10, f"the knob's value {value} in what the session plays")


def test_a_controller_unplugged_keeps_its_knob_tells_once_and_is_read_again_when_back(jack, jack_spec, unique,
                                                                                       wait_for):
    notices: list[str] = []
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as port:
        synth = Heard(port)
        with Session(on_notice=notices.append) as session:
            session.add_output(unique, backend=jack_spec)
            controller = jack.open_output(f"{unique}kb", virtual=True, **client(jack, f"{unique}tx"))
            session.inputs.add(f"{unique}kb", backend=jack_spec)  # the existing port, by name
            exec("tempo(240)\np.f = note('c4*16').cc(74, knob(21, range=(0, 127))).ch(2)", namespace(session))
            session.start()
            turn_until_heard(controller, synth, 90, wait_for)
            controller.close()  # unplugged
            wait_for(lambda: any("is gone" in text for text in notices), 10, "the notice that the input is gone")
            gone = time.monotonic()
            synth.take(2 * SLACK)
            assert set(synth.cc(2, 74, since=gone)) == {90}  # the knob keeps its last value
            assert len([text for text in notices if "is gone" in text]) == 1  # told once
            with jack.open_output(f"{unique}kb", virtual=True, **client(jack, f"{unique}tx")) as again:
                wait_for(lambda: any("is back" in text for text in notices), 10, "the notice that it is back")
                turn_until_heard(again, synth, 10, wait_for)
                sent = time.monotonic()
                synth.take(2 * SLACK)
            assert set(synth.cc(2, 74, since=sent + SLACK)) == {10}
