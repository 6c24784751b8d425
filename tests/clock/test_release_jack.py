"""1600 sounding notes released on a real JACK server, every way a release happens, on both backends.

A main process (a child, as a performer's REPL would be) plays 1600 notes
through a `Sender` into a virtual JACK port; a receiving client (the `jack`
fixture's backend, as a synth) and a witness (the other backend) listen.
Then the release: hush (a cancel), panic, Ctrl-C (SIGINT: the main process
shuts its sender down), SIGTERM and SIGKILL of the main process (the sender
sees it die). Written in one burst, JACK's receiving clients lost most of
such a release (livemidi.ports.pace); closed a fixed 50 ms after the last
write, a libremidi port lost what JACK had not taken yet.

Checked: every note-on the receiver got has its note-off there, unless JACK
provably lost it (`jackserver.Witness`); and where the main process lives to
hear the sender's report, that the sender wrote every note-off, paced.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from jackserver import Witness
from livemidi import Message
from livemidi.ports.pace import BURST, PER_STEP, STEP

NOTES = 1600

MAIN_PROCESS = textwrap.dedent(
    """
    import json, sys, time
    from livemidi.clock import Sender

    name, backend, notes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sender = Sender()
    port = sender.open_port(name, virtual=True, backend=backend)

    def report():
        sent = sender.take_sent()
        print(json.dumps([(s.time, s.deadline, s.data.hex()) for s in sent]), flush=True)

    print('ready', flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == 'probe':
                sender.schedule([(time.perf_counter(), port, [0xF3, 0x55])])
            elif command == 'play':  # note-ons 0.5 ms apart; their note-offs far ahead
                start = time.perf_counter() + 0.05
                keys = [(k % 16, k // 16) for k in range(notes)]
                sender.schedule([(start + k * 0.0005, port, [0x90 | c, n, 100], 7) for k, (c, n) in enumerate(keys)])
                sender.schedule([(start + 600, port, [0x80 | c, n, 0], 7) for c, n in keys])
                time.sleep(start + notes * 0.0005 + 0.1 - time.perf_counter())
                sender.flush()
                sender.take_sent()
                print('playing', sender.stats.sounding, flush=True)
            elif command in ('hush', 'panic'):
                sender.cancel(7) if command == 'hush' else sender.panic()
                sender.drain(30)
                report()
    except KeyboardInterrupt:
        sender.shutdown()
        report()
    """
)


def settle(got: list, quiet: float) -> None:
    """Wait until nothing has been added to `got` (a callback's list) for `quiet` seconds."""
    count, last = len(got), time.monotonic()
    while time.monotonic() - last < quiet:
        time.sleep(0.01)
        if len(got) != count:
            count, last = len(got), time.monotonic()


def is_off(msg) -> bool:
    return msg.type == "note_off" or (msg.type == "note_on" and msg.velocity == 0)


def check_paced(records: list, way: str) -> None:
    """The sender's record of a release: every note ended once; the burst, then so many per step."""
    offs = [bytes.fromhex(data) for _, _, data in records if bytes.fromhex(data)[0] & 0xF0 == 0x80]
    assert sorted(offs) == sorted(bytes((0x80 | k % 16, k // 16, 0)) for k in range(NOTES)), way
    deadlines = sorted(deadline for _, deadline, _ in records)
    start = deadlines[0]
    for k in range(1, 64):
        assert sum(1 for t in deadlines if t < start + k * STEP - 1e-6) <= BURST + (k + 1) * PER_STEP, (way, k)
    assert deadlines[-1] - start >= (NOTES - BURST) / PER_STEP * STEP - STEP  # paced, not in one go
    if way == "panic":
        assert [bytes.fromhex(data) for _, _, data in records[-64:]][:2] == [b"\xb0\x40\x00", b"\xb0\x78\x00"]


@pytest.mark.parametrize("way", ["hush", "panic", "sigint", "sigterm", "sigkill"])
def test_1600_notes_all_end_however_they_are_released(way, jack, jack_spec, jack_log, unique):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    child = subprocess.Popen([sys.executable, "-c", MAIN_PROCESS, unique, jack_spec, str(NOTES)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip

    def tell(command: str) -> None:
        child.stdin.write(command + "\n")
        child.stdin.flush()

    try:
        assert child.stdout.readline().strip() == "ready"
        with jack.open_input(unique) as synth, Witness(jack, unique, jack_log) as witness:
            witness.connected(lambda msg: tell("probe"), [synth])
            got: list = []
            synth.callback = got.append  # a callback: a port whose sender went away raises on poll()
            tell("play")
            assert child.stdout.readline().split() == ["playing", str(NOTES)]
            settle(got, quiet=0.3)
            if witness.log is not None:
                witness.log.mark()
            released = time.monotonic()
            records = None
            if way in ("hush", "panic"):
                tell(way)
                records = json.loads(child.stdout.readline())
            else:
                child.send_signal({"sigint": signal.SIGINT, "sigterm": signal.SIGTERM, "sigkill": signal.SIGKILL}[way])
                if way == "sigint":
                    records = json.loads(child.stdout.readline())
                child.wait(30)
            settle(got, quiet=1.0)
            took = time.monotonic() - released
        if records is not None:
            check_paced(records, way)
        sounding = {(m.channel, m.note) for m in got if m.type == "note_on" and m.velocity}
        ended = {(m.channel, m.note) for m in got if is_off(m)}
        hanging = sorted(sounding - ended)
        if hanging:
            witness.excuse(f"{len(hanging)} of the note-offs",
                           [Message("note_off", channel=c, note=n, velocity=0) for c, n in hanging])  # fmt: skip
        assert hanging == [], f"{len(hanging)} notes hang at the receiver ({len(sounding)} sounded)"
        assert len(sounding) > NOTES // 2  # the check checked something
        assert took < 30
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
