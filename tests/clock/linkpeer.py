"""A Link peer for tests/clock/test_link.py, run inside a network namespace.

``python linkpeer.py ROLE SECONDS [ACTION@SECONDS ...]``: a Session with an
in-memory output joins Link (waiting for a peer), plays a quarter note on
every beat, does each action at its time (counted from when a peer was
found), and prints one JSON object: its note-ons (the deadlines the clock gave
them, and when they were sent), its tempo, peers, transport and the times its bars began.
Actions: start, stop, tempo=BPM.
"""

from __future__ import annotations

import json
import sys
import time

from livemidi.pattern import note
from livemidi.session import Session


def main() -> None:
    role, seconds, *actions = sys.argv[1:]
    plan = sorted((float(at), what) for what, at in (action.split("@") for action in actions))
    notes: list[float] = []  # deadlines: where the clock put each note
    sent: list[float] = []  # when the sender actually sent it
    notices: list[str] = []
    session = Session(bpm=160 if role == "a" else 150, on_notice=notices.append)
    try:
        session.add_output("out", virtual=True, backend="livemidi.backends.memory")
        def heard(records) -> None:
            for record in records:
                if record.data[0] & 0xF0 == 0x90:
                    notes.append(record.deadline)
                    sent.append(record.time)

        session.add_listener(heard)
        link = session.link(wait=10)
        peers_at_start = link.peers
        began = time.perf_counter()
        session.play("beat", note("c4*4"), at="now")
        done = {}
        for at, what in plan:
            time.sleep(max(0.0, began + at - time.perf_counter()))
            done[what] = time.perf_counter()
            if what == "start":
                session.start()
            elif what == "stop":
                session.stop()
            elif what.startswith("tempo="):
                session.tempo(float(what[6:]))
        time.sleep(max(0.0, began + float(seconds) - time.perf_counter()))
        status = session.status()
        bar_times = []
        if session.tempo_map.running:
            bar_times = [session.tempo_map.time_at(k) for k in range(0, 8)]
        report = {
            "role": role,
            "peers": peers_at_start,
            "bpm": float(status.bpm),
            "running": status.running,
            "sync": status.sync,
            "notes": notes,
            "sent": sent,
            "bars": bar_times,
            "tempo_history": [(t, float(bpm)) for t, bpm in session.tempo_history],
            "notices": notices,
            "done": done,
        }
    finally:
        session.close()
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
