"""`livemidi --pipe`: blocks on stdin play into a JACK input; answers on stdout; the end of input ends cleanly."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from evalserver_helpers import Raw, wait_until
from jackserver import client

ROOT = Path(__file__).resolve().parents[2]


def test_pipe_runs_blocks_answers_on_stdout_and_ends_every_note_at_eof(jack, unique, jack_spec, eval_server_file):
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        process = subprocess.Popen(
            [sys.executable, "-m", "livemidi", "--pipe", "--port", unique, "--backend", jack_spec],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )  # fmt: skip
        try:
            process.stdin.write("tempo(240)\np.x = note('c4 e4').legato(4)\n\nprint('hello')\n1 + 1\n\nnope\n\n"
                                "p.y = note(\n\n'g4')\n\n")
            process.stdin.flush()
            wait_until(eval_server_file.exists, 30, "the server file")
            info = json.loads(eval_server_file.read_text())
            assert info["session"] == "pipe"
            editor = Raw(info["port"], info["token"])  # the pipe session serves editors too
            assert editor.request("eval", code="where()")["ok"]
            received = []
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                received += list(synth.iter_pending())
                time.sleep(0.01)
            process.stdin.close()
            process.wait(30)
            out, err = process.stdout.read(), process.stderr.read()
            received += list(synth.iter_pending())
            time.sleep(0.3)
            received += list(synth.iter_pending())
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0, err
    assert out.startswith("hello\n2\nTraceback (most recent call last):\n")
    assert '  File "<stdin>", line 7, in <module>\n' in out
    assert re.search(r"^NameError: name 'nope' is not defined(\. Did you mean: 'note'\?)?$", out, re.M), out  # 3.13 suggests
    notes = {msg.note for msg in received if msg.type == "note_on" and msg.velocity}
    assert {60, 64, 67} <= notes  # the block with a blank line inside its brackets ran whole
    sounding = set()
    for msg in received:
        if msg.type == "note_on" and msg.velocity:
            sounding.add(msg.note)
        elif msg.type in ("note_on", "note_off"):
            sounding.discard(msg.note)
    assert not sounding, f"left on: {sounding}"  # legato(4): notes were sounding at the end of input
    assert not eval_server_file.exists()


def test_a_block_with_no_blank_line_after_it_runs_when_the_input_pauses(eval_server_file):
    process = subprocess.Popen(
        [sys.executable, "-m", "livemidi", "--pipe", "--backend", "nomidi_backend"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}"),
    )  # fmt: skip
    try:
        process.stdin.write("x = 20\nx + 1\n")  # no blank line: a driver that sends blocks bare
        process.stdin.flush()
        assert process.stdout.readline().startswith("No MIDI system was found")  # the session says what it plays on
        assert process.stdout.readline() == "21\n"
        process.stdin.write("def f():\n    return x * 2\n")  # a def is not complete without its blank line
        process.stdin.flush()
        time.sleep(0.5)
        process.stdin.write("\nf()\n")
        process.stdin.flush()
        assert process.stdout.readline() == "40\n"
        process.stdin.close()
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
