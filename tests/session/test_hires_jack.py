"""NRPN, RPN, 14-bit CCs and key pressure on a real JACK server: a second client receives the exact bytes in order.

`livemidi run` plays a pattern file (two loops that send NRPNs on one channel
at the same instants) to a JACK port; the receiving client must get exactly
what the offline render of the same file sends, message for message.
"""

from __future__ import annotations

from jackserver import run_into

from livemidi.messages.controllers import fold
from livemidi.session.offline import render_pattern_file


SONG = """\
tempo(240)
p.a = note("c4 e4").nrpn(0x0120, "0 8192").rpn(0, 2 * 128).polytouch("30 90").legato(0.5)
p.b = stack(note("g4").nrpn(0x0121, 16383).cc14(1, "<4096 9000>"), note("c5").nrpn(0x0120, 5)).legato(0.5)
"""


def test_nrpn_rpn_cc14_and_polytouch_arrive_byte_for_byte_in_order(jack, jack_spec, unique, tmp_path):
    pattern_file = tmp_path / "song.py"
    pattern_file.write_text(SONG)
    received, _ = run_into(jack, jack_spec, unique, pattern_file, "--bars", "2", "--port", unique)
    expected = [msg for track in render_pattern_file(pattern_file, 2).tracks[1:] for msg in track if not msg.is_meta]
    assert [msg.hex() for msg in received] == [msg.hex() for msg in expected]
    ccs = [(0, m.channel, m.control, m.value) for m in received if m.type == "control_change"]
    # each bar: a's and b's sequences on the first beat, a's on the third
    assert [kind for _, _, kind, _, _ in fold(ccs)] == ["nrpn", "rpn", "nrpn", "cc14", "nrpn", "nrpn", "rpn"] * 2
    assert len(received) == 2 * (6 * 6 + 2 + 4 * 2 + 2)  # a bar: NRPN/RPN, one cc14, 4 notes on and off, 2 pressures
