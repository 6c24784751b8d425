"""Sync sources: what a `Lookahead` follows instead of its own tempo (Ableton Link, MIDI clock in).

A sync source tells the loop, each time it is polled, where an outside
timeline is: a `SyncState` -- whether the outside transport plays, its
tempo, and one point of it (a `perf_counter` instant and the source's
position at that instant, in cycles). Between polls the timeline is taken to
be straight (constant tempo); the loop re-anchors its `TempoMap` to it on
every step, retiming what it already shipped when the two drift apart, and
jumps (a seek: the shipped events are cancelled and asked for again) when
the source jumped. A source that counts its jumps (`SyncState.jumps`: MIDI
clock in counts Song Position Pointers and Starts while playing) is seeked
only when it says so, or when it is further ahead than the loop plays late
(`max_late`); any other difference, however large, is absorbed by retiming,
so a clock whose pulses arrived late never replays or skips a note. For a
source that cannot count them (Link) a difference over 20 ms is a jump.

A source is any object with these members::

    name: str                     # for notices and the toolbar: "Link", "clock in (IAC Bus 1)"
    follows_position: bool        # True: the source's cycles are the song position (MIDI clock
                                  # with Song Position Pointer); False: only the bar phase counts
                                  # (Link: cycle 0 is the downbeat where livemidi starts)
    def poll(self, now: float, beats_per_bar: int) -> SyncState | None: ...
                                  # None: nothing known (yet, or any more): the loop runs on its own
    def set_tempo(self, bpm: float) -> None: ...      # raise ClockSyncError if the tempo is not ours
    def request_start(self) -> bool: ...  # True: the source starts the transport (the loop
    def request_stop(self) -> bool: ...   #   follows at a later poll); False: the loop does it
    def status(self) -> str: ...          # a few words for the toolbar: "Link 2 peers"
    def close(self) -> None: ...

`poll` is called from the loop's thread, every `interval` (10 ms), with the
loop's lock held: it must be quick and must not call back into the loop. A
source that learns of changes by itself (Link's tempo and start/stop
callbacks) may also have an ``on_change`` attribute: the loop sets it to a
function that wakes it up, so the change is followed at once, not at the
next poll.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple, Protocol

from .tempo import check_bpm

__all__ = ["SyncSource", "SyncState", "checked_state"]


class SyncState(NamedTuple):
    """Where an outside timeline is: `playing`, `bpm`, and its position `cycle` at `time`.

    `playing` is None when the source does not drive the transport (Link with
    start/stop sync off): livemidi's own start and stop decide, and only the
    tempo and bar phase follow. `time` is ``time.perf_counter()`` seconds;
    `cycle` is in bars of the loop's beats_per_bar quarter notes. `jumps`
    counts the times the position jumped (a seek) since the source began, or
    is None when the source cannot tell a jump from drift.
    """

    playing: bool | None
    bpm: float
    time: float
    cycle: float | Fraction
    jumps: int | None = None


def checked_state(state) -> SyncState:
    """`state` as a `SyncState`; ValueError/TypeError if no loop can follow it.

    A loop follows a tempo from 1 to 1000 BPM and a finite time and position,
    with `jumps` a count or None.
    A source that says otherwise (a MIDI clock's first pulses that arrived
    bunched gave 1200 BPM; a NaN would poison every later deadline) is
    ignored for that poll: the loop runs on at its last tempo.
    """
    state = SyncState(*state)
    check_bpm(float(state.bpm))
    if not (math.isfinite(float(state.time)) and math.isfinite(float(state.cycle))):
        raise ValueError(f"a sync state needs a finite time and position, got {state.time!r} and {state.cycle!r}")
    jumps = state.jumps
    if jumps is not None and (isinstance(jumps, bool) or not isinstance(jumps, int) or jumps < 0):
        raise TypeError(f"a sync state's jumps is a count (an int from 0) or None, got {jumps!r}")
    return state


class SyncSource(Protocol):
    name: str
    follows_position: bool

    def poll(self, now: float, beats_per_bar: int) -> SyncState | None: ...

    def set_tempo(self, bpm: float) -> None: ...

    def request_start(self) -> bool: ...

    def request_stop(self) -> bool: ...

    def status(self) -> str: ...

    def close(self) -> None: ...
