import subprocess
import sys

import livemidi
from livemidi.cli import main


def test_version(capsys):
    try:
        main(["--version"])
    except SystemExit as exit:
        assert exit.code == 0
    assert capsys.readouterr().out.strip() == f"livemidi {livemidi.__version__}"


def test_help(capsys):
    try:
        main(["--help"])
    except SystemExit as exit:
        assert exit.code == 0
    out = capsys.readouterr().out
    assert "live-coding MIDI sequencer" in out
    for command in ("run", "render", "dump", "ports", "play", "serve", "connect"):
        assert command in out


def test_python_dash_m():
    result = subprocess.run(
        [sys.executable, "-m", "livemidi", "--help"], capture_output=True, text=True, check=True
    )
    assert "usage: livemidi" in result.stdout
