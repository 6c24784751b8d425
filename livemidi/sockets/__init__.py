"""MIDI over TCP (mido's ``mido.sockets``): `PortServer`, `connect`, `SocketPort`, `parse_address`.

The wire format is plain MIDI bytes, as in mido, so livemidi and mido
servers and clients talk to each other. A server is an I/O port: what it
sends goes to every connected client, what any client sends comes out of
its ``receive()``/iteration. Clients are accepted whenever the server is
used (receive, poll, send), so none misses a message sent after it connected.

A server must survive whatever clients do, so it bounds everything it keeps
for one, and everything one may do (`server`, `guard`): its place (a per
address cap, and an idle client gives way to a newcomer), its rate, the size
of a sysex, what it leaves unread; and when a client goes, its notes end.
Garbage bytes and half messages are skipped by the MIDI parser.

The server binds 127.0.0.1 unless given another host, and warns when bound
to anything else: MIDI from the network plays notes on your synths, so
opening to other machines is a choice to make.

Modules: `address` (host:port strings; what an address is open to),
`client` (`SocketPort`), `server` (`PortServer`), `guard` (what the server
keeps per client).
"""

from __future__ import annotations

from .address import format_address, parse_address
from .client import CONNECT_TIMEOUT, DEFAULT_HOST, MAX_BUFFER, MAX_SYSEX_SIZE, READ_CHUNK, SocketPort, connect
from .server import BACKLOG, IDLE_TIMEOUT, KEEPALIVE, MAX_CLIENTS, MAX_PER_ADDRESS, MAX_RATE, PortServer

__all__ = ["PortServer", "SocketPort", "connect", "format_address", "parse_address"]
