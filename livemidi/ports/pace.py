"""How fast a burst may go to one output: a release of many notes, paced so the transport takes it.

A release of every sounding note (hush, panic, Ctrl-C, the main process
killed) with 1600 notes sounding is 1600 note-offs at one instant. Written in
one go, JACK handed them on, but the clients receiving them lost them, often
all (measured on jackd 1.9.21, dummy driver, 256-frame periods, python-rtmidi
1.5.8 and pylibremidi 5.4.3; `bench/release.py`):

- each sending client queues what is written in a ring of 16383 bytes
  (2340 three-byte messages) that JACK empties at every period; when it is
  full, both libraries wait (spinning, the GIL held) until JACK empties it;
- JACK carried a full ring (2340 messages) on in one period;
- the receiving clients are the weak point: a python-rtmidi input hands its
  callback garbled messages (one message repeated in place of others) when
  more than about 500 arrive in one period, and a client still busy with a
  big period when the next begins misses that one (JACK logs "was not
  finished") and loses what it held.

So a release is paced: `BURST` messages at once (a panic's 64 resets and
dozens of notes: what a small release needs goes at once), then `PER_STEP`
every `STEP` seconds: 8 a millisecond, 1600 note-offs in 0.19 s; at most
about 43 in a 256-frame period and 170 in a 1024-frame one, and never more
than a few hundred bytes waiting in a client's ring.

Misuse: only releases are paced. A timed event goes at its deadline whatever
its neighbours; what a pattern puts on one instant is the pattern's business.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Hashable, Iterable

__all__ = ["BURST", "PER_STEP", "STEP", "Pace", "send_paced"]

BURST = 128  # messages a release may write at once
PER_STEP = 32  # then this many ...
STEP = 0.004  # ... every this many seconds


class Pace:
    """When each message of a release may go, per output: ``Pace(burst, per_step, step)``.

    A token bucket (in its "virtual scheduling" form): `burst` messages at
    once, refilled at ``per_step / step`` a second. Later slots fall on a
    grid of `step` seconds, so that a sender wakes once per `per_step`
    messages rather than once per message.
    """

    def __init__(self, burst: int = BURST, per_step: int = PER_STEP, step: float = STEP) -> None:
        if burst < 1 or per_step < 1 or not step > 0:
            raise ValueError(f"a pace needs burst >= 1, per_step >= 1 and step > 0, got {burst}, {per_step}, {step}")
        self.step = step
        self._cost = step / per_step  # seconds of budget one message uses
        self._tolerance = burst * self._cost
        self._booked: dict[Hashable, float] = {}  # per output: when its budget is whole again

    def slot(self, port: Hashable, now: float) -> float:
        """When the next message to `port` may go: `now`, or a later time (seconds, `now`'s clock)."""
        booked = max(self._booked.get(port, now), now) + self._cost
        self._booked[port] = booked
        earliest = booked - self._tolerance
        if earliest <= now + 1e-9:  # (sums of `_cost` are not exact)
            return now
        return math.ceil((earliest - 1e-9) / self.step) * self.step


def send_paced(
    send: Callable[[object], None],
    messages: Iterable,
    *,
    pace: Pace | None = None,
    now: Callable[[], float] = time.perf_counter,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """``send(msg)`` each message, as fast as `pace` allows (default: a fresh `Pace`); for one output."""
    pace = pace or Pace()
    for msg in messages:
        wait = pace.slot(0, now()) - now()
        if wait > 0:
            sleep(wait)
        send(msg)
