"""What both real backends need to know about JACK, asked without libjack.

A JACK client whose server died must not be closed (libjack crashes the
process), and a failed libjack connection attempt after a server died leaves
libjack in a state where closing the old clients crashes too. So whether a
server is there is asked through its socket, never through libjack.
(When a JACK output has sent all it was given is asked of libjack, carefully:
`livemidi.backends.jackcycles`.)
"""

from __future__ import annotations

import os
import socket

from ..errors import PortDisconnectedError

__all__ = ["NOT_RUNNING", "server_gone", "server_running", "socket_paths"]

NOT_RUNNING = "JACK: the server is not running (start it with qjackctl, or `jackd -d alsa` / `jackd -d dummy`)"
def server_gone(port: str) -> PortDisconnectedError:
    """The error for a port whose JACK server stopped."""
    return PortDisconnectedError(f"the JACK server stopped; port {port!r} is gone (close it)")


def socket_paths() -> list[str]:
    """Where the default (or ``$JACK_DEFAULT_SERVER``) server listens: JACK 2's and JACK 1's places."""
    server = os.environ.get("JACK_DEFAULT_SERVER", "default")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    paths = []
    for directory in ("/dev/shm", "/tmp"):
        paths.append(f"{directory}/jack_{server}_{uid}_0")  # JACK 2
        paths.append(f"{directory}/jack-{uid}/{server}/jack_0")  # JACK 1
    return paths


def server_running() -> bool | None:
    """True if a JACK server accepts clients, False if not, None if this OS can't tell."""
    if not hasattr(socket, "AF_UNIX"):
        return None
    for path in socket_paths():
        if not os.path.exists(path):
            continue
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.settimeout(1.0)
            probe.connect(path)
            return True
        except OSError:
            continue
        finally:
            probe.close()
    return False
