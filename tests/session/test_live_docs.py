"""Every ```python example in docs/live.md runs: REPL snippets in a session's namespace, the rest as Python."""

from __future__ import annotations

import re
from pathlib import Path


from livemidi.clock import VirtualSender
from livemidi.session import Session, namespace
from livemidi.session.patternfile import load_pattern_file

DOC = Path(__file__).resolve().parents[2] / "docs" / "live.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def virtual_session():
    t = [0.0]
    session = Session(VirtualSender(now=lambda: t[0]), threaded=False, now=lambda: t[0])
    for name in ("out", "drums", "synth"):
        session.add_output(name)
    return session


def test_the_page_has_examples():
    assert len(BLOCKS) >= 4


def test_the_repl_examples_run_one_after_another():
    session = virtual_session()
    names = namespace(session)
    for block in BLOCKS:
        if block.startswith(("from ", "# groove.py")):
            continue
        exec(compile(block, str(DOC), "exec"), names)
    assert set(session.loops) == {"kick", "hats", "bass"}  # chords were deleted again
    assert session.tempo() == 124


def test_the_pattern_file_example_loads(tmp_path):
    (block,) = [block for block in BLOCKS if block.startswith("# groove.py")]
    path = tmp_path / "groove.py"
    path.write_text(block)
    session = virtual_session()
    assert load_pattern_file(session, path) == {"kick", "bass"}


def test_the_python_example_runs(monkeypatch):
    (block,) = [block for block in BLOCKS if block.startswith("from ")]
    monkeypatch.setenv("LIVEMIDI_BACKEND", "livemidi.backends.memory")  # the sender process inherits it
    exec(compile(block, str(DOC), "exec"), {})
