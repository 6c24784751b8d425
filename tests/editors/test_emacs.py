"""The Emacs package (editors/emacs), in Debian's real `emacs --batch`, against a live session playing into JACK.

livemidi.el must byte-compile without a warning; its ERT tests
(editors/emacs/livemidi-tests.el) run here: those without a session at
once, each live one against a `livemidi run --eval-port 0` playing into a
JACK input, where this file checks what the music did.
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from editor_session import (  # noqa: E402
    EDITORS, LINES, LINES_NEVER, LINES_PLAY, SONG, SONG_PLAYS, STEPS, STEPS_PROBE,
    Listener, editor, live_session, restart_test, run_editor,
)  # fmt: skip
from jackserver import client  # noqa: E402

PACKAGE = EDITORS / "emacs"


def ert(selector: str, env: dict):
    """Run the ERT tests that `selector` (an ERT selector, as Lisp) chooses; fail when one fails."""
    command = [editor("emacs"), "--batch", "-Q", "-L", str(PACKAGE), "-l", "livemidi-tests.el",
               "--eval", f"(ert-run-tests-batch-and-exit (quote {selector}))"]  # fmt: skip
    result = run_editor(command, env)
    # Every test chosen ran and passed: none was skipped (a live test skips without its song).
    summary = re.search(r"^Ran (\d+) tests?, (\d+) results? as expected, 0 unexpected.*$", result.stderr, re.M)
    assert summary and summary[1] == summary[2] and "skipped" not in summary[0], result.stderr
    return result


def test_byte_compiles_without_a_warning(tmp_path):
    for name in ("livemidi.el", "livemidi-tests.el"):
        shutil.copy(PACKAGE / name, tmp_path / name)  # the .elc goes to tmp_path, not the checkout
    result = run_editor(
        [editor("emacs"), "--batch", "-Q", "-L", str(tmp_path), "--eval", "(setq byte-compile-error-on-warn t)",
         "-f", "batch-byte-compile", str(tmp_path / "livemidi.el"), str(tmp_path / "livemidi-tests.el")],
        env=None,
    )  # fmt: skip
    assert (tmp_path / "livemidi.elc").exists()
    assert "Warning" not in result.stderr, result.stderr


def test_ert_without_a_session(tmp_path):
    import os

    env = {key: value for key, value in os.environ.items() if key != "LIVEMIDI_TEST_SONG"}
    result = run_editor(
        [editor("emacs"), "--batch", "-Q", "-L", str(PACKAGE), "-l", "livemidi-tests.el",
         "--eval", "(ert-run-tests-batch-and-exit (quote (not (tag live))))"],
        env,
    )  # fmt: skip
    assert re.search(r"^Ran \d+ tests?, \d+ results? as expected, 0 unexpected", result.stderr, re.M), result.stderr


def test_eval_block_plays_and_an_error_lands_in_the_error_buffer(jack, jack_spec, jack_log, unique, tmp_path):
    editor("emacs")
    song = tmp_path / "song.py"
    song.write_text(SONG)
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        listener = Listener(synth, jack_log)
        with live_session(tmp_path, unique, jack_spec) as session:
            ert("livemidi-live-block-and-error", session.env(LIVEMIDI_TEST_SONG=str(song)))
            listener.wait_for(lambda heard: SONG_PLAYS <= set(heard.notes_on()), what=f"the notes {sorted(SONG_PLAYS)}")
            assert session.process.poll() is None, "the session still plays after the error"


def test_eval_line_and_region_send_only_those(jack, jack_spec, jack_log, unique, tmp_path):
    editor("emacs")
    song = tmp_path / "song.py"
    song.write_text(LINES)
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        listener = Listener(synth, jack_log)
        with live_session(tmp_path, unique, jack_spec) as session:
            ert("livemidi-live-line-and-region", session.env(LIVEMIDI_TEST_SONG=str(song)))
            listener.wait_for(lambda heard: LINES_PLAY <= set(heard.notes_on()), what=f"the notes {sorted(LINES_PLAY)}")
            listener.wait_for(lambda heard: heard.notes_on().count((8, 67)) >= 3, what="two more bars")
            assert not {channel for channel, _ in listener.notes_on()} & LINES_NEVER, listener.notes_on()
            status = session.request("status")
            assert sorted(loop["name"] for loop in status["loops"]) == ["a", "c", "d"]


def test_status_hush_and_panic(jack, jack_spec, jack_log, unique, tmp_path):
    editor("emacs")
    song = tmp_path / "song.py"
    song.write_text("")
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        listener = Listener(synth, jack_log)
        with live_session(tmp_path, unique, jack_spec, 'tempo(240)\np.x = note("c4*4").ch(1)\n') as session:
            listener.wait_for(lambda heard: (1, 60) in heard.notes_on(), what="the loop x")
            ert("livemidi-live-status-and-hush", session.env(LIVEMIDI_TEST_SONG=str(song)))
            hushed = time.monotonic()
            time.sleep(2.0)  # hush acts at once; a note already on its way to JACK may land just after
            late = listener.notes_on(since=hushed + 0.5)
            assert late == [], f"notes after livemidi-hush: {late}"
            assert session.request("status")["loops"] == []
            panicked = time.monotonic()
            ert("livemidi-live-panic", session.env(LIVEMIDI_TEST_SONG=str(song)))
            listener.wait_for(
                lambda heard: any(msg.type == "control_change" and msg.control == 64 and msg.value == 0
                                  and msg.channel == 1 for msg in heard.since(panicked)),
                what="panic's sustain off on channel 2",
            )  # fmt: skip


def test_an_endless_block_is_interrupted_and_the_music_plays_on(jack, jack_spec, jack_log, unique, tmp_path):
    editor("emacs")
    song = tmp_path / "song.py"
    song.write_text("while True:\n    pass\n")
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        listener = Listener(synth, jack_log)
        with live_session(tmp_path, unique, jack_spec, 'tempo(240)\np.x = note("c4*4").ch(1)\n') as session:
            ert("livemidi-live-interrupt", session.env(LIVEMIDI_TEST_SONG=str(song)))
            after = time.monotonic()
            listener.wait_for(lambda heard: (1, 60) in heard.notes_on(since=after),
                              what="the loop x, after the interrupt")  # fmt: skip
            assert session.request("status")["busy"] is False


def test_a_restarted_session_is_found_again(jack, jack_spec, jack_log, unique, tmp_path):
    command = [editor("emacs"), "--batch", "-Q", "-L", str(PACKAGE), "-l", "livemidi-tests.el",
               "--eval", "(ert-run-tests-batch-and-exit (quote livemidi-live-restart))"]  # fmt: skip
    restart_test(command, jack, jack_spec, jack_log, unique, tmp_path)


def test_the_steps_that_sound_light_up(jack, jack_spec, jack_log, unique, tmp_path):
    editor("emacs")
    song = tmp_path / "song.py"
    song.write_text(STEPS)
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")), \
            live_session(tmp_path, unique, jack_spec, STEPS_PROBE) as session:  # fmt: skip
        session.skip_without_locations()
        ert("livemidi-live-highlight", session.env(LIVEMIDI_TEST_SONG=str(song)))
