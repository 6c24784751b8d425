"""The pattern engine's core: `Event`, `Pattern`, and the primitives.

A pattern is its query: ``Pattern(query)`` where ``query(span) -> list[Event]``
answers "which events fall in this time span?". Every combinator elsewhere is
a few lines built on the primitives defined here:

- on the way in: `Pattern.with_query_span`, `Pattern.with_query_time`,
  `Pattern.split_queries` (cut a query at cycle boundaries);
- on the way out: `Pattern.with_event_span`, `Pattern.with_event_time`,
  `Pattern.fmap`, `Pattern.filter_events`;
- combining: `Pattern.app_left` / `app_right` / `app_both` (which side gives
  the structure), and the joins `inner_join`, `outer_join`, `squeeze_join`,
  `mix_join` (and their `*_bind` forms) that flatten a pattern of patterns
  (their queries are built in `joins`, which needs nothing of this module);
- the atoms: `pure`, `silence`, `signal`.

Events carry where they came from in the source as their class (see
`event`): every primitive here builds an event from another with
``type(ev)`` and one from two with `joined`, so locations survive every
combinator without costing plain events anything.

`compose` puts patterns together (stack, cat, fastcat, timecat) and turns
anything into a pattern (`reify`: strings through the mini-notation hook),
`tables` compiles repeating patterns to fast lookup tables, and `lift` lets
any argument of a combinator be a pattern. The primitives here use `reify`
and the tables, which plug themselves in (see the end of this module).

A query must return only events whose part lies inside the span asked about,
and a part is always inside its whole. Breaking that contract makes events
show up twice or not at all when the clock queries bar by bar.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from . import joins
from .event import Event, joined, show_value
from .meter import spend
from .time import TimeLike, TimeSpan, _span, cycle_span, sect, to_time

__all__ = ["Event", "Pattern", "pure", "show_value", "signal", "silence"]

_tuple_new = tuple.__new__
_NOTHING = object()
_ZERO = Fraction(0)
_ONE = Fraction(1)


def _sort_key(ev: Event) -> tuple:
    w = ev[0]
    b = (w if w is not None else ev[1])[0]
    # Comparing floats is cheap; the exact Fraction breaks (vanishingly rare) float ties.
    return (b.numerator / b.denominator, b)


class Pattern:
    """A function of time: ``query(span)`` returns the events in that span.

    Build patterns with `mini` ("c e g"), `pure`, `stack`, `cat` and the
    combinators; read them with `events`, `onsets` and `show`.
    """

    __slots__ = ("query", "_pure", "_cycles", "_pure_class")

    def __init__(self, query: Callable[[TimeSpan], list[Event]], _pure: Any = _NOTHING,
                 _cycles: tuple | None = None, _pure_class: type[Event] = Event):
        self.query = query
        # Two optional descriptions that let combinators take fast paths:
        # `_pure` is the value of a pattern that is that value once per cycle
        # (its events are of class `_pure_class`: where the value was written);
        # `_cycles` describes a pattern that repeats every few cycles as a
        # table of (begin, end, value, event class) offsets per cycle (see `tables`).
        self._pure = _pure
        self._cycles = _cycles
        self._pure_class = _pure_class

    # -- reading ---------------------------------------------------------

    def events(self, begin: TimeLike, end: TimeLike) -> list[Event]:
        """All events overlapping ``[begin, end)`` (cycles), sorted by onset.

        Events that began before `begin` come as fragments (``has_onset()`` is
        False); events of simultaneous onset keep their stacking order.
        """
        evs = self.query(TimeSpan(begin, end))
        evs.sort(key=_sort_key)
        return evs

    def onsets(self, begin: TimeLike, end: TimeLike) -> list[Event]:
        """Only the events that begin inside ``[begin, end)``: what a player triggers."""
        return [ev for ev in self.events(begin, end) if ev.has_onset()]

    def show(self, cycles: TimeLike = 1, begin: TimeLike = 0) -> str:
        """The events of the first `cycles` cycles, one per line, for reading and for test oracles."""
        b = to_time(begin)
        lines = [ev.show() for ev in self.events(b, b + to_time(cycles))]
        return "\n".join(lines)

    def __repr__(self) -> str:
        if self._pure is not _NOTHING:
            return f"pure({self._pure!r})"
        return "<Pattern>"

    # -- primitives: on the way in ---------------------------------------

    def with_query_span(self, f: Callable[[TimeSpan], TimeSpan]) -> Pattern:
        q = self.query
        return Pattern(lambda span: q(f(span)))

    def with_query_time(self, f: Callable[[Fraction], Fraction]) -> Pattern:
        q = self.query
        return Pattern(lambda span: q(_span(f(span[0]), f(span[1]))))

    def split_queries(self) -> Pattern:
        """Query cycle by cycle, so that per-cycle logic sees one cycle at a time."""
        q = self.query

        def query(span: TimeSpan) -> list[Event]:
            cycles = span.cycles()
            if len(cycles) == 1:
                return q(span)
            out: list[Event] = []
            for c in cycles:
                out.extend(q(c))
            return out

        return Pattern(query)

    # -- primitives: on the way out --------------------------------------

    def with_event_span(self, f: Callable[[TimeSpan], TimeSpan]) -> Pattern:
        q = self.query
        return Pattern(lambda span: [ev.with_span(f) for ev in q(span)])

    def with_event_time(self, f: Callable[[Fraction], Fraction]) -> Pattern:
        return self.with_event_span(lambda s: _span(f(s[0]), f(s[1])))

    def fmap(self, f: Callable[[Any], Any]) -> Pattern:
        """Apply `f` to every value (time untouched)."""
        if self._pure is not _NOTHING:
            return _atom(f(self._pure), self._pure_class)
        if tables.compiled(self):
            return tables.table_map(self, f)
        q = self.query
        return Pattern(lambda span: [_tuple_new(type(ev), (ev[0], ev[1], f(ev[2]))) for ev in q(span)])

    with_value = fmap

    def filter_events(self, pred: Callable[[Event], bool]) -> Pattern:
        q = self.query
        return Pattern(lambda span: [ev for ev in q(span) if pred(ev)])

    def filter_values(self, pred: Callable[[Any], bool]) -> Pattern:
        if tables.compiled(self):
            return tables.table_filter(self, pred)
        q = self.query
        return Pattern(lambda span: [ev for ev in q(span) if pred(ev[2])])

    def filter_onsets(self) -> Pattern:
        return self.filter_events(Event.has_onset)

    def _also_from(self, cls: type[Event]) -> Pattern:
        """Every event also came from where `cls`'s events did (see `event.joined`), after its own."""
        if cls is Event:
            return self
        if self._pure is not _NOTHING:
            return _atom(self._pure, joined(self._pure_class, cls))
        if tables.compiled(self):
            return tables.table_also_from(self, cls)
        q = self.query
        return Pattern(lambda span: [_tuple_new(joined(type(ev), cls), ev) for ev in q(span)])

    # -- primitives: combining two patterns ------------------------------

    def app_left(self, other: Any, f: Callable[[Any, Any], Any]) -> Pattern:
        """Structure from the left: each of self's events takes values from `other` where they overlap."""
        other = reify(other)
        if other._pure is not _NOTHING:
            v2 = other._pure
            return self.fmap(lambda v: f(v, v2))._also_from(other._pure_class)
        if tables.compiled(self) and tables.compiled(other):
            combined = tables.table_app_left(self, other, f)
            if combined is not None:
                return combined
        q1, q2 = self.query, other.query

        def query(span: TimeSpan) -> list[Event]:
            out = []
            for ev in q1(span):
                w, p, v = ev
                c1 = type(ev)
                for ev2 in q2(w if w is not None else p):
                    part = sect(p, ev2[1])
                    if part is not None:
                        c2 = type(ev2)
                        cls = c1 if c2 is Event or c2 is c1 else joined(c1, c2)
                        out.append(_tuple_new(cls, (w, part, f(v, ev2[2]))))
            return out

        return Pattern(query)

    def app_right(self, other: Any, f: Callable[[Any, Any], Any]) -> Pattern:
        """Structure from the right (`other`); values combined as ``f(self_value, other_value)``."""
        return reify(other).app_left(self, lambda b, a: f(a, b))

    def app_both(self, other: Any, f: Callable[[Any, Any], Any]) -> Pattern:
        """Structure from both: events where both overlap, wholes intersected."""
        other = reify(other)
        if other._pure is not _NOTHING and self._pure is not _NOTHING:
            return _atom(f(self._pure, other._pure), joined(self._pure_class, other._pure_class))
        q1, q2 = self.query, other.query

        def query(span: TimeSpan) -> list[Event]:
            right = q2(span)
            out = []
            for ev1 in q1(span):
                w1, p1, v1 = ev1
                for ev2 in right:
                    w2, p2, v2 = ev2
                    part = sect(p1, p2)
                    if part is None:
                        continue
                    if w1 is None or w2 is None:
                        whole = w1 if w2 is None else w2
                    else:
                        whole = sect(w1, w2)
                        if whole is None:
                            continue
                    c1, c2 = type(ev1), type(ev2)
                    cls = c1 if c2 is Event or c2 is c1 else joined(c1, c2)
                    out.append(_tuple_new(cls, (whole, part, f(v1, v2))))
            return out

        return Pattern(query)

    # -- primitives: joins (flattening a pattern of patterns) ------------

    # The four joins' queries are in `joins`; they differ in where the structure comes from.

    def inner_join(self) -> Pattern:
        """Structure from the inner patterns, played only while their outer event lasts."""
        return Pattern(joins.inner_join(self.query))

    def outer_join(self) -> Pattern:
        """Structure from the outer pattern; values sampled from the inner ones at each outer onset."""
        return Pattern(joins.outer_join(self.query))

    def squeeze_join(self) -> Pattern:
        """Each inner pattern's cycle squeezed into the whole of its outer event."""
        return Pattern(joins.squeeze_join(self.query))

    def mix_join(self) -> Pattern:
        """Structure from both levels: wholes are the overlap of outer and inner wholes."""
        return Pattern(joins.mix_join(self.query))

    def inner_bind(self, f: Callable[[Any], Any]) -> Pattern:
        return self.fmap(lambda v: reify(f(v))).inner_join()

    def outer_bind(self, f: Callable[[Any], Any]) -> Pattern:
        return self.fmap(lambda v: reify(f(v))).outer_join()

    def squeeze_bind(self, f: Callable[[Any], Any]) -> Pattern:
        return self.fmap(lambda v: reify(f(v))).squeeze_join()

    def bind(self, f: Callable[[Any], Any]) -> Pattern:
        return self.fmap(lambda v: reify(f(v))).mix_join()

    # -- arithmetic and merging, structure from the left -----------------

    # Structure comes from the left operand; a plain value (``10 - p``,
    # ``{'velocity': 90} | p``) never gives structure, the pattern does.

    def __or__(self, other: Any) -> Pattern:
        """``a | b``: a's structure, b's values merged in (dicts) or taking over (others)."""
        return self.app_left(other, _merge)

    def __ror__(self, other: Any) -> Pattern:
        return _reflected(self, other, _merge)

    def __add__(self, other: Any) -> Pattern:
        return self.app_left(other, _numeric("+", lambda a, b: a + b))

    def __radd__(self, other: Any) -> Pattern:
        return _reflected(self, other, _numeric("+", lambda a, b: a + b))

    def __sub__(self, other: Any) -> Pattern:
        return self.app_left(other, _numeric("-", lambda a, b: a - b))

    def __rsub__(self, other: Any) -> Pattern:
        return _reflected(self, other, _numeric("-", lambda a, b: a - b))

    def __mul__(self, other: Any) -> Pattern:
        return self.app_left(other, _numeric("*", lambda a, b: a * b))

    def __rmul__(self, other: Any) -> Pattern:
        return _reflected(self, other, _numeric("*", lambda a, b: a * b))

    def __truediv__(self, other: Any) -> Pattern:
        return self.app_left(other, _numeric("/", lambda a, b: a / b))

    def __floordiv__(self, other: Any) -> Pattern:
        return self.app_left(other, _numeric("//", lambda a, b: a // b))

    def __mod__(self, other: Any) -> Pattern:
        return self.app_left(other, _numeric("%", lambda a, b: a % b))


def _reflected(pat: Pattern, other: Any, f: Callable[[Any, Any], Any]) -> Pattern:
    """``other OP pat`` with a plain value on the left: the pattern keeps its structure."""
    if isinstance(other, (Pattern, str, list)):
        return reify(other).app_left(pat, f)
    return pat.fmap(lambda v: f(other, v))


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {**a, **b}
    return b


def _number_key(controls: dict, symbol: str, number: Any) -> str:
    """The control a plain number combines with: the only one, else the note."""
    if len(controls) == 1 or "note" in controls:
        return "note" if "note" in controls else next(iter(controls))
    raise TypeError(
        f"cannot combine controls {show_value(controls)!r} {symbol} {number!r}: a plain number goes to the note "
        f"or to the only control; expected controls on both sides (e.g. velocity(10))"
    )


def _numeric(symbol: str, op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if isinstance(a, dict):
            if not isinstance(b, dict):
                # A plain number goes to the note (or the only control), as Strudel's
                # n("0 2").add("<0 3>") does.
                key = _number_key(a, symbol, b)
                return {**a, key: apply(a[key], b)}
            out = dict(a)
            for k, v in b.items():
                out[k] = op(out[k], v) if k in out else v
            return out
        if isinstance(b, dict):
            key = _number_key(b, symbol, a)
            return {**b, key: apply(a, b[key])}
        try:
            return op(a, b)
        except TypeError:
            raise TypeError(f"cannot compute {a!r} {symbol} {b!r}: expected numbers") from None

    return apply


# -- building patterns -----------------------------------------------------


def pure(value: Any) -> Pattern:
    """`value` once per cycle, filling the cycle."""
    return _atom(value, Event)


def _atom(value: Any, cls: type[Event]) -> Pattern:
    """`pure`, its events of class `cls` (where the value was written: see `event`)."""

    def query(span: TimeSpan) -> list[Event]:
        b, e = span
        c = b.numerator // b.denominator
        if b == e:
            spend(1)
            return [_tuple_new(cls, (cycle_span(c), span, value))]
        spend(-(-e.numerator // e.denominator) - c)  # one event per cycle touched, counted before they are made
        out = []
        while c < e:
            whole = cycle_span(c)
            wb, we = whole
            if b <= wb:
                part = whole if e >= we else _span(wb, e)
            else:
                part = _span(b, we if e >= we else e)
            out.append(_tuple_new(cls, (whole, part, value)))
            c += 1
        return out

    return Pattern(query, value, (((_ZERO, _ONE, value, cls),),), cls)


def _silent(span: TimeSpan) -> list[Event]:
    return []


silence = Pattern(_silent, _cycles=((),))
"""The empty pattern: no events, ever. (``~`` in the mini-notation.)"""


def signal(f: Callable[[Fraction], Any]) -> Pattern:
    """A continuous pattern: one event per query, valued `f` at the query's start (as Tidal 1.10 and Strudel).

    Its events have no whole (nothing triggers); sample it with `segment` or
    use it as the value side of ``|`` or a control: the value at each onset.
    """
    def query(span: TimeSpan) -> list[Event]:
        spend(1)
        return [_tuple_new(Event, (None, span, f(span[0])))]

    return Pattern(query)


# -- what the core takes from the modules built on it ----------------------
#
# The primitives above use two things that are built on `Pattern`, in modules
# that import this one: `reify` (anything becomes a pattern: strings through
# the mini-notation, lists as sequences; in `compose`) and the lookup-table
# fast path (`tables`). Importing them here would be an import cycle, so each
# plugs itself in as it loads (`use_reify`, `use_tables`), as `livemidi.mini`
# registers the string parser. livemidi/pattern/__init__.py imports both, and
# Python runs it before any module of the package: no pattern is combined
# before they are in.


class _Missing:
    """Stands for `reify` or `tables` until their module plugs them in; says so if used."""

    def __init__(self, name: str, module: str) -> None:
        self._text = f"the pattern core has no {name} yet: import livemidi.pattern (it loads {module})"

    def __call__(self, *args: Any) -> Any:
        raise RuntimeError(self._text)

    def __getattr__(self, name: str) -> Any:
        raise RuntimeError(self._text)


reify: Callable[[Any], Pattern] = _Missing("reify", "livemidi.pattern.compose")
tables: Any = _Missing("lookup tables", "livemidi.pattern.tables")


def use_reify(function: Callable[[Any], Pattern]) -> None:
    """Called by `compose` as it loads: the primitives turn their arguments into patterns with `function`."""
    global reify
    reify = function


def use_tables(module: Any) -> None:
    """Called by `tables` as it loads: the primitives take its fast path for patterns that are tables."""
    global tables
    tables = module
