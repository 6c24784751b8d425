"""`livemidi serve` under careless and hostile clients: gone clients' notes, floods, options, 0.0.0.0.

The server runs as a real `livemidi serve` process on a real JACK input, or
in this process (the in-memory backend; Ctrl-C comes from another thread
through ``_thread.interrupt_main``). Anything but loopback is only ever
bound inside a network namespace the test made.
"""

import _thread
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import pytest

import livemidi
from livemidi import Message
from livemidi.cli import main
from livemidi.sockets import PortServer, connect


def _livemidi(*args, netns=None):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    prefix = ["ip", "netns", "exec", netns] if netns else []
    return subprocess.Popen(
        [*prefix, sys.executable, "-m", "livemidi", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def _free_port():
    with PortServer(None, 0) as probe:
        return probe.portno


def _raw(portno):
    return socket.create_connection(("127.0.0.1", portno), timeout=5)


def _raw_when_up(portno, seconds=10.0):
    """A raw client, once the server starting in another thread listens."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return _raw(portno)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _reset(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class _Serve:
    """A `livemidi serve` process (in `netns` if given): its output lines as they come, Ctrl-C at the end.

    The lines it prints ("Received ...") are what it sends to its port, in
    order: tests read the server's decisions there, not through a JACK
    port (whose dummy driver may drop or repeat an event on a busy machine;
    tests/ports/test_ports_commands.py checks that serve reaches JACK).
    """

    def __init__(self, *args, netns=None):
        self.process = _livemidi("serve", *args, netns=netns)
        self.lines = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.stderr = ""
        self.status = None

    def _read(self):
        for line in self.process.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait(self, predicate, seconds=10.0, what="a line"):
        """The lines so far, once `predicate(lines)` holds."""
        with self._changed:
            if not self._changed.wait_for(lambda: predicate(self.lines), seconds):
                pytest.fail(f"{what} not printed within {seconds} s; printed {self.lines}")
            return list(self.lines)

    def wait_line(self, line, seconds=10.0):
        """The lines printed after the last one before `line` was printed."""
        return self.wait(lambda lines: line in lines, seconds, repr(line))

    def __enter__(self):
        self.wait(lambda lines: any(line.startswith("Serving") for line in lines), what="Serving")
        return self

    def __exit__(self, *exc):
        try:
            self.process.send_signal(signal.SIGINT)
            self.status = self.process.wait(10)
        finally:
            self.process.kill()
            self.process.wait(10)
            self.stderr = self.process.stderr.read()
        return False


def _received(*messages):
    return [f"Received {msg}" for msg in messages]


@pytest.mark.parametrize("leave", [socket.socket.close, _reset], ids=["close", "reset"])
def test_serve_to_jack_ends_exactly_a_gone_clients_notes(jack, jack_spec, unique, leave):
    portno = _free_port()
    with jack.open_input(unique, virtual=True), _Serve(f"127.0.0.1:{portno}", unique, "--backend", jack_spec) as serve:
        a, b = _raw(portno), _raw(portno)
        a.sendall(bytes([0x90, 60, 100, 0x90, 62, 100, 0x91, 67, 90]))
        b.sendall(bytes([0x90, 48, 100, 0x91, 67, 80]))
        start = len(serve.wait(lambda lines: len(lines) >= 6, what="five notes"))
        assert sorted(serve.lines[1:start]) == sorted(_received(
            Message("note_on", note=60, velocity=100), Message("note_on", note=62, velocity=100),
            Message("note_on", channel=1, note=67, velocity=90), Message("note_on", note=48, velocity=100),
            Message("note_on", channel=1, note=67, velocity=80),
        ))  # fmt: skip
        leave(a)
        offs = _received(Message("note_off", note=60, velocity=0), Message("note_off", note=62, velocity=0))
        assert serve.wait_line(offs[-1])[start:] == offs
        mark = Message("control_change", control=99, value=2)
        b.sendall(mark.bin())
        # a's going ended nothing else: not b's 48, nor the 67 that both played
        assert serve.wait_line(*_received(mark))[start + 2:] == _received(mark)
        b.close()
        offs = _received(Message("note_off", note=48, velocity=0), Message("note_off", channel=1, note=67, velocity=0))
        assert serve.wait_line(offs[-1])[start + 3:] == offs
    assert serve.status == 130
    assert serve.lines[start + 5:] == []  # Ctrl-C: nothing was left sounding
    assert "went with 2 note(s) sounding" in serve.stderr


@pytest.mark.parametrize("leave", [socket.socket.close, _reset], ids=["close", "reset"])
def test_serve_ends_exactly_a_gone_clients_notes_on_the_port(memory, unique, leave):
    portno = _free_port()
    got = []

    def heard(count):
        deadline = time.monotonic() + 10
        while len(got) < count:
            assert time.monotonic() < deadline, got
            time.sleep(0.001)

    def clients():
        a = _raw_when_up(portno)
        b = _raw(portno)
        a.sendall(bytes([0x90, 60, 100, 0x90, 62, 100, 0x91, 67, 90]))
        b.sendall(bytes([0x90, 48, 100, 0x91, 67, 80]))
        heard(5)
        leave(a)
        heard(7)
        b.sendall(Message("control_change", control=99, value=2).bin())
        heard(8)
        b.close()
        heard(10)

    with memory.open_input(unique, virtual=True) as synth:
        synth.callback = got.append
        status = _serve_here(["serve", f"127.0.0.1:{portno}", unique, "--backend", "livemidi.backends.memory", "-q"],
                             clients)  # fmt: skip
    assert status == 130
    assert got[5:] == [
        Message("note_off", note=60, velocity=0), Message("note_off", note=62, velocity=0),
        Message("control_change", control=99, value=2),
        Message("note_off", note=48, velocity=0), Message("note_off", channel=1, note=67, velocity=0),
        *livemidi.ports.reset_messages(),  # Ctrl-C: no note was left sounding
    ]  # fmt: skip


def _serve_here(args, work):
    """Run `livemidi serve ARGS` in this thread while `work()` runs in another; Ctrl-C when it is done."""
    failure = []
    done = threading.Event()

    def run():
        try:
            work()
        except BaseException as error:  # reported in the test's thread
            failure.append(error)
        finally:
            if not done.is_set():
                _thread.interrupt_main()

    worker = threading.Thread(target=run)
    worker.start()
    try:
        status = main(args)
    finally:
        done.set()
        for _ in range(3):  # an interrupt sent just before `done` was set may still arrive: swallow it here
            try:
                worker.join(30)
                time.sleep(0.05)
                break
            except KeyboardInterrupt:
                continue
    if failure:
        raise failure[0]
    return status


def test_serve_rate_limits_garbage_with_a_notice_and_serves_a_good_client(memory, unique, capsys):
    portno = _free_port()
    rate = 300
    sent_good = []
    span = []

    def clients():
        _raw_when_up(portno).close()
        span.append(time.monotonic())  # the flood's rate bucket is made when it is accepted: after this
        flood = _raw(portno)
        good = connect(None, portno)
        noise = random.Random(7).randbytes(1 << 15)
        flood.setblocking(False)
        for step in range(300):
            try:
                flood.send(noise)
            except BlockingIOError:
                pass
            if step % 30 == 0:
                note = Message("sysex", data=[0x7D, 0x15, step // 30])
                good.send(note)
                sent_good.append(note)
            time.sleep(0.003)
        mark = Message("sysex", data=[0x7D, 0x15, 0x7F])
        good.send(mark)
        sent_good.append(mark)
        deadline = time.monotonic() + 10
        while mark not in got and time.monotonic() < deadline:
            time.sleep(0.01)
        flood.close()
        good.close()

    got = []
    with memory.open_input(unique, virtual=True) as synth:
        synth.callback = got.append
        status = _serve_here(["serve", f"127.0.0.1:{portno}", unique, "--backend", "livemidi.backends.memory",
                              "-q", "--max-rate", str(rate)], clients)  # fmt: skip
    elapsed = time.monotonic() - span[0]  # the server has stopped: nothing passed after this
    assert status == 130
    assert got[-32:] == list(livemidi.ports.reset_messages())  # Ctrl-C
    got = got[:-32]
    assert [msg for msg in got if msg in sent_good] == sent_good  # the good client: everything, in order
    flood = [msg for msg in got if msg not in sent_good]
    starts = [msg for msg in flood if msg.type not in ("note_off", "note_on") or msg.velocity]
    assert starts, "some of the noise passes"
    assert len(starts) <= rate + rate * elapsed
    assert len(flood) <= 2 * (rate + rate * elapsed)  # at most one note-off of its own per note it started
    err = capsys.readouterr().err
    assert f"livemidi serve: 127.0.0.1:" in err and f"sends more than {rate} messages a second" in err


def test_serve_options_reach_the_server_and_bad_ones_are_clear_errors(memory, unique, capsys):
    def full():
        kept = _raw_when_up(portno)
        time.sleep(0.2)
        refused = _raw(portno)
        refused.settimeout(5)
        assert refused.recv(1) == b""  # one place only, and no idle timeout to free it
        kept.close()
        refused.close()

    portno = _free_port()
    with memory.open_input(unique, virtual=True):
        status = _serve_here(["serve", f"127.0.0.1:{portno}", unique, "--backend", "livemidi.backends.memory",
                              "--max-clients", "1", "--idle-timeout", "0"], full)  # fmt: skip
    assert status == 130
    assert "livemidi serve: refused 127.0.0.1:" in capsys.readouterr().err
    assert main(["serve", "127.0.0.1:9", "x", "--max-clients", "0"]) == 1
    assert "--max-clients cannot be off" in capsys.readouterr().err
    for bad in (["--max-rate", "-1"], ["--idle-timeout", "soon"], ["--backlog", "many"]):
        with pytest.raises(SystemExit):
            main(["serve", "127.0.0.1:9", "x", *bad])
        assert "expected" in capsys.readouterr().err


def test_serve_on_every_interface_warns_and_serves(netns, jack, jack_spec, unique):
    """0.0.0.0 is bound only inside a namespace with nothing but loopback."""
    with jack.open_input(unique, virtual=True), _Serve("0.0.0.0:9080", unique, "--backend", jack_spec,
                                                       netns=netns) as serve:  # fmt: skip
        assert serve.lines[0].endswith(" on 0.0.0.0:9080."), serve.lines
        client = subprocess.run(
            ["ip", "netns", "exec", netns, sys.executable, "-c",
             "import livemidi.sockets as s, livemidi as m; c = s.connect('127.0.0.1', 9080); "
             "c.send(m.Message('note_on', note=65)); c.close()"],
            capture_output=True, text=True, timeout=30, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)),
        )  # fmt: skip
        assert client.returncode == 0, client.stderr
        serve.wait_line(*_received(Message("note_on", note=65)))
    assert serve.status == 130
    assert "livemidi serve: serving on 0.0.0.0:9080, open to every network interface" in serve.stderr
    assert "Serve on 127.0.0.1 unless that is what you want" in serve.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_port_server_on_every_interface_warns(netns, host):
    code = (
        "import warnings, livemidi.sockets as s\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        f"    s.PortServer({host!r}, 0).close()\n"
        "print([str(w.message) for w in caught])\n"
    )
    result = subprocess.run(["ip", "netns", "exec", netns, sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=30, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "open to every network interface" in result.stdout


HOLDER = """
import socket, sys, time
sock = socket.create_connection(('127.0.0.1', 9080), timeout=10)
sock.sendall(bytes([0x90, 60, 100]))
print('holding', flush=True)
time.sleep(60)  # holds its note and its connection, and never closes either
"""


def test_serve_ends_the_notes_of_a_client_whose_network_vanished(netns, jack, jack_spec, unique):
    """No close and no reset: the namespace's only network goes down under an open connection."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    holder = None
    with jack.open_input(unique, virtual=True), _Serve("127.0.0.1:9080", unique, "--backend", jack_spec,
                                                       "--keepalive", "1", netns=netns) as serve:  # fmt: skip
        try:
            holder = subprocess.Popen(["ip", "netns", "exec", netns, sys.executable, "-c", HOLDER],
                                      stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip
            assert holder.stdout.readline() == "holding\n"
            serve.wait_line(*_received(Message("note_on", note=60, velocity=100)))
            subprocess.run(["ip", "-n", netns, "link", "set", "lo", "down"], check=True, timeout=10)
            # TCP keepalive probes after 1 s of silence, every second, three times: then the client is gone.
            serve.wait_line(*_received(Message("note_off", note=60, velocity=0)), seconds=30)
        finally:
            if holder is not None:
                holder.kill()
                holder.wait(10)
    assert serve.status == 130


def test_connect_says_at_once_when_the_server_closes_it(jack, jack_spec, unique):
    with jack.open_output(unique, virtual=True), PortServer(None, 0, max_clients=1, idle_timeout=None) as server:
        first = connect(None, server.portno)
        stop = threading.Event()

        def serve():
            while not stop.is_set():
                server.poll()  # accepts: refuses the second client
                time.sleep(0.001)

        thread = threading.Thread(target=serve)
        thread.start()
        client = _livemidi("connect", f"127.0.0.1:{server.portno}", unique, "--backend", jack_spec)
        try:
            assert client.wait(20) == 1  # no message needs to come from the keyboard first
        finally:
            stop.set()
            thread.join(10)
            client.kill()
            client.wait(10)
            first.close()
        err = client.stderr.read()
    assert f"the server at 127.0.0.1:{server.portno} closed the connection: it may be full" in err


def test_serve_shows_port_servers_own_defaults(capsys):
    import inspect

    from livemidi.cli.ports import SERVER_DEFAULTS

    signature = inspect.signature(PortServer).parameters
    assert SERVER_DEFAULTS == {name: signature[name].default for name in SERVER_DEFAULTS}
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name, value in SERVER_DEFAULTS.items():
        assert f"--{name.replace('_', '-')}" in text and f"(default: {value})" in text
