"""Play events: each note a loop ships, told to subscribers before it sounds, on a virtual clock."""

from __future__ import annotations

import pytest
from evalserver_helpers import Raw
from session_helpers import Rig

from livemidi.evalserver import serve_eval


@pytest.fixture
def rig():
    rig = Rig()
    rig.server = serve_eval(rig.session, port=0)
    yield rig
    rig.server.close()
    rig.session.close()


def events_until(client: Raw, count: int) -> list[dict]:
    got = []
    while len(got) < count:
        message = client.event(timeout=5)
        if message["event"] == "play":
            got.append(message)
    return got


def test_a_subscriber_hears_each_note_before_it_sounds(rig):
    client = Raw(rig.server.port, rig.server.token)
    assert client.request("subscribe", events=["play"])["events"] == ["play"]
    assert client.request("eval", code="p.x = note('c4 [e4 g4]').velocity(90).ch(2)")["ok"]
    rig.start()
    rig.run(1.0)  # a bar: 2 s at 120 BPM
    played = events_until(client, 3)
    assert [(event["loop"], event["note"], event["channel"], event["velocity"]) for event in played] == [
        ("x", 60, 2, 90), ("x", 64, 2, 90), ("x", 67, 2, 90)]
    assert [event["duration"] for event in played] == [1.0, 0.5, 0.5]
    assert [event["locations"] for event in played] == [
        [{"source": "<editor>", "line": 1, "column": 12, "end_column": 14}],
        [{"source": "<editor>", "line": 1, "column": 16, "end_column": 18}],
        [{"source": "<editor>", "line": 1, "column": 19, "end_column": 21}],
    ]
    # `at` is from when the line was written (on the virtual clock, which moved on meanwhile): at most the
    # lookahead ahead (0.1 s, and a step), never negative.
    assert all(0.0 <= event["at"] <= 0.11 for event in played)


def test_at_counts_down_to_the_note(rig):
    client = Raw(rig.server.port, rig.server.token)
    client.request("subscribe", events=["play"])
    client.request("eval", code="p.x = note('c4 e4')")
    rig.start()
    rig.t += 0.01
    rig.session.clock.step()  # ships the first window (100 ms ahead) and stops there
    first = events_until(client, 1)[0]
    origin = rig.session.tempo_map.time_at(0)
    assert first["note"] == 60 and first["at"] == round(origin - rig.t, 4) and 0 < first["at"] <= 0.2


def test_a_note_told_once_is_not_told_again_when_a_swap_asks_again(rig):
    client = Raw(rig.server.port, rig.server.token)
    client.request("subscribe", events=["play"])
    client.request("eval", code="p.x = note('c4 d4 e4 f4 g4 a4 b4 c5')")
    rig.start()
    for _ in range(7):  # swaps that take effect now: the lookahead asks again for what it shipped already
        rig.run(0.1)
        assert client.request("eval", code="play('y', note('c2'), at='now')")["ok"]
    rig.run(0.2)
    assert client.request("status")["ok"]  # every event queued before this answer has come
    told = [event["note"] for event in client.events if event["event"] == "play" and event["loop"] == "x"]
    assert told == [60, 62, 64, 65, 67, 69, 71, 72][: len(told)] and len(told) >= 7  # each once, in order


def test_no_subscriber_no_work_and_unsubscribed_clients_get_no_events(rig):
    quiet = Raw(rig.server.port, rig.server.token)
    quiet.request("subscribe", events=["notice"])
    quiet.request("eval", code="p.x = note('c4*4')")
    rig.start()
    rig.run(1)
    assert quiet.request("status")["ok"]  # the next line is its answer: no play event came first
    assert rig.server._tap._told == {}  # nobody wanted them: nothing was worked out


def test_closing_the_server_puts_the_source_back(rig):
    tap = rig.session.clock.source
    assert tap is rig.server._tap
    rig.server.close()
    assert rig.session.clock.source == rig.session.source


def test_locations_are_the_editors_file_line_and_columns(rig):
    client = Raw(rig.server.port, rig.server.token)
    client.request("subscribe", events=["play"])
    code = "    p.x = note('c4 e4').velocity('<90 100>')\n"  # an indented selection at line 12 of set.py
    assert client.request("eval", code=code, source="/home/me/set.py", line=12)["ok"]
    rig.start()
    rig.run(1)
    played = events_until(client, 2)
    assert [event["locations"] for event in played] == [
        [{"source": "/home/me/set.py", "line": 12, "column": 16, "end_column": 18},
         {"source": "/home/me/set.py", "line": 12, "column": 35, "end_column": 37}],
        [{"source": "/home/me/set.py", "line": 12, "column": 19, "end_column": 21},
         {"source": "/home/me/set.py", "line": 12, "column": 35, "end_column": 37}],
    ]


def test_a_pattern_without_mini_notation_has_no_locations(rig):
    client = Raw(rig.server.port, rig.server.token)
    client.request("subscribe", events=["play"])
    assert client.request("eval", code="p.x = note(60)")["ok"]
    rig.start()
    rig.run(1)
    assert events_until(client, 1)[0]["locations"] == []
