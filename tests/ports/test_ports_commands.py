"""The port commands: livemidi ports / play / serve / connect."""

import os
import signal
import subprocess
import sys
import time

from jackserver import Witness
import livemidi
from livemidi import Message
from livemidi.cli import main
from livemidi.sockets import PortServer, connect


def test_ports_lists_ports_backend_and_environment(capsys, monkeypatch, unique):
    monkeypatch.setenv("MIDO_DEFAULT_OUTPUT", "Synth")
    monkeypatch.delenv("LIVEMIDI_DEFAULT_INPUT", raising=False)
    backend = livemidi.Backend("livemidi.backends.memory")
    with backend.open_output(unique, virtual=True), backend.open_input(unique + "in", virtual=True):
        assert main(["ports", "--backend", "livemidi.backends.memory"]) == 0
    out = capsys.readouterr().out
    assert f"Inputs:\n  0: {unique!r}\nOutputs:\n  0: {unique + 'in'!r}\n" in out
    assert "Backend: livemidi.backends.memory" in out
    assert "MIDO_DEFAULT_OUTPUT='Synth'" in out and "LIVEMIDI_DEFAULT_INPUT not set" in out


class FakeMidiFile:
    """Stands in for livemidi.MidiFile: plays two notes, then Ctrl-C in the middle."""

    def __init__(self, path):
        self.path = path

    def play(self):
        yield Message("note_on", note=60)
        yield Message("note_on", channel=2, note=64)
        yield Message("note_off", note=60)
        raise KeyboardInterrupt


def test_play_sends_note_offs_on_ctrl_c(monkeypatch, unique, capsys):
    monkeypatch.setattr(livemidi.midifiles, "MidiFile", FakeMidiFile)
    backend = livemidi.Backend("livemidi.backends.memory")
    with backend.open_input(unique, virtual=True) as synth:
        status = main(["play", "song.mid", "--port", unique, "--backend", "livemidi.backends.memory"])
        received = list(synth.iter_pending())
    assert status == 130
    assert received[:3] == [Message("note_on", note=60), Message("note_on", channel=2, note=64), Message("note_off", note=60)]
    assert received[3] == Message("note_off", channel=2, note=64, velocity=0)  # the note still sounding
    assert received[4:] == [msg for msg in livemidi.ports.reset_messages()]
    assert "sent note-offs" in capsys.readouterr().out


class ManyNotes(FakeMidiFile):
    """1600 notes sounding, then Ctrl-C."""

    def play(self):
        for k in range(1600):
            yield Message("note_on", channel=k % 16, note=k // 16)
        raise KeyboardInterrupt


def test_play_paces_the_note_offs_of_many_notes(monkeypatch, unique):
    # In one burst, a JACK synth lost most of 1600 note-offs (livemidi.ports.pace)
    from livemidi.ports.pace import BURST, PER_STEP, STEP

    monkeypatch.setattr(livemidi.midifiles, "MidiFile", ManyNotes)
    backend = livemidi.Backend("livemidi.backends.memory")
    heard = []
    with backend.open_input(unique, virtual=True, callback=lambda msg: heard.append((time.perf_counter(), msg))):
        assert main(["play", "song.mid", "-q", "--port", unique, "--backend", "livemidi.backends.memory"]) == 130
    offs = [(t, msg) for t, msg in heard if msg.type == "note_off"]
    assert sorted((msg.channel, msg.note) for _, msg in offs) == sorted((k % 16, k // 16) for k in range(1600))
    assert [msg for _, msg in heard[-32:]] == list(livemidi.ports.reset_messages())
    # paced: however fast the machine, the last comes this long after the first (real sleeps)
    assert heard[-1][0] - offs[0][0] >= (1600 + 32 - BURST) / PER_STEP * STEP - 2 * STEP


def test_play_a_real_file(tmp_path, unique):
    mid = livemidi.MidiFile()
    track = livemidi.MidiTrack()
    track.append(Message("note_on", note=60, time=0))
    track.append(Message("note_off", note=60, time=10))
    mid.tracks.append(track)
    path = tmp_path / "song.mid"
    mid.save(path)
    backend = livemidi.Backend("livemidi.backends.memory")
    with backend.open_input(unique, virtual=True) as synth:
        assert main(["play", str(path), "-q", "--port", unique, "--backend", "livemidi.backends.memory"]) == 0
        received = [msg for msg in synth.iter_pending() if msg.type in ("note_on", "note_off")]
    assert [(m.type, m.note) for m in received] == [("note_on", 60), ("note_off", 60)]


def test_play_bad_port_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setattr(livemidi.midifiles, "MidiFile", FakeMidiFile)
    assert main(["play", "x.mid", "--port", "nothing-like-it", "--backend", "livemidi.backends.memory"]) == 1
    assert "unknown output port 'nothing-like-it'" in capsys.readouterr().err


def test_serve_and_connect_bad_address(capsys):
    assert main(["serve", "nowhere", "x"]) == 1
    assert "exactly one colon" in capsys.readouterr().err
    assert main(["connect", "localhost:99999", "x"]) == 1
    assert "out of range" in capsys.readouterr().err


def _livemidi(*args):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.Popen(
        [sys.executable, "-m", "livemidi", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def _free_port():
    with PortServer(None, 0) as probe:
        return probe.portno


def test_serve_forwards_to_a_real_port_and_silences_on_ctrl_c(jack, jack_spec, jack_log, unique, receive_within):
    jack_log.mark()  # a message lost by an overloaded server excuses what did not arrive (below)
    with jack.open_input(unique, virtual=True) as synth:
        portno = _free_port()
        server = _livemidi("serve", f"127.0.0.1:{portno}", unique, "--backend", jack_spec)
        try:
            assert server.stdout.readline().startswith("Serving")
            with connect(None, portno) as client:
                client.send(Message("note_on", note=62))
                assert receive_within(synth, 5) == Message("note_on", note=62)
            server.send_signal(signal.SIGINT)
            assert server.wait(10) == 130
        finally:
            server.kill()
        rest = [receive_within(synth, 5, lost_ok=True) for _ in range(33)]
        if any(msg is None for msg in rest):  # CI: nothing arrived within 5 s, while the server logged lost cycles
            Witness(jack, None, jack_log).excuse("the note-off or the panic after Ctrl-C", [None])
        assert all(msg is not None for msg in rest)
        assert rest[0] == Message("note_off", note=62, velocity=0)


def test_connect_forwards_a_real_input(jack, jack_spec, unique):
    with jack.open_output(unique, virtual=True) as keyboard, PortServer(None, 0) as server:
        client = _livemidi(
            "connect", f"127.0.0.1:{server.portno}", unique, "--backend", jack_spec
        )
        try:
            assert client.stdout.readline().startswith("Connected")
            deadline = time.monotonic() + 5
            got = None
            while got is None and time.monotonic() < deadline:
                keyboard.send(Message("control_change", control=1, value=9))
                time.sleep(0.02)
                got = server.poll()
            assert got == Message("control_change", control=1, value=9)
            client.send_signal(signal.SIGINT)
            assert client.wait(10) == 130
        finally:
            client.kill()


def test_ports_says_plainly_when_there_is_no_midi_system(capsys):
    assert main(["ports", "--backend", "nomidi_backend"]) == 1
    out = capsys.readouterr().out
    assert "Inputs:\n  none: could not start a MIDI client" in out
    assert "Backend: nomidi_backend" in out and "Environment:" in out
