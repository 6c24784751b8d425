"""A stall that skips music is told: a notice (at most one every 5 s), the status count, and the
end of `livemidi run`. It used to be silent: the notes were not heard and nothing said so."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

from livemidi.clock import VirtualSender
from livemidi.session import Session
from livemidi.session.stalls import EVERY

MEMORY = "livemidi.backends.memory"


class Rig:
    """A session on a virtual clock playing 8ths at 120 BPM; `run` steps it like its thread would."""

    def __init__(self) -> None:
        self.t = 100.0
        self.notices: list[str] = []
        self.sender = VirtualSender(now=lambda: self.t)
        self.session = Session(self.sender, threaded=False, now=lambda: self.t, on_notice=self.notices.append)
        self.session.add_output("out")
        self.session.p.x = "c4*8"
        self.session.start()

    def run(self, seconds: float) -> None:
        end = self.t + seconds
        while self.t < end:
            self.t = round(self.t + 0.01, 9)
            self.session.clock.step()
            self.sender.advance(self.t)

    def stall(self, seconds: float) -> None:
        """The lookahead thread does not run for `seconds`; the sender plays what it has."""
        self.t += seconds
        self.sender.advance(self.t)


def test_a_stall_is_told_once_and_counted():
    rig = Rig()
    rig.run(1.0)
    assert rig.session.status().stalls == 0 and not rig.notices
    rig.stall(1.0)
    rig.run(0.1)
    assert rig.session.status().stalls == 1
    [notice] = rig.notices
    assert notice.startswith("the clock did not run in time: ") and "ms of music skipped rather than played late" in notice
    skipped_ms = float(notice.split(": ")[1].split(" ms")[0])
    assert 800 <= skipped_ms <= 1000  # a second without a step, less what was shipped and what plays late


def test_stalls_in_a_row_make_one_notice_every_few_seconds_with_the_count():
    rig = Rig()
    rig.run(0.5)
    for seconds in (0.5, 1.0, 1.5):  # each longer than the loop now ships ahead after the one before
        rig.stall(seconds)
        rig.run(0.5)
    assert rig.session.status().stalls == 3 and len(rig.notices) == 1  # a stalling machine does not flood the REPL
    rig.run(EVERY)
    rig.stall(2.0)
    rig.run(0.1)
    assert len(rig.notices) == 2 and "(3 times since the last notice)" in rig.notices[1]


@pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP to stall the command")
def test_livemidi_run_says_when_it_skipped_music(tmp_path):
    """The command stopped for 0.6 s (SIGSTOP: a machine that did not run it) skips rather than
    plays late, says so at once and again when it stops."""
    song = tmp_path / "song.py"
    song.write_text("tempo(240)\np.a = note('c3*8')\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "livemidi", "run", str(song), "--bars", "3", "--virtual", "synth", "--backend", MEMORY],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        line = process.stdout.readline()
        while line and not line.startswith("Playing"):
            line = process.stdout.readline()
        assert line.startswith("Playing"), process.stderr.read()
        time.sleep(0.3)
        process.send_signal(signal.SIGSTOP)
        time.sleep(0.6)
        process.send_signal(signal.SIGCONT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "livemidi: the clock did not run in time" in err
    assert "livemidi: timing: 1 stall skipped music" in err, err


def test_what_the_command_says_of_the_timing_when_it_stops():
    from livemidi.cli.live import timing_trouble

    rig = Rig()
    assert timing_trouble(rig.session.status()) == ""
    rig.session.clock.stalls = 2
    core = rig.sender._core  # a VirtualSender's counters, as a real sender would report them
    core.late_count, core.late_woke = 1, 1
    assert timing_trouble(rig.session.status()) == "2 stalls skipped music; 1 message over 1 ms late (the machine's: 1)"


def test_the_command_keeps_what_start_up_made_out_of_full_collections():
    """Full collections hold the interpreter, and the lookahead thread waits them out: a session
    playing c4*2000 through the REPL's modules had them up to 38 ms, 5.7 ms once start-up's objects
    were frozen (`livemidi.cli.live.settle_memory`)."""
    code = "import gc\nprint('frozen', gc.get_freeze_count(), 'tracked', len(gc.get_objects()))\n"
    done = subprocess.run(
        [sys.executable, "-m", "livemidi", "--pipe", "--virtual", "synth", "--backend", MEMORY, "--no-eval"],
        input=code, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    words = done.stdout.split()
    frozen, tracked = int(words[words.index("frozen") + 1]), int(words[words.index("tracked") + 1])
    assert frozen > 10_000 and tracked < frozen, done.stdout  # start-up's objects: frozen, not walked


def test_the_command_walks_start_ups_objects_before_it_plays_not_while():
    """The collection that `settle_memory` makes walks every object start-up made (tens of thousands:
    14 ms on the project's VM when idle, several times that under load) with the interpreter held. Made
    after the start, it fell inside the first lookahead, when nothing more than that is queued in the
    sender: it now runs before the start, and once start-up is over only what came since is walked."""
    code = textwrap.dedent("""
        import gc, sys, time
        import livemidi.clock.lookahead as lookahead
        started = []
        walked = []  # (after the start?, objects a full collection could walk)
        def watch(phase, info):
            if phase == "start" and info["generation"] == 2:
                walked.append((bool(started), len(gc.get_objects())))
        gc.callbacks.append(watch)
        start = lookahead.Lookahead.start
        def recorded(self, *args, **kwargs):
            started.append(True)
            return start(self, *args, **kwargs)
        lookahead.Lookahead.start = recorded
        from livemidi.cli import main
        code = main(sys.argv[1:])
        print("walked", walked, "frozen", gc.get_freeze_count())
        sys.exit(code)
    """)
    done = subprocess.run(
        [sys.executable, "-c", code, "--pipe", "--virtual", "synth", "--backend", MEMORY, "--no-eval"],
        input="p.x = note('c4 e4')\n", capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith("walked"))
    walked = eval(line.split("walked", 1)[1].split("frozen")[0])
    frozen = int(line.rsplit("frozen", 1)[1])
    assert frozen > 10_000, line
    assert any(not playing for playing, _ in walked), line  # start-up's objects were walked before the start
    assert all(count < frozen / 10 for playing, count in walked if playing), line
