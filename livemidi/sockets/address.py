"""Addresses for MIDI over TCP: ``'host:port'`` strings, and what a bound address is open to.

`exposure` is the one place that decides whether a server may be reached
from other machines; `PortServer` asks it about the address the socket was
really bound to (after name lookup), so ``localhost`` counts as loopback and
``0.0.0.0`` as every interface. Asked about a name instead of an address it
cannot tell, and says so: resolve first.
"""

from __future__ import annotations

import ipaddress

__all__ = ["exposure", "format_address", "parse_address"]


def parse_address(address: str) -> tuple[str, int]:
    """``'host:port'`` -> ``(host, port)``; ValueError if it is not exactly that with a port 1..65535."""
    if not isinstance(address, str):
        raise TypeError(f"address must be a str like 'localhost:8080', got {type(address).__name__}")
    words = address.split(":")
    if len(words) != 2:
        raise ValueError(f"address must contain exactly one colon, as in 'localhost:8080', got {address!r}")
    host, port = words
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"port number must be an integer, got {port!r}") from None
    if not 0 < number < 2**16:
        raise ValueError(f"port number out of range: expected 1..65535, got {number}")
    return host, number


def format_address(host: str, portno: int) -> str:
    """``('localhost', 8080)`` -> ``'localhost:8080'``."""
    return f"{host}:{portno:d}"


def exposure(bound: str) -> str | None:
    """Who can reach a server bound to the IP address `bound`: None for this machine only.

    Otherwise a phrase for a warning: ``'every network interface'`` for
    0.0.0.0 and ::, ``'the network at 192.168.1.5'`` for one interface.
    ValueError if `bound` is not an IP address (a host name: bind, then ask
    about ``socket.getsockname()[0]``).
    """
    try:
        ip = ipaddress.ip_address(bound.split("%", 1)[0])  # an IPv6 zone (fe80::1%eth0) is not part of the address
    except ValueError:
        raise ValueError(f"expected the IP address a socket is bound to, such as '127.0.0.1', got {bound!r}") from None
    mapped = getattr(ip, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is loopback too
    if ip.is_loopback or (mapped is not None and mapped.is_loopback):
        return None
    if ip.is_unspecified:
        return "every network interface"
    return f"the network at {bound}"
