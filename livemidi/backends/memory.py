"""In-memory ports: a loopback MIDI system inside one process.

For tests, examples and machines with no MIDI system. A virtual port
creates a *bus* with its name; every port on a bus gets what any output on
it sends, at once, in the sender's thread (so a callback runs there)::

    out = open_output('loop', virtual=True)   # listed by get_input_names()
    inp = open_input('loop')                  # receives what `out` sends

A virtual input is listed by `get_output_names` the same way. A port
opened by name on a bus whose virtual ports have all closed raises
`PortDisconnectedError`, like a real port whose device was unplugged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..errors import PortDisconnectedError, PortError
from .names import match_port

__all__ = ["get_devices", "open_device"]

_lock = threading.Lock()
_buses: dict[str, _Bus] = {}


class _Bus:
    """The ports that share one name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.devices: list[MemoryDevice] = []

    def owners(self, kind: str) -> list[MemoryDevice]:
        return [device for device in self.devices if device.virtual and device.kind == kind]


class MemoryDevice:
    """One end of a bus: an input (gets what outputs send) or an output."""

    device_type = "memory"

    def __init__(self, bus: _Bus, kind: str, virtual: bool) -> None:
        self.bus = bus
        self.name = bus.name
        self.kind = kind
        self.virtual = virtual
        self.is_input = kind == "input"
        self.is_output = kind == "output"
        self._sink: Callable | None = None
        self._closed = False

    def connect(self, sink: Callable) -> None:
        self._sink = sink

    def write(self, data: bytes) -> None:
        with _lock:
            sinks = [device._sink for device in self.bus.devices if device.is_input and device._sink is not None]
        for sink in sinks:  # outside the lock: a callback may send again
            sink(data)

    def check(self) -> None:
        if self.virtual:
            return
        with _lock:
            owners = [device for device in self.bus.devices if device.virtual]
        if not owners:
            raise PortDisconnectedError(f"the memory port {self.name!r} was closed by the program that made it")

    def close(self) -> None:
        with _lock:
            if self._closed:
                return
            self._closed = True
            self.bus.devices.remove(self)
            if not self.bus.devices and _buses.get(self.name) is self.bus:
                del _buses[self.name]


def get_devices(api: str | None = None, **kwargs) -> list[dict]:
    """The named ports: a virtual output is an input to open, a virtual input an output."""
    with _lock:
        return [
            {"name": bus.name, "is_input": bool(bus.owners("output")), "is_output": bool(bus.owners("input"))}
            for bus in _buses.values()
            if bus.owners("output") or bus.owners("input")
        ]


def open_device(kind: str, name: str | int | None, *, virtual: bool = False, api: str | None = None, **kwargs):
    """Open one end of a memory bus; `kind` is 'input' or 'output'."""
    if kind not in ("input", "output"):
        raise ValueError(f"kind must be 'input' or 'output', got {kind!r}")
    if kwargs:
        raise TypeError(f"the memory backend takes no options, got {', '.join(sorted(kwargs))}")
    if virtual:
        if not isinstance(name, str) or not name:
            raise PortError("a virtual port needs a name, as in open_output('loop', virtual=True)")
        with _lock:
            bus = _buses.setdefault(name, _Bus(name))
            device = MemoryDevice(bus, kind, virtual=True)
            bus.devices.append(device)
        return device
    other = "output" if kind == "input" else "input"
    with _lock:
        names = [bus.name for bus in _buses.values() if bus.owners(other)]
    chosen = names[match_port(name, names, kind)]
    with _lock:
        bus = _buses.get(chosen)
        if bus is None or not bus.owners(other):
            raise PortDisconnectedError(f"the memory port {chosen!r} closed while it was being opened")
        device = MemoryDevice(bus, kind, virtual=False)
        bus.devices.append(device)
    return device
