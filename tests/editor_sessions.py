"""For the editor tests: a `livemidi run` session that plays into a JACK input, and what arrived there.

(Importable from the tests: under ``--import-mode=importlib`` a test module cannot import another.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def require_editor(program: str | None, name: str) -> str:
    """`program`'s path; else skip, or fail under LIVEMIDI_REQUIRE_EDITORS=1 (CI, where scripts/test installs it)."""
    if program:
        return program
    reason = f"{name} is not installed (scripts/test installs it)"
    if os.environ.get("LIVEMIDI_REQUIRE_EDITORS") == "1":
        pytest.fail(f"LIVEMIDI_REQUIRE_EDITORS=1 but {reason}")
    pytest.skip(reason)


class RunningSession:
    """``livemidi run FILE --eval-port 0 --port PORT --backend SPEC``, its server file in `folder`.

    A context manager: entered once the server file names the process, left
    with SIGTERM (every note ends, the server file goes).
    """

    def __init__(self, folder: Path, port: str, backend: str, code: str = "# editors send the music\n") -> None:
        self.folder = folder
        self.server_file = folder / "server.json"
        self.pattern_file = folder / "set.py"
        self.pattern_file.write_text(code)
        self.env = dict(
            os.environ, PYTHONPATH=str(ROOT), LIVEMIDI_SERVER_FILE=str(self.server_file),
            LIVEMIDI_CONFIG=str(folder / "config.json"),
        )  # fmt: skip
        self.command = [sys.executable, "-m", "livemidi", "run", str(self.pattern_file), "--eval-port", "0",
                        "--port", port, "--backend", backend]  # fmt: skip
        self.process: subprocess.Popen | None = None
        self.output = ""

    def __enter__(self) -> RunningSession:
        log = open(self.folder / "session.log", "w+")
        self.process = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT, text=True)
        self._log = log
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"livemidi run ended at once: {self.read_log()}")
            try:
                if json.loads(self.server_file.read_text()).get("pid") == self.process.pid:
                    return self
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        self.__exit__()
        raise AssertionError(f"livemidi run wrote no server file within 60 s: {self.read_log()}")

    def read_log(self) -> str:
        self._log.flush()
        return (self.folder / "session.log").read_text()

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output = self.read_log()
        self._log.close()


def collect(port, until=lambda messages: False, seconds: float = 10.0) -> list:
    """Messages from `port` until `until(messages)` holds or `seconds` pass (then a last 0.3 s)."""
    messages: list = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not until(messages):
        messages += list(port.iter_pending())
        time.sleep(0.01)
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        messages += list(port.iter_pending())
        time.sleep(0.01)
    return messages


def notes_on(messages) -> set[tuple[int, int]]:
    """(channel, note) of every note-on with a velocity."""
    return {(msg.channel, msg.note) for msg in messages if msg.type == "note_on" and msg.velocity}


def hanging(messages) -> set[tuple[int, int]]:
    """(channel, note) of the notes that were turned on and never off."""
    sounding: set[tuple[int, int]] = set()
    for msg in messages:
        if msg.type == "note_on" and msg.velocity:
            sounding.add((msg.channel, msg.note))
        elif msg.type in ("note_on", "note_off"):
            sounding.discard((msg.channel, msg.note))
    return sounding
