"""The Neovim plugin (editors/nvim), in Debian's real `nvim --headless`, against a live session playing into JACK.

Each test starts `livemidi run --eval-port 0` playing into a JACK input,
runs one scenario of tests/editors/nvim_driver.lua in Neovim (the checks of
what Neovim shows are there), and checks here what the music did.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from editor_session import (  # noqa: E402
    EDITORS, block_and_error, editor, hush_and_panic, interrupt, lines_only, restart_test, run_editor, steps_light_up,
)  # fmt: skip

DRIVER = Path(__file__).parent / "nvim_driver.lua"


def nvim_command() -> list[str]:
    """A headless Neovim with the plugin on its runtimepath (and no user config) that runs the driver."""
    return [editor("nvim"), "--headless", "--clean", "--cmd", f"set rtp^={EDITORS / 'nvim'}", "-c", f"luafile {DRIVER}"]


def nvim(step: str, env: dict):
    """Run the driver's `step` in Neovim; fail when a check of it fails."""
    return run_editor(nvim_command(), dict(env, LIVEMIDI_TEST_STEP=step))


# Each scenario's step in tests/editors/nvim_driver.lua.
STEPS_OF = {"lines": "line_range_selection"}


def run_nvim(env: dict, step: str):
    return nvim(STEPS_OF.get(step, step), env)


def test_eval_block_plays_and_an_error_lands_in_the_quickfix_list(stage):
    editor("nvim")
    block_and_error(stage, run_nvim)


def test_eval_line_range_and_selection_send_only_those(stage):
    editor("nvim")
    lines_only(stage, run_nvim)


def test_status_hush_and_panic(stage):
    editor("nvim")
    hush_and_panic(stage, run_nvim)


def test_an_endless_block_is_interrupted_and_the_music_plays_on(stage):
    editor("nvim")
    interrupt(stage, run_nvim)


def test_a_restarted_session_is_found_again(stage, monkeypatch):
    monkeypatch.setenv("LIVEMIDI_TEST_STEP", "restart")
    restart_test(nvim_command(), stage)


def test_the_steps_that_sound_light_up(stage):
    editor("nvim")
    steps_light_up(stage, run_nvim)


def test_without_a_session_the_command_says_so(tmp_path):
    song = tmp_path / "song.py"
    song.write_text('p.a = note("c4")\n')
    env = dict(os.environ, LIVEMIDI_SERVER_FILE=str(tmp_path / "none" / "server.json"), LIVEMIDI_TEST_SONG=str(song))
    nvim("no_session", env)


def test_a_stale_server_file_is_no_session(tmp_path):
    import json
    import subprocess

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    server_file = tmp_path / "server.json"
    server_file.write_text(json.dumps({"protocol": 1, "host": "127.0.0.1", "port": 9, "token": "0" * 32,
                                       "pid": dead.pid, "livemidi": "0", "session": "run"}))  # fmt: skip
    song = tmp_path / "song.py"
    song.write_text('p.a = note("c4")\n')
    env = dict(os.environ, LIVEMIDI_SERVER_FILE=str(server_file), LIVEMIDI_TEST_SONG=str(song),
               LIVEMIDI_TEST_EXPECT=f"is stale (its process {dead.pid} is gone)")  # fmt: skip
    nvim("no_session", env)


def test_a_port_where_nothing_answers_is_no_session(tmp_path):
    import json
    import socket

    with socket.socket() as closed:  # a free port, closed again: nothing listens there
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    server_file = tmp_path / "server.json"
    server_file.write_text(json.dumps({"protocol": 1, "host": "127.0.0.1", "port": port, "token": "0" * 32,
                                       "pid": os.getpid(), "livemidi": "0", "session": "run"}))  # fmt: skip
    song = tmp_path / "song.py"
    song.write_text('p.a = note("c4")\n')
    env = dict(os.environ, LIVEMIDI_SERVER_FILE=str(server_file), LIVEMIDI_TEST_SONG=str(song),
               LIVEMIDI_TEST_PORT=str(port))  # fmt: skip
    nvim("nothing_answers", env)


def test_default_keys_can_be_changed_and_turned_off(tmp_path):
    song = tmp_path / "song.py"
    song.write_text('p.a = note("c4")\n')
    nvim("mappings", dict(os.environ, LIVEMIDI_TEST_SONG=str(song)))


def test_a_sounding_step_is_highlighted_on_its_characters(tmp_path):
    song = tmp_path / "song.py"
    song.write_text('tempo(120)\np.x = note("é4 c4")\n')
    nvim("step_highlight", dict(os.environ, LIVEMIDI_TEST_SONG=str(song)))
