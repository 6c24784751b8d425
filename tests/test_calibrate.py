"""`livemidi calibrate`: the measurement (fake echo, then a real JACK round trip), the stored offset, the errors."""

from __future__ import annotations

import json
import queue
import threading
import time

import pytest

from livemidi import Message
from livemidi.cli.calibrate import CHANNEL, NOTE, Calibration, measure
from livemidi.cli import main
from livemidi.session import Session

MEMORY = "livemidi.backends.memory"


# -- the measurement, with an echo in this process ---------------------------------------------


class EchoingSender:
    """Stands in for the sender: each note-on 'comes back' to the input `delay` s after its deadline."""

    def __init__(self, delay: float, lose=(), noise=False) -> None:
        self.delay = delay
        self.lose = set(lose)  # velocities that never come back
        self.noise = noise
        self.ear = None
        self.timers: list[threading.Timer] = []
        self.sent = []

    def listen(self, ear):
        self.ear = ear
        sender = self

        class Input:
            closed = False

            def close(self):
                self.closed = True
                for timer in sender.timers:
                    timer.cancel()

        return Input()

    def schedule(self, records):
        for deadline, port, data, tag in records:
            msg = Message.from_bytes(data)
            if msg.type != "note_on" or msg.velocity in self.lose:
                continue
            self.sent.append((deadline, msg))
            wait = max(0.0, deadline + self.delay - time.perf_counter())
            heard = [msg, msg] if self.noise else [msg]  # a doubled echo counts once
            if self.noise:
                heard += [Message("note_on", note=60, velocity=msg.velocity), Message("clock")]
            timer = threading.Timer(wait, lambda heard=heard: [self.ear(m) for m in heard])
            timer.start()
            self.timers.append(timer)
        return list(range(len(records)))

    def take_sent(self):
        return []

    def flush(self):
        pass


def test_round_trips_are_measured_from_the_deadlines():
    sender = EchoingSender(delay=0.030)
    result = measure(sender, 0, sender.listen, count=5, timeout=2)
    assert isinstance(result, Calibration)
    assert (result.sent, result.received, result.lost) == (5, 5, 0)
    assert all(29 <= trip < 200 for trip in result.round_trips)  # 30 ms, plus however late the timers fire
    assert result.offset == round(-result.median, 1) and result.offset <= -29
    assert 29 <= result.first_echo < 250


def test_other_traffic_is_ignored_and_lost_notes_counted():
    sender = EchoingSender(delay=0.005, lose={2, 4}, noise=True)
    result = measure(sender, 0, sender.listen, count=5, timeout=2)
    assert (result.received, result.lost) == (3, 2)
    assert result.ignored >= 6  # the other note and the clock byte after each echo
    assert all(trip >= 5 for trip in result.round_trips)


def test_the_test_notes_are_distinctive():
    sender = EchoingSender(delay=0.0)
    measure(sender, 0, sender.listen, count=3, timeout=2)
    test_notes = [msg for _, msg in sender.sent if msg.velocity != 127]
    assert [(m.channel, m.note, m.velocity) for m in test_notes] == [(CHANNEL, NOTE, v) for v in (1, 2, 3)]


def test_no_echo_is_a_timeout():
    sender = EchoingSender(delay=0.0, lose={127})  # the probes never come back
    with pytest.raises(TimeoutError, match="no test note came back within 0.3 s"):
        measure(sender, 0, sender.listen, count=3, timeout=0.3)


def test_count_is_checked():
    sender = EchoingSender(delay=0.0)
    for bad in (0, 101, 2.5, True):
        with pytest.raises(ValueError, match="from 1 to 100"):
            measure(sender, 0, sender.listen, count=bad)


# -- the command's errors, on in-memory ports ----------------------------------------------------


def calibrate(*options):
    return main(["calibrate", "--backend", MEMORY, *options])


def test_an_unknown_output_lists_the_outputs(capsys):
    assert calibrate("--out", "nowhere", "--in", "x") == 1
    err = capsys.readouterr().err
    assert "unknown output port 'nowhere'" in err


def test_an_unknown_input_lists_the_inputs(capsys, memory):
    with memory.open_output("loopback", virtual=True):
        assert calibrate("--out", "probe", "--virtual", "--in", "nothing") == 1
    err = capsys.readouterr().err
    assert "unknown input port 'nothing'" in err and "'loopback'" in err


def test_no_echo_says_what_to_check_and_stores_nothing(capsys, memory, user_config):
    with memory.open_output("loopback", virtual=True):  # an input nothing ever comes back on
        assert calibrate("--out", "probe", "--virtual", "--in", "loopback", "--timeout", "0.3") == 1
    err = capsys.readouterr().err
    assert "no test note came back within 0.3 s on 'loopback'" in err
    assert "loopback cable" in err and "MIDI From" in err and "Nothing was stored" in err
    assert not user_config.exists()


@pytest.mark.parametrize("option", [["--count", "0"], ["--count", "many"], ["--timeout", "0"], ["--timeout", "x"]])
def test_bad_numbers_say_what_is_expected(capsys, option):
    with pytest.raises(SystemExit) as exit:
        calibrate("--out", "a", "--in", "b", *option)
    assert exit.value.code == 2
    assert "expected a" in capsys.readouterr().err


def canned(monkeypatch):
    result = Calibration(4, [21.0, 22.5, 23.0, 30.0], 0, 25.0, 0.01)
    monkeypatch.setattr("livemidi.cli.calibrate.measure", lambda *args, **kwargs: result)


def test_the_offset_is_stored_and_reported(capsys, monkeypatch, memory, user_config):
    canned(monkeypatch)
    with memory.open_output("loopback", virtual=True):
        assert calibrate("--out", "probe", "--virtual", "--in", "loopback") == 0
    out = capsys.readouterr().out
    assert "received 4 of 4 (0 lost)" in out
    assert "round trip: median 22.8 ms, min 21.0 ms, max 30.0 ms, jitter 3.5 ms" in out
    assert "offset for 'probe': -22.8 ms (it plays 22.8 ms earlier)" in out
    assert f"Stored in {user_config}" in out
    assert json.loads(user_config.read_text()) == {"offsets": {"probe": -22.8}}


def test_dry_run_stores_nothing(capsys, monkeypatch, memory, user_config):
    canned(monkeypatch)
    with memory.open_output("loopback", virtual=True):
        assert calibrate("--out", "probe", "--virtual", "--in", "loopback", "--dry-run") == 0
    assert "--dry-run: not stored. To use it: livemidi --offset 'probe=-22.8'" in capsys.readouterr().out
    assert not user_config.exists()


def test_a_corrupt_config_is_left_alone_and_the_result_still_shown(capsys, monkeypatch, memory, user_config):
    canned(monkeypatch)
    user_config.parent.mkdir(parents=True)
    user_config.write_text("{not json")
    with memory.open_output("loopback", virtual=True):
        assert calibrate("--out", "probe", "--virtual", "--in", "loopback") == 1
    captured = capsys.readouterr()
    assert "offset for 'probe': -22.8 ms" in captured.out
    assert "is not valid JSON" in captured.err and "Nothing was written" in captured.err
    assert "to use it now: livemidi --offset 'probe=-22.8'" in captured.err
    assert user_config.read_text() == "{not json"


# -- end to end on a real JACK server ----------------------------------------------------------


class JackEcho:
    """A second JACK client: what arrives on its input goes back out on its output `delay` s later.

    With `source`, its input connects to that port once it appears (a
    virtual port the calibration makes); otherwise its input is a virtual
    port of its own, '<name>in'. Its output is the virtual port '<name>out'.
    Both are opened through `backend`, the backend under test.
    """

    def __init__(self, backend, name: str, delay: float, source: str | None = None) -> None:
        self.backend = backend
        self.delay = delay
        self.queue: queue.Queue = queue.Queue()
        self.output = backend.open_output(f"{name}out", virtual=True)
        self.input = None
        self.stopping = threading.Event()
        if source is None:
            self.input = backend.open_input(f"{name}in", virtual=True, callback=self._hear)
        else:
            threading.Thread(target=self._connect, args=(source,), daemon=True).start()
        self.thread = threading.Thread(target=self._echo, daemon=True)
        self.thread.start()

    def _connect(self, source: str) -> None:
        while not self.stopping.is_set():
            matches = [port for port in self.backend.get_input_names() if port.endswith(f":{source}")]
            if matches:
                self.input = self.backend.open_input(matches[0], callback=self._hear)
                return
            time.sleep(0.02)

    def _hear(self, msg) -> None:
        self.queue.put((time.perf_counter() + self.delay, msg))

    def _echo(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            when, message = item
            time.sleep(max(0.0, when - time.perf_counter()))  # an absolute deadline: no drift
            self.output.send(message)

    def close(self) -> None:
        self.stopping.set()
        self.queue.put(None)
        self.thread.join(5)
        if self.input is not None:
            self.input.close()
        self.output.close()


def test_calibrate_measures_a_jack_round_trip_and_the_next_session_applies_it(jack, jack_spec, unique, capsys,
                                                                              user_config):
    # The calibration makes a virtual output (as the REPL's 'livemidi'); the echo connects to it when it
    # appears and sends everything back 20 ms later to its own output, where the calibration listens.
    echo = JackEcho(jack, unique, delay=0.020, source=unique)
    try:
        status = main(["calibrate", "--out", unique, "--virtual", "--in", f"{unique}out", "--count", "10",
                       "--backend", jack_spec, "--timeout", "20"])  # fmt: skip
    finally:
        echo.close()
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "received" in captured.out and "round trip: median" in captured.out
    offset = json.loads(user_config.read_text())["offsets"][unique]
    # 20 ms of echo, plus JACK's periods (5.3 ms each) on the way there and back; generous bounds.
    assert -150 <= offset <= -19.5, captured.out
    assert f"offset for {unique!r}: {offset:+.1f} ms" in captured.out

    notices: list[str] = []
    with Session(on_notice=notices.append) as session:
        name = session.add_output(unique, virtual=True, backend=jack_spec)
        assert session.offset(name) == offset
        assert session.clock.latency(name) == pytest.approx(-offset)
    assert notices == [f"output {unique!r} plays {-offset:g} ms earlier (stored in {user_config})"]


def test_calibrate_an_existing_jack_port_dry_run(jack, jack_spec, unique, capsys, user_config):
    echo = JackEcho(jack, unique, delay=0.0)
    try:
        status = main(["calibrate", "--out", f"{unique}in", "--in", f"{unique}out", "--count", "5",
                       "--backend", jack_spec, "--dry-run"])  # fmt: skip
    finally:
        echo.close()
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "received" in captured.out and "--dry-run: not stored" in captured.out
    assert not user_config.exists()
