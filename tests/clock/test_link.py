"""Ableton Link: a missing aalink, a Link on its own, and two real peers in a network namespace.

Link is only ever enabled inside a namespace that the test made (loopback
only): in this process it stays disabled, so nothing reaches a real network.
"""

from __future__ import annotations

import bisect
import re
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from livemidi.clock import Link, SyncState, link_available
from livemidi.errors import MissingDependencyError

PEER = Path(__file__).with_name("linkpeer.py")
ROOT = Path(__file__).resolve().parents[2]
CROSSING = 0.05  # seconds after a tempo change on one peer during which the other may still be catching up


def test_without_aalink_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "aalink", None)  # import aalink now raises ImportError
    assert not link_available()
    with pytest.raises(MissingDependencyError, match=r"pip install 'livemidi\[link\]'") as caught:
        Link()
    assert isinstance(caught.value, ImportError)


def test_a_disabled_link_is_a_timeline_of_its_own(aalink):
    with Link(100, enabled=False, start_stop_sync=False) as link:
        assert not link.enabled and link.peers == 0
        state = link.poll(0.0, 3)
        assert isinstance(state, SyncState) and state.playing is None
        assert link.quantum == 3 and state.bpm == pytest.approx(100)
        later = link.poll(0.0, 3)
        expected = state.cycle + (later.time - state.time) * 100 / 60 / 3
        assert later.cycle == pytest.approx(expected, abs=1e-5)  # a straight line of beats
        link.set_tempo(133)
        assert link.bpm == pytest.approx(133)
        assert link.request_start() is False  # no start/stop sync: the loop starts on its own
        link.start_stop_sync = True
        assert link.request_start() is True and link.playing
        assert link.poll(0.0, 3).playing is True
        assert link.request_stop() is True and not link.playing
        assert link.status() == "Link off"
        with pytest.raises(ValueError, match="quantum"):
            link.quantum = 0
    assert repr(link) == "<Link closed>"
    with pytest.raises(ValueError, match="closed"):
        link.poll(0.0, 4)


def _peer(netns: str, role: str, seconds: float, *actions: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.Popen(
        ["ip", "netns", "exec", netns, sys.executable, str(PEER), role, str(seconds), *actions],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def _report(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def _nearest(times: list[float], t: float) -> float:
    i = bisect.bisect(times, t)
    return min(abs(t - times[j]) for j in (i - 1, i) if 0 <= j < len(times))


def test_two_peers_share_tempo_phase_and_start_stop_within_a_millisecond(netns, aalink):
    a = _peer(netns, "a", 6.0, "start@0.3", "stop@5.0")
    b = _peer(netns, "b", 6.0, "tempo=200@2.6")
    a, b = _report(a), _report(b)
    assert a["peers"] == 1 and b["peers"] == 1
    # b never called start(): a's start reached it through Link's start/stop sync
    assert a["notes"] and b["notes"]
    assert abs(a["notes"][0] - b["notes"][0]) < 0.001
    # the same beats, to the millisecond, before and after b's tempo change; in
    # the instant a change crosses the network (a poll, 10 ms, plus the
    # network) a note may be off by that delay times the change in tempo
    changed = b["done"]["tempo=200"]
    common = [t for t in a["notes"] if b["notes"][0] - 0.01 <= t <= b["notes"][-1] + 0.01]
    assert len(common) >= 8
    steady = [_nearest(b["notes"], t) for t in common if not changed <= t <= changed + CROSSING]
    crossing = [_nearest(b["notes"], t) for t in common if changed <= t <= changed + CROSSING]
    assert max(steady) < 0.001, steady
    assert max(crossing, default=0) < 0.05, crossing  # a sanity bound: how late the news comes depends on load
    # what was really sent: two sender processes, each late by its own few µs on
    # an idle machine (more on a loaded one: a sanity bound, not a timing test)
    late = [_nearest(b["sent"], t) for t in a["sent"] if b["sent"][0] - 0.01 <= t <= b["sent"][-1] + 0.01]
    assert max(late) < 0.05
    heard = min(t for t, bpm in a["tempo_history"] if bpm == 200) - changed
    print(f"Link peers: {len(common)} common beats, worst difference {max(steady) * 1e6:.0f} µs "
          f"({max(crossing, default=0) * 1e6:.0f} µs while the change crossed; "
          f"the other peer followed it {heard * 1000:.1f} ms later)")
    assert len(a["notes"]) == len(b["notes"])
    # both took b's tempo; a's tempo track heard it
    assert a["bpm"] == b["bpm"] == 200
    assert 200 in [bpm for _, bpm in a["tempo_history"]]
    gaps = [y - x for x, y in zip(a["notes"], a["notes"][1:])]
    assert gaps[-1] == pytest.approx(60 / 200, abs=0.001)
    # a's stop stopped b too
    assert not a["running"] and not b["running"]
    assert a["sync"].startswith("Link ") and b["sync"].startswith("Link ")


def _python_blocks_under(path: Path, heading: str) -> list[str]:
    text = path.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    following = section.find("\n## ", len(heading))
    section = section if following < 0 else section[:following]
    return re.findall(r"^```python\n(.*?)^```", section, re.M | re.S)


def _in_netns(netns: str, *command: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), LIVEMIDI_BACKEND="livemidi.backends.memory")
    return subprocess.run(["ip", "netns", "exec", netns, *command], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_the_link_example_in_the_docs_runs(netns, aalink):
    blocks = _python_blocks_under(ROOT / "docs" / "ableton.md", "## 5. In time with Live: Ableton Link")
    assert blocks
    for block in blocks:
        result = _in_netns(netns, sys.executable, "-c", block)
        assert result.returncode == 0, result.stderr
        assert "Link 0 peers" in result.stdout  # alone in the namespace


def test_livemidi_run_with_link_alone_plays_its_bars_and_ends(netns, aalink, tmp_path):
    song = tmp_path / "song.py"
    song.write_text("tempo(240)\np.a = note('c4*4')\n")
    result = _in_netns(netns, sys.executable, "-m", "livemidi", "run", str(song), "--bars", "2", "--link")
    assert result.returncode == 0, result.stderr
    assert "Ableton Link: 0 peers" in result.stdout
    assert "stopped; every note ended" in result.stdout
