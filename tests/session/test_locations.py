"""A real session plays code compiled so that its strings know their place, and renders events that say where.

The session's sender process plays into an in-memory output; what it
renders for the loop (the budgeted render the session itself uses) carries
the locations an editor needs to light up the sounding step.
"""

from __future__ import annotations

import time
from fractions import Fraction as F

from livemidi.clock import Sender
from livemidi.mini import compile_located
from livemidi.pattern import Location
from livemidi.session import Session
from livemidi.session.budget import render_within
from livemidi.session.guard import pace_at
from livemidi.session.namespace import namespace

CODE = '''tempo(240)
# a comment, then the loop on the block's second line
p.x = note("c4 [e4 g4]").velocity("100 80")
'''


def test_a_session_plays_and_renders_events_that_know_where_they_were_written(unique):
    with Session(Sender(), on_notice=lambda text: None) as session:
        session.add_output(unique, virtual=True, backend="livemidi.backends.memory")
        names = namespace(session)
        exec(compile_located(CODE, "/home/me/set.py", first_line=11), names)  # the block starts at line 11
        session.start()
        played: set[int] = set()
        deadline = time.monotonic() + 20  # generous: the machine is shared
        while not {60, 64, 67} <= played and time.monotonic() < deadline:
            time.sleep(0.1)
            played |= {record.data[1] for record in session.sender.take_sent() if record.data[0] & 0xF0 == 0x90}
        assert {60, 64, 67} <= played, f"the session played {sorted(played)}"
        loop = session.loops["x"]
        pattern = loop.pattern_at(F(10**6))
        rendered = render_within(session.budget, {}, pattern, F(0), F(1), loop.channel, loop.port,
                                 pace_at(session.tempo_map, F(0)))  # fmt: skip
    where = "/home/me/set.py"
    notes = [(item.message.note, item.locations) for item in rendered if item.message.type == "note_on"]
    assert notes == [
        (60, (Location(where, 13, 12, 14), Location(where, 13, 35, 38))),
        (64, (Location(where, 13, 16, 18), Location(where, 13, 39, 41))),
        (67, (Location(where, 13, 19, 21), Location(where, 13, 39, 41))),
    ]
    # The text at each place is the element that sounds.
    line = CODE.split("\n")[2]
    assert [line[loc.column:loc.end_column] for _, places in notes for loc in places] == [
        "c4", "100", "e4", "80", "g4", "80"]
