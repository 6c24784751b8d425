"""Starting and stopping a real JACK server with the dummy driver, for tests.

The dummy driver needs no sound card, so port tests run against real JACK
MIDI ports on any Linux machine with jackd installed (scripts/test installs
the jackd2 package when it is missing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time


def start_jackd(server_name: str | None = None, timeout: float = 15.0):
    """Start `jackd --no-realtime -d dummy`; returns (process, log path) once it accepts clients."""
    from livemidi.backends.jack import server_running as jack_server_running

    jackd = shutil.which("jackd")
    if jackd is None:
        return None, "jackd is not installed (scripts/test installs the jackd2 package)"
    log = tempfile.NamedTemporaryFile(prefix="livemidi-jackd-", suffix=".log", delete=False)
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1")
    command = [jackd, "--no-realtime"]
    if server_name:
        command += ["-n", server_name]
        env["JACK_DEFAULT_SERVER"] = server_name
    # 256 frames (5.3 ms): with -p 64 the non-realtime dummy driver overruns often
    # enough that JACK repeats or drops MIDI events now and then (docs/ports.md).
    command += ["-d", "dummy", "-r", "48000", "-p", "256"]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
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
