"""Ctrl-C while the ``livemidi`` command starts (imports, opens its session): status 130, no traceback.

A real process, the installed command, SIGINT at several moments of its
start-up: early in the imports, while the session opens, as the file starts
playing. Before the command's own code runs, Python starts (its ``site``
module), and a Ctrl-C in those few milliseconds is Python's to report: such a
run is not counted, and the signal is sent a little later.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

MEMORY = "livemidi.backends.memory"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")


def _command() -> str:
    found = shutil.which("livemidi", path=str(Path(sys.executable).parent))
    assert found, "the livemidi command is not installed beside this Python (pip install -e .)"
    return found


@pytest.fixture
def song(tmp_path):
    path = tmp_path / "song.py"
    path.write_text("tempo(120)\np.a = note('c3 e3')\n")
    return path


def _start(song: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [_command(), "run", str(song), "--backend", MEMORY, "--virtual", "synth"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _startup_seconds(song: Path) -> float:
    """How long the command takes from its start to playing the file, here and now."""
    started = time.monotonic()
    process = _start(song)
    try:
        for line in process.stdout:
            if line.startswith("Playing"):
                return time.monotonic() - started
        raise AssertionError(f"the command never played: {process.stderr.read()}")
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)


def _pythons_own_startup(process: subprocess.Popen, err: str) -> bool:
    # Killed by the signal before Python handles it, or a fatal error in Python's own start-up.
    return (process.returncode == -signal.SIGINT and not err) or "Fatal Python error: init_" in err


def _interrupt_after(song: Path, delay: float) -> tuple[subprocess.Popen, str, str]:
    for attempt in range(40):
        process = _start(song)
        time.sleep(delay + attempt * 0.005)
        process.send_signal(signal.SIGINT)
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            raise AssertionError(f"Ctrl-C {delay:.3f} s after start was lost: the command played on\n{out}\n{err}")
        if not _pythons_own_startup(process, err):
            return process, out, err
    raise AssertionError("every Ctrl-C landed in Python's own start-up")


def test_ctrl_c_during_start_up_exits_quietly_with_130(song):
    startup = _startup_seconds(song)
    for fraction in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.2):
        delay = startup * fraction
        process, out, err = _interrupt_after(song, delay)
        assert process.returncode == 130, f"Ctrl-C at {delay:.3f} s: status {process.returncode}\n{err}"
        assert err == "", f"Ctrl-C at {delay:.3f} s printed:\n{err}"
        assert "Traceback" not in out
        said = [line for line in out.splitlines() if not line.startswith(("Playing", "Output"))]
        assert said in ([], ["livemidi: stopped; every note ended."]), said


def test_a_ctrl_c_that_python_drops_during_start_up_still_ends_the_command(tmp_path):
    # Python drops a KeyboardInterrupt raised in a weakref callback, printing
    # "Exception ignored in ..." (seen in importlib's module locks, when Ctrl-C
    # came at that moment): the command then played on. Here the file's own
    # code makes that moment happen, every time.
    song = tmp_path / "song.py"
    song.write_text(
        "import os, signal, weakref\n"
        "class Thing: pass\n"
        "thing = Thing()\n"
        "def gone(ref):\n"
        "    os.kill(os.getpid(), signal.SIGINT)  # handled inside this callback\n"
        "    for _ in range(1000): pass\n"
        "ref = weakref.ref(thing, gone)\n"
        "del thing\n"
        "p.a = note('c3 e3')\n"
    )
    process = _start(song)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        raise AssertionError(f"the dropped Ctrl-C was lost: the command played on\n{out}\n{err}") from None
    assert process.returncode == 130
    assert err == ""
    assert out.splitlines()[-1] == "livemidi: stopped; every note ended."
