"""The rtmidi backend: real MIDI ports through python-rtmidi (CoreMIDI, WinMM, ALSA, JACK).

A thin adapter: it opens, closes, reads and writes bytes; `livemidi.ports.Port`
does the rest. ``rtmidi`` is imported on first use, never by ``import livemidi``.

Options (keyword arguments of ``open_input``/``open_output``/``open_ioport``):

``api``
    'MACOSX_CORE', 'WINDOWS_MM', 'LINUX_ALSA', 'UNIX_JACK' (also 'coremidi',
    'winmm', 'alsa', 'jack'); default: rtmidi's choice for the platform.
``client_name``
    the client name other programs see (JACK: ``client:port``). As in mido,
    giving one makes the port virtual. Default ``'livemidi'``.
``ignore_sysex=False``, ``ignore_timing=False``, ``ignore_active_sensing=True``
    what inputs drop before Python sees it: mido's defaults (sysex and
    clock messages arrive; the 3-per-second active sensing does not).

JACK is special in two ways. Its ports only carry data once connected:
opening a port by name connects to it (a virtual port waits for others to
connect to it). And a JACK client whose server died must not be closed
(libjack crashes the process): such devices are left open and a
`PortDisconnectedError` says what happened.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Callable

from ..errors import PortError
from . import alsa, jack, jackcycles
from .names import check_present, check_request, match_port

__all__ = ["RtMidiDevice", "describe", "get_api_names", "get_devices", "open_device"]

DEFAULT_CLIENT_NAME = "livemidi"
JACK_CONNECT_SETTLE = 0.05  # seconds to let a new JACK connection become active

_FRIENDLY_API_NAMES = {
    # the libremidi backend's names, so that one `api=` works on both backends
    "jack_midi": "UNIX_JACK",
    "alsa_seq": "LINUX_ALSA",
    "coremidi": "MACOSX_CORE",
    "core": "MACOSX_CORE",
    "macos": "MACOSX_CORE",
    "winmm": "WINDOWS_MM",
    "mm": "WINDOWS_MM",
    "windows": "WINDOWS_MM",
    "alsa": "LINUX_ALSA",
    "jack": "UNIX_JACK",
}

# What python-rtmidi's input callbacks hold, kept past their cancellation (see _stop_callbacks).
_callback_keepalive: list = []
CALLBACK_SETTLE = 0.02  # seconds the GIL is let go between cancelling a callback and closing (2+ JACK periods)

# rtmidi objects of JACK clients whose server died: closing them would crash
# libjack, and letting them be collected closes them. Kept here for good.
_abandoned: list = []
_abandoned_lock = threading.Lock()


def _rtmidi():
    try:
        import rtmidi
    except ImportError as error:
        raise ImportError(
            "the rtmidi backend needs python-rtmidi: pip install python-rtmidi (it has wheels for "
            "Python 3.12 and older only); or use the libremidi backend (pip install pylibremidi, "
            "LIVEMIDI_BACKEND=livemidi.backends.libremidi) or the in-memory one "
            "(LIVEMIDI_BACKEND=livemidi.backends.memory)"
        ) from error
    return rtmidi


def _api_names() -> dict[str, int]:
    rtmidi = _rtmidi()
    return {name[4:]: getattr(rtmidi, name) for name in dir(rtmidi) if name.startswith("API_")}


def get_api_names() -> list[str]:
    """The APIs compiled into this rtmidi, e.g. ``['LINUX_ALSA', 'UNIX_JACK']``."""
    by_number = {number: name for name, number in _api_names().items()}
    return [by_number[number] for number in _rtmidi().get_compiled_api()]


def _api_id(api: str | None) -> int:
    rtmidi = _rtmidi()
    if api is None:
        return rtmidi.API_UNSPECIFIED
    if not isinstance(api, str):
        raise TypeError(f"api must be an API name like 'UNIX_JACK', got {type(api).__name__}")
    name = api.upper().removeprefix("API_")
    name = _FRIENDLY_API_NAMES.get(api.lower(), name)
    numbers = _api_names()
    if name not in numbers:
        raise ValueError(f"unknown API {api!r}; expected one of {', '.join(sorted(numbers))}")
    if name not in get_api_names():
        raise ValueError(f"API {name} not compiled in; this rtmidi has {', '.join(get_api_names()) or 'none'}")
    return numbers[name]


# -- JACK server liveness --------------------------------------------------------------


def jack_server_running() -> bool | None:
    """True if a JACK server accepts clients, False if not, None if this OS can't tell (see `jack`)."""
    return jack.server_running()


def _is_jack(api_id: int) -> bool:
    return api_id == _rtmidi().API_UNIX_JACK


def _new_client(kind: str, api_id: int, client_name: str) -> tuple[object, int]:
    """A new rtmidi client and the API it uses.

    With no API given, each compiled API is tried in rtmidi's order, so a
    Linux machine without ALSA MIDI but with a JACK server still works. An
    API that cannot work here (no JACK server, no ALSA sequencer device) is
    not tried; the error says why.
    """
    rtmidi = _rtmidi()
    cls = rtmidi.MidiIn if kind == "input" else rtmidi.MidiOut
    candidates = [api_id] if api_id != rtmidi.API_UNSPECIFIED else list(rtmidi.get_compiled_api())
    problems = []
    for candidate in candidates:
        if _is_jack(candidate) and jack_server_running() is False:
            problems.append(jack.NOT_RUNNING)
            continue
        if candidate == rtmidi.API_LINUX_ALSA and alsa.sequencer_missing():
            problems.append(alsa.NO_SEQUENCER)  # trying would only add libasound's own line on stderr
            continue
        try:
            return cls(candidate, client_name), candidate
        except (SystemError, RuntimeError, rtmidi.RtMidiError) as error:
            problems.append(str(error))
    raise PortError(f"could not start a MIDI client: {'; '.join(problems) or 'no MIDI API compiled in'}")


def _close_client(rt, api_id: int) -> None:
    if _is_jack(api_id) and jack_server_running() is False:
        with _abandoned_lock:
            _abandoned.append(rt)  # see the module docstring
        return
    if isinstance(rt, _rtmidi().MidiIn):
        _stop_callbacks(rt)
    rt.close_port()
    rt.delete()


def _stop_callbacks(rt) -> None:
    """Make sure no call of our callback is under way before an input's client is torn down.

    The backend's own thread (JACK's process thread, ALSA's input thread)
    takes the GIL to call the callback. python-rtmidi's `cancel_callback`
    frees what that thread is about to use, and tearing the client down waits
    for that thread while we hold the GIL: a crash or a deadlock, when a
    message arrives at the wrong moment. So the callback's objects are kept
    for good (a few bytes per input ever closed), new calls are stopped, and
    the GIL is let go for a moment so that a call already waiting finishes
    (the device ignores it: it is closed) before the teardown.
    """
    with _abandoned_lock:
        _callback_keepalive.extend(gc.get_referents(rt))
    rt.cancel_callback()
    time.sleep(CALLBACK_SETTLE)


# -- devices ----------------------------------------------------------------------------


class RtMidiDevice:
    """One rtmidi port, input or output."""

    def __init__(self, rt, kind: str, api_id: int, name: str, target: str | None) -> None:
        self._rt = rt
        self._api_id = api_id
        self.kind = kind
        self.is_input = kind == "input"
        self.is_output = kind == "output"
        self.name = name
        self.target = target  # the other program's port we connected to; None if virtual
        by_number = {number: api for api, number in _api_names().items()}
        self.api = by_number.get(rt.get_current_api(), "UNSPECIFIED")
        self.device_type = f"RtMidi/{self.api}"
        self._lock = threading.Lock()
        self._closed = False
        self._last_write = float("-inf")

    def connect(self, sink: Callable) -> None:
        def deliver(event, _data) -> None:
            if not self._closed:  # a call that was waiting while the port closed is dropped
                sink(event[0])

        self._rt.set_callback(deliver)

    def write(self, data: bytes) -> None:
        try:
            self._rt.send_message(data)
        except Exception as error:
            raise PortError(f"could not send on {self.name!r}: {error}") from error
        self._last_write = time.monotonic()

    def check(self) -> None:
        if _is_jack(self._api_id) and jack_server_running() is False:
            raise jack.server_gone(self.name)
        if self.target is not None:
            check_present(self.kind, self.target, self._rt.get_ports())

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self.is_output and _is_jack(self._api_id):
            jackcycles.drain(self._last_write)  # JACK sends at its next cycle: closing sooner loses the last messages
        _close_client(self._rt, self._api_id)


def open_device(
    kind: str,
    name: str | int | None,
    *,
    virtual: bool = False,
    api: str | None = None,
    client_name: str | None = None,
    ignore_sysex: bool = False,
    ignore_timing: bool = False,
    ignore_active_sensing: bool = True,
    callback: Callable | None = None,
) -> RtMidiDevice:
    """Open an rtmidi port; `kind` is 'input' or 'output' (see the module docstring for options)."""
    if client_name is not None:
        virtual = True  # as in mido
    check_request(kind, name, virtual, callback)
    api_id = _api_id(api)
    rtmidi = _rtmidi()
    if virtual:
        if api_id == rtmidi.API_WINDOWS_MM or (api_id == rtmidi.API_UNSPECIFIED and sys.platform == "win32"):
            raise PortError(
                "python-rtmidi cannot make virtual MIDI ports on Windows. With Windows MIDI Services "
                "(Windows 11), the libremidi backend can: pip install pylibremidi, then "
                "LIVEMIDI_BACKEND=livemidi.backends.libremidi. Otherwise install loopMIDI "
                "(https://www.tobias-erichsen.de/software/loopmidi.html), add a port in it "
                "(e.g. 'loopMIDI Port'), then open that port by name: open_output('loopMIDI')"
            )
    rt, api_id = _new_client(kind, api_id, client_name or DEFAULT_CLIENT_NAME)
    try:
        if kind == "input":
            rt.ignore_types(bool(ignore_sysex), bool(ignore_timing), bool(ignore_active_sensing))
        if virtual:
            try:
                rt.open_virtual_port(name)
            except (NotImplementedError, rtmidi.RtMidiError) as error:
                raise PortError(f"this MIDI system cannot make a virtual port: {error}") from error
            return RtMidiDevice(rt, kind, api_id, name, target=None)
        names = rt.get_ports()
        index = match_port(name, names, kind)
        try:
            rt.open_port(index)
        except (RuntimeError, rtmidi.RtMidiError) as error:
            raise PortError(f"could not open the {kind} {names[index]!r}: {error}") from error
        if _is_jack(api_id):
            # A JACK connection takes effect at a later process cycle; what is
            # sent before that is lost. Waiting a few periods at open is cheap.
            time.sleep(JACK_CONNECT_SETTLE)
        return RtMidiDevice(rt, kind, api_id, names[index], target=names[index])
    except BaseException:
        _close_client(rt, api_id)
        raise


def get_devices(api: str | None = None, **kwargs) -> list[dict]:
    """The ports the MIDI system has now, as ``{'name', 'is_input', 'is_output'}`` dicts."""
    api_id = _api_id(api)
    probe_in, api_id = _new_client("input", api_id, DEFAULT_CLIENT_NAME)
    try:
        probe_out, _ = _new_client("output", api_id, DEFAULT_CLIENT_NAME)
    except BaseException:
        _close_client(probe_in, api_id)
        raise
    try:
        inputs = probe_in.get_ports()
        outputs = probe_out.get_ports()
    finally:
        _close_client(probe_in, api_id)
        _close_client(probe_out, api_id)
    devices: dict[str, dict] = {}
    for name in inputs + outputs:
        devices.setdefault(name, {"name": name, "is_input": name in inputs, "is_output": name in outputs})
    return list(devices.values())


def describe(api: str | None = None) -> dict:
    """What this backend uses here: ``{'library': 'python-rtmidi 1.5.8', 'api': 'UNIX_JACK', ...}``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        library = f"python-rtmidi {version('python-rtmidi')}"
    except PackageNotFoundError:
        library = "python-rtmidi"
    about = {"library": library, "apis": get_api_names()}
    try:
        probe, api_id = _new_client("output", _api_id(api), DEFAULT_CLIENT_NAME)
    except PortError as error:
        about["api"] = None
        about["problem"] = str(error)
        return about
    _close_client(probe, api_id)
    about["api"] = {number: name for name, number in _api_names().items()}.get(api_id, "UNSPECIFIED")
    return about
