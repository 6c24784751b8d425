"""What both real backends need to know about ALSA's MIDI sequencer, asked without libasound.

On a Linux machine without the sequencer device (a server, a container, a
machine whose ``snd-seq`` module is not loaded), every attempt to start an
ALSA MIDI client fails, and libasound prints its own line to stderr each
time ("ALSA lib seq_hw.c:466:(snd_seq_hw_open) open /dev/snd/seq failed: No
such file or directory"), on top of the error the backend raises. So the
backends do not try ALSA there: `NO_SEQUENCER` says why instead, once, in
livemidi's words. Where the device exists, ALSA is tried and everything it
prints is printed: those are real errors.

`quiet()` silences libasound's error printing (its documented
``snd_lib_error_set_handler``) for a call that probes ALSA when the device is
missing, such as pylibremidi's ``available_apis()``; anywhere else it does
nothing.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["NO_SEQUENCER", "SEQUENCER", "quiet", "sequencer_missing"]

SEQUENCER = "/dev/snd/seq"
NO_SEQUENCER = (
    f"ALSA: this machine has no MIDI sequencer ({SEQUENCER} does not exist: no sound driver, "
    "or the snd-seq kernel module is not loaded)"
)

# void handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p)
_silent = _HANDLER(lambda *args: None)  # kept for good: libasound holds a pointer to it
_lock = threading.Lock()
_libasound: list = []  # [the library, or None where it cannot be loaded], once asked


def sequencer_missing() -> bool:
    """True on Linux when the ALSA sequencer device does not exist (ALSA MIDI cannot work)."""
    return sys.platform.startswith("linux") and not os.path.exists(SEQUENCER)


def _library():
    with _lock:
        if not _libasound:
            try:
                library = ctypes.CDLL("libasound.so.2")  # the one the MIDI libraries load: one error handler
                library.snd_lib_error_set_handler.argtypes = [_HANDLER]
                library.snd_lib_error_set_handler.restype = ctypes.c_int
            except (OSError, AttributeError):
                library = None  # no libasound: nothing of it can print either
            _libasound.append(library)
        return _libasound[0]


@contextmanager
def quiet() -> Iterator[None]:
    """Silence libasound's error printing inside the block, if the sequencer device is missing."""
    library = _library() if sequencer_missing() else None
    if library is None:
        yield
        return
    library.snd_lib_error_set_handler(_silent)
    try:
        yield
    finally:
        library.snd_lib_error_set_handler(_HANDLER())  # a NULL handler: libasound prints its errors again
