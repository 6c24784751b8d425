"""The libremidi backend's input side: the thread that polls inputs, arrival times, what inputs drop.

pylibremidi never calls Python from the MIDI system's thread; what arrives
waits in a lock-free queue until ``poll()`` is called. One thread polls
every open input, and exists only while an input is open: every
`POLL_INTERVAL` (1 ms) while messages flow, every `IDLE_POLL_INTERVAL`
(4 ms) after `IDLE_AFTER` (1 s) of silence, because each wake-up costs CPU
(4.7 % of a core at 1 ms on the machines we measured, 1.5 % at 4 ms). So a
message reaches a callback up to 1 ms later than with rtmidi (4 ms for the
first after a quiet second), under a JACK period (5.3 ms at 256 frames),
and no Python ever runs in JACK's real-time thread: the GIL can never make
JACK miss a cycle. What one poll finds keeps the spacing pylibremidi
stamped on it (`Arrivals`).
"""

from __future__ import annotations

import sys
import threading
import time

__all__ = ["Arrivals", "Filter", "InputState", "poller"]

POLL_INTERVAL = 0.001  # seconds between two polls of the open inputs while messages flow
IDLE_POLL_INTERVAL = 0.004  # ... and after IDLE_AFTER seconds without a message
IDLE_AFTER = 1.0


class _Poller:
    """Polls every open input device each POLL_INTERVAL, while there is one."""

    def __init__(self) -> None:
        self._devices: list = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.heard_at = float("-inf")  # when a poll last found a message (monotonic seconds)

    def add(self, device) -> None:
        with self._lock:
            self._devices.append(device)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="livemidi libremidi input", daemon=True)
                self._thread.start()

    def remove(self, device) -> None:
        with self._lock:
            if device in self._devices:
                self._devices.remove(device)

    def _run(self) -> None:
        while True:
            with self._lock:
                devices = list(self._devices)
                if not devices:
                    self._thread = None
                    return
            for device in devices:
                try:
                    device.poll()
                except Exception as error:  # one input's fault must never silence every other input
                    print(f"livemidi: polling the input {getattr(device, 'name', device)!r} failed: {error!r}",
                          file=sys.stderr)
            quiet = time.monotonic() - self.heard_at > IDLE_AFTER
            time.sleep(IDLE_POLL_INTERVAL if quiet else POLL_INTERVAL)


poller = _Poller()


class Filter:
    """Drops what an input ignores (sysex, MIDI clock and time code, active sensing) from a byte stream."""

    def __init__(self, sysex: bool, timing: bool, sensing: bool) -> None:
        self.sysex = sysex
        self.timing = timing
        self.realtime = ({0xF8} if timing else set()) | ({0xFE} if sensing else set())
        self.active = sysex or timing or sensing
        self._in_sysex = False
        self._skip_data = False

    def __call__(self, data: list[int]) -> list[int]:
        # pylibremidi hands over empty events now and then when a JACK input
        # is flooded (seen with bursts of 1600 notes): nothing to keep.
        if not data or not self.active or (max(data) < 0xF0 and not self._in_sysex and not self._skip_data):
            return data
        kept = []
        for byte in data:
            if byte >= 0xF8:  # real time: one byte, allowed anywhere, even inside a sysex
                if byte not in self.realtime:
                    kept.append(byte)
                continue
            if self._in_sysex:
                if byte < 0x80:
                    continue
                self._in_sysex = False
                if byte == 0xF7:
                    continue
            if self._skip_data:
                self._skip_data = False
                if byte < 0x80:
                    continue
            if byte == 0xF0 and self.sysex:
                self._in_sysex = True
            elif byte == 0xF1 and self.timing:
                self._skip_data = True
            else:
                kept.append(byte)
        return kept


class Arrivals:
    """Arrival times (`time.perf_counter` seconds) for what one poll found, spaced by pylibremidi's stamps.

    Why: the input thread may wait for the GIL or the CPU, and then hands
    over many messages at once; stamped with the poll's time, a MIDI clock
    would look bunched, and a tempo estimated from it wild. pylibremidi
    stamps each message (ns) when the MIDI system hands it over, in its own
    thread, so the spacing within one poll is kept: the newest message is
    taken to have arrived at the poll, each earlier one that much earlier.

    The stamps are not used as absolute times: their clock depends on the
    API (JACK 2 uses CLOCK_MONOTONIC_RAW, PipeWire CLOCK_MONOTONIC, ...), and
    JACK's dummy driver, late under load, lets its frame clock fall tens of
    milliseconds behind within seconds (measured here). Arrivals never go
    back in time, and stamps that are zero or go backwards are ignored.
    """

    def __init__(self) -> None:
        self._last = float("-inf")

    def arrivals(self, stamps: list[int], now: float) -> list[float]:
        newest = max(stamps)
        if newest <= 0 or any(later < earlier for earlier, later in zip(stamps, stamps[1:])):
            times = [now] * len(stamps)
        else:
            times = [max(self._last, now - (newest - stamp) * 1e-9) for stamp in stamps]
        self._last = times[-1]
        return times


class InputState:
    """What an input's pylibremidi callback needs, kept apart from the device (no cycle through C++)."""

    def __init__(self, filter: Filter) -> None:
        self.filter = filter
        self.clock = Arrivals()
        self.batch: list[tuple[list[int], int]] = []

    def arrived(self, data, stamp) -> None:
        # Called inside poll(): only appends (an exception here would end the process in C++).
        self.batch.append((data, stamp))
