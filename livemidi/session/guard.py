"""When a loop's pattern misbehaves: refused at its trial, reverted or muted while it plays; the notices.

The session calls these so that its own module stays small (its `Playback`,
playback.py, calls `render_segment`):

- `refusal` is the text of the `PatternError` for a new pattern that failed
  its trial: it raised, or it is over the session's budget
  (`livemidi.session.budget`). Nothing changes then.
- `render_segment` gives a loop's events for one part of a lookahead window,
  within the budget. A pattern that raises is replaced by the loop's last
  good one (as before); a pattern over budget is muted, with a notice, and
  the other loops play on. A muted pattern stays muted until `unmute` (which
  tries it again) or until a new pattern takes over the loop; each pattern
  has an account of its own, so the new one starts afresh.
- `at_bar` says where, as a musician counts: ``bar 3 beat 2``.
- A note-on whose event knows where it was written comes as a `PlacedEvent`
  (its `locations`), for the eval server's play events.

Runs in the lookahead thread with the session's lock held (`render_segment`):
it must not call the clock.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING

from ..clock import ClockEvent, TempoMap
from ..errors import BudgetError
from .budget import Pace, render_within

if TYPE_CHECKING:  # type hints only (session.py imports this module): never run, so no cycle
    from .loops import Loop
    from .session import Session

__all__ = ["PlacedEvent", "at_bar", "pace_at", "refusal", "render_segment"]


def at_bar(cycle: Fraction, beats_per_bar: int) -> str:
    """``bar 3 beat 2`` for a cycle (one cycle is a bar), counted from 1."""
    bar = math.floor(cycle)
    return f"bar {bar + 1} beat {math.floor((cycle - bar) * beats_per_bar) + 1}"


_last_pace: tuple = (None, None)  # ((beats a bar, bpm), its Pace): every loop asks it at every window


def pace_at(tempo: TempoMap, cycle: Fraction) -> Pace:
    """The tempo a budget is reckoned at, at `cycle`."""
    global _last_pace
    key = (tempo.beats_per_bar, tempo.bpm_at(cycle))
    known, pace = _last_pace  # (one read: another session's thread may replace it meanwhile)
    if known != key:
        pace = Pace(key[0], float(tempo.seconds_per_cycle(key[1])))
        _last_pace = (key, pace)
    return pace


def refusal(name: str, error: BaseException, replacing: bool) -> str:
    """Why the new pattern for loop `name` was refused, and that the music goes on."""
    after = "the old pattern plays on" if replacing else "nothing changed"
    if isinstance(error, BudgetError):
        return f"the new pattern for {name!r} is over budget: {error} ({after})"
    return f"the new pattern for {name!r} fails when played: {type(error).__name__}: {error} ({after})"


class PlacedEvent(ClockEvent):
    """A ClockEvent for a note-on that also says where its note was written: ``event.locations``.

    The clock sees a plain ClockEvent; the eval server's play events tell
    editors the `locations` (`livemidi.pattern.locations`). No __slots__: the
    instance holds the attribute, the tuple keeps the clock's five fields.
    """

    locations: tuple = ()
    voice = None  # the note (`livemidi.render.Voice`) a message belongs to, for MPE outputs (mpe.py)


def _clock_event(item, port: int, tag: str) -> ClockEvent:
    if item.voice is not None or (item.locations and item.message.type == "note_on"):
        event = PlacedEvent(item.cycle, item.message, port, tag, item.onset)
        if item.message.type == "note_on":
            event.locations = item.locations
        event.voice = item.voice
        return event
    return ClockEvent(item.cycle, item.message, port, tag, item.onset)


def render_segment(session: Session, loop: Loop, index: int, begin: Fraction, end: Fraction) -> list[ClockEvent]:
    """The events of entry `index` of `loop`'s timeline for ``[begin, end)``, tagged with the loop's name."""
    pattern = loop.timeline[index][1]
    tempo = session.tempo_map
    pace = pace_at(tempo, begin)
    while pattern is not None and pattern is not loop.over_budget:
        if loop.charged is not pattern:
            loop.charged, loop.spent = pattern, {}
        try:
            rendered = render_within(session.budget, loop.spent, pattern, begin, end, loop.channel, loop.port, pace)
            return [_clock_event(item, session._voices.check(item, session._port_index(item.port)), loop.name)
                    for item in rendered]
        except BudgetError as error:
            session.errors += 1
            loop.over_budget, loop.last_error = pattern, error
            session.on_notice(
                f"loop {loop.name!r} is muted: {error}. The other loops play on; play a lighter pattern, "
                f"or raise the budget and unmute({loop.name!r})"
            )
        except Exception as error:
            session.errors += 1
            pattern = loop.revert(index, error)
            what = "going back to its last good pattern" if pattern is not None else "it stops"
            where = at_bar(begin, tempo.beats_per_bar)
            session.on_notice(f"loop {loop.name!r} failed at {where}: {type(error).__name__}: {error}; {what}")
    return []

