"""`livemidi run` plays into a JACK input while `livemidi send` runs blocks in it, from other processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from evalserver_helpers import wait_until
from jackserver import client

ROOT = Path(__file__).resolve().parents[2]


def env() -> dict:
    # Read at each call: the fixtures have set LIVEMIDI_SERVER_FILE and LIVEMIDI_EVAL_PORT=0 by then.
    return dict(os.environ, PYTHONPATH=str(ROOT))


def livemidi(*args: str, input: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "livemidi", *args], input=input, capture_output=True, text=True,
                          timeout=timeout, env=env())


class Notes:
    """What a JACK input got: note-ons by note, and what still sounds."""

    def __init__(self, port):
        self.port = port
        self.received = []

    def take(self, seconds: float = 0.0):
        deadline = time.monotonic() + seconds
        while True:
            self.received += list(self.port.iter_pending())
            if time.monotonic() >= deadline:
                return self
            time.sleep(0.01)

    def on(self, since: int = 0) -> list[int]:
        return [msg.note for msg in self.received[since:] if msg.type == "note_on" and msg.velocity]

    def sounding(self) -> set:
        now = set()
        for msg in self.received:
            if msg.type == "note_on" and msg.velocity:
                now.add((msg.channel, msg.note))
            elif msg.type in ("note_on", "note_off"):
                now.discard((msg.channel, msg.note))
        return now


def start_run(tmp_path, unique, jack_spec, eval_server_file, text="tempo(240)\np.drums = note('c2*4').ch(9)\n"):
    pattern_file = tmp_path / "set.py"
    pattern_file.write_text(text)
    process = subprocess.Popen(
        [sys.executable, "-m", "livemidi", "run", str(pattern_file), "--port", unique, "--backend", jack_spec],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env(),
    )  # fmt: skip
    try:
        wait_until(eval_server_file.exists, 30, "the session's server file")
    except AssertionError:
        process.kill()
        raise AssertionError(process.communicate()[1]) from None
    return process, pattern_file


def stop_run(process) -> tuple[str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    return out, err


def test_send_runs_blocks_in_a_running_session_and_errors_point_at_the_file(jack, unique, jack_spec, tmp_path,
                                                                            eval_server_file):
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        process, _ = start_run(tmp_path, unique, jack_spec, eval_server_file)
        try:
            notes = Notes(synth).take(1.0)
            assert 36 in notes.on()  # the file plays
            sent = livemidi("send", input="p.lead = note('e5 g5').ch(2)\nprint('sent')\n", timeout=30)
            assert (sent.returncode, sent.stdout) == (0, "sent\n"), sent.stderr
            notes.take(2.0)
            assert 76 in notes.on() and 79 in notes.on()
            block = tmp_path / "block.py"
            block.write_text("x = 1\ny = x + nope\n")
            failed = livemidi("send", str(block), "--line", "10", timeout=30)
            assert failed.returncode == 1
            first, *trace = failed.stderr.splitlines()
            assert first == f"{block.resolve()}:11: NameError: name 'nope' is not defined"
            assert f'  File "{block.resolve()}", line 11, in <module>' in trace
            status = livemidi("send", "--status", timeout=30)
            assert status.returncode == 0 and "playing at 240 BPM" in status.stdout
            assert "drums (playing)" in status.stdout and "lead (playing)" in status.stdout
        finally:
            out, err = stop_run(process)
        notes.take(0.5)
    assert "← <stdin>:1 ok" in out and "← block.py:10 NameError: name 'nope' is not defined (line 11)" in out
    assert "stopped; every note ended" in out
    assert not notes.sounding(), f"left on: {notes.sounding()}"
    assert not eval_server_file.exists()  # removed at exit


def test_an_endless_block_is_interrupted_from_another_process_and_the_music_plays_on(jack, unique, jack_spec, tmp_path,
                                                                                    eval_server_file):
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        process, _ = start_run(tmp_path, unique, jack_spec, eval_server_file)
        try:
            notes = Notes(synth).take(0.5)
            looping = subprocess.Popen([sys.executable, "-m", "livemidi", "send"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
            looping.stdin.write("p.bass = note('c3')\nwhile True:\n    pass\n")
            looping.stdin.close()
            time.sleep(1.0)
            assert looping.poll() is None  # still looping
            before = len(notes.take().received)
            notes.take(1.0)
            assert 36 in notes.on(before) and 48 in notes.on(before)  # the music plays while the block loops
            interrupted = livemidi("send", "--interrupt", timeout=30)
            assert (interrupted.returncode, interrupted.stdout) == (0, "interrupted the running block\n")
            assert looping.wait(30) == 1
            assert "interrupted by interrupt" in looping.stderr.read()
            before = len(notes.take().received)
            notes.take(1.0)
            assert 36 in notes.on(before) and 48 in notes.on(before)  # and after
            looping = subprocess.Popen([sys.executable, "-m", "livemidi", "send"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env())
            looping.stdin.write("while True:\n    pass\n")
            looping.stdin.close()
            time.sleep(1.0)
            hushed = livemidi("send", "--hush", timeout=30)
            assert hushed.returncode == 0
            assert looping.wait(30) == 1
            notes.take(0.5)
            before = len(notes.received)
            notes.take(1.0)
            assert notes.on(before) == []  # hushed: nothing plays
            assert not notes.sounding(), f"left on: {notes.sounding()}"
        finally:
            stop_run(process)


def test_a_second_session_on_the_same_port_plays_and_says_who_has_the_port(jack, unique, jack_spec, tmp_path,
                                                                          eval_server_file, monkeypatch):
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")):
        process, _ = start_run(tmp_path, unique, jack_spec, eval_server_file)
        try:
            port = json.loads(eval_server_file.read_text())["port"]
            other = tmp_path / "other.py"
            other.write_text("p.x = note('c4')\n")
            second = livemidi("run", str(other), "--bars", "1", "--port", unique, "--backend", jack_spec,
                              "--eval-port", str(port))
            assert second.returncode == 0, second.stderr
            assert f"the eval port {port} is in use by another livemidi session (run, pid {process.pid})" in second.stderr
            assert "--eval-port N" in second.stderr
            assert json.loads(eval_server_file.read_text())["pid"] == process.pid  # the first's file, left alone
        finally:
            stop_run(process)


def test_a_subscriber_is_told_each_note_before_it_reaches_the_synth(jack, unique, jack_spec, tmp_path, eval_server_file):
    import threading

    from livemidi.evalserver import connect

    arrived = []  # (message, when it came, on this process's monotonic clock)
    listening = threading.Event()
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:

        def listen():
            while not listening.is_set():
                arrived.extend((msg, time.monotonic()) for msg in synth.iter_pending())
                time.sleep(0.001)

        listener = threading.Thread(target=listen)
        listener.start()
        process, _ = start_run(tmp_path, unique, jack_spec, eval_server_file, text="tempo(240)\n")
        try:
            with connect() as editor:
                assert editor.request("subscribe", events=["play"], timeout=10)["ok"]
                assert editor.request("eval", code="p.x = note('c4 e4 g4 b4').ch(3)", timeout=10)["ok"]
                told = []  # (loop, note, channel, duration, when it should sound, at)
                while len(told) < 8:
                    event = editor.next_event(timeout=10)
                    told.append((event["loop"], event["note"], event["channel"], event["duration"],
                                 time.monotonic() + event["at"], event["at"]))
            time.sleep(0.5)
        finally:
            listening.set()
            listener.join()
            stop_run(process)
    assert [entry[:4] for entry in told] == [("x", note, 3, 0.25) for note in (60, 64, 67, 71)] * 2
    assert all(0 <= entry[5] <= 0.5 for entry in told)  # told ahead, by about the lookahead (0.1 s)
    ons = [(msg.note, at) for msg, at in arrived if msg.type == "note_on" and msg.velocity and msg.channel == 3]
    # Each told note reaches the synth about when it was said to (a generous bound: the machine is shared).
    misses = []
    for _, note, _, _, due, _ in told:
        closest = min((abs(at - due) for number, at in ons if number == note), default=None)
        misses.append(closest)
    assert all(miss is not None and miss < 0.25 for miss in misses), misses
