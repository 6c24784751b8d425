"""Starting and stopping a real JACK server with the dummy driver, for tests; what JACK lost.

The dummy driver needs no sound card, so port tests run against real JACK
MIDI ports on any Linux machine with jackd installed (scripts/test installs
the jackd2 package when it is missing).

On a loaded machine JACK itself loses events: a client that has not finished
a cycle when the next begins (the server logs "was not finished") misses what
that cycle held, and a late driver squeezes cycles ("XRun"). A test that
finds something missing at a JACK client uses a `Witness` to tell that apart
from a fault of livemidi's: a second listener on the same port, and the
server's log over the check.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from livemidi import Message


def start_jackd(server_name: str | None = None, timeout: float = 15.0, realtime: bool = True):
    """Start `jackd -R -P 70 -d dummy` (`jackd -r` if not `realtime`); returns (process, log path) once it accepts clients.

    Real-time scheduling where the system grants it (jackd carries on
    without it, saying so in its log, where not): at normal priority a
    loaded machine (two CPU burners on two cores) starved the server and its
    clients' process threads: of 400 clock pulses sent from one client to
    another, 5 to 172 were lost (or some repeated), by backend pair, with
    100-200 "was not finished" lines in the log each; real-time, all 400
    arrived, with 0 or 1 such line (measured in the same conditions).
    """
    from livemidi.backends.jack import server_running as jack_server_running

    jackd = shutil.which("jackd")
    if jackd is None:
        return None, "jackd is not installed (scripts/test installs the jackd2 package)"
    log = tempfile.NamedTemporaryFile(prefix="livemidi-jackd-", suffix=".log", delete=False)
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1")
    command = [jackd, "--realtime", "--realtime-priority", "70"] if realtime else [jackd, "--no-realtime"]
    if server_name:
        command += ["-n", server_name]
        env["JACK_DEFAULT_SERVER"] = server_name
    # 256 frames (5.3 ms): with -p 64 the dummy driver overruns often enough
    # that JACK repeats or drops MIDI events now and then (docs/ports.md).
    command += ["-d", "dummy", "-r", "48000", "-p", "256"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    process.log_path = log.name  # for ServerLog
    deadline = time.monotonic() + timeout
    saved = os.environ.get("JACK_DEFAULT_SERVER")
    try:
        if server_name:
            os.environ["JACK_DEFAULT_SERVER"] = server_name
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            if jack_server_running():
                return process, log.name
            time.sleep(0.05)
    finally:
        if server_name:
            if saved is None:
                os.environ.pop("JACK_DEFAULT_SERVER", None)
            else:
                os.environ["JACK_DEFAULT_SERVER"] = saved
    stop_jackd(process)
    with open(log.name, errors="replace") as file:
        return None, f"jackd did not start: {file.read()[-500:]}"


def stop_jackd(process) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def client(backend, name: str) -> dict:
    """Options naming a port's client where `backend` can (rtmidi); libremidi's clients are 'libremidi client'."""
    return {"client_name": name} if backend.name.endswith(".rtmidi") else {}


def collect(synth, seconds: float = 1.0) -> list:
    """What input port `synth` receives in the next `seconds`."""
    received = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        received += list(synth.iter_pending())
        time.sleep(0.01)
    return received


def run_into(jack, jack_spec: str, unique: str, pattern_file, *options: str) -> tuple[list, str]:
    """Run ``livemidi run PATTERN_FILE OPTIONS`` on JACK into a virtual input named `unique` (the synth):
    what it received, and what the command printed. OPTIONS name the output, e.g. ``--port``, `unique`."""
    with jack.open_input(unique, virtual=True, **client(jack, f"{unique}rx")) as synth:
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        result = subprocess.run(
            [sys.executable, "-m", "livemidi", "run", str(pattern_file), *options, "--backend", jack_spec],
            capture_output=True, text=True, timeout=60, env=env,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return collect(synth), result.stdout


# Each real backend on the JACK API: the `jack` fixture's parameters.
JACK_BACKENDS = {
    "rtmidi": "livemidi.backends.rtmidi/UNIX_JACK",
    "libremidi": "livemidi.backends.libremidi/JACK_MIDI",
}


def jack_backend_missing(kind: str) -> str | None:
    """Why the backend `kind` ('rtmidi' or 'libremidi') cannot reach JACK here, or None."""
    if kind == "rtmidi":
        if importlib.util.find_spec("rtmidi") is None:
            return "python-rtmidi is not installed"
        from livemidi.backends.rtmidi import get_api_names

        return None if "UNIX_JACK" in get_api_names() else "this python-rtmidi was built without JACK"
    from livemidi.backends import libremidi_load

    try:
        libremidi_load.load()
    except ImportError as error:
        return f"pylibremidi does not load: {error}"
    from livemidi.backends.libremidi import get_api_names

    return None if "JACK_MIDI" in get_api_names() else "this pylibremidi has no JACK"


# What the server logs when a client lost a cycle; and when its driver woke late (dummy driver: "XRun = N usec"),
# which loses events only when it is late by a period or more (256 frames at 48 kHz: 5333 µs).
LOST = ("was not finished", "Process error")
LATE_DRIVER = re.compile(r"XRun = (\d+) usec")
PERIOD_US = 5333


class ServerLog:
    """The lines a JACK server started here logs from a mark on: `lost_cycles` says what it lost."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.offset = 0
        self.mark()

    def mark(self) -> None:
        self.offset = os.path.getsize(self.path)

    def lost_cycles(self) -> list[str]:
        """The lines since the mark that say JACK lost (or squeezed) a cycle."""
        with open(self.path, errors="replace") as file:
            file.seek(self.offset)
            lines = [line.strip() for line in file]
        late = [(line, LATE_DRIVER.search(line)) for line in lines]
        return [line for line, match in late if any(sign in line for sign in LOST) or (match and int(match[1]) >= PERIOD_US)]


def other_backend(backend):
    """The other real backend, to listen with where it works here (a second opinion); else `backend`."""
    import livemidi

    for kind, spec in JACK_BACKENDS.items():
        if not backend.name.endswith("." + kind) and jack_backend_missing(kind) is None:
            return livemidi.Backend(spec)
    return backend


class Witness:
    """What JACK delivered on a port during a check: a second listener and the server's log.

    ``with Witness(backend, port, log) as witness:`` listens on `port` (an
    output's name; None: the log alone) with the other real backend where there is one, so that a
    fault of one backend's input is not mistaken for JACK's; `heard` is what
    it got. `excuse(missing, what)` skips the test, saying why, when JACK
    provably lost `missing`: the witness lacks it as well, or the server
    logged lost cycles during the check. Otherwise it returns, and the test
    goes on to fail.
    """

    def __init__(self, backend, port: str, log: ServerLog | None) -> None:
        self.log = log
        self.heard: list = []
        self._backend = other_backend(backend)
        self._port = port
        self._input = None

    def __enter__(self) -> Witness:
        if self.log is not None:
            self.log.mark()
        if self._port is not None:  # None: the log is the only witness
            self._input = self._backend.open_input(self._port)
            self._input.callback = self.heard.append
        return self

    def __exit__(self, *exc_info) -> None:
        if self._input is not None:
            self._input.close()

    def connected(self, send, inputs, seconds: float = 10.0) -> None:
        """Return once a probe sent with ``send(msg)`` has reached each of `inputs` and the witness.

        A JACK connection takes effect at a later cycle, later still on a
        busy machine, so a fixed wait is a guess: the probe is sent again
        every 0.1 s until everyone has it. Then the inputs are polled empty
        and the witness forgets what it heard. A witness with no port (None)
        waits for the inputs alone.
        """
        probe = Message("song_select", song=0x55)
        deadline = time.monotonic() + seconds
        waiting = list(inputs)
        while waiting or (self._input is not None and probe not in self.heard):
            if time.monotonic() > deadline:
                pytest.fail(f"the JACK connections were not active within {seconds} s")
            send(probe)
            time.sleep(0.1)
            waiting = [port for port in waiting if probe not in list(port.iter_pending())]
        time.sleep(0.1)  # the last probes arrive
        for port in inputs:
            list(port.iter_pending())
        self.heard.clear()
        if self.log is not None:
            self.log.mark()

    def excuse(self, what: str, missing=()) -> None:
        """Skip, saying why, if JACK provably lost `what` (`missing`: the items the check lacks); else return.

        Proof: the witness lacks every missing item too, or the server logged
        lost cycles during the check (needed for anything but a plain loss:
        repeated or reordered events, items only the receiver lacks).
        """
        missing = list(missing)
        lost = self.log.lost_cycles() if self.log is not None else []
        if missing and self._input is not None and not any(item in self.heard for item in missing):
            pytest.skip(f"JACK lost {what}: the second listener did not get {missing[:3]} either"
                        f"{f' ({len(lost)} lost cycles in the server log)' if lost else ''}")
        if lost:
            pytest.skip(f"JACK lost {what}: the server logged {len(lost)} lost cycles during the check, "
                        f"e.g. {lost[0]!r}")
