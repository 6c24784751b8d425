"""What a session's loops play and how they stand: the lookahead loop's source, and the toolbar's status.

`Playback` is a collaborator a `Session` holds: the session's `source` and
`status` are its own (the documentation is on the session's methods). Both
read the loops, under the session's lock, from outside the performer's
commands: the lookahead loop asks `source` for each window's events, and a
toolbar asks `status` for what to show.

`source` renders every audible loop's pattern for the window
(`render_segment`, guard.py: within the budget; a pattern that raises is
reverted, one over budget muted) and tags each event with its loop's name, so
a swap, a mute or a hush can cancel and re-query one loop's events and leave
the others alone. A loop that was stopped, and has nothing more planned, is
dropped there: its notes were already rendered with their note-offs. The
events then get their channels on MPE and microtonal outputs (mpe.py).

`status` reads the clock (position, tempo, late events, sync) and then the
loops, so that one read gives a toolbar everything, consistent: a
`SessionStatus`, with a `LoopState` for each loop.

Misuse: `source` runs in the lookahead thread, which holds the clock's lock
when it asks, so it takes the session's lock second and must not call the
clock; `status` asks the clock before it takes the session's lock, never
while it holds it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, NamedTuple

from ..clock import ClockEvent, Position
from .guard import render_segment
from .loops import Loop

if TYPE_CHECKING:  # type hints only (session.py imports this module): never run, so no cycle
    from .session import Session

__all__ = ["LoopState", "Playback", "SessionStatus"]


class LoopState(NamedTuple):
    name: str
    state: str  # playing, muted, pending, stopped, silent (solo)
    channel: int


class SessionStatus(NamedTuple):
    """What a toolbar shows: position, BPM, transport, loops, ports, late events."""

    position: Position
    bpm: Fraction
    running: bool
    loops: list[LoopState]
    outputs: list[str]
    late: int
    errors: int
    sync: str = ""  # what livemidi follows, e.g. "Link 2 peers" ("" when nothing)
    clock_out: tuple[str, ...] = ()  # the outputs that get MIDI clock
    offsets: tuple[float, ...] = ()  # each output's latency offset in ms (negative: earlier), as `outputs`
    late_machine: int = 0  # of `late`, those the machine made late: it woke or ran the sender late
    stalls: int = 0  # times the clock did not run in time and skipped music rather than play it late


class Playback:
    """``Playback(session)``: the events and the status of `session`'s loops (its `loops`, under its lock)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def source(self, begin: Fraction, end: Fraction) -> list[ClockEvent]:
        """`Session.source`: every audible loop's events with onsets in ``[begin, end)``, tagged with its name."""
        session = self._session
        events: list[ClockEvent] = []
        with session._lock:
            for loop in list(session.loops.values()):
                loop.forget_before(begin)
                if loop.ended(begin):
                    del session.loops[loop.name]  # stopped: its notes were rendered with their note-offs
                    continue
                if not session.audible(loop):
                    continue
                for index, lo, hi in loop.segments(begin, end):
                    events += render_segment(session, loop, index, lo, hi)  # within the budget; errors revert or mute
        return session._voices.assign(events, begin, end)  # MPE and microtonal outputs' channels (mpe.py)

    def status(self) -> SessionStatus:
        """`Session.status`: everything a toolbar shows, in one consistent read."""
        session = self._session
        loop_status = session.clock.status()  # before the session's lock, never under it
        cycle = loop_status.position.cycle
        with session._lock:
            loops = [LoopState(loop.name, self._state(loop, cycle), loop.channel) for loop in session.loops.values()]
        outputs = session._outputs
        offsets = tuple(outputs.offsets.get(index, 0.0) for index in range(len(session.outputs)))
        return SessionStatus(
            loop_status.position, loop_status.bpm, loop_status.running, loops, list(session.outputs),
            loop_status.late, session.errors, loop_status.sync, outputs.clock_out_names(), offsets,
            loop_status.late_machine, loop_status.stalls,
        )  # fmt: skip

    def _state(self, loop: Loop, cycle: Fraction) -> str:
        state = loop.state(cycle)
        if state == "playing" and not self._session.audible(loop):
            return "silent (solo)"
        return state
