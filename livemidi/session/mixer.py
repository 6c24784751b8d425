"""Which loops sound: mute and solo, as a mixer's buttons, acting at once.

A `Mixer` is what `Session.mute`, `unmute`, `solo`, `unsolo` and `hush` work
through. A loop sounds unless it is muted, or some loops are soloed and it is
not one of them. When a change makes a loop go quiet, everything it has
queued is cancelled (its sounding notes end at once, through the sender's
ledger); when one comes back, it is asked for again from now, in phase.

Misuse: the session's lock guards the loops and the solo set, and the clock
is called only after it is let go: the lookahead thread takes the clock's
lock first and the session's second, so holding the session's while calling
the clock would deadlock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .loops import Loop, no_such_loop

__all__ = ["Mixer"]


class Mixer:
    """``Mixer(loops, lock, voices)``: the session's loops (by name), its lock, and its `Voices` (mpe.py)."""

    def __init__(self, loops: dict[str, Loop], lock, voices) -> None:
        self.loops = loops
        self.lock = lock
        self.voices = voices
        self.soloed: set[str] = set()

    def audible(self, loop: Loop) -> bool:
        return not loop.muted and (not self.soloed or loop.name in self.soloed)

    def loop(self, name: str) -> Loop:
        if name not in self.loops:
            raise no_such_loop(name, self.loops)
        return self.loops[name]

    def mute(self, names) -> None:
        self.change(lambda: [setattr(loop, "muted", True) for loop in self._named(names)])

    def unmute(self, names) -> None:
        self.change(lambda: [loop.unmute() for loop in self._named(names)])

    def solo(self, names) -> None:
        self.change(lambda: self._named(names) and self.soloed.update(names))

    def unsolo(self, names) -> None:
        self._named([name for name in names if name not in self.soloed])  # a name that is neither: say so
        self.change(lambda: self.soloed.difference_update(names) if names else self.soloed.clear())

    def _named(self, names) -> list[Loop]:
        return [self.loop(name) for name in names]

    def change(self, change: Callable[[], Any]) -> None:
        """Run `change` under the lock; then hush the loops it silenced and re-query those it brought back."""
        with self.lock:
            before = {name: self.audible(loop) for name, loop in self.loops.items()}
            change()
            after = {name: self.audible(loop) for name, loop in self.loops.items()}
        for name, audible in after.items():
            if before.get(name) and not audible:
                self.voices.hush(tag=name)
            elif audible and not before.get(name, True):
                self.voices.requery(None, tag=name)

    def hush(self) -> None:
        """Every loop ends now; sounding notes end."""
        with self.lock:
            self.loops.clear()
            self.soloed.clear()
        self.voices.hush()
