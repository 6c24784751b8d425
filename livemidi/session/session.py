"""The session: named loops on a clock, what the performer's commands act on.

A `Session` joins the pieces: the timed-sender process that owns the output
ports (`livemidi.clock.Sender`), the lookahead loop and tempo map, and the
loops. Collaborators do the work, and the session speaks for them (it is the
one face the performer sees): `Playback` (playback.py: `source`, which the
lookahead loop asks for each window's events, every audible loop's rendered
and tagged with its name; the toolbar's `status`), `Outputs` (outputs.py: the
output ports, their latency offsets, MIDI clock out), `SessionSync` (sync.py:
Link, MIDI clock in), `Recording` (recording.py: what was sent, handed to the
monitor and the recorder; inputs kept for `capture`), `Voices` (mpe.py: MPE,
microtones), `Mixer` (mixer.py: mute, solo, hush) and `TempoLog`
(tempolog.py: the tempo changes asked for, for rendering and the recorder).

Rules the performer can count on:

- A new pattern takes over at the next bar (the session's `quantize`, or the
  `at=` of `play`), in phase. Before it is accepted it is rendered for the
  next few cycles; if that raises or goes over the session's `budget`
  (events and time per bar, `livemidi.session.budget`), the old pattern
  keeps playing and the error is raised to the performer.
- A pattern that raises later, while it plays, is replaced by the loop's
  last good pattern and the error is reported (`on_notice`); one that goes
  over budget is muted, with a notice. The other loops play on.
- No hanging notes: mute, stop, hush and swaps cancel queued events through
  the sender, whose ledger sends a note-off for every note whose note-off was
  cancelled. `panic` also resets every channel.
- Latency compensation: each output has an offset in milliseconds (negative:
  its events go out that much earlier, like a track delay in Ableton Live),
  set with `offset` at any time; what was already shipped moves at once. A
  session that starts its own sender applies the offsets stored in the user's
  config file (`livemidi.config`, written by ``livemidi calibrate``) to the
  outputs of those names, and says so.

Threads: the performer's commands run in the REPL thread, the source in the
lookahead thread; the session's lock keeps the loops consistent between them.
The lookahead thread holds the clock's lock when it asks the source (and so
takes the session's lock second): a command must never call the clock while it
holds the session's lock, or the two threads wait for each other forever.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..clock import ClockEvent, Lookahead, Position, Sender, TempoMap
from ..clock.tempo import as_cycle
from ..pattern import reify
from .budget import Budget, trial
from .capture import Listener
from .guard import pace_at, refusal
from .inputs import Inputs
from .latency import stored_offsets
from .loops import Loop, Loops
from .mixer import Mixer
from .mpe import Voices
from .outputs import Outputs
from .playback import LoopState, Playback, SessionStatus
from .record import Recorder
from .recording import Recording
from .stalls import StallNotices
from .sync import SessionSync
from .tempolog import ALWAYS, TempoLog

__all__ = ["LoopState", "PatternError", "Session", "SessionStatus", "TRIAL_CYCLES"]

TRIAL_CYCLES = 4  # how far ahead a new pattern is tried before it takes over


class PatternError(ValueError):
    """A new pattern raised when it was tried; the old one plays on. The cause is chained."""


def _default_notice(text: str) -> None:
    print(f"livemidi: {text}", file=sys.stderr)


class Session:
    """``Session(sender=None, *, bpm=120, beats_per_bar=4, quantize='bar', lookahead=0.1, ...)``.

    `sender` is a `livemidi.clock.Sender` (started here when None) or a
    `VirtualSender` for tests and offline work. Add output ports with
    `add_output`, then `start`. `quantize` says where swaps happen: 'bar',
    'beat', 'now', or a number of cycles (2: every other bar). `on_notice(text)`
    receives errors and notices from the background (default: stderr).
    ``threaded=False`` with `now`/`sleep` runs on a virtual clock: call
    ``session.clock.step()``. `offsets` maps output names to latency offsets
    (ms, negative: earlier) applied when outputs of those names are added;
    by default a session that starts its own sender reads them from the
    user's config file, and one given a sender (a `VirtualSender`: tests,
    offline rendering) uses none. `budget` (a `Budget`) is what each loop
    may cost per bar; `session.budget` may be replaced at any time.
    """

    def __init__(
        self,
        sender: Any = None,
        *,
        bpm=120,
        beats_per_bar: int = 4,
        quantize: Any = "bar",
        lookahead: float = 0.1,
        threaded: bool = True,
        now: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] | None = None,
        on_notice: Callable[[str], None] | None = None,
        offsets: dict[str, float] | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.budget = Budget() if budget is None else budget  # what each loop may cost per bar (see `budget`)
        self.on_notice = on_notice or _default_notice
        stored, stored_from = stored_offsets(offsets, sender is None, self.on_notice)  # before a sender starts
        self.quantize = quantize
        self._check_quantize(quantize)
        self.sender = sender if sender is not None else Sender(on_error=self._sender_error)
        self.tempo_map = TempoMap(bpm, beats_per_bar, now=now)
        self.clock = Lookahead(
            self.source, self.sender, self.tempo_map,
            lookahead=lookahead, threaded=threaded, now=now, sleep=sleep, on_error=self._clock_error,
        )  # fmt: skip
        self.loops: dict[str, Loop] = {}
        self.p = Loops(self)
        self._lock = threading.RLock()
        self._now = now
        self.errors = 0
        # The collaborators (see the module's docstring); swaps, hushes... go through _voices (mpe.py).
        self._voices = Voices(self)
        self._mixer = Mixer(self.loops, self._lock, self._voices)  # mute and solo (mixer.py)
        self._solo = self._mixer.soloed
        self._tempo = TempoLog(self.clock, lambda: self.sync)  # what tempo() asked for (tempolog.py)
        # Every tempo change asked for, as (the cycle it takes effect, bpm), in order; and the
        # same in wall time, (perf_counter seconds, bpm), for the recorder.
        self.tempo_log, self.tempo_history = self._tempo.log, self._tempo.history
        self._outputs = Outputs(self.clock, stored, stored_from, self._notice, self._voices.configure)
        self.outputs: list[str] = self._outputs.names  # the output ports' names, in order
        self._sync = SessionSync(self.clock, self._notice)
        self._playback = Playback(self)  # the lookahead loop's source and the toolbar's status (playback.py)
        self._recording = Recording(
            self.clock, now=now, notice=self._notice, tempo_history=self.tempo_history, next_boundary=self.next_boundary
        )
        self.clock.on_tempo = self._tempo.followed
        self.clock.on_stall = StallNotices(self._notice, now)  # a skip is told (stalls.py)
        self.inputs = Inputs(self.clock, self._notice, now=now)  # MIDI inputs that patterns read (knob, held, on_note)
        self.clock.responsive = self.inputs.read_lately  # what they read is heard within the lookahead

    # -- outputs (Outputs' work, outputs.py) -----------------------------------------------

    def add_output(
        self,
        name: str | int | None = None,
        *,
        virtual: bool = False,
        backend: str | None = None,
        offset: float | None = None,
        **options,
    ) -> str:
        """Open an output port in the sender (by name, a unique part of one, or index; or a virtual one).

        Returns the port's name. The first output is the default for loops. `offset` is its latency
        offset in ms (see `offset`); without one, the config file's for that name applies. ``mpe=True``
        (an MPE zone) and ``microtonal_channels=[1, 2]`` place each note on a channel: see mpe.py.
        """
        return self._outputs.add(name, virtual=virtual, backend=backend, offset=offset, **options)

    def offset(self, port: str | int | None = None, ms: float | None = None, *, save: bool = False):
        """An output's latency offset in milliseconds: negative plays it earlier (a track delay).

        ``offset("synth", -12)`` sets it at once (what was already shipped is
        moved too); ``offset("synth")`` reads it; ``offset()`` gives every
        output's. `port` is an output's name, a unique part of it, or its
        index. With ``save=True`` the offset is also stored in the user's
        config file, for the next session that opens a port of that name.
        Raises ValueError for an unknown port (listing the outputs) or an
        offset that is not a number from -1000 to 1000.
        """
        return self._outputs.offset(port, ms, save=save)

    def _port_index(self, port: Any) -> int:
        return self._outputs.index(port)  # (guard, patternfile and the live command use it too)

    # -- time ------------------------------------------------------------------------------

    def position(self) -> Position:
        return self.clock.position()

    def _cycle_now(self) -> Fraction:
        return self.position().cycle

    @staticmethod
    def _check_quantize(quantize: Any) -> None:
        if quantize in ("bar", "beat", "now"):
            return
        if isinstance(quantize, bool) or not isinstance(quantize, (int, Fraction)) or quantize <= 0:
            raise ValueError(
                f"quantize must be 'bar', 'beat', 'now' or a positive number of cycles (int or Fraction), "
                f"got {quantize!r}"
            )

    def next_boundary(self, quantize: Any = None) -> Fraction:
        """The cycle where a change made now takes effect: the next bar (beat, grid line), or now."""
        quantize = self.quantize if quantize is None else quantize
        self._check_quantize(quantize)
        cycle = self._cycle_now()
        if quantize == "now" or not self.tempo_map.running:
            return cycle
        if quantize == "bar":
            grid = Fraction(1)
        elif quantize == "beat":
            grid = Fraction(1, self.tempo_map.beats_per_bar)
        else:
            grid = Fraction(quantize)
        return (math.floor(cycle / grid) + 1) * grid

    def tempo(self, bpm=None, at=None) -> Fraction:
        """Set the tempo now (or at cycle `at`); with no argument, return it. BPM is quarter notes per minute.

        While stopped, a change `at` a cycle waits for the next start.
        """
        if bpm is not None:
            self._tempo.set(bpm, at)
        return self.clock.bpm

    # -- transport -------------------------------------------------------------------------

    def start(self, cycle=0) -> None:
        """Play from `cycle` (default 0)."""
        self._voices.start(cycle)
        self._tempo.started(cycle)  # and the changes asked at= a cycle while stopped

    def stop(self) -> None:
        """Stop the transport; sounding notes end. `resume` goes on from here."""
        self._voices.stop()

    def resume(self) -> None:
        self.clock.resume()
        self._tempo.resumed()

    # -- sync: Ableton Link, MIDI clock in (SessionSync's work, sync.py) and out -------------

    @property
    def sync(self) -> Any:
        """What the clock follows: a `Link` or a `ClockIn` (see `link`, `clock_in`), or None."""
        return self._sync.source

    def follow(self, source: Any, *, owned: bool = False) -> None:
        """Follow a sync source (a `livemidi.clock.Link`, a `ClockIn`...); None: our own tempo again.

        The source followed before is let go, and closed if the session made it.
        """
        self._sync.follow(source, owned=owned)

    def link(self, enabled: bool = True, *, start_stop: bool = True, wait: float = 0.0) -> Any:
        """Join the Ableton Link session (False: leave it); returns the `Link`.

        Tempo and bar phase follow the session's (quantum = beats per bar);
        with `start_stop` (Live's "Start Stop Sync") play and stop are shared
        both ways. `wait`: seconds to wait for the first peer. Needs the
        optional aalink package (``pip install 'livemidi[link]'``).
        """
        return self._sync.link(enabled, start_stop=start_stop, wait=wait)

    def clock_in(self, port: Any, *, virtual: bool = False, backend: str | None = None, latency: float = 0.0) -> Any:
        """Follow the MIDI clock arriving on input `port` (None: stop following); returns the `ClockIn`.

        The master's tempo (smoothed), Start/Stop/Continue and Song Position
        Pointer drive the session; `tempo`, `start` and `stop` then belong to
        the master. `virtual`: create an input called `port` for the master
        to send to. `latency`: milliseconds the clock arrives late (a cable,
        a driver), taken off.
        """
        return self._sync.clock_in(port, virtual=virtual, backend=backend, latency=latency)

    def clock_out(self, *ports: Any) -> list[str]:
        """Send MIDI clock (and Start/Stop/Song Position) to these outputs; none: stop sending it.

        The clock follows whatever the session follows (its own tempo, Link
        or an incoming clock): a bridge for gear that only speaks MIDI clock.
        Returns the outputs that get the clock.
        """
        return self._outputs.clock_out(*ports)

    # -- loops -----------------------------------------------------------------------------

    def play(self, name: str, pattern: Any, *, at: Any = None, channel: int | None = None, port: Any = None) -> Loop:
        """Play `pattern` on loop `name` from the next boundary (`at`: a quantize value, default the session's).

        `channel`/`port` set the loop's defaults (used where the pattern has
        none). The pattern is tried first; if it raises, PatternError is raised
        and nothing changes.
        """
        pattern, start, new_channel, new_port = self.check_pattern(name, pattern, at=at, channel=channel, port=port)
        with self._lock:
            loop = self.loops.get(name) or Loop(name)
            loop.channel, loop.port = new_channel, new_port
            loop.set(pattern, start if self.tempo_map.running else ALWAYS)
            self.loops[name] = loop
        self._voices.requery(start, tag=name)
        return loop

    def check_pattern(self, name: str, pattern: Any, *, at: Any = None, channel: int | None = None, port: Any = None):
        """Try `pattern` as loop `name` would play it; returns (pattern, start cycle, channel, port).

        Raises PatternError (the cause chained) if rendering the next
        `TRIAL_CYCLES` cycles from its start raises, ValueError for a bad name,
        channel or quantize value. Changes nothing.
        """
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"a loop name must be a Python identifier like 'bass', got {name!r}")
        pattern = reify(pattern)
        start = self.next_boundary(at)  # asks the clock: not under the session's lock
        loop = self.loops.get(name)
        new_channel = (loop.channel if loop else 0) if channel is None else channel
        new_port = (loop.port if loop else 0) if port is None else port
        if not isinstance(new_channel, int) or isinstance(new_channel, bool) or not 0 <= new_channel <= 15:
            raise ValueError(f"channel must be an int 0..15, got {new_channel!r}")
        pace = pace_at(self.tempo_map, start)  # the tempo the budget is reckoned at
        try:
            for item in trial(self.budget, pattern, start, TRIAL_CYCLES, new_channel, new_port, pace):
                self._voices.check(item, self._port_index(item.port))
        except Exception as error:
            raise PatternError(refusal(name, error, loop is not None)) from error
        return pattern, start, new_channel, new_port

    def stop_loop(self, name: str, at: Any = None) -> None:
        """Stop loop `name` at the next boundary; its sounding notes end with their note-offs."""
        start = self.next_boundary(at)
        with self._lock:
            loop = self._loop(name)
            if not self.tempo_map.running:
                del self.loops[name]
                return
            loop.set(None, start)
        self._voices.requery(start, tag=name)

    def end_at(self, cycle) -> None:
        """Every loop stops at `cycle` (as if `stop_loop` was asked for there); for ``run --bars``."""
        cycle = as_cycle(cycle)
        with self._lock:
            for loop in self.loops.values():
                loop.set(None, cycle)
        self._voices.requery(cycle)

    def _loop(self, name: str) -> Loop:
        return self._mixer.loop(name)

    # -- mute, solo, hush (the Mixer's work, mixer.py) ---------------------------------------

    def mute(self, *names: str) -> None:
        """Silence loops now, sounding notes included; `unmute` brings them back in phase."""
        self._mixer.mute(names)

    def unmute(self, *names: str) -> None:
        self._mixer.unmute(names)

    def solo(self, *names: str) -> None:
        """From now only these loops (and others soloed before) sound."""
        self._mixer.solo(names)

    def unsolo(self, *names: str) -> None:
        """Take loops out of solo (all of them, with no names)."""
        self._mixer.unsolo(names)

    def hush(self) -> None:
        """Stop every loop now; sounding notes end."""
        self._mixer.hush()

    def panic(self) -> None:
        """Hush, then note-off for every note on every channel, sustain off, pitch bend centred."""
        self.hush()
        self._voices.panic()

    # -- what the lookahead loop and the toolbar ask (Playback's work, playback.py) ----------

    def audible(self, loop: Loop) -> bool:
        return self._mixer.audible(loop)

    def source(self, begin: Fraction, end: Fraction) -> list[ClockEvent]:
        """The events of every audible loop with onsets in ``[begin, end)``, tagged with the loop's name."""
        return self._playback.source(begin, end)

    def status(self) -> SessionStatus:
        """Everything a toolbar shows, in one consistent read."""
        return self._playback.status()

    # -- reports ---------------------------------------------------------------------------

    def _notice(self, text: str) -> None:
        self.on_notice(text)  # looked up at each notice: the REPL sets on_notice after the session is made

    def _clock_error(self, error: BaseException, where: str) -> None:
        self.errors += 1
        self.on_notice(f"{where}: {type(error).__name__}: {error}")

    def _sender_error(self, text: str) -> None:
        self.errors += 1
        self.on_notice(f"sender: {text}")

    # -- what was sent: the monitor and the recorder; capture (Recording's work, recording.py) --

    def add_listener(self, listener: Callable[[list], None]) -> None:
        """Call `listener(sent_records)` with what the sender sent, about every 20 ms (from a thread)."""
        self._recording.add_listener(listener)

    def remove_listener(self, listener: Callable[[list], None]) -> None:
        self._recording.remove_listener(listener)

    def pump(self) -> None:
        """Hand what the sender sent to the listeners now; flush a recording once a second."""
        self._recording.pump()

    def record(self, path, *, input: str | None = None, backend: str | None = None) -> Recorder:
        """Record what is played to the .mid file `path`, written anew at least once a second.

        `input` also records a MIDI input port (a keyboard played along) on a
        track of its own. `stop_record` finishes the file.
        """
        return self._recording.record(path, input=input, backend=backend)

    def stop_record(self) -> str | None:
        """Finish the recording; returns its path (None if nothing was recording)."""
        return self._recording.stop_record()

    def listen(self, input: str | int | None = None, *, backend: str | None = None, keep: float = 600.0) -> Listener:
        """Keep what is played on a MIDI input (the last `keep` seconds), for `capture`."""
        return self._recording.listen(input, backend=backend, keep=keep)

    def capture(self, bars: int = 4, quantize: Any = None):
        """The last `bars` whole bars played on the input given to `listen`, as a looping pattern."""
        return self._recording.capture(bars, quantize)

    @property
    def recorder(self) -> Recorder | None:
        """The `Recorder` of the recording under way, or None."""
        return self._recording.recorder

    @property
    def listener(self) -> Listener | None:
        """The `Listener` that `listen` made (what `capture` takes bars from), or None."""
        return self._recording.listener

    @property
    def recording(self) -> str | None:
        """The file being recorded to, or None."""
        return self._recording.recording

    def note_code(self, text: str) -> None:
        """Mark code the performer ran in the recording, at the bar where it takes effect."""
        self._recording.note_code(text)

    def close(self) -> None:
        """Stop the clock and the sender (every sounding note ends), then finish a recording."""
        try:
            self.clock.close()
        finally:
            try:
                self.follow(None)
            except Exception as error:
                self.on_notice(f"leaving {getattr(self.sync, 'name', 'sync')}: {error}")
            try:
                self.sender.shutdown()
            finally:
                self.inputs.close()
                self._recording.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
