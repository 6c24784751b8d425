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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from editor_session import (  # noqa: E402
    EDITORS, block_and_error, editor, hush_and_panic, interrupt, lines_only, restart_test, run_editor, steps_light_up,
)  # fmt: skip

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


# Each scenario's ERT test in editors/emacs/livemidi-tests.el.
ERT_OF = {
    "block_and_error": "livemidi-live-block-and-error", "lines": "livemidi-live-line-and-region",
    "status_hush": "livemidi-live-status-and-hush", "panic": "livemidi-live-panic",
    "interrupt": "livemidi-live-interrupt", "live_highlight": "livemidi-live-highlight",
}


def run_ert(env: dict, step: str):
    return ert(ERT_OF[step], env)


def test_eval_block_plays_and_an_error_lands_in_the_error_buffer(stage):
    editor("emacs")
    block_and_error(stage, run_ert)


def test_eval_line_and_region_send_only_those(stage):
    editor("emacs")
    lines_only(stage, run_ert)


def test_status_hush_and_panic(stage):
    editor("emacs")
    hush_and_panic(stage, run_ert)


def test_an_endless_block_is_interrupted_and_the_music_plays_on(stage):
    editor("emacs")
    interrupt(stage, run_ert)


def test_a_restarted_session_is_found_again(stage):
    command = [editor("emacs"), "--batch", "-Q", "-L", str(PACKAGE), "-l", "livemidi-tests.el",
               "--eval", "(ert-run-tests-batch-and-exit (quote livemidi-live-restart))"]  # fmt: skip
    restart_test(command, stage)


def test_the_steps_that_sound_light_up(stage):
    editor("emacs")
    steps_light_up(stage, run_ert)
