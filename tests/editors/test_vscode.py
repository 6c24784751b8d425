"""The VS Code extension: its node test suite (`node --test`) against a session that plays into JACK.

The suite (editors/vscode/test/) drives the extension's commands, through the
same controller the key bindings run, against the real eval server: blocks are
sent with their file and line, errors become diagnostics on the mapped line,
hush interrupts a block that never ends. Here we check that it passed, and
that the notes it sent arrived at the JACK input the session plays into.
VS Code itself cannot be installed on the test machines: what is left untested
is extension.js, the glue to VS Code's API (type-checked by `npm run check`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time

from editor_sessions import ROOT, RunningSession, hanging, notes_on, require_editor
from jackserver import client

EXTENSION = ROOT / "editors" / "vscode"
# The one test allowed to skip: play events carry no source locations until the server fills them.
MAY_SKIP = {"sounding steps light up where the mini-notation wrote them"}


def node_suite(env: dict) -> subprocess.CompletedProcess:
    node = require_editor(shutil.which("node"), "node (nodejs)")
    files = sorted(str(path.relative_to(EXTENSION)) for path in (EXTENSION / "test").glob("*.test.js"))
    return subprocess.run([node, "--test", "--test-reporter=tap", *files], cwd=EXTENSION, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def summary(tap: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r"^# (pass|fail|skipped|cancelled) (\d+)$", tap, re.M)}


def skipped(tap: str) -> set[str]:
    return set(re.findall(r"^\s*ok \d+ - (.*?) # SKIP", tap, re.M))


class Listener:
    """Everything that arrives at `port` while the node suite runs, read in a thread (the queue never fills)."""

    def __init__(self, port) -> None:
        self.port = port
        self.messages: list = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.is_set():
            self.messages += list(self.port.iter_pending())
            time.sleep(0.005)

    def stop(self, linger: float = 0.5) -> list:
        time.sleep(linger)
        self.done.set()
        self.thread.join()
        return self.messages + list(self.port.iter_pending())


def test_node_suite_against_a_session_playing_into_jack(jack, jack_spec, unique, tmp_path):
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        listener = Listener(synth)
        with RunningSession(tmp_path, unique, jack_spec) as session:
            env = dict(os.environ, LIVEMIDI_SERVER_FILE=str(session.server_file))
            result = node_suite(env)
        received = listener.stop()
    tap = result.stdout + result.stderr
    assert result.returncode == 0, tap[-6000:]
    counts = summary(result.stdout)
    assert counts.get("fail") == 0 and counts.get("cancelled", 0) == 0, tap[-6000:]
    assert counts.get("pass", 0) >= 20, counts
    assert skipped(result.stdout) <= MAY_SKIP, skipped(result.stdout)
    # The suite's `p.vscode = note("cs4 ds4 fs4 ~").ch(x)` with x = 3, sent by evalBlock.
    assert {(3, 61), (3, 63), (3, 66)} <= notes_on(received), sorted(notes_on(received))
    assert not hanging(received), f"left on: {hanging(received)}"
    assert "every note ended" in session.output


def test_node_suite_without_a_session_starts_its_own(tmp_path):
    """Run alone (npm test), the suite starts `livemidi run` itself: the same tests pass, none skipped for want of a session."""
    env = {key: value for key, value in os.environ.items() if key != "LIVEMIDI_SERVER_FILE"}
    env.update(LIVEMIDI_PYTHON=sys.executable, PYTHONPATH=str(ROOT), LIVEMIDI_CONFIG=str(tmp_path / "config.json"))
    result = node_suite(env)
    tap = result.stdout + result.stderr
    assert result.returncode == 0, tap[-6000:]
    assert summary(result.stdout).get("fail") == 0
    assert skipped(result.stdout) <= MAY_SKIP, skipped(result.stdout)
