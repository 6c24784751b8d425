"""Shared fixtures: a real JACK server (dummy driver), the memory backend, waiting helpers.

Every test runs with LIVEMIDI_CONFIG pointing at a fresh path (the
`user_config` fixture), so no test reads or writes the user's config file,
and with LIVEMIDI_SERVER_FILE in its own directory and LIVEMIDI_EVAL_PORT=0
(the `eval_server_file` fixture), so a session a test starts never takes
port 7317 or writes the user's server file.
The `jack` fixture uses a running JACK server, or starts one with the dummy
driver (no sound card needed) and stops it at the end of the session. It is
parametrized over livemidi's two real backends, rtmidi and libremidi, so each
JACK test runs on both. With no jackd, or a backend that is not installed or
has no JACK, those tests skip, saying why, unless LIVEMIDI_REQUIRE_JACK=1
(CI), where they fail instead. The one exception is python-rtmidi on Python
3.13 and newer, where it has no wheel: its half skips there even in CI.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import uuid

import pytest

import livemidi
from jackserver import JACK_BACKENDS, jack_backend_missing, start_jackd, stop_jackd

# A suite started with Ctrl-C ignored (put in the background by a non-interactive shell, `cmd &`)
# cannot test Ctrl-C: the tests that send it to themselves waited forever in a `while True` block,
# and the commands they start inherited the ignoring and played on. The suite takes Ctrl-C back.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)



@pytest.fixture(autouse=True)
def user_config(tmp_path_factory, monkeypatch):
    """Every test gets a config file path of its own (not there yet): the machine's user config is never read."""
    path = tmp_path_factory.mktemp("config") / "livemidi" / "config.json"
    monkeypatch.setenv("LIVEMIDI_CONFIG", str(path))
    return path


@pytest.fixture(autouse=True)
def eval_server_file(tmp_path_factory, monkeypatch):
    """Every test's sessions write their server file here and listen on any free port (never 7317)."""
    path = tmp_path_factory.mktemp("evalserver") / "server.json"
    monkeypatch.setenv("LIVEMIDI_SERVER_FILE", str(path))
    monkeypatch.setenv("LIVEMIDI_EVAL_PORT", "0")
    return path


def _unavailable(reason: str):
    if os.environ.get("LIVEMIDI_REQUIRE_JACK") == "1":
        pytest.fail(f"JACK is required (LIVEMIDI_REQUIRE_JACK=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def jack_session():
    """A JACK server for the whole session: (None if one was already running | our process | why not)."""
    from livemidi.backends.jack import server_running

    if server_running():
        yield None
        return
    process, reason = start_jackd()
    if process is None:
        yield reason
        return
    yield process
    stop_jackd(process)


@pytest.fixture(params=list(JACK_BACKENDS))
def jack(request, jack_session):
    """A Backend on the JACK server, once per real backend; skips (or fails under LIVEMIDI_REQUIRE_JACK=1) without one."""
    if isinstance(jack_session, str):
        _unavailable(jack_session)
    missing = jack_backend_missing(request.param)
    if missing is not None:
        if request.param == "rtmidi" and sys.version_info >= (3, 13):
            pytest.skip(f"{missing}: python-rtmidi has no wheel for Python 3.13+ (the libremidi half runs)")
        _unavailable(missing)
    return livemidi.Backend(JACK_BACKENDS[request.param])


@pytest.fixture
def jack_log(jack_session):
    """The test JACK server's log (`jackserver.ServerLog`), or None when the server was already running."""
    from jackserver import ServerLog

    path = getattr(jack_session, "log_path", None)
    return ServerLog(path) if path else None


@pytest.fixture
def jack_spec(jack) -> str:
    """The `jack` backend as one string, for --backend options and sender ports: 'module/API'."""
    return f"{jack.name}/{jack.api}"


@pytest.fixture
def unique():
    """A port name no other test uses."""
    return f"t{uuid.uuid4().hex[:8]}"


@pytest.fixture
def memory():
    """The in-memory backend."""
    return livemidi.Backend("livemidi.backends.memory")


def _receive_within(port, seconds: float = 2.0, *, lost_ok: bool = False):
    """The next message from `port`, or fail after `seconds` (JACK delivers within a period).

    With `lost_ok`, None instead of failing: the test then asks its `Witness` whether JACK lost it.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        msg = port.poll()
        if msg is not None:
            return msg
        time.sleep(0.0005)
    if lost_ok:
        return None
    pytest.fail(f"nothing arrived on {port!r} within {seconds} s")


def _wait_for(predicate, seconds: float = 2.0, what: str = "condition") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.001)
    pytest.fail(f"{what} not reached within {seconds} s")


@pytest.fixture
def receive_within():
    """receive_within(port, seconds=2.0): the next message, or fail after `seconds`."""
    return _receive_within


@pytest.fixture
def wait_for():
    """wait_for(predicate, seconds=2.0, what=...): poll until true, or fail."""
    return _wait_for


def _netns_unavailable(reason: str):
    if os.environ.get("LIVEMIDI_REQUIRE_NETNS") == "1":
        pytest.fail(f"network namespaces are required (LIVEMIDI_REQUIRE_NETNS=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture
def netns():
    """A fresh network namespace with only loopback, up with multicast: its name.

    Link peers started in it (``ip netns exec NAME ...``) find each other over
    loopback and touch no real network. Skips (or fails under
    LIVEMIDI_REQUIRE_NETNS=1) where namespaces cannot be made.
    """
    import subprocess

    name = f"livemidi-{uuid.uuid4().hex[:10]}"
    try:
        subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True, text=True, timeout=10)
    except FileNotFoundError:
        _netns_unavailable("the ip command (iproute2) is not installed")
    except subprocess.CalledProcessError as error:
        _netns_unavailable(f"`ip netns add` failed (it needs root): {error.stderr.strip()}")
    try:
        subprocess.run(["ip", "-n", name, "link", "set", "lo", "up", "multicast", "on"],
                       check=True, capture_output=True, text=True, timeout=10)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=10)


@pytest.fixture
def aalink():
    """The aalink module (Ableton Link); skips without it (fails under LIVEMIDI_REQUIRE_NETNS=1)."""
    try:
        import aalink
    except ImportError as error:
        _netns_unavailable(f"the optional aalink package is not installed ({error})")
    return aalink
