"""The clock: tempo map, lookahead loop, timed-sender process, MIDI clock out.

::

    from livemidi.clock import ClockEvent, Lookahead, MidiClockOut, Sender

    sender = Sender()                                  # the timed-sender process
    port = sender.open_port("livemidi", virtual=True)  # it owns the ports

    def source(begin, end):                            # cycles (Fractions) -> events
        return [ClockEvent(c, [0x90, 60, 100], port) for c in ...]

    loop = Lookahead(source, sender, midi_clock=MidiClockOut([port]))
    loop.start()
    loop.set_tempo(140)
    loop.stop(); loop.close(); sender.shutdown()

`TempoMap` converts cycles (one bar each) to ``time.perf_counter()`` seconds
and back; `Lookahead` asks a source for each window ahead of time and ships
deadlines to the `Sender`, a separate process that waits for each deadline
and sends, keeping the ledger of sounding notes so none is left hanging.
`ClockIn` follows an external MIDI clock (a sync source), its tempo
estimated from the pulse times by a `TempoEstimator`.
`VirtualSender` has the sender's logic in-process on a virtual clock, for
tests and offline rendering. docs/scheduling.md tells the whole story.

This package is not part of the mido-compatible top-level ``livemidi``
namespace: import it as ``livemidi.clock``.
"""

from __future__ import annotations

from .clockin import ClockIn
from .core import Sent
from .estimator import TempoEstimator
from .events import ClockEvent
from .handle import Sender, SenderStats, message_bytes
from .ledger import Ledger
from .link import Link, link_available
from .lookahead import Lookahead, LoopStatus
from .midiclock import MIDI_CLOCK, MidiClockOut, song_position
from .sync import SyncSource, SyncState
from .tempo import TICKS_PER_BEAT, Position, TempoMap
from .virtual import VirtualSender
from ..errors import ClockStoppedError, ClockSyncError, SenderError

__all__ = [
    "MIDI_CLOCK",
    "TICKS_PER_BEAT",
    "ClockEvent",
    "ClockIn",
    "ClockStoppedError",
    "ClockSyncError",
    "Ledger",
    "Link",
    "Lookahead",
    "LoopStatus",
    "MidiClockOut",
    "Position",
    "Sender",
    "SenderError",
    "SenderStats",
    "Sent",
    "SyncSource",
    "SyncState",
    "TempoEstimator",
    "TempoMap",
    "VirtualSender",
    "link_available",
    "message_bytes",
    "song_position",
]
