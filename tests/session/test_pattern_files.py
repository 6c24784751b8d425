"""Pattern files: staged loading, reloads, offline rendering, and a snapshot of every file in patterns/.

Snapshots: the first bars of each example file, rendered offline, as text in
tests/session/snapshots/. After a deliberate change, rewrite them with
LIVEMIDI_UPDATE_SNAPSHOTS=1 and read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from livemidi import MidiFile
from livemidi.clock import VirtualSender
from livemidi.pattern import note
from livemidi.session import Session
from livemidi.session.offline import render_pattern_file
from livemidi.session.patternfile import PatternFileError, load_pattern_file

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "patterns").glob("*.py"))
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
PORTS = {"multi_port": ["drums", "synth"]}


def as_text(midi: MidiFile) -> str:
    lines = []
    for number, track in enumerate(midi.tracks):
        tick = 0
        for msg in track:
            tick += msg.time
            text = repr(msg) if msg.is_meta else str(msg).rsplit(" time=", 1)[0]
            lines.append(f"{number} {tick:>6} {text}")
    return "\n".join(lines) + "\n"


def test_there_are_at_least_eight_examples():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_example_snapshot(path):
    text = as_text(render_pattern_file(path, 2, outputs=PORTS.get(path.stem, ["out"])))
    snapshot = SNAPSHOTS / f"{path.stem}.txt"
    if os.environ.get("LIVEMIDI_UPDATE_SNAPSHOTS") == "1" or not snapshot.exists():
        snapshot.write_text(text)
        if os.environ.get("LIVEMIDI_UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"wrote a new snapshot {snapshot.name}: check it and commit it")
    assert text == snapshot.read_text()


def test_rendering_is_deterministic_and_ends_every_note(tmp_path):
    path = ROOT / "patterns" / "generative.py"
    first, second = tmp_path / "a.mid", tmp_path / "b.mid"
    render_pattern_file(path, 4).save(first)
    render_pattern_file(path, 4).save(second)
    assert first.read_bytes() == second.read_bytes()
    sounding = set()
    last_tick = 0
    for msg in MidiFile(first).tracks[1]:
        last_tick += msg.time
        key = (getattr(msg, "channel", None), getattr(msg, "note", None))
        if msg.type == "note_on" and msg.velocity:
            sounding.add(key)
            assert last_tick < 4 * 4 * 480  # nothing starts on the last bar line
        elif msg.type in ("note_on", "note_off"):
            sounding.discard(key)
    assert not sounding


def test_tempo_changes_are_in_the_tempo_track():
    midi = render_pattern_file(ROOT / "patterns" / "tempo_changes.py", 5)
    tempos = [(msg.time, msg.tempo) for msg in midi.tracks[0] if msg.type == "set_tempo"]
    assert tempos == [(0, 666667), (3840, 500000), (3840, 333333)]
    assert midi.length == pytest.approx(2 * 8 / 3 + 2 * 2 + 1 * 4 / 3)


def session():
    t = [10.0]
    return Session(VirtualSender(now=lambda: t[0]), threaded=False, now=lambda: t[0])


def write(tmp_path, text, name="loops.py"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_file_is_applied_whole(tmp_path):
    s = session()
    s.add_output("out")
    names = load_pattern_file(s, write(tmp_path, "tempo(90)\np.a = note('c4')\np.b = note('e4')\n"))
    assert names == {"a", "b"} and set(s.loops) == {"a", "b"} and s.tempo() == 90


@pytest.mark.parametrize(
    "text, reason",
    [
        ("p.a = note('c4')\np.b = note('e4'\n", "SyntaxError"),
        ("p.a = note('c4')\nundefined_name\n", "NameError"),
        ("p.a = note('c4')\np.b = note('e4').port('elsewhere')\n", "no output matches port 'elsewhere'"),
    ],
)
def test_a_file_that_fails_changes_nothing(tmp_path, text, reason):
    s = session()
    s.add_output("out")
    load_pattern_file(s, write(tmp_path, "tempo(100)\np.old = note('g4')\n"))
    with pytest.raises(PatternFileError, match=reason):
        load_pattern_file(s, write(tmp_path, "tempo(140)\n" + text), previous={"old"})
    assert set(s.loops) == {"old"} and s.tempo() == 100


def _refused(s, path) -> PatternFileError:
    with pytest.raises(PatternFileError) as caught:
        load_pattern_file(s, path, previous={"old"})
    assert set(s.loops) == {"old"}  # nothing was changed
    assert "livemidi/" not in caught.value.trace and "livemidi\\" not in caught.value.trace  # only the file's frames
    return caught.value


def test_an_error_while_the_file_runs_gives_its_line_and_text_as_python_would(tmp_path):
    s = session()
    s.add_output("out")
    load_pattern_file(s, write(tmp_path, "p.old = note('g4')\n"))
    path = write(tmp_path, "p.a = note('c4')\n\nspeed = 2 * undefined_name\n")
    error = _refused(s, path)
    assert (error.path, error.line) == (path, 3)
    assert error.reason == f"{path}, line 3: NameError: name 'undefined_name' is not defined"
    assert error.trace.splitlines()[:3] == [
        "Traceback (most recent call last):",
        f'  File "{path}", line 3, in <module>',
        "    speed = 2 * undefined_name",
    ]
    assert error.trace.splitlines()[-1] == "NameError: name 'undefined_name' is not defined"
    assert str(error).startswith(f"{error.reason} (nothing was changed)\nTraceback (most recent call last):")


def test_a_syntax_error_shows_the_line_and_the_caret(tmp_path):
    s = session()
    s.add_output("out")
    load_pattern_file(s, write(tmp_path, "p.old = note('g4')\n"))
    path = write(tmp_path, "p.a = note('c4')\np.b = note('e4'\n")
    error = _refused(s, path)
    assert error.line == 2 and error.reason.startswith(f"{path}, line 2: SyntaxError: ")
    assert f'  File "{path}", line 2\n    p.b = note(\'e4\'\n' in error.trace


def test_a_pattern_that_fails_its_trial_is_reported_at_the_line_that_set_it(tmp_path):
    s = session()
    s.add_output("out")
    load_pattern_file(s, write(tmp_path, "p.old = note('g4')\n"))
    # The pattern raises from its second cycle on: in the trial, after the file has run.
    path = write(tmp_path, (
        "def later(span):\n"
        "    if span.end > 1:\n"
        "        raise KeyError('the second bar')\n"
        "    return note('c4').query(span)\n"
        "\n"
        "p.a = note('c4')\n"
        "p.b = Pattern(later)\n"
    ))  # fmt: skip
    error = _refused(s, path)
    assert error.line == 7
    assert error.reason == f"{path}, line 7: the pattern for p.b fails when played: KeyError: 'the second bar'"
    assert [line for line in error.trace.splitlines() if line.strip(" ^~")] == [  # carets differ by version
        "Traceback (most recent call last):",
        f'  File "{path}", line 7, in <module>',
        "    p.b = Pattern(later)",
        f'  File "{path}", line 3, in later',
        "    raise KeyError('the second bar')",
        "KeyError: 'the second bar'",
    ]


def test_a_pattern_the_session_cannot_play_is_reported_at_its_line(tmp_path):
    s = session()
    s.add_output("out")
    load_pattern_file(s, write(tmp_path, "p.old = note('g4')\n"))
    path = write(tmp_path, "p.a = note('c4')\np.b = note('e4').port('elsewhere')\n")
    error = _refused(s, path)
    assert error.reason.startswith(f"{path}, line 2: the pattern for p.b fails when played: ValueError: no output")
    assert error.trace.splitlines()[1:3] == [f'  File "{path}", line 2, in <module>', "    p.b = note('e4').port('elsewhere')"]


@pytest.mark.parametrize("command", ["mute", "unmute", "solo", "unsolo", "stop_loop"])
def test_a_loop_name_the_file_never_made_refuses_the_file_at_its_line(tmp_path, command):
    s = session()
    s.add_output("out")
    load_pattern_file(s, write(tmp_path, "p.old = note('g4')\n"))
    path = write(tmp_path, f"p.old = note('a4')\np.a = note('c4')\n{command}('a')\n{command}('nosuch')\n")
    error = _refused(s, path)
    assert error.reason == f"{path}, line 4: LoopNotFoundError: no loop named 'nosuch'; the loops are: old, a"
    assert s.loops["old"].pattern_at(0).events(0, 1) == note("g4").events(0, 1)


def test_a_reload_stops_the_loops_the_file_no_longer_has(tmp_path):
    s = session()
    s.add_output("out")
    first = load_pattern_file(s, write(tmp_path, "p.a = note('c4')\np.b = note('e4')\n"))
    second = load_pattern_file(s, write(tmp_path, "p.b = note('f4')\n"), previous=first)
    assert second == {"b"}
    assert set(s.loops) == {"b"}  # stopped while the transport is: gone at once


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(PatternFileError, match="cannot read pattern file"):
        load_pattern_file(session(), tmp_path / "nope.py")


def test_render_without_ports_makes_a_track_of_each_port_the_file_names(tmp_path, capsys):
    from livemidi.cli import main

    out = tmp_path / "out.mid"
    assert main(["render", str(ROOT / "patterns" / "multi_port.py"), "--bars", "4", "-o", str(out)]) == 0
    assert "Wrote" in capsys.readouterr().out
    midi = MidiFile(out)
    assert [track.name for track in midi.tracks] == ["multi_port", "drums", "synth"]
    assert {msg.channel for msg in midi.tracks[1] if msg.type == "note_on"} == {9}
    assert {msg.channel for msg in midi.tracks[2] if msg.type == "note_on"} == {0}
    named = render_pattern_file(ROOT / "patterns" / "multi_port.py", 4, outputs=["drums", "synth"])
    assert as_text(MidiFile(out)) == as_text(named)


def test_render_without_ports_puts_loops_without_a_port_on_the_first_output(tmp_path):
    path = write(tmp_path, "p.a = note('c4')\np.b = note('e4').port('bass')\np.c = note('g4').port(1)\n")
    midi = render_pattern_file(path, 1)
    notes = [[msg.note for msg in track if msg.type == "note_on" and msg.velocity] for track in midi.tracks[1:]]
    assert [track.name for track in midi.tracks[1:]] == ["out", "bass"] and notes == [[60], [64, 67]]
    first_named = render_pattern_file(write(tmp_path, "p.b = note('e4').port('bass')\np.a = note('c4')\n"), 1)
    assert [track.name for track in first_named.tracks[1:]] == ["bass"]


def test_render_plays_microtones_on_an_mpe_output_or_microtonal_channels_and_refuses_them_elsewhere(
    tmp_path, capsys
):
    from livemidi.cli import main

    path = write(tmp_path, "p.a = note('[c4, 60.5] e4').duration(0.25).port('synth')\n")
    out = tmp_path / "out.mid"
    assert main(["render", str(path), "--bars", "1", "-o", str(out)]) == 1
    assert "note 60.5 is between two keys" in capsys.readouterr().err
    assert main(["render", str(path), "--bars", "1", "-o", str(out), "--mpe", "synth", "--mpe-members", "3"]) == 0
    track = MidiFile(out).tracks[1]
    assert track.name == "synth"
    ccs = [(msg.channel, msg.control, msg.value) for msg in track if msg.type == "control_change"]
    assert ccs[:4] == [(0, 101, 0), (0, 100, 6), (0, 6, 3), (0, 38, 0)]  # RPN 6: three members, first, at tick 0
    timed = [(msg.type, getattr(msg, "channel", None), getattr(msg, "note", None), getattr(msg, "pitch", None))
             for msg in track if msg.type in ("note_on", "pitchwheel")]
    assert timed[:4] == [("pitchwheel", 1, None, 0), ("note_on", 1, 60, None),
                         ("pitchwheel", 2, None, -85), ("note_on", 2, 61, None)]
    micro = render_pattern_file(path, 1, modes=[("synth", {"microtonal_channels": [3, 4]})])
    ons = [(msg.channel, msg.note) for msg in micro.tracks[1] if msg.type == "note_on"]
    assert ons == [(0, 60), (3, 61), (0, 64)]  # whole notes where they were; the microtone on a channel of its own


def test_render_without_ports_refuses_a_port_number_that_no_name_made(tmp_path):
    with pytest.raises(PatternFileError, match="no output 2"):
        render_pattern_file(write(tmp_path, "p.a = note('c4').port(2)\n"), 1)


def test_the_events_of_a_file_know_their_file_line_and_columns(tmp_path):
    from livemidi.pattern import Location, locations

    s = session()
    s.add_output("out")
    path = write(tmp_path, "tempo(90)\n\np.x = note('c4 [e4 g4]').velocity('100 80')\n")
    load_pattern_file(s, path)
    pattern = s.loops["x"].pattern_at(s.loops["x"].timeline[-1][0])
    where = str(path)
    assert [locations(ev) for ev in pattern.events(0, 1)] == [
        (Location(where, 3, 12, 14), Location(where, 3, 35, 38)),
        (Location(where, 3, 16, 18), Location(where, 3, 39, 41)),
        (Location(where, 3, 19, 21), Location(where, 3, 39, 41)),
    ]
