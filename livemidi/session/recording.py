"""A session's recording and capture: what was sent, handed on; what comes in on inputs, kept.

`Recording` is a collaborator a `Session` holds: the session's
`add_listener`, `pump`, `record`, `stop_record`, `listen`, `capture` and
`note_code` are its own (the performer's documentation is on the session's
methods). It takes what the sender reports it sent, about every 20 ms (a
thread of its own, or `pump` by hand on a virtual clock), and hands it to the
listeners: the REPL's monitor, the `Recorder` (record.py) that writes the
session journal, rewritten at least once a second. It also owns the inputs a
session opens for itself: a keyboard recorded along (``record(input=...)``)
and the one `listen` keeps for `capture` (capture.py).

Misuse: a listener runs in the hand-out thread and must be quick; one that
raises is reported and the others still get what was sent.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..clock import Lookahead
from .capture import Listener
from .record import Recorder

__all__ = ["PUMP_INTERVAL", "RECORD_FLUSH", "Recording"]

PUMP_INTERVAL = 0.02  # seconds between hand-outs of what was sent
RECORD_FLUSH = 1.0  # seconds between rewrites of a recording (at most this much is lost to SIGKILL)


class Recording:
    """``Recording(clock, *, now, notice, tempo_history, next_boundary)``.

    `clock` is the session's `Lookahead` (its sender, tempo map and loop
    names), `now` its clock, `notice(text)` reports, `tempo_history` the
    session's list of ``(time, bpm)`` (read at every flush: the tempo track),
    `next_boundary()` the cycle where code run now takes effect.
    """

    def __init__(
        self,
        clock: Lookahead,
        *,
        now: Callable[[], float],
        notice: Callable[[str], None],
        tempo_history: list[tuple[float, Fraction]],
        next_boundary: Callable[[], Fraction],
    ) -> None:
        self.clock = clock
        self.sender = clock.sender
        self.tempo_map = clock.tempo
        self._now = now
        self._notice = notice
        self._tempo_history = tempo_history
        self._next_boundary = next_boundary
        self._listeners: list[Callable[[list], None]] = []
        self._pump: threading.Thread | None = None
        self._pumping = threading.Event()
        self.recorder: Recorder | None = None
        self.listener: Listener | None = None
        self._record_input = None
        self._last_flush = 0.0

    def add_listener(self, listener: Callable[[list], None]) -> None:
        """`Session.add_listener`: `listener(sent_records)` about every 20 ms, from a thread."""
        self._listeners.append(listener)
        if self._pump is None and self.clock.threaded:
            self._pump = threading.Thread(target=self._run_pump, name="livemidi sent", daemon=True)
            self._pump.start()

    def remove_listener(self, listener: Callable[[list], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def pump(self) -> None:
        """`Session.pump`: hand what the sender sent to the listeners now; flush a recording once a second."""
        sent = self.sender.take_sent()
        if sent:
            for listener in list(self._listeners):
                try:
                    listener(sent)
                except Exception as error:  # a listener's bug must not stop the others
                    self._notice(f"{getattr(listener, '__name__', 'a listener')} failed: {error}")
        recorder = self.recorder
        if recorder is not None and self._now() - self._last_flush >= RECORD_FLUSH:
            self._last_flush = self._now()
            try:
                recorder.flush()
            except OSError as error:
                self._notice(f"recording: {error}; the file keeps what was written before")

    def _run_pump(self) -> None:
        while not self._pumping.wait(PUMP_INTERVAL):
            self.pump()

    def record(self, path, *, input: str | None = None, backend: str | None = None) -> Recorder:
        """`Session.record`: record what is played (and `input`) to the .mid file `path`."""
        if self.recorder is not None:
            raise ValueError(f"already recording to {self.recorder.path}; stop_record() first")
        self.sender.take_sent()  # what was sent before the take is not part of it
        recorder = Recorder(
            path, self._now(), lambda: list(self._tempo_history) or [(self._now(), self.tempo_map.bpm)],
            beats_per_bar=self.tempo_map.beats_per_bar, track_name=self._track_name,
        )  # fmt: skip
        if input is not None:
            from ..backends import Backend, open_input

            opener = Backend(backend).open_input if backend else open_input

            def heard(msg) -> None:  # when it arrived, stamped by the backend where it can
                stamped = getattr(self._record_input, "arrival_time", None)
                recorder.add_input(time.perf_counter() if stamped is None else stamped, msg)

            self._record_input = opener(input, callback=heard)
        self.recorder = recorder
        self._last_flush = self._now()
        self.add_listener(recorder.add_sent)
        return recorder

    def _track_name(self, number: int) -> str:
        tag = self.clock.tag_name(number)
        return str(tag) if tag is not None else f"tag {number}"

    def stop_record(self) -> str | None:
        """`Session.stop_record`: finish the recording; returns its path (None if nothing was recording)."""
        recorder = self.recorder
        if recorder is None:
            return None
        if self._record_input is not None:
            self._record_input.close()
            self._record_input = None
        self.pump()
        self.remove_listener(recorder.add_sent)
        self.recorder = None
        recorder.close(self._now())
        return str(recorder.path)

    def listen(self, input: str | int | None = None, *, backend: str | None = None, keep: float = 600.0) -> Listener:
        """`Session.listen`: keep what is played on a MIDI input (the last `keep` seconds), for `capture`."""
        from ..backends import Backend, open_input

        if self.listener is not None:
            self.listener.close()
        listener = Listener(lambda t: self.tempo_map.cycle_at(t), self.tempo_map.beats_per_bar, keep=keep)
        opener = Backend(backend).open_input if backend else open_input
        listener.port = opener(input, callback=listener.hear)
        self.listener = listener
        return listener

    def capture(self, bars: int = 4, quantize: Any = None):
        """`Session.capture`: the last `bars` whole bars played on the input given to `listen`, as a loop."""
        if self.listener is None:
            raise ValueError("listen(input) to a MIDI input first, then play, then capture()")
        if not self.tempo_map.running:
            raise ValueError("the transport is stopped: capture takes bars of a running session")
        return self.listener.capture(bars, quantize)

    @property
    def recording(self) -> str | None:
        """The file being recorded to, or None."""
        return None if self.recorder is None else self.recorder.path.name

    def note_code(self, text: str) -> None:
        """`Session.note_code`: mark code the performer ran in the recording, where it takes effect."""
        recorder = self.recorder
        if recorder is None or not text.strip():
            return
        when = self._now()
        if self.tempo_map.running:
            try:
                when = max(when, self.tempo_map.time_at(self._next_boundary()))
            except Exception:
                pass
        recorder.add_code(when, text.strip())

    def close(self) -> None:
        """The hand-out thread stops, a recording is finished, what was sent last is handed out, inputs close."""
        self._pumping.set()
        try:
            self.stop_record()
        finally:
            self.pump()
            if self.listener is not None:
                self.listener.close()
