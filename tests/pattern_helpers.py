"""Shared helpers for the pattern tests: readable event lines and stitching."""

from __future__ import annotations

from fractions import Fraction

from livemidi.pattern import Event, Pattern, reify


def lines(pat, cycles=1, begin=0) -> list[str]:
    """The events of the first `cycles` cycles in the readable form, one string each."""
    text = reify(pat).show(cycles, begin)
    return text.split("\n") if text else []


def key(ev: Event) -> tuple:
    w = ev.whole
    return (ev.onset, ev.part.begin, ev.part.end, w.end if w else Fraction(-1), repr(ev.value))


def canonical(events: list[Event]) -> list[tuple]:
    """Events as sortable tuples (order-independent comparison)."""
    return sorted(key(ev) for ev in events)


def stitch(events: list[Event]) -> list[tuple]:
    """Join the fragments of each event whose parts touch: the union of its parts."""
    groups: dict[tuple, list[list[Fraction]]] = {}
    for ev in events:
        w = ev.whole
        k = (w.begin if w else None, w.end if w else None, repr(ev.value))
        groups.setdefault(k, []).append([ev.part.begin, ev.part.end])
    out = []
    for k, parts in groups.items():
        parts.sort()
        merged: list[list[Fraction]] = []
        for b, e in parts:  # (duplicates allowed: each fragment extends one piece)
            for piece in merged:
                if piece[1] == b:
                    piece[1] = e
                    break
            else:
                merged.append([b, e])
        out.extend((k[0], k[1], b, e, k[2]) for b, e in merged)
    return sorted(out, key=lambda t: (t[2], t[3], t[0] is None, t[0] or 0, t[1] or 0, t[4]))


def same_events(a: Pattern, b: Pattern, begin=0, end=4) -> bool:
    return canonical(reify(a).events(begin, end)) == canonical(reify(b).events(begin, end))
