"""`livemidi run --offset PORT=MS`, and the offsets stored in the config file, on in-memory ports."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest

from livemidi.cli import main

MEMORY = "livemidi.backends.memory"


@pytest.fixture
def song(tmp_path):
    path = tmp_path / "song.py"
    path.write_text("tempo(480)\np.a = note('c3')\n")
    return str(path)


def run(song, *options):
    return main(["run", song, "--bars", "1", "--virtual", "synth", "--virtual", "drums", "--backend", MEMORY, *options])


def test_offset_options_apply_to_their_outputs(song, capsys):
    assert run(song, "--offset", "synth=-12", "--offset", "drums=3.5") == 0
    out = capsys.readouterr().out
    assert "Output 'synth' plays 12 ms earlier (--offset)." in out
    assert "Output 'drums' plays 3.5 ms later (--offset)." in out


def test_an_offset_for_an_unknown_output_lists_the_outputs(song, capsys):
    assert run(song, "--offset", "keys=-12") == 1
    err = capsys.readouterr().err
    assert "no output matches port 'keys': the outputs are ['synth', 'drums']" in err


@pytest.mark.parametrize(
    "value, expected",
    [
        ("synth", "expected PORT=MS"),
        ("=-3", "expected PORT=MS"),
        ("synth=soon", "should be a number of milliseconds from -1000 to 1000 (negative: earlier), got 'soon'"),
        ("synth=-1001", "got '-1001'"),
        ("synth=nan", "got 'nan'"),
    ],
)
def test_a_bad_offset_option_says_what_is_expected(song, capsys, value, expected):
    with pytest.raises(SystemExit) as exit:
        run(song, "--offset", value)
    assert exit.value.code == 2
    assert expected in capsys.readouterr().err


def test_stored_offsets_apply_with_a_notice_and_an_option_wins(song, capsys, user_config):
    user_config.parent.mkdir(parents=True)
    user_config.write_text(json.dumps({"offsets": {"synth": -9.5, "drums": 4}}))
    assert run(song, "--offset", "drums=-1") == 0
    captured = capsys.readouterr()
    assert f"output 'synth' plays 9.5 ms earlier (stored in {user_config})" in captured.err
    assert "Output 'drums' plays 1 ms earlier (--offset)." in captured.out


def test_a_corrupt_config_is_a_warning_and_the_music_plays(song, capsys, user_config):
    user_config.parent.mkdir(parents=True)
    user_config.write_text('{"offsets": {"synth": -9.5,}}')
    assert run(song) == 0
    captured = capsys.readouterr()
    assert f"the config file {user_config} is not valid JSON (line 1 column" in captured.err
    assert "going on without it" in captured.err
    assert "Playing" in captured.out
    assert user_config.read_text() == '{"offsets": {"synth": -9.5,}}'  # left as it was


BROKEN = "p.a = note('c3')\n\nspeed = 2 * undefined_name\n"


def _traceback_of(path) -> list[str]:
    return [
        "Traceback (most recent call last):",
        f'  File "{path}", line 3, in <module>',
        "    speed = 2 * undefined_name",
        "NameError: name 'undefined_name' is not defined",
    ]


def _without_carets(lines: list[str]) -> list[str]:
    # Python 3.11+ underlines the failing part of a line (^^^); where exactly differs between versions.
    return [line for line in lines if line.strip(" ^~")]


def test_a_file_that_raises_on_the_first_run_shows_its_line_as_python_would(tmp_path, capsys):
    path = tmp_path / "song.py"
    path.write_text(BROKEN)
    assert main(["run", str(path), "--bars", "1", "--virtual", "synth", "--backend", MEMORY]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"livemidi: {path}, line 3: NameError: name 'undefined_name' is not defined (nothing was changed)"
    assert _without_carets(err[1:]) == _traceback_of(path)


@pytest.mark.parametrize("saved_when", ["playing", "loading"])
def test_a_watched_file_that_raises_on_a_reload_shows_its_line_and_plays_on(tmp_path, saved_when):
    path = tmp_path / "song.py"
    # "loading": saved again while the first version still loads (it takes a second); that save is not missed.
    path.write_text("import time\nprint('loading', flush=True)\ntime.sleep(1)\np.a = note('c3')\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "livemidi", "run", str(path), "--watch", "--virtual", "synth", "--backend", MEMORY],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        for line in process.stdout:
            if line.startswith("Playing" if saved_when == "playing" else "loading"):
                break
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in process.stderr], daemon=True).start()
        path.write_text(BROKEN)
        err = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (err and err[-1].startswith("NameError")):
            try:
                err.append(lines.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        assert err[0] == f"livemidi: {path}, line 3: NameError: name 'undefined_name' is not defined; the version before plays on"
        assert _without_carets(err[1:]) == _traceback_of(path)
        assert process.poll() is None  # still playing
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    assert process.returncode == 130
