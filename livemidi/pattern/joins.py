"""The joins: flattening a pattern of patterns into one pattern.

A pattern whose values are patterns (``mini("a b").fmap(lambda v: ...)``
returning patterns) is flattened by a join, and the four joins differ only
in where the result's structure comes from:

- `inner_join`: from the inner patterns, played only while their outer
  event lasts;
- `outer_join`: from the outer pattern, each event taking the inner
  pattern's value at its onset;
- `squeeze_join`: from the outer pattern, each inner pattern's cycle
  squeezed into the whole of its outer event;
- `mix_join`: from both, wholes being the overlap of outer and inner wholes.

`Pattern.inner_join` and its siblings (and the ``*_bind`` forms) are the
way in; the functions here take the outer pattern's query and return the
joined pattern's query. They work on queries rather than patterns so that
this module needs nothing of `core` and `core` can import it: a module that
built `Pattern`s would have to import `core`, which imports it. Events are
built as in `core`, with ``type(ev)`` and `joined`, so the locations of both
levels survive (see `event`).

Misuse: every value of the outer pattern must be a pattern (the ``*_bind``
forms make sure of it with `reify`); a plain value fails with an
AttributeError on ``query`` when the joined pattern is queried, not when it
is built.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable

from .event import Event, joined
from .rational import add, div, mul, sub
from .time import TimeSpan, _span, sam, sect

__all__ = ["inner_join", "mix_join", "outer_join", "squeeze_join"]

Query = Callable[[TimeSpan], list[Event]]

_tuple_new = tuple.__new__


def inner_join(q: Query) -> Query:
    """Structure from the inner patterns, played only while their outer event lasts."""

    def query(span: TimeSpan) -> list[Event]:
        out: list[Event] = []
        for ev in q(span):
            outer = type(ev)
            if outer is Event:
                out.extend(ev[2].query(ev[1]))
            else:  # the inner events' own locations first, then the outer's
                out.extend(_tuple_new(joined(type(iev), outer), iev) for iev in ev[2].query(ev[1]))
        return out

    return query


def outer_join(q: Query) -> Query:
    """Structure from the outer pattern; values sampled from the inner ones at each outer onset."""

    def query(span: TimeSpan) -> list[Event]:
        out = []
        for oev in q(span):
            w, p, inner = oev
            at = (w if w is not None else p)[0]
            for ev in inner.query(_span(at, at)):
                c1, c2 = type(oev), type(ev)
                cls = c1 if c2 is Event or c2 is c1 else joined(c1, c2)
                out.append(_tuple_new(cls, (w, p, ev[2])))
        return out

    return query


def squeeze_join(q: Query) -> Query:
    """Each inner pattern's cycle squeezed into the whole of its outer event."""

    def query(span: TimeSpan) -> list[Event]:
        out = []
        for oev in q(span):
            w, p, inner = oev
            outer = type(oev)
            w = w if w is not None else p
            wb, we = w
            width = sub(we, wb)
            if not width:
                continue
            c = sam(wb)

            def to_inner(t: Fraction, wb=wb, width=width, c=c) -> Fraction:
                return add(c, div(sub(t, wb), width))

            def to_outer(t: Fraction, wb=wb, width=width, c=c) -> Fraction:
                return add(wb, mul(sub(t, c), width))

            for iev in inner.query(_span(to_inner(p[0]), to_inner(p[1]))):
                iw, ip, v = iev
                ip = _span(to_outer(ip[0]), to_outer(ip[1]))
                part = sect(p, ip)
                if part is None:
                    continue
                whole = None if iw is None else sect(w, _span(to_outer(iw[0]), to_outer(iw[1])))
                c1 = type(iev)
                cls = c1 if outer is Event or outer is c1 else joined(c1, outer)
                out.append(_tuple_new(cls, (whole, part, v)))
        return out

    return query


def mix_join(q: Query) -> Query:
    """Structure from both levels: wholes are the overlap of outer and inner wholes."""

    def query(span: TimeSpan) -> list[Event]:
        out = []
        for oev in q(span):
            w, p, inner = oev
            for iev in inner.query(p):
                iw, ip, v = iev
                if w is None or iw is None:
                    whole = w if iw is None else iw
                else:
                    whole = sect(w, iw)
                    if whole is None:
                        continue
                c1, c2 = type(iev), type(oev)
                cls = c1 if c2 is Event or c2 is c1 else joined(c1, c2)
                out.append(_tuple_new(cls, (whole, ip, v)))
        return out

    return query
