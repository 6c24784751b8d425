from helpers import EOT, smf

from livemidi.cli import main


def test_dump(tmp_path, capsys):
    path = tmp_path / "song.mid"
    path.write_bytes(smf(b"\x00\xff\x03\x04Bass\x00\x90\x3c\x40\x83\x60\x80\x3c\x00" + EOT, EOT))
    assert main(["dump", str(path)]) == 0
    out = capsys.readouterr().out
    assert out == (
        f"file: {path}\ntype: 1\ntracks: 2\nticks per beat: 480\nlength: 0.500 s\n"
        "\n=== track 0 'Bass': 4 messages\n"
        "         0  MetaMessage('track_name', name='Bass', time=0)\n"
        "         0  note_on channel=0 note=60 velocity=64 time=0\n"
        "       480  note_off channel=0 note=60 velocity=0 time=480\n"
        "       480  MetaMessage('end_of_track', time=0)\n"
        "\n=== track 1: 1 messages\n"
        "         0  MetaMessage('end_of_track', time=0)\n"
    )
    assert main(["dump", "--meta-only", str(path)]) == 0
    assert "note_on" not in capsys.readouterr().out


def test_dump_errors_strict_and_lenient(tmp_path, capsys):
    path = tmp_path / "odd.mid"
    path.write_bytes(smf(b"\x00\x90\x3c\x40"))  # no end_of_track: mido reads it, and so does dump
    assert main(["dump", str(path)]) == 0
    captured = capsys.readouterr()
    assert "warning: track 0 has no end_of_track event (at track 0, byte 26)" in captured.err
    assert "note_on channel=0 note=60" in captured.out
    assert main(["dump", "--strict", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("livemidi: track 0 has no end_of_track event") and "(at track 0, byte 26)" in err
    damaged = tmp_path / "damaged.mid"
    damaged.write_bytes(smf(b"\x00\x90\x3c\xc0" + EOT))  # a data byte over 127: mido refuses it
    assert main(["dump", str(damaged)]) == 1
    assert "over 127" in capsys.readouterr().err
    assert main(["dump", "--lenient", str(damaged)]) == 0
    captured = capsys.readouterr()
    assert "warning: data byte 0xC0 in note_on is over 127" in captured.err and "velocity=127" in captured.out
    assert main(["dump", str(tmp_path / "missing.mid")]) == 1
    assert "No such file" in capsys.readouterr().err
