"""mido's classes for writing a port by hand: `BasePort`, `BaseInput`, `BaseOutput`, `BaseIOPort`.

They keep the subclassing API of mido's "Writing a New Port" (``_open``,
``_close``, ``_send``, ``_receive``, ``_messages``, ``_parser``): a subclass
is its own device, through a small adapter (`_Hooks`), wrapped by the one
`Port` like every backend's device. ``isinstance(port, BaseOutput)`` is true
for every port that can send, whichever backend made it, as in mido. `IOPort`
joins an input and an output; `EchoPort` receives what is sent to it.

Misuse: ``_receive`` runs with the port's lock held (unless the class sets
``_locking = False``, as `IOPort` does so that a blocking receive does not
hold up sends): it must not wait on another thread that sends on this port.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..messages import Message
from .port import Port

__all__ = ["BaseIOPort", "BaseInput", "BaseOutput", "BasePort", "EchoPort", "IOPort"]


class _Hooks:
    """Adapts a hand-written port (its ``_send``/``_receive``/``_close``) to the device interface."""

    def __init__(self, port: BasePort) -> None:
        self._port = port

    @property
    def name(self):
        return self._port.name

    @property
    def device_type(self) -> str:
        return type(self._port).__name__

    @property
    def is_input(self) -> bool:
        return type(self._port).is_input

    @property
    def is_output(self) -> bool:
        return type(self._port).is_output

    def connect(self, sink) -> None:
        pass  # hand-written ports put messages in _messages or return them from _receive

    def write_message(self, msg: Message) -> None:
        self._port._send(msg.copy())

    def pump(self, block: bool):
        port = self._port
        if not port._locking:
            return port._receive(block=block)
        with port._lock:
            return port._receive(block=block)

    def close(self) -> None:
        self._port._close()


class BasePort(Port):
    """Base class for writing a port by hand, as in mido.

    Override ``_open(**kwargs)`` (called from ``__init__`` with its keyword
    arguments), ``_close()``, and ``_send(msg)`` / ``_receive(block=True)``
    in the subclasses below. ``_receive`` returns a message or None, or puts
    messages in ``self._messages`` (or feeds bytes to ``self._parser``).
    """

    is_input = False
    is_output = False
    _kind = (False, False)  # isinstance(x, BasePort) is true for every livemidi port

    def __init__(self, name: str | None = None, **kwargs) -> None:
        if hasattr(self, "closed"):
            return  # __init__ called twice (a subclass calling both base inits)
        self.autoreset = kwargs.pop("autoreset", False)
        self._attach(_Hooks(self))
        self.name = name
        self.closed = True
        self._open(**kwargs)
        self.closed = False

    @property
    def _device_type(self) -> str:  # a subclass may set _device_type as a class attribute
        return type(self).__name__

    def _open(self, **kwargs) -> None:
        pass

    def _close(self) -> None:
        pass

    def _send(self, msg: Message) -> None:
        pass

    def _receive(self, block: bool = True) -> Message | None:
        return None


class BaseInput(BasePort):
    """Base class for input ports: override ``_receive(block=True)``."""

    is_input = True
    _kind = (True, False)


class BaseOutput(BasePort):
    """Base class for output ports: override ``_send(msg)``."""

    is_output = True
    _kind = (False, True)


class BaseIOPort(BaseInput, BaseOutput):
    """Base class for ports that both send and receive."""

    _kind = (True, True)


class IOPort(BaseIOPort):
    """An input port and an output port used as one: ``IOPort(input, output)``."""

    _locking = False  # a blocking receive on the input must not hold up sends

    def __init__(self, input: Port, output: Port) -> None:
        self.input = input
        self.output = output
        super().__init__(f"{input.name} + {output.name}")
        self._messages = input._messages  # pending input shows here too, as in mido

    @property
    def _device_type(self) -> str:
        return "IOPort"

    def _send(self, msg: Message) -> None:
        self.output.send(msg)

    def _receive(self, block: bool = True) -> Message | None:
        return self.input.receive(block=block)

    def _close(self) -> None:
        self.input.close()
        self.output.close()


class EchoPort(BaseIOPort):
    """A port that receives what is sent to it."""

    def _send(self, msg: Message) -> None:
        self._messages.append(msg)

    def __iter__(self) -> Iterator[Message]:
        return self.iter_pending()
