"""Backends, and the top-level port functions that use the current one.

`set_backend` changes which `Backend` object the functions below use; the
functions themselves never change, so ``from livemidi import open_output``
taken before `set_backend` follows it too (mido rebinds module globals
instead, which such an import would miss).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .backend import ALIASES, Backend, default_backend_name

__all__ = [
    "ALIASES",
    "Backend",
    "current_backend",
    "default_backend_name",
    "get_input_names",
    "get_ioport_names",
    "get_output_names",
    "open_input",
    "open_ioport",
    "open_output",
    "set_backend",
]

_current: Backend | None = None
_current_lock = threading.Lock()


def current_backend() -> Backend:
    """The backend the top-level functions use (also ``livemidi.backend``)."""
    global _current
    with _current_lock:
        if _current is None:
            _current = Backend()  # reads $LIVEMIDI_BACKEND / $MIDO_BACKEND now
        return _current


def set_backend(name: str | Backend | None = None, load: bool = False) -> Backend:
    """Use another backend: a `Backend`, or a name as for ``Backend(name)``; returns it."""
    global _current
    backend = name if isinstance(name, Backend) else Backend(name, load=load)
    with _current_lock:
        _current = backend
    return backend


def open_input(name: str | int | None = None, virtual: bool = False, callback: Callable | None = None, **kwargs):
    """Open an input port on the current backend (see `Backend.open_input`)."""
    return current_backend().open_input(name, virtual=virtual, callback=callback, **kwargs)


def open_output(name: str | int | None = None, virtual: bool = False, autoreset: bool = False, **kwargs):
    """Open an output port on the current backend (see `Backend.open_output`)."""
    return current_backend().open_output(name, virtual=virtual, autoreset=autoreset, **kwargs)


def open_ioport(
    name: str | int | None = None,
    virtual: bool = False,
    callback: Callable | None = None,
    autoreset: bool = False,
    **kwargs,
):
    """Open an input/output port on the current backend (see `Backend.open_ioport`)."""
    return current_backend().open_ioport(name, virtual=virtual, callback=callback, autoreset=autoreset, **kwargs)


def get_input_names(**kwargs) -> list[str]:
    """The input port names on the current backend."""
    return current_backend().get_input_names(**kwargs)


def get_output_names(**kwargs) -> list[str]:
    """The output port names on the current backend."""
    return current_backend().get_output_names(**kwargs)


def get_ioport_names(**kwargs) -> list[str]:
    """The names that are both input and output on the current backend."""
    return current_backend().get_ioport_names(**kwargs)
