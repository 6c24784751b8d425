"""A session's sync: what its clock follows (Ableton Link, a MIDI clock in), and letting go of it.

`SessionSync` is a collaborator a `Session` holds: the session's `follow`,
`link` and `clock_in` are its `follow`, `link` and `clock_in` (the
performer's documentation is on the session's methods). It hands the source
to the lookahead loop (`Lookahead.follow`, where the following is done),
remembers whether the session made the source, and closes such a source when
the session follows something else or nothing.

Misuse: a source the session did not make (given to `follow` without
``owned=True``) is never closed here: its owner closes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..clock import Lookahead

__all__ = ["SessionSync"]


def _closing_too(close: Callable[[], None], port: Any) -> Callable[[], None]:
    """`close`, then close `port` as well (a port the session opened for a sync source)."""

    def closing() -> None:
        try:
            close()
        finally:
            port.close()

    return closing


class SessionSync:
    """``SessionSync(clock, notice)``: what `clock` (the session's `Lookahead`) follows; `notice(text)` reports."""

    def __init__(self, clock: Lookahead, notice: Callable[[str], None]) -> None:
        self.clock = clock
        self._notice = notice
        self.source: Any = None  # what the clock follows: a Link or a ClockIn, or None
        self._owned = False  # the session made the source: it closes it

    def follow(self, source: Any, *, owned: bool = False) -> None:
        """`Session.follow`: follow `source` (None: nothing); the source before is let go, closed if ours."""
        old, old_owned = self.source, self._owned
        self.clock.follow(source)
        self.source, self._owned = source, owned and source is not None
        if old is not None and old is not source and old_owned:
            try:
                old.close()
            except Exception as error:
                self._notice(f"closing {getattr(old, 'name', old)}: {error}")

    def link(self, enabled: bool = True, *, start_stop: bool = True, wait: float = 0.0) -> Any:
        """`Session.link`: join the Ableton Link session (False: leave it); returns the `Link`."""
        from ..clock.link import Link

        if not enabled:
            if isinstance(self.source, Link):
                self.follow(None)
            return None
        if isinstance(self.source, Link):
            self.source.start_stop_sync = start_stop
            return self.source
        tempo_map = self.clock.tempo
        link = Link(tempo_map.bpm, quantum=tempo_map.beats_per_bar, start_stop_sync=start_stop)
        deadline = time.monotonic() + wait
        while link.peers == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        self.follow(link, owned=True)
        return link

    def clock_in(self, port: Any, *, virtual: bool = False, backend: str | None = None, latency: float = 0.0) -> Any:
        """`Session.clock_in`: follow the MIDI clock arriving on input `port` (None: stop); returns the `ClockIn`."""
        from ..backends import Backend, current_backend
        from ..backends.backend import REAL as REAL_BACKENDS
        from ..clock.clockin import ClockIn

        if port is None:
            if isinstance(self.source, ClockIn):
                self.follow(None)
            return None
        if virtual:
            chosen = current_backend() if backend is None else Backend(backend)
            options = {"ignore_timing": False} if chosen.name in REAL_BACKENDS else {}
            opened = chosen.open_input(port, virtual=True, **options)
            try:
                clock = ClockIn(opened, latency=latency)
            except BaseException:
                opened.close()
                raise
            clock.close = _closing_too(clock.close, opened)
        else:
            clock = ClockIn(port, backend=backend, latency=latency)
        self.follow(clock, owned=True)
        return clock
