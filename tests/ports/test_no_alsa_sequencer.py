"""A Linux machine without the ALSA sequencer device: livemidi's own message, never libasound's lines.

libasound prints "ALSA lib seq_hw.c:...(snd_seq_hw_open) open /dev/snd/seq
failed" to stderr each time a MIDI client is tried without the device. Both
real backends, through the commands and the REPL, must say it once in their
own words instead. These tests only mean something where the device is
missing (a server, a container: these machines).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import subprocess
import sys

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from livemidi.clock import VirtualSender
from livemidi.repl import repl
from livemidi.session import Session

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.path.exists("/dev/snd/seq"),
    reason="only a Linux machine without the ALSA sequencer device shows this",
)

ALSA_SAYS = "ALSA lib"
NO_JACK = "livemidi-test-no-such-server"  # a JACK server name nobody runs: no MIDI system at all
BACKENDS = {
    "rtmidi": ("livemidi.backends.rtmidi", "rtmidi"),
    "libremidi": ("livemidi.backends.libremidi", "pylibremidi"),
}


@pytest.fixture(params=list(BACKENDS))
def backend(request):
    name, module = BACKENDS[request.param]
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed here")
    return name


def _livemidi(*args, backend):
    env = dict(os.environ, LIVEMIDI_BACKEND=backend, JACK_DEFAULT_SERVER=NO_JACK)
    return subprocess.run([sys.executable, "-m", "livemidi", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_livemidi_ports_says_why_and_alsa_prints_nothing(backend):
    result = _livemidi("ports", backend=backend)
    assert ALSA_SAYS not in result.stderr, result.stderr
    assert result.returncode == 1 and "Backend: " + backend in result.stdout
    assert "JACK: the server is not running" in result.stdout  # livemidi's own message, kept
    if backend.endswith("rtmidi"):  # python-rtmidi always has ALSA; a pylibremidi may not offer it
        assert "ALSA: this machine has no MIDI sequencer (/dev/snd/seq does not exist" in result.stdout


def test_livemidi_serve_says_why_and_alsa_prints_nothing(backend):
    result = _livemidi("serve", "127.0.0.1:0", "no such port", backend=backend)
    assert ALSA_SAYS not in result.stderr, result.stderr
    assert result.returncode == 1 and result.stderr.startswith("livemidi: ")


@pytest.mark.parametrize("typed", ["listen()", "listen('Keyboard')"])
def test_listen_in_the_repl_says_why_and_alsa_prints_nothing(backend, typed, capfd, monkeypatch):
    monkeypatch.setenv("LIVEMIDI_BACKEND", backend)
    monkeypatch.setenv("JACK_DEFAULT_SERVER", NO_JACK)
    t = [50.0]
    session = Session(VirtualSender(now=lambda: t[0]), threaded=False, now=lambda: t[0])
    session.add_output("out")
    printed = []

    async def go():
        with create_pipe_input() as pipe:
            pipe.send_text(typed + "\r\x04")
            await repl(session, input=pipe, output=DummyOutput(), history_path=None, write=printed.append)

    try:
        asyncio.run(go())
    finally:
        session.close()
    out = "".join(printed)
    assert ALSA_SAYS not in capfd.readouterr().err  # libasound writes to the process's stderr itself
    assert "PortError: could not start a MIDI client: " in out  # the REPL says what went wrong, in livemidi's words


QUIET = """
import ctypes, sys
from livemidi.backends import alsa
asound = ctypes.CDLL("libasound.so.2")
handle = ctypes.c_void_p()
with alsa.quiet():
    inside = asound.snd_seq_open(ctypes.byref(handle), b"default", 3, 0)
print("--- after", file=sys.stderr, flush=True)
after = asound.snd_seq_open(ctypes.byref(handle), b"default", 3, 0)
print(inside, after)
"""


def test_quiet_silences_libasound_only_inside_the_block():
    try:
        import ctypes

        ctypes.CDLL("libasound.so.2")
    except OSError:
        pytest.skip("libasound is not installed")
    result = subprocess.run([sys.executable, "-c", QUIET], capture_output=True, text=True, timeout=60)
    inside, after = result.stdout.split()
    assert int(inside) < 0 and int(after) < 0  # no sequencer: both fail
    before_after, _, then = result.stderr.partition("--- after")
    assert ALSA_SAYS not in before_after  # silenced in the block
    assert ALSA_SAYS in then  # and libasound's own printing is back after it: nothing else is hidden
