"""Shared helpers for the pattern tests: readable event lines, stitching, and generated mini-notation."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

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
    """Join the fragments of each event whose parts touch: the union of its parts.

    Events with the same whole and value may overlap (a stack of equal layers), so
    the fragments are joined by how many of them cover each instant: level k is
    where at least k of them do. That form does not depend on where a query was
    cut (joining greedily did: a piece could extend the wrong one of two equal
    fragments).
    """
    groups: dict[tuple, list[tuple[Fraction, Fraction]]] = {}
    for ev in events:
        w = ev.whole
        k = (w.begin if w else None, w.end if w else None, repr(ev.value))
        groups.setdefault(k, []).append((ev.part.begin, ev.part.end))
    out = []
    for k, parts in groups.items():
        points = sorted({t for part in parts for t in part})
        cover = [(b, e, sum(1 for pb, pe in parts if pb <= b and e <= pe)) for b, e in zip(points, points[1:])]
        for pb, pe in parts:
            if pb == pe:  # a point (a query at an instant): kept as it is
                out.append((k[0], k[1], pb, pe, k[2]))
        for level in range(1, max((n for _, _, n in cover), default=0) + 1):
            merged: list[list[Fraction]] = []
            for b, e, n in cover:
                if n < level:
                    continue
                if merged and merged[-1][1] == b:
                    merged[-1][1] = e
                else:
                    merged.append([b, e])
            out.extend((k[0], k[1], b, e, k[2]) for b, e in merged)
    return sorted(out, key=lambda t: (t[2], t[3], t[0] is None, t[0] or 0, t[1] or 0, t[4]))


def same_events(a: Pattern, b: Pattern, begin=0, end=4) -> bool:
    return canonical(reify(a).events(begin, end)) == canonical(reify(b).events(begin, end))


words = st.sampled_from(["a", "b", "c", "1", "2", "~", "c4", "e'min", "c4:maj7"])


@st.composite
def mini_text(draw, depth=2):
    """Mini-notation text using every piece of the notation."""
    def step(d):
        kind = draw(st.integers(0, 9 if d > 0 else 1))
        if kind <= 1:
            atom = draw(words)
        elif kind == 2:
            atom = "[" + seq(d - 1) + "]"
        elif kind == 3:
            atom = "<" + seq(d - 1) + ">"
        elif kind == 4:
            atom = "{" + seq(d - 1) + ", " + seq(d - 1) + "}" + draw(st.sampled_from(["", "%3", "%4"]))
        elif kind == 5:
            atom = "[" + seq(d - 1) + " " + draw(st.sampled_from([",", "|"])) + " " + seq(d - 1) + "]"
        elif kind == 6:
            atom = draw(words) + f"({draw(st.integers(0, 5))},{draw(st.integers(1, 8))},{draw(st.integers(0, 3))})"
        elif kind == 7:
            atom = "[" + draw(st.sampled_from(["1 .. 3", "3 .. 1", "<0 2> .. 3", "0..<1 2>"])) + "]"
        else:
            atom = draw(words)
        suffix = draw(st.sampled_from(["", "", "*2", "*3", "/2", "/3", "*<2 3>", "!2", "@2", "@1.5", "?", "?0.3",
                                       "*1.5"]))
        return atom + suffix

    def seq(d):
        parts = [step(d) for _ in range(draw(st.integers(1, 4)))]
        if draw(st.booleans()) and len(parts) > 1:
            parts.insert(draw(st.integers(1, len(parts) - 1)), draw(st.sampled_from(["_", "!", "."])))
        return " ".join(parts)

    return seq(depth)


# Where and how long the laws query: any time from -2 to 6 (twelfths), and spans of 1/8 to 3 cycles.
times = st.fractions(min_value=-2, max_value=6, max_denominator=12)
durations = st.fractions(min_value=Fraction(1, 8), max_value=3, max_denominator=8)


def transformed(transforms, min_size: int = 0, max_size: int = 3):
    """Patterns of generated mini-notation put through up to `max_size` of `transforms` (a strategy of functions)."""

    @st.composite
    def patterns(draw):
        from livemidi.pattern import mini

        p = mini(draw(mini_text()))
        for f in draw(st.lists(transforms, min_size=min_size, max_size=max_size)):
            p = f(p)
        return p

    return patterns()
