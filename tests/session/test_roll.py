"""The piano roll: exact drawings of small cases, files, channels, wrapping; show in the REPL; dump --roll."""

from __future__ import annotations

import midifixtures as fx
import pytest

from livemidi import pattern as pat
from livemidi.cli import main
from livemidi.clock import VirtualSender
from livemidi.pattern import note, stack
from livemidi.session import Loop, Session, namespace
from livemidi.session.roll import file_roll, roll, show


def test_pitches_top_down_onsets_sustains_and_velocity_shades():
    assert roll(note("c4 e4 g4 c5").velocity("20 50 80 110"), 1, 8) == """\
ch 0 │0       │
 c#5 │· · · · │
  c5 │· · · █─│
  b4 │· · · · │
 a#4 │· · · · │
  a4 │· · · · │
 g#4 │· · · · │
  g4 │· · ▓─· │
 f#4 │· · · · │
  f4 │· · · · │
  e4 │· ▒─· · │
 d#4 │· · · · │
  d4 │· · · · │
 c#4 │· · · · │
  c4 │░─· · · │
  b3 │· · · · │"""


def test_a_note_held_over_the_bar_line_and_legato():
    assert roll(note("[c4 e4]/2").legato(0.75), 2, 4) == (
        "ch 0 │0   │1   │\n"
        "  f4 │····│····│\n"
        "  e4 │····│█──·│\n"
        " d#4 │····│····│\n"
        "  d4 │····│····│\n"
        " c#4 │····│····│\n"
        "  c4 │█──·│····│\n"
        "  b3 │····│····│"
    )
    assert roll(note("c4").slow(2), 2, 4, begin=1) == "ch 0 │1   │2   │\n c#4 │····│····│\n  c4 │────│█───│\n  b3 │····│····│"


def test_channels_get_their_own_rows_and_drums_their_names():
    drawing = roll(stack(note("c4 ~ e4 ~").ch(1), note("c2*2").ch(9).velocity(120)), 1, 8)
    assert drawing == """\
          ch 1 │0       │
            f4 │· · · · │
            e4 │· · █─· │
           d#4 │· · · · │
            d4 │· · · · │
           c#4 │· · · · │
            c4 │█─· · · │
            b3 │· · · · │
          ch 9 │0       │
side stick c#2 │· · · · │
       kick c2 │█───█───│
     kick 2 b1 │· · · · │"""
    only_drums = roll(stack(note("c4").ch(1), note("c2*2").ch(9)), 1, 8, channel=[9])
    assert only_drums.splitlines()[0] == "          ch 9 │0       │" and "c4" not in only_drums
    assert roll(note("c4"), 1, 4, channel=3) == "(no notes on channel 3 in bars 0 to 1)"
    assert roll(note("~"), 2) == "(no notes in bars 0 to 2)"


def test_two_notes_in_one_step_show_the_louder_and_duration_wins_over_the_span():
    drawing = roll(note("[c4 c4]").velocity("[30 100]"), 1, 1, beats=1)
    assert drawing.splitlines()[2] == "  c4 │█│"
    assert roll(note("c4").duration(0.25), 1, 4).splitlines()[2] == "  c4 │█···│"
    assert roll("c4 e4", 1, 2).splitlines()[-2] == "  c4 │█·│"  # plain values are notes, as render plays them


def test_beats_and_wrapping():
    drawing = roll(note("c4 d4 e4"), 4, 4, width=20)
    systems = drawing.split("\n\n")
    assert [s.splitlines()[0] for s in systems] == ["ch 0 │0   │1   │", "ch 0 │2   │3   │"]
    assert roll(note("c4"), 2, 6, beats=[3, 2]).splitlines()[1] == " c#4 │· · · │·  ·  │"


@pytest.fixture(scope="module")
def groove(tmp_path_factory):
    return fx.saved(fx.drum_groove(), tmp_path_factory.mktemp("mid") / "groove.mid")


GROOVE_ROLL = """\
          ch 9 │0               │1               │
    mid tom b2 │·   ·   ·   ·   │·   ·   ·   ·   │
  open hat a#2 │·   ·   ·   ·   │·   ·   ·   · ▓─│
  mid tom 2 a2 │·   ·   ·   ·   │·   ·   ·   ·   │
 pedal hat g#2 │·   ·   ·   ·   │·   ·   ·   ·   │
    low tom g2 │·   ·   ·   ·   │·   ·   ·   ·   │
closed hat f#2 │█ ▒─▓ ▒─█ ▒─▓ ▒─│█ ▒─▓ ▒─█ ▒─▓   │
  low tom 2 f2 │·   ·   ·   ·   │·   ·   ·   ·   │
    snare 2 e2 │·   ·   ·   ·   │·   ·   ·   ·   │
      clap d#2 │·   ·   ·   ·   │·   ·   ·   ·   │
      snare d2 │·   █  ░·░  █   │·   █  ░·░  █   │
side stick c#2 │·   ·   ·   ·   │·   ·   ·   ·   │
       kick c2 │█   ·   · █─·   │█   ·   · █─·   │
     kick 2 b1 │·   ·   ·   ·   │·   ·   ·   ·   │"""


def test_a_file_by_path_or_midifile(groove):
    assert roll(groove) == GROOVE_ROLL
    assert roll(fx.drum_groove(), None) == GROOVE_ROLL  # the whole loop
    assert file_roll(groove) == GROOVE_ROLL
    with pytest.raises(ValueError, match="for a pattern, give a number of bars"):
        roll(note("c4"), None)


def test_a_file_with_a_meter_change_puts_dots_on_its_beats(tmp_path):
    path = fx.saved(fx.song(), tmp_path / "song.mid")
    lines = file_roll(path).splitlines()
    kick = next(line for line in lines if line.strip().startswith("kick c2"))
    assert kick.split("│")[4:6] == ["█   █   █   ", "█  █  █  █  "]  # 12 steps a bar: 3/4, then 4/4
    assert [line for line in lines if "clap" in line][0].split("│")[1:3] == ["·   ·   ·   ", "·   ·   ·   "]
    assert [line for line in lines if "clap" in line][-1].split("│")[5:7] == ["·  ·  ·  ·  ", "·  ·  ·  ·  "]


def test_bad_arguments():
    with pytest.raises(ValueError, match="bars must be a whole number"):
        roll(note("c4"), 0)
    with pytest.raises(ValueError, match="steps_per_bar"):
        roll(note("c4"), 1, 0)
    with pytest.raises(ValueError, match="beats must be"):
        roll(note("c4"), 1, beats=[])
    with pytest.raises(ValueError, match="begin must be a bar"):
        roll(note("c4"), 1, begin=0.5)


def test_show_prints_the_roll_or_the_events(capsys, groove):
    show(note("c4 e4"), 1, steps_per_bar=2, beats=1)
    assert capsys.readouterr().out == "ch 0 │0 │\n  f4 │· │\n  e4 │·█│\n d#4 │· │\n  d4 │· │\n c#4 │· │\n  c4 │█ │\n  b3 │· │\n"
    show(note("c4 e4"), 1, events=True)
    assert capsys.readouterr().out == "0 → 1/2 | note=60\n1/2 → 1 | note=64\n"
    show(groove, 1, events=True)
    # at one instant, the file's order (the groove writes its hat before its kick)
    assert capsys.readouterr().out.startswith(
        "0 → 1/32 | note=42 velocity=100 channel=9\n0 → 1/32 | note=36 velocity=118 channel=9\n")


def test_the_repl_namespace_has_load_show_and_roll(groove, capsys):
    t = [10.0]
    session = Session(VirtualSender(now=lambda: t[0]), threaded=False, now=lambda: t[0])
    session.add_output("out")
    names = namespace(session)
    assert names["show"] is show and names["roll"] is roll and names["load"].__name__ == "load"
    exec("p.drums = load(" + repr(groove) + ", channel=9)\nshow(p.drums)", names)
    assert capsys.readouterr().out == GROOVE_ROLL + "\n"
    assert pat.show is not show  # the pattern module's text display is still there
    with pytest.raises(ValueError, match="loop 'drums' plays nothing"):
        show(Loop("drums"))


def test_dump_roll(groove, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    assert main(["dump", "--roll", groove, "--bars", "1"]) == 0
    out = capsys.readouterr().out
    assert out == "".join(line[:33] + "\n" for line in GROOVE_ROLL.splitlines()[:1] + GROOVE_ROLL.splitlines()[5:])
    assert out.splitlines()[1] == "    low tom g2 │·   ·   ·   ·   │"  # no open hat in bar 0: a smaller range
    assert main(["dump", "--roll", groove]) == 0
    assert capsys.readouterr().out.count("ch 9") == 2  # 40 columns: one bar a line
    assert main(["dump", "--roll", groove, "--bars", "0"]) == 1
    assert "bars must be a whole number" in capsys.readouterr().err
