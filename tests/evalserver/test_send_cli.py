"""`livemidi send` without a session: exit 2 and how to start one; --where; bad usage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def livemidi(*args: str, input: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "livemidi", *args], input=input, capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def test_no_session_exits_2_and_says_how_to_start_one(eval_server_file):
    result = livemidi("send", input="p.x = note('c4')\n")
    assert result.returncode == 2
    assert f"no running livemidi session (there is no server file at {eval_server_file})" in result.stderr
    assert "livemidi run FILE.py" in result.stderr


def test_a_stale_server_file_is_no_session(eval_server_file):
    eval_server_file.write_text(json.dumps({"protocol": 1, "host": "127.0.0.1", "port": 7317, "token": "0" * 32,
                                            "pid": 2**22 + 12345}))
    result = livemidi("send", "--hush")
    assert result.returncode == 2 and "stale" in result.stderr


def test_where_prints_the_server_file(eval_server_file):
    result = livemidi("send", "--where")
    assert (result.returncode, result.stdout) == (0, f"{eval_server_file}\n")


def test_bad_usage_exits_2(eval_server_file, tmp_path):
    assert livemidi("send", "--line", "0").returncode == 2
    missing = livemidi("send", str(tmp_path / "nope.py"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    both = livemidi("send", "--hush", "--panic")
    assert both.returncode == 2 and "not allowed with" in both.stderr
