"""Choosing a session's output ports the way the `livemidi` command does.

- ``ports``: existing ports, each by its name or a unique part of it
  (``IAC`` opens ``IAC Driver Bus 1``).
- ``virtual``: ports to create, that other programs (Ableton Live, a synth)
  can read from.
- neither: a virtual port called ``livemidi``, where the system can make one
  (macOS, Linux with ALSA or JACK).
- no MIDI system at all (a headless server, a container): the built-in
  monitor, an output that goes nowhere but whose notes the REPL prints, so
  the performer still hears... well, sees, what plays. It is said plainly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import PortError, PortNotFoundError
from .session import Session

__all__ = ["DEFAULT_VIRTUAL_NAME", "MONITOR_NAME", "open_outputs"]

DEFAULT_VIRTUAL_NAME = "livemidi"
MONITOR_NAME = "monitor"
MONITOR_BACKEND = "livemidi.backends.memory"


def open_outputs(
    session: Session,
    ports: Sequence[str] = (),
    virtual: Sequence[str] = (),
    *,
    backend: str | None = None,
    say: Callable[[str], None] = print,
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
    if ports or virtual:
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
