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
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from editor_session import QUIET, ROOT, editor, hanging, live_session, notes_on  # noqa: E402

EXTENSION = ROOT / "editors" / "vscode"


def node_suite(env: dict) -> subprocess.CompletedProcess:
    node = editor("node")
    files = sorted(str(path.relative_to(EXTENSION)) for path in (EXTENSION / "test").glob("*.test.js"))
    return subprocess.run([node, "--test", "--test-reporter=tap", *files], cwd=EXTENSION, env=env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip


def summary(tap: str) -> dict[str, int]:
    return {key: int(value) for key, value in re.findall(r"^# (pass|fail|skipped|cancelled) (\d+)$", tap, re.M)}


def skipped(tap: str) -> set[str]:
    return set(re.findall(r"^\s*ok \d+ - (.*?) # SKIP", tap, re.M))


def test_node_suite_against_a_session_playing_into_jack(stage):
    with stage.listening() as listener:
        with live_session(stage.tmp_path, stage.unique, stage.spec, QUIET) as session:
            result = node_suite(session.env())
        time.sleep(0.5)  # the last note-offs on their way
        received = listener.since(0)
    tap = result.stdout + result.stderr
    assert result.returncode == 0, tap[-6000:]
    counts = summary(result.stdout)
    assert counts.get("fail") == 0 and counts.get("cancelled", 0) == 0, tap[-6000:]
    assert counts.get("pass", 0) >= 20, counts
    assert skipped(result.stdout) == set(), skipped(result.stdout)
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
    assert skipped(result.stdout) == set(), skipped(result.stdout)
