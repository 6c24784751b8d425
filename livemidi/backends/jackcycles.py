"""Knowing when JACK has taken what a client wrote: counting JACK's process cycles.

Both real backends queue what is sent on a JACK output in a ring that their
client empties at its next process cycle. Closing the client before then
loses what is still in the ring. pylibremidi's close stops its process
callback from reading the ring first: with the server held up for 0.3 s, 100
of 100 messages written just before a close were lost, and with a server that
keeps time they were lost as well whenever nothing waited before the close.
python-rtmidi's close waits for one more cycle. A fixed wait after the last
write (it was 50 ms) is a guess that a loaded machine defeats: there a cycle
can come hundreds of milliseconds late.

So `drain` waits until two cycles have begun since it was called (after the
last write): the first one reads the ring, and the start of the second means
the first is over. Cycles are counted with a JACK client of our own, opened
once per process and never activated (it has no ports and takes no part in
the graph): ``jack_last_frame_time`` is the frame where the current cycle
began.

Limits: libjack is loaded with ctypes (the system's ``libjack.so.0``, the one
the libremidi backend routes pylibremidi to). Where it cannot be loaded, or
the server does not answer, `drain` waits the fixed `FALLBACK` after the last
write instead. The counting client is opened only while the server accepts
clients, and is never closed: a JACK client whose server died must not be
(see `livemidi.backends.jack`); a client of a server that has gone, or of
another server, is put aside and a new one opened.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time

from .jack import server_running

__all__ = ["FALLBACK", "TIMEOUT", "drain"]

FALLBACK = 0.05  # seconds after the last write, where cycles cannot be counted
TIMEOUT = 2.0  # the longest wait for two cycles: a server stalled longer than this has dropped the client anyway
CYCLES = 2
JACK_NO_START_SERVER = 0x01

_lock = threading.Lock()
_counter: _CycleCounter | None = None
_unusable = False  # libjack could not be loaded here: always the fallback
_put_aside: list = []  # counting clients of servers that went away: never closed


class _CycleCounter:
    """A JACK client that only reads the frame where the current cycle began."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self.server = os.environ.get("JACK_DEFAULT_SERVER", "default")
        status = ctypes.c_int()
        self._library = library
        self._client = library.jack_client_open(b"livemidi-drain", JACK_NO_START_SERVER, ctypes.byref(status))
        if not self._client:
            raise OSError(f"the JACK server did not take a client (status {status.value:#x})")
        self.period = int(library.jack_get_buffer_size(self._client)) or 1

    def frame(self) -> int:
        return int(self._library.jack_last_frame_time(self._client))


def _libjack() -> ctypes.CDLL | None:
    for name in ("libjack.so.0", ctypes.util.find_library("jack")):
        if not name:
            continue
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        library.jack_client_open.restype = ctypes.c_void_p
        library.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
        library.jack_last_frame_time.restype = ctypes.c_uint32
        library.jack_last_frame_time.argtypes = [ctypes.c_void_p]
        library.jack_get_buffer_size.restype = ctypes.c_uint32
        library.jack_get_buffer_size.argtypes = [ctypes.c_void_p]
        return library
    return None


def _the_counter() -> _CycleCounter | None:
    """The counting client for the current server, opened on first use; None if there can be none."""
    global _counter, _unusable
    if _unusable:
        return None
    server = os.environ.get("JACK_DEFAULT_SERVER", "default")
    if _counter is not None and _counter.server == server:
        return _counter
    if _counter is not None:
        _put_aside.append(_counter)
        _counter = None
    library = _libjack()
    if library is None:
        _unusable = True
        return None
    try:
        _counter = _CycleCounter(library)
    except OSError:
        return None
    return _counter


def _wait_for_cycles(counter: _CycleCounter, count: int, timeout: float) -> bool:
    """Wait until `count` cycles have begun; False if they did not within `timeout` seconds."""
    start = counter.frame()
    wanted = count * counter.period
    deadline = time.monotonic() + timeout
    while (counter.frame() - start) % 2**32 < wanted:
        if time.monotonic() > deadline:
            return False
        time.sleep(counter.period / 96000)  # a fraction of a period (at least a quarter of it at 48 kHz)
    return True


def drain(last_write: float) -> None:
    """Return once JACK has taken what a client wrote up to `last_write` (a `time.monotonic` time).

    Nothing written (``-inf``), or no server: at once.
    """
    global _counter
    if last_write == float("-inf") or server_running() is False:
        return
    with _lock:
        counter = _the_counter()
        if counter is not None:
            if _wait_for_cycles(counter, CYCLES, TIMEOUT):
                return
            # No cycle came: the server hangs, or went away and another took its name. Either
            # way this client counts nothing any more; a later drain opens a new one.
            _put_aside.append(counter)
            _counter = None
            return
    unsent_for = last_write + FALLBACK - time.monotonic()
    if unsent_for > 0:
        time.sleep(unsent_for)
