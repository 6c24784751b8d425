"""Recording: what the sender sent, in musical time, a track per loop, crash-safe."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from fractions import Fraction as F
from pathlib import Path

import pytest

from jackserver import client
from livemidi import MidiFile
from livemidi.cli import main
from livemidi.clock import VirtualSender
from livemidi.errors import RecordingError
from livemidi.pattern import note
from livemidi.session import Session

ROOT = Path(__file__).resolve().parents[2]


class Rig:
    def __init__(self):
        self.t = 100.0
        self.sender = VirtualSender(now=lambda: self.t)
        self.session = Session(self.sender, threaded=False, now=lambda: self.t, on_notice=print)
        self.session.add_output("out")

    def run(self, bars, step=0.005):
        end = self.t + bars * 2.0  # 120 BPM: two seconds a bar
        while self.t < end:
            self.t = round(self.t + step, 9)
            self.session.clock.step()
            self.sender.advance(self.t)
            self.session.pump()


def notes(track):
    """(tick, note, duration in ticks) of every note in a track."""
    tick, sounding, out = 0, {}, []
    for msg in track:
        tick += msg.time
        if msg.type == "note_on" and msg.velocity:
            sounding[(msg.channel, msg.note)] = tick
        elif msg.type in ("note_on", "note_off") and (msg.channel, msg.note) in sounding:
            start = sounding.pop((msg.channel, msg.note))
            out.append((start, msg.note, tick - start))
    assert not sounding, f"notes left on in the recording: {sounding}"
    return out


def test_a_take_has_a_tempo_track_and_a_named_track_per_loop(tmp_path):
    rig = Rig()
    rig.session.p.bass = note("c2 e2").legato(0.5)
    rig.session.p.hat = note("f#5*4")
    rig.session.start()
    path = tmp_path / "take.mid"
    rig.session.record(path)
    rig.run(2.3)
    assert rig.session.stop_record() == str(path)
    midi = MidiFile(path)
    assert midi.type == 1 and midi.ticks_per_beat >= 480
    names = [track.name for track in midi.tracks]
    assert names == ["take", "bass", "hat"]
    bass = notes(midi.tracks[1])
    assert [(n, d) for _, n, d in bass] == [(36, 480), (40, 480)] * 2 + [(36, 480)]
    starts = [start for start, _, _ in bass]
    assert [b - a for a, b in zip(starts, starts[1:])] == [960] * 4  # half a bar apart, exactly
    assert len(notes(midi.tracks[2])) == 10


def test_cancelled_events_never_appear_and_a_mute_ends_its_note(tmp_path):
    rig = Rig()
    rig.session.p.pad = note("c3").duration(4)
    rig.session.start()
    rig.session.record(tmp_path / "take.mid")
    rig.run(0.5)
    rig.session.mute("pad")  # its note-off, queued for bar 4, is cancelled: the ledger ends the note now
    rig.run(2)
    rig.session.stop_record()
    (pad,) = [track for track in MidiFile(tmp_path / "take.mid").tracks if track.name == "pad"]
    ((start, number, duration),) = notes(pad)
    # ended by the mute, half a bar (1 s) after start(): the note began start_delay after it
    assert number == 48 and abs(duration - (1.0 - rig.session.clock.start_delay) * 960) <= 10


def test_tempo_changes_and_the_code_that_was_run(tmp_path):
    rig = Rig()
    rig.session.p.x = note("c4*4")
    rig.session.start()
    rig.session.record(tmp_path / "take.mid")
    rig.run(1)
    rig.session.tempo(60, at=2)
    rig.session.note_code("tempo(60, at=2)")
    rig.run(1.5)
    rig.session.stop_record()
    midi = MidiFile(tmp_path / "take.mid")
    tempos = [msg.tempo for msg in midi.tracks[0] if msg.type == "set_tempo"]
    assert tempos[0] == 500000 and tempos[-1] == 1000000
    markers = [msg.text for msg in midi.tracks[0] if msg.type == "marker"]
    assert markers == ["tempo(60, at=2)"]
    (x,) = [track for track in midi.tracks if track.name == "x"]
    starts = [start for start, _, _ in notes(x)]
    assert all(b - a == 480 for a, b in zip(starts, starts[1:]))  # a beat apart, in both tempos


def test_the_file_is_valid_while_the_take_goes_on(tmp_path):
    rig = Rig()
    rig.session.p.x = note("c4*4")
    rig.session.start()
    path = tmp_path / "take.mid"
    rig.session.record(path)
    assert MidiFile(path).tracks[0].name == "take"  # valid from the first moment
    rig.run(1.6)  # past a flush
    assert len(notes(MidiFile(path).tracks[1])) >= 4
    rig.session.stop_record()


def test_record_refuses_a_second_take_and_a_non_midi_name(tmp_path):
    rig = Rig()
    rig.session.record(tmp_path / "a.mid")
    with pytest.raises(ValueError, match="already recording"):
        rig.session.record(tmp_path / "b.mid")
    rig.session.stop_record()
    with pytest.raises(ValueError, match=r"a \.mid file"):
        rig.session.record(tmp_path / "take.wav")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="a Linux /proc")
def test_a_folder_that_takes_no_files_is_named_with_the_path_the_user_gave():
    rig = Rig()
    with pytest.raises(RecordingError) as caught:
        rig.session.record("/proc/take.mid")
    text = str(caught.value)
    assert text.startswith("cannot record to '/proc/take.mid': the folder '/proc' is not writable (")
    assert ".tmp" not in text and caught.value.path == Path("/proc/take.mid")
    assert isinstance(caught.value, OSError) and rig.session.recording is None


def test_what_is_wrong_with_where_a_take_goes(tmp_path):
    rig = Rig()
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "old.mid").mkdir()
    cases = {
        tmp_path / "nope" / "take.mid": f"the folder {str(tmp_path / 'nope')!r} does not exist",
        tmp_path / "notes.txt" / "take.mid": f"{str(tmp_path / 'notes.txt')!r} is a file, not a folder",
        tmp_path / "old.mid": "it is a folder; give a file name inside it, like 'take1.mid'",
    }
    for path, reason in cases.items():
        with pytest.raises(RecordingError) as caught:
            rig.session.record(path)
        assert str(caught.value) == f"cannot record to {str(path)!r}: {reason}"
    assert not (tmp_path / "nope").exists()  # a mistyped folder is not made


@pytest.mark.parametrize("path", [123, None, ["take.mid"]])
def test_a_path_that_is_not_one_says_a_mid_file_was_expected(path):
    with pytest.raises(TypeError) as caught:
        Rig().session.record(path)
    assert str(caught.value) == (
        f"a recording needs a path to a .mid file, like 'take1.mid', got {type(path).__name__} {path!r}"
    )


def test_a_take_whose_folder_goes_away_is_a_notice_naming_the_file(tmp_path, capsys):
    rig = Rig()
    folder = tmp_path / "takes"
    folder.mkdir()
    rig.session.p.a = note("c4")
    rig.session.start()
    rig.session.record(folder / "take.mid")
    (folder / "take.mid").unlink()
    folder.rmdir()
    rig.run(1)
    out = capsys.readouterr().out
    assert f"recording: cannot record to {str(folder / 'take.mid')!r}: the folder {str(folder)!r} does not exist" in out
    assert ".tmp" not in out
    with pytest.raises(RecordingError):
        rig.session.stop_record()


def test_the_record_option_names_the_file_and_what_is_wrong(tmp_path, capsys):
    song = tmp_path / "song.py"
    song.write_text("p.a = note('c3')\n")
    target = tmp_path / "nope" / "take.mid"
    status = main(["run", str(song), "--bars", "1", "--backend", "livemidi.backends.memory", "--virtual", "synth",
                   "--record", str(target)])
    assert status == 1
    assert f"livemidi: cannot record to {str(target)!r}: the folder {str(tmp_path / 'nope')!r} does not exist" in (
        capsys.readouterr().err
    )


def _take(tmp_path, jack, unique, sig):
    jack_spec = f"{jack.name}/{jack.api}"
    pattern_file = tmp_path / "song.py"
    pattern_file.write_text("tempo(240)\np.lead = note('c4*4').ch(2)\n")
    out = tmp_path / "take.mid"
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")):
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        child = subprocess.Popen(
            [sys.executable, "-m", "livemidi", "run", str(pattern_file), "--port", unique, "--record", str(out),
             "--backend", jack_spec],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        for line in child.stdout:  # wait until it plays
            if line.startswith("Playing"):
                break
        time.sleep(3.2)
        child.send_signal(sig)
        child.wait(30)
    return child, out


def test_sigterm_during_a_take_finishes_the_file(jack, unique, tmp_path):
    child, out = _take(tmp_path, jack, unique, signal.SIGTERM)
    assert child.returncode == 130
    (lead,) = [track for track in MidiFile(out).tracks if track.name == "lead"]
    assert len(notes(lead)) >= 12  # 3.2 s at 240 BPM, four notes a bar: four a second


def test_sigkill_during_a_take_loses_at_most_the_last_second(jack, unique, tmp_path):
    child, out = _take(tmp_path, jack, unique, signal.SIGKILL)
    assert child.returncode == -signal.SIGKILL
    (lead,) = [track for track in MidiFile(out).tracks if track.name == "lead"]
    assert len(notes(lead)) >= 12 - 4  # 3.2 s of notes, minus at most the last second


def test_capture_turns_the_last_bars_played_on_an_input_into_a_loop(unique):
    from livemidi import Backend, Message

    memory = Backend("livemidi.backends.memory")
    t = [50.0]
    session = Session(VirtualSender(now=lambda: t[0]), threaded=False, now=lambda: t[0])
    session.add_output("out")
    with memory.open_output(unique, virtual=True) as keyboard:
        listener = session.listen(unique, backend="livemidi.backends.memory")
        listener._now = lambda: t[0]  # the keyboard plays on the session's virtual clock
        session.start()
        origin = session.tempo_map.time_at(0)

        def play_at(cycle, msg):
            t[0] = origin + float(cycle) * 2.0
            keyboard.send(msg)

        play_at(F(1, 2), Message("note_on", note=40, velocity=20))  # bar 1: outside the window
        play_at(F(3, 4), Message("note_off", note=40))
        play_at(F(1), Message("note_on", note=60, velocity=90))
        play_at(F(5, 4), Message("note_off", note=60))
        play_at(F(3, 2), Message("control_change", control=74, value=100))
        play_at(F(3, 2), Message("note_on", note=64, velocity=70))
        play_at(F(9, 4), Message("note_off", note=64))  # held over the bar line
        t[0] = origin + 2.1 * 2.0
        loop = session.capture(1)
        t[0] = origin + 4.5 * 2.0  # two bars later: nothing was played in bar 4
        with pytest.raises(ValueError, match="nothing was played in the last 1 bar"):
            session.capture(1)
    notes = [(e.whole.begin, e.whole.end, e.value["note"], e.value["velocity"]) for e in loop.events(0, 2)
             if "note" in e.value]
    assert notes == [(0, F(1, 4), 60, 90), (F(1, 2), 1, 64, 70), (1, F(5, 4), 60, 90), (F(3, 2), 2, 64, 70)]
    assert any(e.value.get("cc74") == 100 for e in loop.events(0, 1))
    session.close()


def test_what_arrives_on_an_input_is_recorded_on_its_own_track(tmp_path, unique):
    from livemidi import Backend, Message

    rig = Rig()
    rig.session.p.x = note("c4")
    rig.session.start()
    with Backend("livemidi.backends.memory").open_output(unique, virtual=True) as keyboard:
        rig.session.record(tmp_path / "take.mid", input=unique, backend="livemidi.backends.memory")
        rig.run(0.5)
        keyboard.send(Message("note_on", note=72, velocity=33))
        keyboard.send(Message("note_off", note=72))
        rig.run(0.5)
        rig.session.stop_record()
    tracks = {track.name: track for track in MidiFile(tmp_path / "take.mid").tracks}
    assert set(tracks) == {"take", "x", "input"}
    assert [(m.type, m.note) for m in tracks["input"] if not m.is_meta] == [("note_on", 72), ("note_off", 72)]
