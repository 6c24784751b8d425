"""Importing pylibremidi, with what its wheels need on each platform.

Measured on pylibremidi 5.4.3, its newest release, wheel by wheel:

- **Linux, CPython 3.13 and 3.14.** The ``cp312-abi3`` wheel installs, but its
  extension is named ``pylibremidi.cpython-312-*.so`` (3.13 does not look for
  that name) and calls ``_PyObject_LookupAttr``, which 3.13 removed. livemidi
  loads the file by path and binds that one call to its new name
  (`livemidi.backends.elfbind`).
- **macOS, CPython 3.13 and 3.14.** The same build, as a Mach-O file: it does
  not load, and livemidi cannot mend it. The error says what to do.
- **Windows on ARM.** The ARM64 extension is named ``*.cp3XX-win_amd64.pyd``,
  which an ARM64 Python does not look for: loaded by path.
- **Linux, every Python: the bundled libjack.** The wheel carries its own
  libjack, which speaks JACK protocol 8; jackd 1.9.21 and PipeWire speak a
  newer one, so every JACK client fails with "JACK protocol mismatch 8".
  livemidi loads the system's ``libjack.so.0`` first, globally, so that
  pylibremidi's JACK calls go to it. ``$LIVEMIDI_LIBJACK`` names another
  file, or ``bundled`` keeps the wheel's own (then `jack_problem` explains
  the failure instead).

Everything here runs once per process, on the first use of the libremidi
backend; ``import livemidi`` never imports pylibremidi.
"""

from __future__ import annotations

import ctypes
import importlib.metadata
import os
import sys
import threading
from pathlib import Path
from types import ModuleType

from ..errors import MissingDependencyError
from .jack import server_running

__all__ = ["installed", "jack_library", "jack_problem", "load", "version"]

SYSTEM_LIBJACK = "libjack.so.0"

_lock = threading.Lock()
_module: ModuleType | None = None
_jack_library = "none"  # which libjack pylibremidi's JACK calls reach: 'system: PATH', 'bundled: PATH', 'none'
_jack_problem: str | None | bool = False  # False: not asked yet
_kept: list = []  # the system libjack, loaded for good

INSTALL_HINT = (
    "the libremidi backend needs pylibremidi: pip install pylibremidi "
    "(or use the in-memory backend: LIVEMIDI_BACKEND=livemidi.backends.memory)"
)


def installed() -> bool:
    """True if a pylibremidi distribution is installed (whether or not it loads here)."""
    try:
        importlib.metadata.distribution("pylibremidi")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def version() -> str:
    """The installed pylibremidi's version, or '' if none is installed."""
    try:
        return importlib.metadata.version("pylibremidi")
    except importlib.metadata.PackageNotFoundError:
        return ""


def jack_library() -> str:
    """Which libjack pylibremidi's JACK calls reach: ``'system: PATH'``, ``'bundled: PATH'`` or ``'none'``."""
    load()
    return _jack_library


def load() -> ModuleType:
    """The pylibremidi module, imported (once) the way this platform needs."""
    global _module
    with _lock:
        if _module is not None:
            return _module
        _use_system_libjack()
        try:
            import pylibremidi as module
        except ImportError as error:
            module = _load_by_path(error)
        _module = module
        return module


def _files() -> list[Path]:
    try:
        distribution = importlib.metadata.distribution("pylibremidi")
    except importlib.metadata.PackageNotFoundError:
        return []
    return [Path(distribution.locate_file(file)) for file in distribution.files or []]


def _bundled_libjack() -> Path | None:
    for path in _files():
        if path.parent.name == "pylibremidi.libs" and path.name.startswith("libjack"):
            return path
    return None


def _use_system_libjack() -> None:
    """Load the system's libjack globally (Linux), so that it answers pylibremidi's JACK calls."""
    global _jack_library
    if not sys.platform.startswith("linux"):
        return
    bundled = _bundled_libjack()
    wanted = os.environ.get("LIVEMIDI_LIBJACK") or SYSTEM_LIBJACK
    if wanted != "bundled":
        try:
            library = ctypes.CDLL(wanted, mode=os.RTLD_GLOBAL | os.RTLD_NOW)
        except OSError:
            library = None
        if library is not None:
            _kept.append(library)
            _jack_library = f"system: {_loaded_path(library, wanted)}"
            return
        if wanted != SYSTEM_LIBJACK:
            raise MissingDependencyError(f"LIVEMIDI_LIBJACK names {wanted!r}, which could not be loaded")
    _jack_library = f"bundled: {bundled}" if bundled else "none"


def _loaded_path(library: ctypes.CDLL, fallback: str) -> str:
    from .elfbind import loaded_from

    where = loaded_from(library, "jack_client_open")
    return os.path.realpath(where[0]) if where and where[0] else fallback


def _extension_file() -> Path | None:
    for path in _files():
        if path.name.startswith("pylibremidi.") and path.suffix in (".so", ".pyd") and path.parent.name != "pylibremidi.libs":
            return path
    return None


def _python() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


def _load_by_path(first: ImportError) -> ModuleType:
    """pylibremidi is installed but Python did not find or could not load it: load the file itself."""
    path = _extension_file()
    if path is None:
        raise MissingDependencyError(INSTALL_HINT) from first
    built_for = path.name.split(".")[1] if path.name.count(".") >= 2 else "?"
    try:
        if sys.platform.startswith("linux"):
            from .elfbind import load_extension

            return load_extension("pylibremidi", path)
        if sys.platform == "darwin" and sys.version_info >= (3, 13):
            raise ImportError(f"its extension ({path.name}) was built for CPython 3.12 and does not load on {_python()}")
        import importlib.machinery
        import importlib.util

        loader = importlib.machinery.ExtensionFileLoader("pylibremidi", str(path))
        spec = importlib.util.spec_from_file_location("pylibremidi", path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules["pylibremidi"] = module
        loader.exec_module(module)
        return module
    except ImportError as error:
        sys.modules.pop("pylibremidi", None)
        raise MissingDependencyError(
            f"pylibremidi {version()} is installed but cannot be loaded by Python {_python()}: {error}. "
            f"Its wheel for this platform was made for {built_for}. Use a Python that has a working wheel "
            f"(3.10-3.12 everywhere; e.g. `uv tool install --python 3.12 livemidi`), or a newer pylibremidi "
            f"when one is out (pip install -U pylibremidi)"
        ) from error


def jack_problem() -> str | None:
    """Why pylibremidi cannot reach the running JACK server, or None if it can (or uses no bundled libjack).

    Asked once, through the bundled libjack itself: when a server accepts
    connections on its socket (`jack.server_running`) and yet that libjack
    cannot open a client, they do not speak the same protocol (libjack then
    prints "JACK protocol mismatch"; its status bits say only "failure").
    """
    global _jack_problem
    load()
    if _jack_problem is not False:
        return _jack_problem
    _jack_problem = None
    if not _jack_library.startswith("bundled: "):
        return None
    library = ctypes.CDLL(_jack_library.removeprefix("bundled: "))
    library.jack_client_open.restype = ctypes.c_void_p
    library.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    library.jack_client_close.argtypes = [ctypes.c_void_p]
    status = ctypes.c_int(0)
    client = library.jack_client_open(b"livemidi-probe", 0x01, ctypes.byref(status))  # JackNoStartServer
    if client:
        library.jack_client_close(client)
    elif server_running():
        _jack_problem = (
            "pylibremidi reaches JACK through the libjack bundled in its wheel, which speaks an older "
            "protocol than this JACK server (\"JACK protocol mismatch\"). Install the system's libjack and "
            "livemidi will use it (Debian/Ubuntu: sudo apt install libjack-jackd2-0; with PipeWire: "
            "pipewire-jack), or point LIVEMIDI_LIBJACK at a libjack.so.0 that matches the server"
            + ("" if os.environ.get("LIVEMIDI_LIBJACK") != "bundled" else " (LIVEMIDI_LIBJACK=bundled is set: unset it)")
        )
    return _jack_problem
