"""A session on a virtual clock, for the session tests that need no real time.

(The same rig as in tests/session/test_session.py, importable: under
``--import-mode=importlib`` a test module cannot import another.)
"""

from __future__ import annotations

from fractions import Fraction as F

from livemidi import Message
from livemidi.clock import VirtualSender
from livemidi.session import Session

SECONDS_PER_BAR = 2.0  # 120 BPM, 4 beats a bar


class Rig:
    """A session on a virtual clock; `run(bars)` advances time and collects what was sent."""

    def __init__(self, outputs=("out",), **options):
        self.t = 100.0
        self.notices: list[str] = []
        self.sender = VirtualSender(now=self.now)
        self.session = Session(self.sender, threaded=False, now=self.now, on_notice=self.notices.append, **options)
        for name in outputs:
            self.session.add_output(name)
        self.sent: list[tuple[F, int, Message]] = []
        self.origin = None

    def now(self) -> float:
        return self.t

    def start(self):
        self.session.start()
        self.origin = self.session.tempo_map.time_at(0)

    def run(self, bars: float, step: float = 0.005):
        end = self.t + bars * SECONDS_PER_BAR
        while self.t < end:
            self.t = round(self.t + step, 9)
            self.session.clock.step()
            self.sender.advance(self.t)
        for sent in self.sender.take_sent():
            cycle = F(round((sent.time - self.origin) / SECONDS_PER_BAR * 960 * 4), 960 * 4)
            self.sent.append((cycle, sent.port, Message.from_bytes(sent.data)))

    def run_to_cycle(self, cycle):
        target = self.origin + float(cycle) * SECONDS_PER_BAR
        self.run((target - self.t) / SECONDS_PER_BAR)

    def notes_on(self):
        return [(cycle, msg.note) for cycle, _port, msg in self.sent if msg.type == "note_on"]
