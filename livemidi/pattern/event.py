"""Events, and where in the performer's code each one came from.

An `Event` is the 3-tuple ``(whole, part, value)`` that every query returns.
Code all over the engine (and the performer's) unpacks it as
``w, p, v = ev``, and tests compare events with ``==``; both must stay as
they are.

**Locations.** An editor can highlight the mini-notation element that
sounds, as Strudel does: the event for ``e4`` in ``note("c4 [e4 g4]")``
knows the span of ``e4`` in the source (`Location`), and, once combined with
``.velocity("100 80")``, the span of the velocity it took. `locations(ev)`
reads them; it is ``()`` when they are unknown (a pattern built from plain
strings, numbers or signals).

**Why the event's class carries them.** The locations of an event are the
class attribute ``_where`` of its class: plain events are `Event`, located
ones are instances of a subclass of `Event` made once per set of locations
(`located`) and cached. So:

- an event stays a 3-tuple: unpacking, indexing, ``==`` and ``hash`` are
  tuple's, and an event with locations equals the same event without them;
- a combinator that derives an event from another writes
  ``_tuple_new(type(ev), (w, p, v))`` instead of
  ``_tuple_new(Event, ...)``, which costs the same and carries the locations
  along with no extra work, whether there are any or not (``type(ev)``
  rather than ``ev.__class__``: with many located classes an attribute
  lookup misses the interpreter's per-site caches, a call to `type` does not);
- a combinator that makes one event out of two (``app_left``, the joins)
  asks `joined` for the class of both sides' locations: the structure's
  first, then the values'. Joining with a plain `Event` is one identity
  test; two located classes are joined once and the result is cached.

A class costs about 2 KB and a few tens of microseconds, once per atom
written (and per pair joined), when the pattern is built; nothing per query.

The alternatives were slower or broke the contract: a fourth tuple item
breaks every ``w, p, v = ev``; an attribute per instance needs a ``__dict__``
on every event (tuple subclasses cannot have slots) and a copy at every step;
a wrapper around the value changes the values that tests compare.

Misuse: building an event from another with ``Event(...)`` or
``_tuple_new(Event, ...)`` silently drops its locations (the music is the
same; the editor highlights nothing). A class made by `located` is shared:
never set attributes on it. The caches are cleared when they hold
`MAX_CLASSES` classes; events made before keep their (still valid) classes.
"""

from __future__ import annotations

from fractions import Fraction
from operator import itemgetter
from typing import Any, Callable, NamedTuple

from .time import TimeSpan, show_time

__all__ = ["Event", "Location", "MAX_CLASSES", "joined", "located", "locations", "show_value"]

_tuple_new = tuple.__new__

MAX_CLASSES = 4096  # located event classes kept for reuse (a live set holds a few hundred)


class Location(NamedTuple):
    """Where a mini-notation element is written: `line` 1-based, columns 0-based in code points, end exclusive."""

    source: str
    line: int
    column: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.source}:{self.line}:{self.column}-{self.end_column}"


class Event(tuple):
    """One event: the `whole` span it occupies, the `part` of it inside the query, its `value`.

    `whole` is None for samples of a continuous signal. An event whose part
    begins where its whole begins `has_onset()`; only those trigger notes.
    Where it came from in the source: `locations(event)`.
    """

    __slots__ = ()
    _where: tuple[Location, ...] = ()  # located subclasses override it (see the module docstring)

    whole: TimeSpan | None = property(itemgetter(0))  # type: ignore[assignment]
    part: TimeSpan = property(itemgetter(1))  # type: ignore[assignment]
    value: Any = property(itemgetter(2))

    def __new__(cls, whole: TimeSpan | None, part: TimeSpan, value: Any) -> Event:
        return _tuple_new(cls, (whole, part, value))

    def __reduce__(self) -> tuple:
        # The located classes are made at run time: pickle the locations, not the class.
        return _rebuild, (self[0], self[1], self[2], self._where)

    def has_onset(self) -> bool:
        w = self[0]
        return w is not None and (w is self[1] or w[0] == self[1][0])

    def has_offset(self) -> bool:
        w = self[0]
        return w is not None and (w is self[1] or w[1] == self[1][1])

    @property
    def onset(self) -> Fraction:
        """Where the event begins: the whole's begin (the part's for a signal)."""
        w = self[0]
        return (w if w is not None else self[1])[0]

    def whole_or_part(self) -> TimeSpan:
        w = self[0]
        return w if w is not None else self[1]

    def with_value(self, f: Callable[[Any], Any]) -> Event:
        return _tuple_new(type(self), (self[0], self[1], f(self[2])))

    def with_span(self, f: Callable[[TimeSpan], TimeSpan]) -> Event:
        w, p, v = self
        if w is None:
            return _tuple_new(type(self), (None, f(p), v))
        nw = f(w)
        return _tuple_new(type(self), (nw, nw if p is w else f(p), v))

    def show(self) -> str:
        """``0 → 1/2 | c4``; a fragment shows its part in brackets: ``0 → 1 (1/2 → 1) | c4``."""
        w, p, v = self
        if w is None:
            span = f"({p})"
        elif p is w or p == w:
            span = str(w)
        else:
            span = f"{w} ({p})"
        return f"{span} | {show_value(v)}"

    def __repr__(self) -> str:
        return f"<Event {self.show()}>"


def show_value(value: Any) -> str:
    """How values read in event displays: ``c4``, ``60``, ``0.7071``, ``note=60 velocity=100``."""
    if isinstance(value, dict):
        return " ".join(f"{k}={show_value(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Fraction):
        return show_time(value)
    if isinstance(value, str):
        return value
    return repr(value)


def locations(event: Event) -> tuple[Location, ...]:
    """Where `event` came from: the source spans of the mini-notation elements that made it.

    The element that gave its structure comes first, then those it took
    values from (``.velocity("100 80")``, ``+ "<0 12>"``, ``fast("<1 2>")``...).
    Empty when unknown: a pattern made from plain strings, numbers or signals.
    """
    if not isinstance(event, Event):
        raise TypeError(f"expected a pattern event, found {type(event).__name__} {event!r}")
    return event._where


_classes: dict[tuple[Location, ...], type[Event]] = {}
_joined: dict[tuple[type[Event], type[Event]], type[Event]] = {}


def located(where: tuple[Location, ...]) -> type[Event]:
    """The event class whose events came from `where` (`Event` itself for none)."""
    if not where:
        return Event
    cls = _classes.get(where)
    if cls is None:
        for loc in where:
            if type(loc) is not Location:
                raise TypeError(f"expected Location items, found {type(loc).__name__} {loc!r}")
        if len(_classes) >= MAX_CLASSES:
            _classes.clear()
            _joined.clear()
        cls = _classes[where] = type(  # type: ignore[assignment]
            "Event", (Event,), {"__slots__": (), "_where": where, "__module__": __name__, "__doc__": Event.__doc__}
        )
    return cls  # type: ignore[return-value]


def joined(first: type[Event], second: type[Event]) -> type[Event]:
    """The class of an event made from a `first` and a `second` one: both's locations, first's first."""
    if second is Event or second is first:
        return first
    if first is Event:
        return second
    key = (first, second)
    cls = _joined.get(key)
    if cls is None:
        extra = tuple(loc for loc in second._where if loc not in first._where)
        cls = located(first._where + extra) if extra else first
        if len(_joined) >= MAX_CLASSES:
            _joined.clear()
        _joined[key] = cls
    return cls


def _rebuild(whole: TimeSpan | None, part: TimeSpan, value: Any, where: tuple) -> Event:
    return _tuple_new(located(tuple(Location(*loc) for loc in where)), (whole, part, value))
