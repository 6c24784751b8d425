"""The Neovim plugin (editors/nvim), in Debian's real `nvim --headless`, against a live session playing into JACK.

Each test starts `livemidi run --eval-port 0` playing into a JACK input,
runs one scenario of tests/editors/nvim_driver.lua in Neovim (the checks of
what Neovim shows are there), and checks here what the music did.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from editor_session import (  # noqa: E402
    EDITORS, LINES, LINES_NEVER, LINES_PLAY, SONG, SONG_PLAYS, STEPS, STEPS_PROBE,
    Listener, editor, live_session, restart_test, run_editor,
)  # fmt: skip
from jackserver import client  # noqa: E402

DRIVER = Path(__file__).parent / "nvim_driver.lua"


def nvim_command() -> list[str]:
    """A headless Neovim with the plugin on its runtimepath (and no user config) that runs the driver."""
    return [editor("nvim"), "--headless", "--clean", "--cmd", f"set rtp^={EDITORS / 'nvim'}", "-c", f"luafile {DRIVER}"]


def nvim(step: str, env: dict):
    """Run the driver's `step` in Neovim; fail when a check of it fails."""
    return run_editor(nvim_command(), dict(env, LIVEMIDI_TEST_STEP=step))


def test_eval_block_plays_and_an_error_lands_in_the_quickfix_list(jack, jack_spec, jack_log, unique, tmp_path):
    editor("nvim")
    song = tmp_path / "song.py"
    song.write_text(SONG)
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        listener = Listener(synth, jack_log)
        with live_session(tmp_path, unique, jack_spec) as session:
            nvim("block_and_error", session.env(LIVEMIDI_TEST_SONG=str(song)))
            listener.wait_for(lambda heard: SONG_PLAYS <= set(heard.notes_on()), what=f"the notes {sorted(SONG_PLAYS)}")
            assert session.process.poll() is None, "the session still plays after the error"


def test_eval_line_range_and_selection_send_only_those(jack, jack_spec, jack_log, unique, tmp_path):
    editor("nvim")
    song = tmp_path / "song.py"
    song.write_text(LINES)
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        listener = Listener(synth, jack_log)
        with live_session(tmp_path, unique, jack_spec) as session:
            nvim("line_range_selection", session.env(LIVEMIDI_TEST_SONG=str(song)))
            listener.wait_for(lambda heard: LINES_PLAY <= set(heard.notes_on()), what=f"the notes {sorted(LINES_PLAY)}")
            # Two bars more (240 BPM: a bar a second) with the three loops playing: what was not sent never plays.
            listener.wait_for(lambda heard: heard.notes_on().count((8, 67)) >= 3, what="two more bars")
            assert not {channel for channel, _ in listener.notes_on()} & LINES_NEVER, listener.notes_on()
            status = session.request("status")
            assert sorted(loop["name"] for loop in status["loops"]) == ["a", "c", "d"]


def test_status_hush_and_panic(jack, jack_spec, jack_log, unique, tmp_path):
    editor("nvim")
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        listener = Listener(synth, jack_log)
        with live_session(tmp_path, unique, jack_spec, 'tempo(240)\np.x = note("c4*4").ch(1)\n') as session:
            listener.wait_for(lambda heard: (1, 60) in heard.notes_on(), what="the loop x")
            nvim("status_hush", session.env())
            hushed = time.monotonic()
            # Hush acts at once; a note already on its way to JACK may still land just after.
            time.sleep(2.0)
            late = listener.notes_on(since=hushed + 0.5)
            assert late == [], f"notes after :LivemidiHush: {late}"
            assert session.request("status")["loops"] == []
            panicked = time.monotonic()
            nvim("panic", session.env())
            listener.wait_for(
                lambda heard: any(msg.type == "control_change" and msg.control == 64 and msg.value == 0
                                  and msg.channel == 1 for msg in heard.since(panicked)),
                what="panic's sustain off on channel 2",
            )  # fmt: skip


def test_an_endless_block_is_interrupted_and_the_music_plays_on(jack, jack_spec, jack_log, unique, tmp_path):
    editor("nvim")
    song = tmp_path / "song.py"
    song.write_text("while True:\n    pass\n")
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        listener = Listener(synth, jack_log)
        with live_session(tmp_path, unique, jack_spec, 'tempo(240)\np.x = note("c4*4").ch(1)\n') as session:
            nvim("interrupt", session.env(LIVEMIDI_TEST_SONG=str(song)))
            after = time.monotonic()
            listener.wait_for(lambda heard: (1, 60) in heard.notes_on(since=after),
                              what="the loop x, after the interrupt")  # fmt: skip
            assert session.request("status")["busy"] is False


def test_a_restarted_session_is_found_again(jack, jack_spec, jack_log, unique, tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEMIDI_TEST_STEP", "restart")
    restart_test(nvim_command(), jack, jack_spec, jack_log, unique, tmp_path)


def test_the_steps_that_sound_light_up(jack, jack_spec, jack_log, unique, tmp_path):
    editor("nvim")
    song = tmp_path / "song.py"
    song.write_text(STEPS)
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")), \
            live_session(tmp_path, unique, jack_spec, STEPS_PROBE) as session:  # fmt: skip
        session.skip_without_locations()
        nvim("live_highlight", session.env(LIVEMIDI_TEST_SONG=str(song)))


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
