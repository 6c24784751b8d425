"""`Port`: the one port wrapper, around the device a backend opened.

A backend only opens, closes, reads and writes bytes (a *device*, below).
Everything a user sees on a port is written once, here, by wrapping a device:
checks, the ``closed`` state, blocking and non-blocking receive, iteration,
callbacks, reset/panic/autoreset, context managers, locking and the check
that the device is still there.

A device is any object with these attributes (duck-typed):

``name``, ``device_type`` (for repr), ``is_input``, ``is_output``
``write(data: bytes)``
    outputs: put one encoded message on the wire; raise OSError on failure.
``connect(sink)``
    inputs: from now on hand every byte chunk that arrives to ``sink(data)``,
    or ``sink(data, arrived)`` where the device knows when the MIDI system
    received it (``arrived``: `time.perf_counter` seconds; libremidi).
    A *push* device calls it from any thread (rtmidi's, a sender's).
``pump(block: bool) -> Message | None``
    only *pull* devices (sockets) have it: read what has arrived, give it to
    the sink, and return None. `BasePort`'s hook adapter returns messages.
``check()`` (optional)
    raise `PortDisconnectedError` when the device, its peer or its server has
    gone. The wrapper calls it at most every `CHECK_INTERVAL` seconds.
``close()``

mido's base classes for writing a port by hand (`BasePort`, `BaseInput`...)
are `Port`s too, in `livemidi.ports.handwritten`. They reach into the
wrapper's state (``_messages``, ``_parser``, ``_lock``), as mido's do: those
names stay as they are.

Misuse: a device that calls the sink while holding a lock of its own that
`write` also takes can deadlock when a callback sends on the same device;
devices should not hold locks around the sink call.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator

from ..errors import PortDisconnectedError
from ..messages import BaseMessage, Message, Parser

__all__ = [
    "Port",
    "get_sleep_time",
    "panic_messages",
    "reset_messages",
    "set_sleep_time",
    "sleep",
]

# How long receive loops sleep between polls of a pull device (mido's default).
_DEFAULT_SLEEP_TIME = 0.001
_sleep_time = _DEFAULT_SLEEP_TIME

# Seconds between two checks that a device is still there: often enough to
# notice an unplugged device quickly, rarely enough to cost nothing per send.
CHECK_INTERVAL = 0.25

ALL_SOUNDS_OFF = 120
RESET_ALL_CONTROLLERS = 121
ALL_NOTES_OFF = 123


def sleep() -> None:
    """Sleep for the poll interval (`set_sleep_time`); ports use it while they wait."""
    time.sleep(_sleep_time)


def set_sleep_time(seconds: float = _DEFAULT_SLEEP_TIME) -> None:
    """Set how many seconds `sleep` sleeps (default 0.001)."""
    global _sleep_time
    _sleep_time = seconds


def get_sleep_time() -> float:
    """How many seconds `sleep` sleeps."""
    return _sleep_time


def reset_messages() -> Iterator[Message]:
    """Yield "All Notes Off" (CC 123) and "Reset All Controllers" (CC 121) for all 16 channels."""
    for channel in range(16):
        for control in (ALL_NOTES_OFF, RESET_ALL_CONTROLLERS):
            yield Message("control_change", channel=channel, control=control)


def panic_messages() -> Iterator[Message]:
    """Yield "All Sounds Off" (CC 120) for all 16 channels: silences notes whatever their envelopes."""
    for channel in range(16):
        yield Message("control_change", channel=channel, control=ALL_SOUNDS_OFF)


class EndOfStream(Exception):
    """Raised by a device's ``pump`` when its peer has closed the stream; the port closes."""


def _as_message(msg) -> Message:
    """The message to send: a Message as is, raw bytes decoded (and so checked)."""
    if isinstance(msg, BaseMessage):
        if getattr(msg, "is_meta", False):
            raise ValueError(
                f"meta messages exist only in MIDI files and cannot be sent on a port, got {msg!r}"
            )
        return msg
    if getattr(msg, "is_meta", False):
        raise ValueError(f"meta messages exist only in MIDI files and cannot be sent on a port, got {msg!r}")
    if isinstance(msg, (bytes, bytearray, list, tuple)):
        return Message.from_bytes(msg)
    raise TypeError(
        "send() takes a Message, or the bytes of one message (bytes or a list of ints), "
        f"got {type(msg).__name__}"
    )


class _PortKind(type):
    """Makes ``isinstance(port, BaseInput)`` answer "can this port receive?" for every port."""

    def __instancecheck__(cls, instance) -> bool:
        if type.__instancecheck__(cls, instance):
            return True
        wants = cls.__dict__.get("_kind")
        if wants is None or not type.__instancecheck__(Port, instance):
            return False
        can_input, can_output = wants
        return (not can_input or instance.is_input) and (not can_output or instance.is_output)


class Port(metaclass=_PortKind):
    """A MIDI port: the device a backend opened, with the whole port API.

    ``Port(device, callback=None, autoreset=False)``; backends make these, users
    get them from `livemidi.open_input` and friends.
    """

    _locking = True  # kept for mido subclasses; livemidi ports always lock
    _kind = (False, False)

    def __init__(self, device, *, callback: Callable | None = None, autoreset: bool = False) -> None:
        self._attach(device)
        self.name = device.name
        self.autoreset = autoreset
        self.closed = False
        if callback is not None:
            self.callback = callback

    def _attach(self, device) -> None:
        """Set up the wrapper state around `device` (before the port counts as open)."""
        self._device = device
        self._lock = threading.RLock()
        self._arrived = threading.Condition(self._lock)
        self._dispatch_lock = threading.RLock()  # keeps callbacks in arrival order
        self._read_lock = threading.Lock()  # one reader at a time on a pull device
        self._parser = Parser()
        self._messages = self._parser.messages
        self._callback: Callable | None = None
        # perf_counter seconds at which the message being handed to the callback arrived
        self.arrival_time: float | None = None
        self._pump_thread: threading.Thread | None = None
        self._gone: PortDisconnectedError | None = None
        self._checked_at = time.monotonic()
        self._pump = getattr(device, "pump", None)
        self._check = getattr(device, "check", None)
        write_message = getattr(device, "write_message", None)
        if write_message is not None:
            self._write = write_message
        else:
            write = device.write if device.is_output else None
            self._write = (lambda msg: write(bytes(msg.bytes()))) if write else None
        if device.is_input:
            device.connect(self._deliver)

    # -- what the port is ----------------------------------------------------------

    @property
    def is_input(self) -> bool:
        return self._device.is_input

    @property
    def is_output(self) -> bool:
        return self._device.is_output

    @property
    def _device_type(self) -> str:
        return self._device.device_type

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        kind = {
            (True, False): "input",
            (False, True): "output",
            (True, True): "I/O port",
            (False, False): "mute port",
        }[bool(self.is_input), bool(self.is_output)]
        try:
            device_type = self._device_type
        except AttributeError:
            device_type = type(self).__name__
        return f"<{state} {kind} {self.name or ''!r} ({device_type})>"

    # -- liveness ------------------------------------------------------------------

    def _check_alive(self, force: bool = False) -> None:
        """Raise PortDisconnectedError if the device has gone (checked every CHECK_INTERVAL)."""
        if self._gone is not None:
            raise self._gone
        if self._check is None:
            return
        now = time.monotonic()
        if not force and now - self._checked_at < CHECK_INTERVAL:
            return
        self._checked_at = now
        try:
            self._check()
        except PortDisconnectedError as error:
            self._gone = error
            raise

    # -- input ---------------------------------------------------------------------

    def _deliver(self, data, arrived: float | None = None) -> None:
        """The device's sink: parse incoming bytes, then queue them or call the callback.

        During the callback, `arrival_time` is `arrived` when the device
        stamped the bytes on arrival, else the time they reached the port.
        """
        with self._dispatch_lock:
            with self._lock:
                if self.closed:
                    return
                self._parser.feed(data)
                callback = self._callback
                if callback is None:
                    self._arrived.notify_all()
                    return
                messages = list(self._messages)
                self._messages.clear()
            self.arrival_time = time.perf_counter() if arrived is None else arrived
            self._call_back(callback, messages)

    def _call_back(self, callback: Callable, messages) -> None:
        for msg in messages:
            try:
                callback(msg)
            except Exception:
                # The callback runs in a backend's thread: report, and keep the port alive.
                print(f"livemidi: exception in the callback of {self!r}:", file=sys.stderr)
                traceback.print_exc()

    @property
    def callback(self) -> Callable | None:
        """A function called with each incoming message (in a backend thread), or None.

        May be set, changed or removed (None) at any time; messages that were
        waiting when it is set go to it at once. Inside the callback,
        ``port.arrival_time`` is when the message arrived (`time.perf_counter`
        seconds): stamped by the MIDI system where the backend passes that on
        (libremidi), else when the port got it.
        """
        return self._callback

    @callback.setter
    def callback(self, function: Callable | None) -> None:
        if function is not None:
            if not callable(function):
                raise TypeError(f"callback must be a function taking one message, or None, got {function!r}")
            if not self.is_input:
                raise ValueError("only input ports take a callback")
        with self._dispatch_lock:
            with self._lock:
                self._callback = function
                pending = []
                if function is not None:
                    pending = list(self._messages)
                    self._messages.clear()
            if pending:
                self._call_back(function, pending)
        if function is not None and self._pump is not None and not self.closed:
            self._start_pump_thread()

    def _start_pump_thread(self) -> None:
        """Pull devices have no thread of their own: read them for the callback."""
        if self._pump_thread is not None and self._pump_thread.is_alive():
            return

        def run() -> None:
            while not self.closed and self._callback is not None:
                try:
                    self._pump_once(block=True)
                except OSError:
                    return
                if not self._messages:
                    sleep()
                else:
                    with self._dispatch_lock:
                        with self._lock:
                            messages = list(self._messages)
                            self._messages.clear()
                        if self._callback is not None:
                            self._call_back(self._callback, messages)

        self._pump_thread = threading.Thread(target=run, name=f"livemidi callback {self.name}", daemon=True)
        self._pump_thread.start()

    def _check_callback(self) -> None:
        if self._callback is not None:
            raise ValueError("a callback is set for this port: messages go to it, not to receive()")

    def _pump_once(self, block: bool):
        """Read a pull device once; close the port if its peer has gone."""
        with self._read_lock:
            if self.closed:
                return None
            try:
                return self._pump(block)
            except EndOfStream:
                pass
        self.close()
        return None

    def receive(self, block: bool = True) -> Message | None:
        """The next message; waits for one unless ``block=False`` (then None if there is none).

        On a closed port, pending messages are still returned; then
        ``receive()`` raises ValueError and ``receive(block=False)`` returns None.
        If the port closes while waiting, OSError is raised.
        """
        if not self.is_input:
            raise ValueError("not an input port")
        self._check_callback()
        with self._lock:
            if self._messages:
                return self._messages.popleft()
            if self.closed:
                if block:
                    raise ValueError("receive() called on closed port")
                return None
        if self._pump is not None:
            return self._receive_pulling(block)
        with self._arrived:
            while not self._messages:
                if self.closed:
                    raise OSError("port closed during receive()")
                self._check_alive()
                if not block:
                    return None
                self._arrived.wait(CHECK_INTERVAL)
                self._check_callback()
            return self._messages.popleft()

    def _receive_pulling(self, block: bool) -> Message | None:
        while True:
            self._check_alive()
            msg = self._pump_once(block)
            if msg is not None:
                return msg
            with self._lock:
                if self._messages:
                    return self._messages.popleft()
                if not block:
                    return None
                if self.closed:
                    raise OSError("port closed during receive()")
            sleep()

    def poll(self) -> Message | None:
        """The next pending message, or None: the same as ``receive(block=False)``."""
        return self.receive(block=False)

    def iter_pending(self) -> Iterator[Message]:
        """Yield the messages that are waiting, without blocking."""
        while True:
            msg = self.poll()
            if msg is None:
                return
            yield msg

    def __iter__(self) -> Iterator[Message]:
        """Yield messages as they arrive, until the port is closed."""
        self._check_callback()
        while True:
            try:
                yield self.receive()
            except (OSError, ValueError):
                if self.closed:
                    return
                raise

    # -- output --------------------------------------------------------------------

    def send(self, msg) -> None:
        """Send a message: a `Message` (a copy is sent), or the bytes of one, like ``[0x90, 60, 112]``.

        Raises TypeError for anything else, ValueError for meta messages,
        malformed bytes or a closed port, `PortDisconnectedError` (an OSError)
        when the device has gone.
        """
        if not self.is_output:
            raise ValueError("not an output port")
        msg = _as_message(msg)
        if self.closed:
            raise ValueError("send() called on closed port")
        self._check_alive()
        with self._lock:
            self._write(msg)

    def byte_writer(self) -> Callable[[bytes], None]:
        """A function that puts the bytes of one message straight on the device.

        For a single owner that has checked the bytes already (the timed
        sender in `livemidi.clock`): no decoding, no lock, no liveness check,
        so nothing but the backend's write stands between the call and the
        wire. Its owner calls `check_alive` from time to time instead. Bytes
        that are not one valid message reach the device as they are.
        """
        if not self.is_output:
            raise ValueError("not an output port")
        write_message = getattr(self._device, "write_message", None)
        if write_message is not None:  # a hand-written port takes messages
            return lambda data: write_message(Message.from_bytes(data))
        return self._device.write

    def check_alive(self) -> None:
        """Raise `PortDisconnectedError` if the device, its peer or its server has gone."""
        if self.closed:
            raise ValueError("check_alive() called on closed port")
        self._check_alive(force=True)

    def reset(self) -> None:
        """Send "All Notes Off" and "Reset All Controllers" on all channels."""
        if self.closed:
            return
        for msg in reset_messages():
            self.send(msg)

    def panic(self) -> None:
        """Send "All Sounds Off" on all channels: for notes that hang whatever else you try."""
        if self.closed:
            return
        for msg in panic_messages():
            self.send(msg)

    # -- closing -------------------------------------------------------------------

    def close(self) -> None:
        """Close the port (sending the reset messages first if ``autoreset``); closing twice does nothing."""
        with self._lock:
            if self.closed or getattr(self, "_closing", False):
                return
            self._closing = True
        try:
            if getattr(self, "autoreset", False) and self.is_output and self._gone is None:
                try:
                    self.reset()
                except OSError:
                    pass
            self._device.close()
        finally:
            with self._lock:
                self.closed = True
                self._closing = False
                self._arrived.notify_all()

    def __del__(self) -> None:
        try:
            if not self.closed:
                self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> bool:
        self.close()
        return False
