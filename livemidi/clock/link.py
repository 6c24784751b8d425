"""Ableton Link: share tempo, bar phase and start/stop with Live and every other Link app.

::

    from livemidi.clock import Link, Lookahead

    link = Link(bpm=120)             # joins the Link session on the local network
    loop = Lookahead(source, sender, sync=link)
    link.peers                       # how many other apps are in the session
    loop.set_tempo(128)              # every peer goes to 128 BPM

`Link` is a sync source (see `livemidi.clock.sync`) for a `Lookahead`:
livemidi's cycles (bars) land on Link's bar lines (quantum = beats per bar),
its tempo follows the session's, and with start/stop sync (on by default, as
in Live's Link preferences) pressing play in Live starts livemidi at the
next bar and stop stops it -- and livemidi's start and stop do the same for
every peer. Without start/stop sync only tempo and phase are shared:
livemidi's own start waits for the next bar line of the session.

It runs on the optional ``aalink`` package (``pip install livemidi[link]``;
aalink is GPL-3.0, livemidi only imports it when you ask for Link). Link's
own threads do the networking; aalink wants an asyncio loop, so `Link` runs
one in a small thread of its own. Link's clock is read back-to-back with
``time.perf_counter`` on every poll, so the two clocks never drift apart.

Misuse: Link shares only the bar *phase*, not bar numbers: Live's bar 17 may
be livemidi's bar 1. Link peers find each other by multicast on the local
network (UDP port 20808); a firewall that blocks it leaves livemidi alone
(``peers == 0``), still playing on Link's timeline.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from ..errors import MissingDependencyError
from .sync import SyncState
from .tempo import check_bpm

__all__ = ["Link", "link_available"]

INSTALL_HINT = "Ableton Link needs the optional aalink package: pip install 'livemidi[link]' (or pip install aalink)"


def _aalink():
    try:
        import aalink
    except ImportError as error:
        raise MissingDependencyError(f"{INSTALL_HINT} ({error})") from error
    return aalink


def link_available() -> bool:
    """True when the aalink package can be imported."""
    try:
        _aalink()
    except MissingDependencyError:
        return False
    return True


class Link:
    """``Link(bpm=120, *, quantum=4, start_stop_sync=True, enabled=True)``: a peer in the Link session.

    `bpm` is the tempo proposed to the session when livemidi is the first
    peer (joining a session takes its tempo). `quantum` is the beats per bar
    whose phase is shared; a `Lookahead` sets it to its own beats per bar.
    Raises `MissingDependencyError` (an ImportError) when aalink is missing.
    """

    name = "Link"
    follows_position = False

    def __init__(
        self,
        bpm=120,
        *,
        quantum: int = 4,
        start_stop_sync: bool = True,
        enabled: bool = True,
        now: Callable[[], float] = time.perf_counter,
    ) -> None:
        aalink = _aalink()
        bpm = float(check_bpm(bpm))
        self._check_quantum(quantum)
        self._now = now
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="livemidi link", daemon=True)
        self._thread.start()

        async def make():
            return aalink.Link(bpm)

        try:
            self._link = asyncio.run_coroutine_threadsafe(make(), self._loop).result(10)
        except BaseException:
            self._stop_loop()
            raise
        # Called (from Link's thread) when a peer changes the tempo or the transport:
        # a Lookahead sets it to wake up and follow at once rather than at its next poll.
        self.on_change: Callable[[], None] | None = None
        self._link.quantum = quantum
        self._link.start_stop_sync_enabled = bool(start_stop_sync)
        self._link.set_tempo_callback(self._changed)
        self._link.set_start_stop_callback(self._changed)
        self._link.enabled = bool(enabled)
        self._closed = False

    def _changed(self, *_ignored) -> None:
        on_change = self.on_change
        if on_change is not None:
            try:
                on_change()
            except Exception:  # a wake-up is a courtesy: the next poll sees the change anyway
                pass

    @staticmethod
    def _check_quantum(quantum) -> None:
        if isinstance(quantum, bool) or not isinstance(quantum, int) or not 1 <= quantum <= 64:
            raise ValueError(f"quantum must be a whole number of beats from 1 to 64, got {quantum!r}")

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()

    def _live(self):
        if self._closed:
            raise ValueError("this Link is closed")
        return self._link

    # -- the session -------------------------------------------------------------------

    @property
    def enabled(self) -> bool:
        """True while in the Link session (False: alone, on the same timeline)."""
        return bool(self._live().enabled)

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._live().enabled = bool(value)

    @property
    def start_stop_sync(self) -> bool:
        """True when start and stop are shared with the peers (Live: "Start Stop Sync")."""
        return bool(self._live().start_stop_sync_enabled)

    @start_stop_sync.setter
    def start_stop_sync(self, value: bool) -> None:
        self._live().start_stop_sync_enabled = bool(value)

    @property
    def peers(self) -> int:
        """How many other Link apps are in the session."""
        return int(self._live().num_peers)

    @property
    def quantum(self) -> int:
        return int(self._live().quantum)

    @quantum.setter
    def quantum(self, value: int) -> None:
        self._check_quantum(value)
        self._live().quantum = value

    @property
    def bpm(self) -> float:
        """The session's tempo."""
        return float(self._live().tempo)

    @property
    def playing(self) -> bool:
        """The session's transport (meaningful with start/stop sync)."""
        return bool(self._live().playing)

    def beat(self) -> tuple[float, float]:
        """``(perf_counter time, beat)``: the session's beat at an instant (phase = beat % quantum)."""
        link = self._live()
        before = self._now()
        beat = link.beat
        after = self._now()
        return (before + after) / 2, float(beat)

    # -- the sync-source protocol ------------------------------------------------------

    def poll(self, now: float, beats_per_bar: int) -> SyncState:
        link = self._live()
        if link.quantum != beats_per_bar:
            link.quantum = beats_per_bar
        t, beat = self.beat()
        playing = bool(link.playing) if link.start_stop_sync_enabled else None
        return SyncState(playing, float(link.tempo), t, beat / beats_per_bar)

    def set_tempo(self, bpm: float) -> None:
        """Propose `bpm` to the session: every peer follows."""
        self._live().tempo = float(check_bpm(bpm))

    def request_start(self) -> bool:
        """With start/stop sync, start every peer (True); without, False (start alone, on the bar line)."""
        link = self._live()
        if not link.start_stop_sync_enabled:
            return False
        link.playing = True
        return True

    def request_stop(self) -> bool:
        link = self._live()
        if not link.start_stop_sync_enabled:
            return False
        link.playing = False
        return True

    def status(self) -> str:
        if self._closed:
            return "Link closed"
        link = self._link
        if not link.enabled:
            return "Link off"
        peers = int(link.num_peers)
        return f"Link {peers} peer{'s' if peers != 1 else ''}"

    def close(self) -> None:
        """Leave the session and stop the thread. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        try:
            self._link.enabled = False
        finally:
            self._stop_loop()

    def __enter__(self) -> Link:
        return self

    def __exit__(self, *exc_info) -> bool:
        self.close()
        return False

    def __repr__(self) -> str:
        if self._closed:
            return "<Link closed>"
        return f"<Link {self.bpm:g} BPM, quantum {self.quantum}, {self.status()}>"
