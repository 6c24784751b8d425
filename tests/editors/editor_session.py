"""A live livemidi session for editor-plugin tests: `livemidi run` playing into a JACK input, its eval server found
through a server file in the test's tmp_path; the editors found on PATH.

An editor test starts the session with `live_session(...)`, drives the real
editor headless against it, and listens on the JACK input with `Listener`.
A missing editor skips the test, saying how to install it, except under
LIVEMIDI_REQUIRE_EDITORS=1 (CI, where scripts/test installs the editors),
where it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EDITORS = ROOT / "editors"

# The song both editors' tests open: lines 3-4 are a block that plays; the block at lines 6-8 fails on line 8.
SONG = """\
tempo(240)

p.lead = note("c4 e4 g4 ~").ch(2)
p.pad = note("c3").ch(3)

x = 1
p.bad = note("c4").ch(4)
p.worse = no_such_name
"""
# What that song plays once its block is sent and its failing block fixed (`note("e4").ch(4)`): (channel, note).
SONG_PLAYS = {(2, 60), (2, 64), (2, 67), (3, 48), (4, 64)}

# The song of the line/range/selection tests: lines 1 and 3, and the part of line 5 before `;`, are sent.
LINES = (
    'p.a = note("c4").ch(5)\n'
    'p.b = note("d4").ch(6)\n'
    'p.c = note("e4").ch(7)\n'
    "\n"
    'p.d = note("g4").ch(8); p.e = note("a4").ch(9)\n'
)
LINES_PLAY = {(5, 60), (7, 64), (8, 67)}
LINES_NEVER = {6, 9}  # the channels of what is not sent

# The song of the step-highlight tests: its line 3 plays c4 and e4, whose columns light up in turn.
STEPS = 'tempo(240)\n\np.x = note("c4 e4").ch(10)\n'

# The Debian package that brings each editor (scripts/test installs it in CI).
PACKAGES = {"nvim": "neovim", "emacs": "emacs-nox", "node": "nodejs"}


def editor(program: str) -> str:
    """The path of `program` ('nvim', 'emacs', 'node'); skips (fails under LIVEMIDI_REQUIRE_EDITORS=1) when it is missing."""
    path = shutil.which(program)
    if path is None:
        reason = f"{program} is not installed (apt-get install {PACKAGES[program]}; scripts/test does in CI)"
        if os.environ.get("LIVEMIDI_REQUIRE_EDITORS") == "1":
            pytest.fail(f"the editors are required (LIVEMIDI_REQUIRE_EDITORS=1) but {reason}")
        pytest.skip(reason)
    return path


class Session:
    """A running `livemidi run FILE --eval-port 0`: its process, its server file, what it printed."""

    def __init__(self, process: subprocess.Popen, server_file: Path) -> None:
        self.process = process
        self.server_file = server_file
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def env(self, **extra: str) -> dict:
        """The environment an editor needs to find this session (and nothing of the user's)."""
        return dict(os.environ, LIVEMIDI_SERVER_FILE=str(self.server_file), **extra)

    def request(self, op: str, **fields) -> dict:
        """One request straight to the server (not through an editor): its answer."""
        import socket

        info = json.loads(self.server_file.read_text())
        with socket.create_connection((info["host"], info["port"]), timeout=10) as sock:
            sock.sendall((json.dumps({"id": 1, "token": info["token"], "op": op, **fields}) + "\n").encode())
            with sock.makefile("rb") as answers:
                return json.loads(answers.readline())


def _names(server_file: Path, pid: int) -> bool:
    """Whether `server_file` is there and names process `pid` (not a session before it)."""
    try:
        return json.loads(server_file.read_text()).get("pid") == pid
    except (OSError, ValueError):
        return False


@contextmanager
def live_session(tmp_path: Path, port: str, backend: str, code: str = "tempo(240)\n"):
    """`livemidi run` on a file holding `code`, playing into the JACK input `port`; yields a `Session` once its
    server file is there, and ends it (SIGTERM: every note ends) afterwards."""
    start = tmp_path / "start.py"
    start.write_text(code)
    server_file = tmp_path / "run" / "server.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT), LIVEMIDI_SERVER_FILE=str(server_file), PYTHONUNBUFFERED="1")
    env.pop("LIVEMIDI_EVAL_PORT", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "livemidi", "run", str(start), "--eval-port", "0", "--port", port,
         "--backend", backend],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    session = Session(process, server_file)
    try:
        deadline = time.monotonic() + 30
        while not _names(server_file, process.pid):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the session did not write {server_file}; it printed:\n{session.output}")
            time.sleep(0.05)
        yield session
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        session._reader.join(10)  # all it printed is in `output`


class Listener:
    """Everything that arrives on a JACK input, gathered by a callback (nothing is missed between checks).

    `log` (the `jack_log` fixture: the test JACK server's log, or None) tells
    a loss of JACK's from one of ours: when something does not arrive and the
    server logged lost cycles since the listener began, the test is skipped,
    saying so, instead of failing (as `jackserver.Witness.excuse` does).
    """

    def __init__(self, port, log=None) -> None:
        self.messages: list = []
        self._lock = threading.Lock()
        self._log = log
        if log is not None:
            log.mark()
        port.callback = self._arrived

    def _arrived(self, msg) -> None:
        with self._lock:
            self.messages.append((time.monotonic(), msg))

    def since(self, moment: float) -> list:
        with self._lock:
            return [msg for stamp, msg in self.messages if stamp >= moment]

    def notes_on(self, since: float = 0.0) -> list[tuple[int, int]]:
        """(channel, note) of each note-on since `since` (time.monotonic())."""
        return [(msg.channel, msg.note) for msg in self.since(since) if msg.type == "note_on" and msg.velocity]

    def hanging(self) -> set[tuple[int, int]]:
        """(channel, note) of the notes that were turned on and never off."""
        return hanging(self.since(0))

    def wait_for(self, predicate, seconds: float = 15.0, what: str = "the notes") -> None:
        """Return once `predicate(self)` holds; fail after `seconds` (generous: the machine is shared)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate(self):
                return
            time.sleep(0.02)
        lost = self._log.lost_cycles() if self._log is not None else []
        if lost:
            pytest.skip(f"JACK lost {what}: the server logged {len(lost)} lost cycles during the test, e.g. {lost[0]!r}")
        pytest.fail(f"{what} did not arrive within {seconds} s; got {[str(m) for m in self.since(0)][-20:]}")


def run_editor(command: list[str], env: dict, timeout: float = 90) -> subprocess.CompletedProcess:
    """Run a headless editor to the end; its output is in the failure message when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)
    assert result.returncode == 0, (
        f"{command[0]} failed ({result.returncode}):\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


def restart_test(command: list[str], stage: Stage) -> None:
    """An editor sends a block to a session, the session is replaced by another, the editor sends a second block:
    both play. `command` is the editor's command line; it finds the song and the mark in its environment."""
    song = stage.song('p.a = note("c4").ch(5)\n\np.b = note("d4").ch(6)\n')
    mark = stage.tmp_path / "first-block-sent"
    with stage.listening() as listener:
        with live_session(stage.tmp_path, stage.unique, stage.spec) as first:
            first_token = json.loads(first.server_file.read_text())["token"]
            env = first.env(LIVEMIDI_TEST_SONG=str(song), LIVEMIDI_TEST_MARK=str(mark))
            editor_process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                              stderr=subprocess.STDOUT, text=True)  # fmt: skip
            try:
                deadline = time.monotonic() + 60
                while not mark.exists():
                    if editor_process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"the editor did not send the first block:\n{editor_process.communicate()[0]}")
                    time.sleep(0.05)
                listener.wait_for(lambda heard: (5, 60) in heard.notes_on(), what="the first block's note")
            except BaseException:
                editor_process.kill()
                raise
        with live_session(stage.tmp_path, stage.unique, stage.spec) as second:
            assert json.loads(second.server_file.read_text())["token"] != first_token, "a new session, a new token"
            restarted = time.monotonic()
            Path(f"{mark}.restarted").write_text("")
            output, _ = editor_process.communicate(timeout=90)
            assert editor_process.returncode == 0, output
            listener.wait_for(lambda heard: (6, 62) in heard.notes_on(since=restarted),
                              what="the second block's note, from the new session")  # fmt: skip


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


# -- the scenarios both the Neovim and the Emacs tests play --------------------------------------------------------
#
# Each takes a `Stage` (the test's JACK input and where its files go) and `run(env, step)`, which runs the editor's
# part of the scenario named `step` (the editor's own checks of what it shows are in its driver) against the session
# whose environment `env` is. Here is what the music did.


class Stage:
    """A test's JACK input and tmp_path: `playing(code)` starts a session playing into that input."""

    def __init__(self, jack, jack_spec: str, jack_log, unique: str, tmp_path: Path) -> None:
        self.jack, self.spec, self.log, self.unique, self.tmp_path = jack, jack_spec, jack_log, unique, tmp_path

    def song(self, text: str) -> Path:
        song = self.tmp_path / "song.py"
        song.write_text(text)
        return song

    @contextmanager
    def listening(self):
        """Yields a `Listener` on the test's JACK input."""
        from jackserver import client

        with self.jack.open_input(self.unique, virtual=True, **client(self.jack, f"{self.unique}rx")) as synth:
            yield Listener(synth, self.log)

    @contextmanager
    def playing(self, code: str = "tempo(240)\n"):
        """Yields (session, listener): a `livemidi run` on `code` playing into the input, and what arrives there."""
        with self.listening() as listener, live_session(self.tmp_path, self.unique, self.spec, code) as session:
            yield session, listener


QUIET = "# editors send the music\n"  # a session that plays nothing until told, at 120 BPM
LOOP_X = 'tempo(240)\np.x = note("c4*4").ch(1)\n'


def block_and_error(stage: Stage, run) -> None:
    """A block plays; a failing block is reported at its line (by the editor) and the session plays on."""
    song = stage.song(SONG)
    with stage.playing() as (session, listener):
        run(session.env(LIVEMIDI_TEST_SONG=str(song)), "block_and_error")
        listener.wait_for(lambda heard: SONG_PLAYS <= set(heard.notes_on()), what=f"the notes {sorted(SONG_PLAYS)}")
        assert session.process.poll() is None, "the session still plays after the error"


def lines_only(stage: Stage, run) -> None:
    """A line, a range and a selection send only those: what was not sent never plays."""
    song = stage.song(LINES)
    with stage.playing() as (session, listener):
        run(session.env(LIVEMIDI_TEST_SONG=str(song)), "lines")
        listener.wait_for(lambda heard: LINES_PLAY <= set(heard.notes_on()), what=f"the notes {sorted(LINES_PLAY)}")
        # Two bars more (240 BPM: a bar a second) with the three loops playing.
        listener.wait_for(lambda heard: heard.notes_on().count((8, 67)) >= 3, what="two more bars")
        assert not {channel for channel, _ in listener.notes_on()} & LINES_NEVER, listener.notes_on()
        assert sorted(loop["name"] for loop in session.request("status")["loops"]) == ["a", "c", "d"]


def hush_and_panic(stage: Stage, run) -> None:
    """Status and hush (nothing plays after it), then panic (sustain off on every channel)."""
    song = stage.song("")
    with stage.playing(LOOP_X) as (session, listener):
        listener.wait_for(lambda heard: (1, 60) in heard.notes_on(), what="the loop x")
        run(session.env(LIVEMIDI_TEST_SONG=str(song)), "status_hush")
        hushed = time.monotonic()
        time.sleep(2.0)  # hush acts at once; a note already on its way to JACK may land just after
        late = listener.notes_on(since=hushed + 0.5)
        assert late == [], f"notes after the hush: {late}"
        assert session.request("status")["loops"] == []
        panicked = time.monotonic()
        run(session.env(LIVEMIDI_TEST_SONG=str(song)), "panic")
        listener.wait_for(
            lambda heard: any(msg.type == "control_change" and msg.control == 64 and msg.value == 0
                              and msg.channel == 1 for msg in heard.since(panicked)),
            what="panic's sustain off on channel 2",
        )  # fmt: skip


def interrupt(stage: Stage, run) -> None:
    """An endless block is interrupted from the editor and the music plays on."""
    song = stage.song("while True:\n    pass\n")
    with stage.playing(LOOP_X) as (session, listener):
        run(session.env(LIVEMIDI_TEST_SONG=str(song)), "interrupt")
        after = time.monotonic()
        listener.wait_for(lambda heard: (1, 60) in heard.notes_on(since=after), what="the loop x, after the interrupt")
        assert session.request("status")["busy"] is False


def steps_light_up(stage: Stage, run) -> None:
    """The steps that sound light up on their characters (the editor's driver checks the highlights)."""
    song = stage.song(STEPS)
    with stage.playing() as (session, _):
        run(session.env(LIVEMIDI_TEST_SONG=str(song)), "live_highlight")
