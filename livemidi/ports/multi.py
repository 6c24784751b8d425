"""Several ports as one: `MultiPort`, `multi_receive`, `multi_iter_pending`, `multi_send`.

Ports are polled in a shuffled order each round so that a busy port cannot
starve the others; all pending messages of a port are taken before the next.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator

from ..messages import Message
from .handwritten import BaseIOPort
from .port import Port, sleep

__all__ = ["MultiPort", "multi_iter_pending", "multi_receive", "multi_send"]


def multi_receive(ports: Iterable[Port], yield_ports: bool = False, block: bool = True) -> Iterator:
    """Yield messages from all the input ports (``(port, message)`` with ``yield_ports=True``).

    With ``block=True`` (the default) this waits for more messages forever,
    or until every port is closed; with ``block=False`` it yields what is
    pending and stops.
    """
    ports = list(ports)
    while True:
        random.shuffle(ports)
        open_ports = 0
        for port in ports:
            if port.closed:
                continue
            open_ports += 1
            for msg in port.iter_pending():
                yield (port, msg) if yield_ports else msg
        if not block or not open_ports:
            return
        sleep()


def multi_iter_pending(ports: Iterable[Port], yield_ports: bool = False) -> Iterator:
    """The pending messages of all the ports: ``multi_receive(ports, yield_ports, block=False)``."""
    return multi_receive(ports, yield_ports=yield_ports, block=False)


def multi_send(ports: Iterable[Port], msg: Message) -> None:
    """Send `msg` on every port."""
    for port in ports:
        port.send(msg)


class MultiPort(BaseIOPort):
    """Many ports as one: ``MultiPort(ports, yield_ports=False)``.

    Sending sends on every open port; receiving takes from every open input
    (as ``(port, message)`` pairs with ``yield_ports=True``). Closing a
    MultiPort closes the ports in it.
    """

    _locking = False  # each port in it locks for itself

    def __init__(self, ports: Iterable[Port], yield_ports: bool = False) -> None:
        super().__init__("multi")
        self.ports = list(ports)
        self.yield_ports = yield_ports

    @property
    def _device_type(self) -> str:
        return "MultiPort"

    def _send(self, msg: Message) -> None:
        for port in list(self.ports):
            if not port.closed and port.is_output:
                port.send(msg)

    def _receive(self, block: bool = True) -> None:
        # Never block here: the port's receive loop sleeps between rounds.
        inputs = [port for port in self.ports if port.is_input]
        self._messages.extend(multi_receive(inputs, yield_ports=self.yield_ports, block=False))
        return None

    def _close(self) -> None:
        for port in self.ports:
            port.close()
