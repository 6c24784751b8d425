"""A session's output ports: the list, finding one by name, each one's latency offset, MIDI clock out;
and choosing them the way the `livemidi` command does.

`Outputs` is a collaborator a `Session` holds: the session's `add_output`,
`offset`, `clock_out` and `_port_index` are its (the performer's
documentation is on the session's methods). It opens each output in the
sender, keeps their names in order (the first is the loops' default), gives
each a latency offset (given, or stored for that port name in the user's
config file) and hands it to the clock as a latency of the opposite sign.

`open_outputs(session, ports, virtual)` chooses the outputs as the command
does:

- ``ports``: existing ports, each by its name or a unique part of it
  (``IAC`` opens ``IAC Driver Bus 1``).
- ``virtual``: ports to create, that other programs (Ableton Live, a synth)
  can read from.
- ``modes``: existing ports opened with options, as ``(name, {"mpe": True})``
  (``--mpe``) or ``(name, {"microtonal_channels": [1, 2]})`` (``--microtonal``).
- neither: a virtual port called ``livemidi``, where the system can make one
  (macOS, Linux with ALSA or JACK).
- no MIDI system at all (a headless server, a container): the built-in
  monitor, an output that goes nowhere but whose notes the REPL prints, so
  the performer still hears... well, sees, what plays. It is said plainly.

Misuse: an offset is set with the output lock taken first and the clock's
second; the lookahead thread never takes the first, so no command may hold
the clock's lock while it sets an offset.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..clock import Lookahead, MidiClockOut
from ..config import check_offset, save_offset
from ..errors import PortError, PortNotFoundError
from .latency import describe_offset
from .mpe import PortMode, port_mode

if TYPE_CHECKING:  # type hints only (session.py imports this module): never run, so no cycle
    from .session import Session

__all__ = ["DEFAULT_VIRTUAL_NAME", "MONITOR_NAME", "Outputs", "open_outputs"]

DEFAULT_VIRTUAL_NAME = "livemidi"
MONITOR_NAME = "monitor"
MONITOR_BACKEND = "livemidi.backends.memory"


class Outputs:
    """``Outputs(clock, stored, stored_from, notice)``: the outputs of the session whose `Lookahead` is `clock`.

    `stored` maps port names to the offsets (ms) that outputs of those names
    get when none is given; `stored_from` says where they come from, for the
    notice `notice(text)` that says an output got one.
    """

    def __init__(
        self, clock: Lookahead, stored: dict[str, float], stored_from: str, notice: Callable[[str], None],
        on_mode: Callable[[int, PortMode, str], None] | None = None,
    ) -> None:
        self.clock = clock
        self._on_mode = on_mode  # told of an MPE or microtonal output once it is open (mpe.py)
        self.sender = clock.sender
        self.names: list[str] = []  # the session's `outputs`
        self._stored_offsets, self._offsets_from = stored, stored_from
        self._notice = notice
        self.offsets: dict[int, float] = {}  # output index -> offset in ms, where not 0
        # Keeps the clock's latency and `offsets` in step when two threads set one output's offset.
        # Taken before the clock's lock, never after it: the lookahead thread never takes it.
        self._offset_lock = threading.Lock()

    def add(self, name: str | int | None = None, *, virtual: bool = False, backend: str | None = None,
            offset: float | None = None, **options) -> str:
        """`Session.add_output`: open an output port in the sender; returns its name."""
        if offset is not None:
            offset = check_offset(offset)  # before the port opens: a bad value changes nothing
        mode = port_mode(options)  # mpe=..., microtonal_channels=...: checked before it opens too
        index = self.sender.open_port(name, virtual=virtual, backend=backend, **options)
        opened = self.sender.ports[index]
        self.names.append(opened)
        if mode is not None and self._on_mode is not None:
            self._on_mode(index, mode, opened)
        if offset is None:
            for known in (opened, name):
                if isinstance(known, str) and known in self._stored_offsets:
                    offset = self._stored_offsets[known]
                    self._notice(f"output {opened!r} plays {describe_offset(offset)} ({self._offsets_from})")
                    break
        if offset:
            self.offset(len(self.names) - 1, offset)
        return opened

    def offset(self, port: str | int | None = None, ms: float | None = None, *, save: bool = False):
        """`Session.offset`: an output's latency offset in ms (set it with `ms`); all of them with no `port`."""
        if port is None:
            if ms is not None or save:
                raise ValueError(f"name the output: offset(port, ms); the outputs are {self.names}")
            return {name: self.offsets.get(index, 0.0) for index, name in enumerate(self.names)}
        index = self.index(port)
        if ms is not None:
            ms = check_offset(ms)
            # Not under the session's lock: the clock takes its own (see the session's docstring).
            with self._offset_lock:
                self.clock.set_latency(index, -ms)  # the clock's latency: how much earlier to send
                if ms:
                    self.offsets[index] = ms
                else:
                    self.offsets.pop(index, None)
        current = self.offsets.get(index, 0.0)
        if save:
            save_offset(self.names[index], current or None)
        return current

    def index(self, port: Any) -> int:
        """The index of output `port`: an index, a name, or a unique part of one (case aside)."""
        if isinstance(port, bool) or not isinstance(port, (int, str)):
            raise TypeError(f"a port is an output's index or name, found {port!r}")
        if not self.names:
            raise ValueError("the session has no output port (add one with add_output)")
        if isinstance(port, int):
            if not 0 <= port < len(self.names):
                raise ValueError(f"no output {port}: the outputs are {self.names}")
            return port
        matches = [index for index, name in enumerate(self.names) if name == port]
        if not matches:
            matches = [index for index, name in enumerate(self.names) if port.lower() in name.lower()]
        if len(matches) != 1:
            which = "no output matches" if not matches else "several outputs match"
            raise ValueError(f"{which} port {port!r}: the outputs are {self.names}")
        return matches[0]

    def clock_out(self, *ports: Any) -> list[str]:
        """`Session.clock_out`: send MIDI clock to these outputs (none: stop); returns their names."""
        indices = []
        for port in ports:
            if isinstance(port, str) and not any(port.lower() in name.lower() for name in self.names):
                self.add(port)  # another existing port, just for the clock
            index = self.index(port)
            if index not in indices:
                indices.append(index)
        self.clock.set_midi_clock(MidiClockOut(indices) if indices else None)
        return [self.names[index] for index in indices]

    def clock_out_names(self) -> tuple[str, ...]:
        """The outputs that get MIDI clock now."""
        midi_clock = self.clock.midi_clock
        return tuple(self.names[port] for port in midi_clock.ports) if midi_clock is not None else ()


def open_outputs(
    session: Session,
    ports: Sequence[str] = (),
    virtual: Sequence[str] = (),
    *,
    backend: str | None = None,
    say: Callable[[str], None] = print,
    modes: Sequence[tuple[str, dict]] = (),
) -> bool:
    """Open the outputs in `session`; returns True when it fell back to the monitor.

    Raises PortNotFoundError (listing the ports there are) for a named port
    that does not exist, and PortError when a port asked for by name or a
    virtual one asked for explicitly cannot be opened.
    """
    for name in ports:
        session.add_output(name, backend=backend)
    for name in virtual:
        session.add_output(name, virtual=True, backend=backend)
    for name, options in modes:  # existing ports as MPE or microtonal outputs (--mpe, --microtonal)
        session.add_output(name, backend=backend, **options)
    if ports or virtual or modes:
        return False
    try:
        session.add_output(DEFAULT_VIRTUAL_NAME, virtual=True, backend=backend)
        say(f"Playing on the virtual port {DEFAULT_VIRTUAL_NAME!r}: choose it as the MIDI input of your DAW or synth.")
        return False
    except PortNotFoundError:
        raise
    except PortError as error:
        session.add_output(MONITOR_NAME, virtual=True, backend=MONITOR_BACKEND)
        say(
            "No MIDI system was found on this machine, so nothing can reach a synth "
            f"({error}). Playing into the built-in monitor instead: the notes are printed here."
        )
        return True
