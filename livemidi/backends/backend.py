"""`Backend`: which MIDI system ports are opened on, and the ``open_*``/``get_*_names`` functions.

A backend is a module. livemidi's own (``livemidi.backends.rtmidi``,
``livemidi.backends.libremidi``, ``livemidi.backends.memory``) have two functions::

    get_devices(api=None, **kwargs) -> [{'name': str, 'is_input': bool, 'is_output': bool}, ...]
    open_device(kind, name, *, virtual=False, api=None, **kwargs) -> device   # kind: 'input' | 'output'

and `Backend` wraps each device in `livemidi.ports.Port`, so every backend
gets the whole port API from one place. A module written for mido (with
``Input``/``Output`` port classes and ``get_devices``) works too.

The module is imported only when a port is opened or listed: ``import
livemidi`` never imports rtmidi or pylibremidi.

Which backend a user gets without asking: on Windows pylibremidi's (it has
Windows MIDI Services, and so virtual ports), elsewhere python-rtmidi's
(its JACK client keeps up under load better, it names its clients, and its
input needs no polling), each where it is installed, else the other.
livemidi's dependencies install exactly one of them, the one with a working
wheel for the platform and Python (docs/ports.md, "Which backend").
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from types import ModuleType

from ..ports import IOPort, Port

__all__ = ["ALIASES", "Backend", "DuplexDevice", "default_backend_name"]

RTMIDI = "livemidi.backends.rtmidi"
LIBREMIDI = "livemidi.backends.libremidi"

# Names a mido user (or a short-typing one) may give for livemidi's backends.
ALIASES = {
    "mido.backends.rtmidi": RTMIDI,
    "rtmidi": RTMIDI,
    "libremidi": LIBREMIDI,
    "pylibremidi": LIBREMIDI,
    "memory": "livemidi.backends.memory",
}
BUILTIN = (RTMIDI, LIBREMIDI, "livemidi.backends.memory")
# livemidi's backends for real ports: both take the same options (api, client_name, ignore_*)
REAL = (RTMIDI, LIBREMIDI)

NO_MIDI_LIBRARY = (
    "livemidi found no MIDI library: pip install pylibremidi (any Python), or python-rtmidi "
    "(Python 3.12 and older), or reinstall livemidi, which brings the right one "
    "(or use the in-memory backend: LIVEMIDI_BACKEND=livemidi.backends.memory)"
)


def default_backend_name() -> str:
    """The backend used when none is named (see the module docstring for why this order).

    Windows: libremidi if pylibremidi is installed, else rtmidi. Elsewhere:
    rtmidi if python-rtmidi is installed, else libremidi. With neither, the
    first choice, whose error says what to install.
    """
    has_rtmidi = importlib.util.find_spec("rtmidi") is not None
    if has_rtmidi and sys.platform != "win32":
        return RTMIDI  # without importing importlib.metadata (libremidi_load) at all
    from .libremidi_load import installed

    if sys.platform == "win32":
        return LIBREMIDI if installed() or not has_rtmidi else RTMIDI
    return LIBREMIDI if installed() else RTMIDI


def env(name: str) -> str | None:
    """``LIVEMIDI_<name>``, else ``MIDO_<name>``, from the environment; None if unset or empty."""
    return os.environ.get(f"LIVEMIDI_{name}") or os.environ.get(f"MIDO_{name}") or None


class DuplexDevice:
    """An input device and an output device used as one (an I/O port)."""

    is_input = True
    is_output = True

    def __init__(self, input_device, output_device) -> None:
        self.input = input_device
        self.output = output_device
        same = input_device.name == output_device.name
        self.name = input_device.name if same else f"{input_device.name} + {output_device.name}"
        self.device_type = input_device.device_type

    def connect(self, sink: Callable) -> None:
        self.input.connect(sink)

    def write(self, data: bytes) -> None:
        self.output.write(data)

    def check(self) -> None:
        for device in (self.input, self.output):
            check = getattr(device, "check", None)
            if check is not None:
                check()

    def close(self) -> None:
        try:
            self.input.close()
        finally:
            self.output.close()


class Backend:
    """A MIDI backend: ``Backend(name=None, api=None, load=False, use_environ=True)``.

    `name` is a module name; None means ``$LIVEMIDI_BACKEND`` (or
    ``$MIDO_BACKEND``), else `default_backend_name` (rtmidi where
    python-rtmidi is installed, else libremidi). ``'name/API'``
    also sets the API, as in ``'livemidi.backends.rtmidi/UNIX_JACK'``.
    With ``use_environ=False`` the ``*_DEFAULT_INPUT/OUTPUT/IOPORT``
    variables are ignored.
    """

    def __init__(self, name: str | None = None, api: str | None = None, load: bool = False, use_environ: bool = True):
        name = name or env("BACKEND") or default_backend_name()
        if not isinstance(name, str):
            raise TypeError(f"backend name must be a str, got {type(name).__name__}")
        if "/" in name:
            name, name_api = name.split("/", 1)
            api = api or name_api or None
        self.name = ALIASES.get(name, name)
        self.api = api
        self.use_environ = use_environ
        self._module: ModuleType | None = None
        if load:
            self.load()

    # -- the module ---------------------------------------------------------------

    @property
    def module(self) -> ModuleType:
        """The backend module (imported on first use)."""
        self.load()
        return self._module

    @property
    def loaded(self) -> bool:
        """True once the module has been imported."""
        return self._module is not None

    def load(self) -> None:
        """Import the backend module (does nothing if it is already imported)."""
        if self._module is not None:
            return
        if self.name.startswith("mido."):
            raise ImportError(
                f"livemidi has no backend {self.name!r}: it never imports mido. "
                f"Its backends are {', '.join(BUILTIN)}, or any module of your own"
            )
        try:
            self._module = importlib.import_module(self.name)
        except ModuleNotFoundError as error:
            if error.name and self.name.startswith(error.name):
                raise ImportError(
                    f"no backend module {self.name!r}; livemidi's backends are {', '.join(BUILTIN)}"
                ) from error
            raise

    @property
    def _native(self) -> bool:
        return hasattr(self.module, "open_device")

    def _env(self, name: str) -> str | None:
        return env(name) if self.use_environ else None

    def _add_api(self, kwargs: dict) -> dict:
        if self.api and "api" not in kwargs:
            kwargs["api"] = self.api
        return kwargs

    # -- opening ports --------------------------------------------------------------

    def open_input(self, name: str | int | None = None, virtual: bool = False, callback: Callable | None = None, **kwargs):
        """Open an input port; `name` is an exact name, a unique part of one, or an index.

        With no name: ``$LIVEMIDI_DEFAULT_INPUT`` (or ``$MIDO_DEFAULT_INPUT``), else the
        first input. ``virtual=True`` creates a port other programs can send to.
        `callback` is called with each message from a backend thread.
        """
        if name is None and not virtual:
            name = self._env("DEFAULT_INPUT")
        kwargs = self._add_api(kwargs)
        if not self._native:
            return self.module.Input(name, virtual=virtual, callback=callback, **kwargs)
        device = self.module.open_device("input", name, virtual=virtual, **kwargs)
        return Port(device, callback=callback)

    def open_output(self, name: str | int | None = None, virtual: bool = False, autoreset: bool = False, **kwargs):
        """Open an output port; `name` is an exact name, a unique part of one, or an index.

        With no name: ``$LIVEMIDI_DEFAULT_OUTPUT`` (or ``$MIDO_DEFAULT_OUTPUT``), else the
        first output. ``virtual=True`` creates a port other programs (a DAW) can
        receive from. ``autoreset=True`` sends all-notes-off on every channel at close.
        """
        if name is None and not virtual:
            name = self._env("DEFAULT_OUTPUT")
        kwargs = self._add_api(kwargs)
        if not self._native:
            return self.module.Output(name, virtual=virtual, autoreset=autoreset, **kwargs)
        device = self.module.open_device("output", name, virtual=virtual, **kwargs)
        return Port(device, autoreset=autoreset)

    def open_ioport(
        self,
        name: str | int | None = None,
        virtual: bool = False,
        callback: Callable | None = None,
        autoreset: bool = False,
        **kwargs,
    ):
        """Open a port for input and output (`name` names both sides).

        With no name: ``$LIVEMIDI_DEFAULT_IOPORT`` names both, else
        ``$LIVEMIDI_DEFAULT_INPUT`` and ``$LIVEMIDI_DEFAULT_OUTPUT`` (``MIDO_*`` too).
        """
        if name is None and not virtual:
            name = self._env("DEFAULT_IOPORT")
        input_name = output_name = name
        if name is None and not virtual:
            input_name = self._env("DEFAULT_INPUT")
            output_name = self._env("DEFAULT_OUTPUT")
        kwargs = self._add_api(kwargs)
        module = self.module
        if not self._native:
            if hasattr(module, "IOPort"):
                return module.IOPort(name, virtual=virtual, callback=callback, autoreset=autoreset, **kwargs)
            return IOPort(
                module.Input(input_name, virtual=virtual, callback=callback, **kwargs),
                module.Output(output_name, virtual=virtual, autoreset=autoreset, **kwargs),
            )
        input_device = module.open_device("input", input_name, virtual=virtual, **kwargs)
        try:
            output_device = module.open_device("output", output_name, virtual=virtual, **kwargs)
        except BaseException:
            input_device.close()
            raise
        return Port(DuplexDevice(input_device, output_device), callback=callback, autoreset=autoreset)

    # -- listing ports ------------------------------------------------------------

    def _get_devices(self, **kwargs) -> list[dict]:
        get_devices = getattr(self.module, "get_devices", None)
        return list(get_devices(**self._add_api(kwargs))) if get_devices else []

    def get_input_names(self, **kwargs) -> list[str]:
        """The names of the input ports there are now."""
        return [device["name"] for device in self._get_devices(**kwargs) if device["is_input"]]

    def get_output_names(self, **kwargs) -> list[str]:
        """The names of the output ports there are now."""
        return [device["name"] for device in self._get_devices(**kwargs) if device["is_output"]]

    def get_ioport_names(self, **kwargs) -> list[str]:
        """The names that are both an input and an output."""
        devices = self._get_devices(**kwargs)
        outputs = {device["name"] for device in devices if device["is_output"]}
        return [device["name"] for device in devices if device["is_input"] and device["name"] in outputs]

    def describe(self) -> dict:
        """What this backend uses here (``livemidi ports`` prints it): its library, the API ports open on, ...

        A backend module without a ``describe`` function gives ``{}``.
        """
        describe = getattr(self.module, "describe", None)
        return dict(describe(**self._add_api({}))) if describe else {}

    def get_api_names(self) -> list[str]:
        """The APIs this backend can use (rtmidi: e.g. ``['LINUX_ALSA', 'UNIX_JACK']``)."""
        get_api_names = getattr(self.module, "get_api_names", None)
        return list(get_api_names()) if get_api_names else []

    def __repr__(self) -> str:
        status = "loaded" if self.loaded else "not loaded"
        name = f"{self.name}/{self.api}" if self.api else self.name
        return f"<backend {name} ({status})>"
