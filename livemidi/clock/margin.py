"""How long before a sparse event the timed sender stops sleeping and spins.

The sender sleeps until a *margin* before each deadline, then spins on the
clock. For a dense stream the margin is what this machine's timers need
(measured, see `livemidi.clock.sender`); an event that comes 20 ms or more
after the one before gets at least the whole `spin` setting (1 ms), which
costs little CPU and covers the rare long oversleep.

On a virtual machine 1 ms is not always enough: an idle virtual CPU halts,
and the host wakes it when it gets round to it. On the project's 2-core VM
(issue 15) a 0.8 ms sleep at real-time priority ended p99 0.2-1.4 ms and
at worst 4-19 ms late, depending on what the host was doing; 16ths at
180 BPM were then sent p99 2.5 ms late. So a sparse event's margin grows
with the worst of the recent oversleeps: 1.5 times it, plus 75 µs, up to
`MOST` (5 ms) and to `SHARE` (10 %) of the time since the event before, so
that it never costs more than a tenth of a core. On a machine whose sleeps
end on time it stays at `spin`.

Misuse: `recent` must be the oversleeps of sleeps taken at the priority the
sender has now; a measure taken at normal priority overstates what a
real-time sleep needs.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["MOST", "SHARE", "sparse_margin"]

MOST = 0.005  # the most (s) a sparse event's margin grows to
SHARE = 0.1  # and at most this share of the time since the event before


def sparse_margin(spin: float, recent: Iterable[float], gap: float) -> float:
    """The margin (s) for an event `gap` s after the one before: at least `spin`, more after late wake-ups.

    `recent` holds how late the recent sleeps ended (s).
    """
    worst = max(recent, default=0.0)
    return max(spin, min(1.5 * worst + 0.000075, MOST, SHARE * gap))
