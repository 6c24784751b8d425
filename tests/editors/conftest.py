"""The `stage` fixture of the editor tests: their JACK input and tmp_path (see editor_session.Stage)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from editor_session import Stage  # noqa: E402


@pytest.fixture
def stage(jack, jack_spec, jack_log, unique, tmp_path) -> Stage:
    return Stage(jack, jack_spec, jack_log, unique, tmp_path)
