"""`livemidi run FILE.py --bars N` end to end, on a real JACK server: the right notes arrive, none is left on."""

from __future__ import annotations

from jackserver import run_into


def test_run_bars_plays_the_file_and_ends_every_note(jack, jack_spec, unique, tmp_path):
    pattern_file = tmp_path / "song.py"
    pattern_file.write_text("tempo(240)\np.lead = note('c4 e4 g4 ~').ch(2)\np.pad = note('c3').duration(3)\n")
    received, printed = run_into(jack, jack_spec, unique, pattern_file, "--bars", "2", "--port", unique)
    notes_on = [(msg.channel, msg.note) for msg in received if msg.type == "note_on" and msg.velocity]
    assert notes_on == [(2, 60), (0, 48), (2, 64), (2, 67)] * 2 or sorted(notes_on) == sorted(
        [(2, 60), (0, 48), (2, 64), (2, 67)] * 2
    )
    sounding = set()
    for msg in received:
        if msg.type == "note_on" and msg.velocity:
            sounding.add((msg.channel, msg.note))
        elif msg.type in ("note_on", "note_off"):
            sounding.discard((msg.channel, msg.note))
    assert not sounding, f"left on: {sounding}"
    assert "stopped; every note ended" in printed
