"""The port API (mido's ``mido.ports``): the port wrapper, base classes and helpers.

Backends (livemidi.backends) open devices; `Port` wraps each into the API
users see. Hand-written ports subclass `BaseInput`, `BaseOutput` or
`BaseIOPort` as in mido's "Writing a New Port".
"""

from __future__ import annotations

from .handwritten import BaseInput, BaseIOPort, BaseOutput, BasePort, EchoPort, IOPort
from .multi import MultiPort, multi_iter_pending, multi_receive, multi_send
from .port import Port, get_sleep_time, panic_messages, reset_messages, set_sleep_time, sleep

__all__ = [
    "BaseIOPort",
    "BaseInput",
    "BaseOutput",
    "BasePort",
    "EchoPort",
    "IOPort",
    "MultiPort",
    "Port",
    "get_sleep_time",
    "multi_iter_pending",
    "multi_receive",
    "multi_send",
    "panic_messages",
    "reset_messages",
    "set_sleep_time",
    "sleep",
]
