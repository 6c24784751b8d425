"""A session's MIDI inputs as patterns read them: ports opened, their messages kept in `InputState`s.

`Inputs` is a collaborator a `Session` holds (``session.inputs``). Each
input it opens (an existing port by name, a unique part of one or an index;
or a virtual port it creates, that a controller or another program sends to)
feeds one `livemidi.pattern.InputState` from the port's callback thread:

- control change: the controller's latest value (`knob`);
- note on / note off (and note-on velocity 0): the notes held (`held`,
  `held_root`), and a note-on is a trigger for `on_note`, placed at the first
  cycle the clock has not rendered yet (so nothing of the pattern is lost:
  it starts within one lookahead of the key), or later if `on_note` asks for
  a grid.

The first input opened is the default, what ``knob(21)`` reads. With no
input at all, ``knob(21)`` raises at once and says how to open one (never a
silent knob at zero); a named input that is not open yet is opened when a
pattern first names it (``knob(21, "nanoKONTROL")``).

A port that disappears (a controller unplugged, a program quit) is noticed
within `WATCH_INTERVAL` seconds: the performer is told once, knobs and the
bass key keep their last values, held notes are let go (nothing is held on
a keyboard that is gone), and the input is opened again when the port comes
back.

`input_functions(session)` gives the performer's `knob`, `held`,
`held_root`, `on_note` (which take a port's name, or nothing for the
default input) and `add_input`: the REPL's, the pattern files' and the
editor server's namespace (`namespace.py`).

Misuse: the callback runs in the backend's thread and must stay quick: it
only updates the state under its lock. `Inputs.close` closes every port;
the states keep their values for patterns still playing.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from ..clock import Lookahead
from ..errors import PortNotFoundError
from ..pattern import played
from ..pattern.played import InputState

__all__ = ["Inputs", "WATCH_INTERVAL", "input_functions", "open_inputs"]

WATCH_INTERVAL = 2.0  # seconds between looks at whether an opened port is still there
LIVE_FOR = 2.0  # seconds after the last read that the toolbar still shows an input as read by patterns

_NO_INPUT = (
    "there is no MIDI input to read: start livemidi with --input NAME (an existing port, or a unique part of its "
    "name) or --virtual-input NAME (a port livemidi creates), or call add_input('NAME') first"
)


class _Opened:
    """One input: its port, its state, and how to open it again."""

    __slots__ = ("asked", "backend", "gone", "port", "state", "virtual")

    def __init__(self, asked: Any, port: Any, state: InputState, virtual: bool, backend: str | None) -> None:
        self.asked, self.port, self.state, self.virtual, self.backend = asked, port, state, virtual, backend
        self.gone = False


class Inputs:
    """``Inputs(clock, notice, now=time.perf_counter)``: the inputs of the session whose `Lookahead` is `clock`.

    `notice(text)` reports; `now` is the session's clock (a note's arrival
    is stamped by the port where the session runs on real time).
    """

    def __init__(self, clock: Lookahead, notice: Callable[[str], None], *,
                 now: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self._now = now
        self._notice = notice
        self._opened: dict[str, _Opened] = {}  # port name -> input, in the order opened (the first: the default)
        self._lock = threading.Lock()
        self._watching = threading.Event()
        self._watcher: threading.Thread | None = None
        self._reads: dict[str, tuple[int, float]] = {}  # port name -> (reads seen, when they last changed)

    @property
    def names(self) -> list[str]:
        """The inputs' port names, the default first."""
        return list(self._opened)

    def add(self, name: str | int | None = None, *, virtual: bool = False, backend: str | None = None) -> InputState:
        """Open an input (an existing port by name, unique part or index; or ``virtual=True``: create one).

        Returns its `InputState`. The first input added is the default one.
        Raises PortNotFoundError (listing the inputs there are) for a name
        that matches no port. Adding a port already open returns its state.
        """
        with self._lock:
            for key, opened in self._opened.items():
                if name is not None and name in (key, opened.asked):
                    return opened.state
            port, state = self._open(name, virtual, backend)
            self._opened[port.name] = _Opened(name, port, state, virtual, backend)
        if not virtual:
            self._watch()
        return state

    def _open(self, name: Any, virtual: bool, backend: str | None, state: InputState | None = None):
        from ..backends import Backend, current_backend

        opener = Backend(backend) if backend else current_backend()
        box: list = []
        state = InputState(str(name)) if state is None else state
        port = opener.open_input(name, virtual=virtual, callback=lambda message: self._hear(state, box, message))
        box.append(port)
        state.name = port.name
        return port, state

    def state(self, input: Any, function: str = "knob") -> InputState:
        """The state a pattern reads for `input`: None is the default input; a name not open yet is opened."""
        if isinstance(input, InputState):
            return input
        if input is None:
            with self._lock:
                first = next(iter(self._opened.values()), None)
            if first is None:
                raise ValueError(f"{function}(): {_NO_INPUT}")
            return first.state
        if isinstance(input, bool) or not isinstance(input, (str, int)):
            raise TypeError(f"{function}(): expected an input port's name (or nothing: the default input), "
                            f"found {type(input).__name__} {input!r}")
        with self._lock:
            exact = [opened for key, opened in self._opened.items() if input in (key, opened.asked)]
            part = [key for key in self._opened if isinstance(input, str) and input and input in key]
            if exact or len(part) == 1:
                return exact[0].state if exact else self._opened[part[0]].state
        if len(part) > 1:
            raise ValueError(f"{function}(): {input!r} is part of the names of several inputs ({', '.join(part)}); "
                             f"expected a name that picks one")
        try:
            return self.add(input)
        except PortNotFoundError as error:
            raise PortNotFoundError(f"{function}(): {error}") from error

    # -- the port's thread ---------------------------------------------------------------

    def _hear(self, state: InputState, box: list, message: Any) -> None:
        kind = message.type
        if kind == "control_change":
            state.control(message.channel, message.control, message.value)
        elif kind == "note_on" and message.velocity:
            state.note_on(message.channel, message.note, message.velocity)
            # Under the lookahead's lock: a window rendered between reading where rendering has
            # reached and recording the trigger would have started the pattern in the past.
            self.clock.unrendered(lambda rendered: self._trigger(state, rendered, box[0] if box else None, message))
        elif kind in ("note_on", "note_off"):
            state.note_off(message.channel, message.note)

    def _trigger(self, state: InputState, rendered: Fraction | None, port: Any, message: Any) -> None:
        """Start `on_note` patterns for a note that arrived now, at the first cycle not rendered yet."""
        tempo = self.clock.tempo
        if not tempo.running:
            return  # a stopped transport has nowhere to put it
        # A port stamps arrivals on time.perf_counter: on another clock (a virtual one, in tests) ask that clock.
        arrived = getattr(port, "arrival_time", None) if self._now is time.perf_counter else None
        cycle = tempo.cycle_at(self._now() if arrived is None else arrived)
        state.trigger(cycle if rendered is None else max(cycle, rendered), message.channel, message.note)

    # -- a port that disappears ----------------------------------------------------------

    def _watch(self) -> None:
        if self._watcher is None and self.clock.threaded:
            self._watcher = threading.Thread(target=self._run_watch, name="livemidi inputs", daemon=True)
            self._watcher.start()

    def _run_watch(self) -> None:
        while not self._watching.wait(WATCH_INTERVAL):
            try:
                self.check()
            except Exception as error:  # the watch must never die: say so, and look again later
                self._notice(f"inputs: {type(error).__name__}: {error}")

    def check(self) -> None:
        """Look whether each input's port is still there; say once when one goes, open it again when it is back."""
        from ..backends import Backend, current_backend

        with self._lock:
            watched = [(key, opened) for key, opened in self._opened.items() if not opened.virtual]
        for key, opened in watched:
            backend = Backend(opened.backend) if opened.backend else current_backend()
            present = key in backend.get_input_names()
            if not present and not opened.gone:
                opened.gone = True
                opened.state.release_all()
                self._notice(f"input {key!r} is gone: knobs keep their last values, held notes are let go; "
                             f"livemidi opens it again when it comes back")
            elif present and opened.gone:
                try:
                    old = opened.port
                    opened.port, _ = self._open(key, False, opened.backend, opened.state)
                    old.close()
                except Exception as error:
                    self._notice(f"input {key!r} is back but could not be opened: {error}")
                    continue
                opened.gone = False
                self._notice(f"input {key!r} is back")

    # -- what the toolbar shows ------------------------------------------------------------

    def live(self, now: float | None = None) -> list[str]:
        """The inputs that patterns read lately (within `LIVE_FOR` seconds); never waits for a lock.

        (The lookahead thread asks too, through `read_lately`, and `add` holds
        the lock while a port opens. A copy of the dict is whole under the GIL.)
        """
        now = time.monotonic() if now is None else now
        live = []
        for key, item in list(self._opened.items()):
            reads = item.state.reads
            seen, when = self._reads.get(key, (0, -LIVE_FOR))
            if reads != seen:
                seen, when = reads, now
                self._reads[key] = (seen, when)
            if now - when < LIVE_FOR:
                live.append(key)
        return live

    def read_lately(self) -> bool:
        """True if patterns read an input in the last `LIVE_FOR` seconds: the toolbar's `live`, as a yes or no.

        The lookahead thread asks at every step (`Lookahead.responsive`): while
        patterns read an input, it ships no further than its lookahead, so that a
        knob turned or a key struck is heard within it.
        """
        return bool(self.live())

    def describe(self) -> str:
        """``in Keyboard ≤100 ms`` while patterns read an input (the latency is the lookahead); '' otherwise."""
        live = self.live()
        if not live:
            return ""
        with self._lock:
            gone = {key for key, opened in self._opened.items() if opened.gone}
        names = ", ".join(key + (" (gone)" if key in gone else "") for key in live)
        return f"in {names} ≤{self.clock.lookahead * 1000:g} ms"

    def close(self) -> None:
        """Close every input (their states keep what they had)."""
        self._watching.set()
        with self._lock:
            opened, self._opened = list(self._opened.values()), {}
        for item in opened:
            try:
                item.port.close()
            except Exception as error:
                self._notice(f"closing input {item.state.name!r}: {error}")


def open_inputs(session: Any, inputs: list[str], virtual: list[str], *, backend: str | None = None) -> list[str]:
    """``--input`` and ``--virtual-input``: open them (the first is the default); returns their names."""
    for name in inputs:
        session.inputs.add(name, backend=backend)
    for name in virtual:
        session.inputs.add(name, virtual=True, backend=backend)
    return session.inputs.names


def input_functions(session: Any) -> dict[str, Any]:
    """The performer's `knob`, `held`, `held_root`, `on_note` and `add_input`, reading `session`'s inputs."""
    inputs: Inputs = session.inputs

    @functools.wraps(played.knob)
    def knob(cc: int, input: Any = None, channel: int | None = None, range: Any = (0, 1)):
        return played.knob(cc, inputs.state(input, "knob"), channel, range)

    @functools.wraps(played.held)
    def held(input: Any = None, channel: int | None = None):
        return played.held(inputs.state(input, "held"), channel)

    @functools.wraps(played.held_root)
    def held_root(input: Any = None, channel: int | None = None, *, base: Any = "c"):
        return played.held_root(inputs.state(input, "held_root"), channel, base=base)

    @functools.wraps(played.on_note)
    def on_note(*args: Any, **options: Any):
        if len(args) == 2:
            args = (inputs.state(args[0], "on_note"), args[1])
        elif len(args) == 1:
            args = (inputs.state(None, "on_note"), args[0])
        return played.on_note(*args, **options)

    def add_input(name: str | int | None = None, *, virtual: bool = False, backend: str | None = None) -> str:
        """Open a MIDI input for knob(), held() and on_note() (the first one is their default); returns its name."""
        state = inputs.add(name, virtual=virtual, backend=backend)
        return state.name

    return {"knob": knob, "held": held, "held_root": held_root, "on_note": on_note, "add_input": add_input}
