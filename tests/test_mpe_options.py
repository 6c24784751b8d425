"""The live commands' MPE and microtone options: --mpe, --mpe-zone, --mpe-members, --microtonal, --bend-range."""

from __future__ import annotations

import argparse

import pytest

from livemidi.cli import main
from livemidi.session.liveoptions import add_mpe_options, mode_outputs


def parse(*argv):
    parser = argparse.ArgumentParser()
    add_mpe_options(parser)
    return parser.parse_args(argv)


def test_mpe_and_microtonal_ports_become_add_output_options():
    args = parse("--mpe", "Seaboard", "--mpe-zone", "upper", "--mpe-members", "7", "--microtonal", "gm:synth=1,2,3",
                 "--bend-range", "12")
    assert mode_outputs(args) == [
        ("Seaboard", {"mpe": "upper", "members": 7, "bend_range": 12.0}),
        ("gm:synth", {"microtonal_channels": [1, 2, 3], "bend_range": 12.0}),
    ]
    assert mode_outputs(parse("--mpe", "x")) == [("x", {"mpe": "lower", "members": 15})]


@pytest.mark.parametrize("value", ["synth", "=1,2", "synth=", "synth=1,,2", "synth=1,16", "synth=one"])
def test_a_bad_microtonal_option_says_what_is_expected(tmp_path, capsys, value):
    song = tmp_path / "song.py"
    song.write_text("p.a = note('c3')\n")
    with pytest.raises(SystemExit) as exit:
        main(["run", str(song), "--microtonal", value])
    assert exit.value.code == 2
    assert "expected PORT=CHANNELS, an output and its channels 0-15 separated by commas" in capsys.readouterr().err


def test_an_mpe_port_that_does_not_exist_is_an_error_listing_the_ports(tmp_path, capsys):
    song = tmp_path / "song.py"
    song.write_text("p.a = note('c3')\n")
    assert main(["run", str(song), "--bars", "1", "--mpe", "no such synth", "--backend", "livemidi.backends.memory"]) == 1
    assert "no such synth" in capsys.readouterr().err
