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


def test_help_without_arguments(capsys):
    assert main([]) == 0
    assert "live-coding MIDI sequencer" in capsys.readouterr().out


def test_python_dash_m():
    result = subprocess.run(
        [sys.executable, "-m", "livemidi", "--help"], capture_output=True, text=True, check=True
    )
    assert "usage: livemidi" in result.stdout
