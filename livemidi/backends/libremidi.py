"""The libremidi backend: real MIDI ports through pylibremidi (CoreMIDI, WinMM, Windows MIDI Services, ALSA, JACK, PipeWire).

A thin adapter, like `livemidi.backends.rtmidi`: it opens, closes, reads and
writes bytes; `livemidi.ports.Port` does the rest. pylibremidi is imported on
first use (`livemidi.backends.libremidi_load` says what that takes on each
platform), never by ``import livemidi``.

Input: pylibremidi never calls Python from the MIDI system's thread; what
arrives waits in a queue until a thread of ours polls it
(`livemidi.backends.libremidi_input` says how often, and how each message
keeps the time it arrived).

Options (keyword arguments of ``open_input``/``open_output``/``open_ioport``):

``api``
    'COREMIDI', 'WINDOWS_MM', 'WINDOWS_MIDI_SERVICES', 'ALSA_SEQ', 'JACK_MIDI',
    'PIPEWIRE', also rtmidi's names ('MACOSX_CORE', 'LINUX_ALSA', 'UNIX_JACK')
    and short ones ('coremidi', 'winmm', 'midi services', 'alsa', 'jack',
    'pipewire'). Default: ALSA then JACK then PipeWire on Linux, CoreMIDI on
    macOS; on Windows WinMM, and Windows MIDI Services for virtual ports.
``client_name``
    pylibremidi offers no way to set it (clients are ``libremidi client``);
    as in mido, giving one makes the port virtual, and a warning says the
    name was not used.
``ignore_sysex=False``, ``ignore_timing=False``, ``ignore_active_sensing=True``
    what inputs drop (mido's defaults, as the rtmidi backend).

JACK, as with rtmidi: opening a port by name connects to it, a virtual port
waits for connections, and a client whose server died is never closed
(libjack would crash the process); `PortDisconnectedError` says so.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Callable

from ..errors import PortError
from . import alsa, jack, jackcycles, libremidi_load
from .libremidi_input import Filter, InputState, poller
from .names import check_present, check_request, match_port

__all__ = ["LibremidiDevice", "describe", "get_api_names", "get_devices", "open_device"]

JACK_CONNECT_SETTLE = 0.05  # seconds for a new JACK connection to take effect
LOCAL_PORT_NAME = "livemidi"  # our end of a connection, as the MIDI system lists it

WINDOWS_VIRTUAL_ADVICE = (
    "Windows can make virtual MIDI ports only with Windows MIDI Services (its App SDK runtime is at "
    "aka.ms/midi). Without it, install loopMIDI "
    "(https://www.tobias-erichsen.de/software/loopmidi.html), add a port in it "
    "(e.g. 'loopMIDI Port'), then open that port by name: open_output('loopMIDI')"
)

_ALIASES = {
    "MACOSX_CORE": "COREMIDI", "CORE": "COREMIDI", "MACOS": "COREMIDI",
    "WINMM": "WINDOWS_MM", "MM": "WINDOWS_MM", "WINDOWS": "WINDOWS_MM",
    "MIDI_SERVICES": "WINDOWS_MIDI_SERVICES", "WINMIDI": "WINDOWS_MIDI_SERVICES", "WMS": "WINDOWS_MIDI_SERVICES",
    "LINUX_ALSA": "ALSA_SEQ", "ALSA": "ALSA_SEQ",
    "UNIX_JACK": "JACK_MIDI", "JACK": "JACK_MIDI",
}  # fmt: skip
_NAMED_BY_PORT = {"ALSA_SEQ", "ALSA_RAW", "JACK_MIDI", "PIPEWIRE"}  # 'client:port' names, as rtmidi lists them


def _lm():
    return libremidi_load.load()


def get_api_names() -> list[str]:
    """The APIs this pylibremidi can use here, e.g. ``['ALSA_SEQ', 'JACK_MIDI']``."""
    lm = _lm()
    with alsa.quiet():  # pylibremidi may probe ALSA: without the sequencer, libasound would print its own line
        apis = [api.name for api in lm.available_apis() if api.name != "DUMMY"]
        ump = {api.name for api in lm.available_ump_apis()}
    if "WINDOWS_MIDI_SERVICES" in ump:
        apis.append("WINDOWS_MIDI_SERVICES")
    return apis


def _api_name(api: str) -> str:
    if not isinstance(api, str):
        raise TypeError(f"api must be an API name like 'JACK_MIDI', got {type(api).__name__}")
    name = api.strip().upper().removeprefix("API_").replace(" ", "_").replace("-", "_")
    name = _ALIASES.get(name, name)
    known = [api.name for api in _lm().API]
    if name not in known:
        raise ValueError(f"unknown API {api!r}; expected one of {', '.join(sorted(set(known) - {'DUMMY'}))}")
    available = get_api_names()
    if name not in available:
        raise ValueError(f"API {name} is not available here; this pylibremidi has {', '.join(available) or 'none'}")
    return name


def _candidates(api: str | None, virtual: bool = False) -> list[str]:
    """The APIs to try, in order: the one asked for, or this platform's usual ones."""
    if api is not None:
        return [_api_name(api)]
    if sys.platform == "darwin":
        order = ["COREMIDI"]
    elif sys.platform == "win32":
        order = ["WINDOWS_MIDI_SERVICES"] if virtual else ["WINDOWS_MM", "WINDOWS_MIDI_SERVICES"]
    else:
        order = ["ALSA_SEQ", "JACK_MIDI", "PIPEWIRE"]
    available = get_api_names()
    return [name for name in order if name in available]


def _usable(name: str) -> str | None:
    """Why the API `name` cannot be used now, or None."""
    if name == "JACK_MIDI":
        if jack.server_running() is False:
            return jack.NOT_RUNNING
        return libremidi_load.jack_problem()
    if name == "ALSA_SEQ" and alsa.sequencer_missing():
        return alsa.NO_SEQUENCER  # trying would only add libasound's own line on stderr
    return None


def _choose(api: str | None, virtual: bool = False) -> str:
    problems = []
    for name in _candidates(api, virtual):
        problem = _usable(name)
        if problem is None:
            return name
        problems.append(problem)
    if sys.platform == "win32" and virtual:
        raise PortError(WINDOWS_VIRTUAL_ADVICE)
    raise PortError(f"could not start a MIDI client: {'; '.join(problems) or 'pylibremidi has no MIDI API here'}")


# -- listing ----------------------------------------------------------------------------

_observers: dict[str, object] = {}
_observers_lock = threading.Lock()
_abandoned: list = []  # objects of JACK clients whose server died: closing them would crash libjack


def _observer(name: str):
    """A long-lived observer for the API `name` (one client per process and API)."""
    lm = _lm()
    with _observers_lock:
        observer = _observers.get(name)
        if observer is None:
            observer = lm.Observer(lm.ObserverConfiguration(), lm.API[name])
            _observers[name] = observer
        return observer


def _forget_jack_observer() -> None:
    with _observers_lock:
        observer = _observers.pop("JACK_MIDI", None)
    if observer is not None:
        _abandoned.append(observer)


def _port_name(info, api: str) -> str:
    if api in _NAMED_BY_PORT:
        return info.port_name or info.display_name
    return info.display_name or info.port_name


def _ports(kind: str, api: str) -> list:
    """(name, port information) of what a `kind` device can open: outputs listen to inputs' sources."""
    observer = _observer(api)
    found = observer.get_input_ports() if kind == "input" else observer.get_output_ports()
    return [(_port_name(info, api), info) for info in found]


def get_devices(api: str | None = None, **kwargs) -> list[dict]:
    """The ports the MIDI system has now, as ``{'name', 'is_input', 'is_output'}`` dicts."""
    name = _choose(api)
    inputs = [port for port, _ in _ports("input", name)]
    outputs = [port for port, _ in _ports("output", name)]
    devices: dict[str, dict] = {}
    for port in inputs + outputs:
        devices.setdefault(port, {"name": port, "is_input": port in inputs, "is_output": port in outputs})
    return list(devices.values())


def describe(api: str | None = None) -> dict:
    """What this backend uses here: ``{'library': 'pylibremidi 5.4.3', 'api': 'JACK_MIDI', ...}``."""
    lm = _lm()
    about = {"library": f"pylibremidi {libremidi_load.version() or lm.get_version()}", "apis": get_api_names()}
    if sys.platform.startswith("linux"):
        about["libjack"] = libremidi_load.jack_library()
    try:
        about["api"] = _choose(api)
    except PortError as error:
        about["api"] = None
        about["problem"] = str(error)
    return about


# -- devices ----------------------------------------------------------------------------

_open_devices: weakref.WeakSet = weakref.WeakSet()


class LibremidiDevice:
    """One pylibremidi port, input or output."""

    def __init__(self, midi, kind: str, api: str, name: str, target: str | None, keep=None) -> None:
        self._midi = midi
        self._keep = keep  # what pylibremidi's callback refers to
        self.kind = kind
        self.api = api
        self.is_input = kind == "input"
        self.is_output = kind == "output"
        self.name = name
        self.target = target  # the other program's port we connected to; None if virtual
        self.device_type = f"libremidi/{api}"
        self._lock = threading.RLock()
        self._closed = False
        self._sink: Callable | None = None
        self._last_write = float("-inf")
        self._send = midi.send_message if self.is_output else None
        _open_devices.add(self)

    # -- input --

    def connect(self, sink: Callable) -> None:
        self._sink = sink
        poller.add(self)

    def poll(self) -> None:
        """Hand what has arrived to the sink, each with its arrival time (called by the input thread)."""
        with self._lock:
            state = self._keep
            if self._closed or state is None:
                return
            self._midi.poll()  # fills state.batch
            batch, state.batch = state.batch, []
        if not batch:
            return
        now = time.perf_counter()
        poller.heard_at = time.monotonic()
        sink = self._sink
        for (data, _stamp), arrived in zip(batch, state.clock.arrivals([stamp for _, stamp in batch], now)):
            data = state.filter(data)
            if data and sink is not None and not self._closed:
                try:
                    sink(data, arrived)
                except Exception as error:  # the port reports callback errors itself; this is the port's own
                    print(f"livemidi: input {self.name!r} dropped a message: {error!r}", file=sys.stderr)

    # -- output --

    def write(self, data: bytes) -> None:
        # One or three ints take the quick overloads; two would not: pylibremidi's first
        # send_message(int, int) is not (byte, byte) (a program change arrived as four, to 0).
        error = self._send(*data) if len(data) in (1, 3) else self._send(list(data))
        if error:
            raise PortError(f"could not send {len(data)} bytes on {self.name!r}: {error}")
        self._last_write = time.monotonic()

    # -- both --

    def check(self) -> None:
        if self.api == "JACK_MIDI" and jack.server_running() is False:
            _forget_jack_observer()
            raise jack.server_gone(self.name)
        if self.target is not None:
            check_present(self.kind, self.target, [name for name, _ in _ports(self.kind, self.api)])

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self.is_input:
            poller.remove(self)
        if self.is_output and self.api == "JACK_MIDI":
            jackcycles.drain(self._last_write)  # JACK sends at its next cycle: closing sooner loses the last messages
        with self._lock:
            midi, self._midi, self._send = self._midi, None, None
            if self.api == "JACK_MIDI" and jack.server_running() is False:
                _abandoned.append((midi, self._keep))  # see the module docstring
                return
            midi.close_port()
            self._keep = None
        _open_devices.discard(self)


def _new(kind: str, api: str, options: dict):
    lm = _lm()
    if kind == "output":
        return lm.MidiOut(lm.OutputConfiguration(), lm.API[api]), None
    state = InputState(
        Filter(bool(options["ignore_sysex"]), bool(options["ignore_timing"]), bool(options["ignore_active_sensing"]))
    )
    config = lm.InputConfiguration()
    config.on_raw_data = state.arrived
    return lm.MidiIn(config, lm.API[api]), state


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
) -> LibremidiDevice:
    """Open a pylibremidi port; `kind` is 'input' or 'output' (see the module docstring for options)."""
    if client_name is not None:
        virtual = True  # as in mido
        warnings.warn(
            f"the libremidi backend cannot set a client name (pylibremidi does not offer it): {client_name!r} "
            "is not used, and the port's client is 'libremidi client'",
            stacklevel=3,
        )
    check_request(kind, name, virtual, callback)
    chosen = _choose(api, virtual)
    options = {"ignore_sysex": ignore_sysex, "ignore_timing": ignore_timing, "ignore_active_sensing": ignore_active_sensing}
    midi, state = _new(kind, chosen, options)
    target = None
    try:
        if virtual:
            error = midi.open_virtual_port(name)
            if error:
                if sys.platform == "win32":
                    raise PortError(f"could not make the virtual port {name!r} ({error}). {WINDOWS_VIRTUAL_ADVICE}")
                raise PortError(f"this MIDI system ({chosen}) could not make the virtual port {name!r}: {error}")
            port_name = name
        else:
            ports = _ports(kind, chosen)
            index = match_port(name, [port for port, _ in ports], kind)
            target, info = ports[index]
            error = midi.open_port(info, LOCAL_PORT_NAME)
            if error:
                raise PortError(f"could not open the {kind} {target!r}: {error}")
            if chosen == "JACK_MIDI":
                time.sleep(JACK_CONNECT_SETTLE)  # what is sent before the connection is active is lost
            port_name = target
    except BaseException:
        midi.close_port()
        raise
    return LibremidiDevice(midi, kind, chosen, port_name, target, keep=state)


@atexit.register
def _release() -> None:
    """Close what is still open before Python finalizes pylibremidi (which would report it as leaked)."""
    for device in list(_open_devices):
        try:
            device.close()
        except Exception:
            pass
    with _observers_lock:
        _observers.clear()
