"""A release of many sounding notes on JACK: do all of them end at a receiving client?

A main process (a child, as a performer's REPL would be) plays N notes (1600
by default: 16 channels x 100 notes) through a `Sender` into a virtual JACK
port, their note-ons 0.5 ms apart. A receiver (the backend under test, as a
synth) and a witness (a second listener, the libremidi backend by default)
are connected. Then the release, one of:

- ``hush``    the main process cancels the notes' events (what `hush()` does);
- ``panic``   the main process calls `panic()`;
- ``sigint``  Ctrl-C: the main process shuts its sender down;
- ``sigterm`` the main process is terminated (no handler: it dies);
- ``sigkill`` the main process is killed.

Per run it prints what the receiver and the witness got (note-ons,
note-offs, notes left hanging), how long the release took (from the release
until the last note-off reached the receiver), and how many lost cycles JACK
logged meanwhile (when the script started the server: it reads its log).

    python3 bench/release.py                       # both backends, every way, 4 runs each
    python3 bench/release.py --backends libremidi --ways hush,sigkill --runs 10
    python3 bench/release.py --no-realtime         # the JACK server at normal priority
    python3 bench/release.py --json out.json

It starts its own JACK server (dummy driver, 256 frames) named
``livemidi-release-bench``, real-time unless ``--no-realtime``; with
``--server NAME`` it uses a running one instead. This is a measurement, not
a test: nothing here fails.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BACKENDS = {"rtmidi": "livemidi.backends.rtmidi/UNIX_JACK", "libremidi": "livemidi.backends.libremidi/JACK_MIDI"}
WAYS = ["hush", "panic", "sigint", "sigterm", "sigkill"]

MAIN_PROCESS = textwrap.dedent(
    """
    import sys, time
    from livemidi.clock import Sender

    name, backend, notes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sender = Sender()
    port = sender.open_port(name, virtual=True, backend=backend)
    print('ready', flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == 'probe':
                sender.schedule([(time.perf_counter(), port, [0xBF, 0x66, 0x55])])  # a probe: CC 102, channel 16
            elif command == 'play':
                start = time.perf_counter() + 0.05
                keys = [(k % 16, k // 16) for k in range(notes)]
                sender.schedule([(start + k * 0.0005, port, [0x90 | c, n, 100], 7) for k, (c, n) in enumerate(keys)])
                sender.schedule([(start + 600, port, [0x80 | c, n, 0], 7) for c, n in keys])
                time.sleep(max(0.0, start + notes * 0.0005 + 0.1 - time.perf_counter()))
                sender.flush()
                print('playing', sender.stats.sounding, flush=True)
            elif command in ('hush', 'panic'):
                sender.cancel(7) if command == 'hush' else sender.panic()
                sender.drain(30)
                print('done', flush=True)
    except KeyboardInterrupt:
        sender.shutdown()
        print('done', flush=True)
    """
)


def start_server(name: str, realtime: bool) -> tuple[subprocess.Popen, str]:
    from livemidi.backends.jack import server_running

    jackd = shutil.which("jackd")
    if jackd is None:
        raise SystemExit("jackd is not installed")
    log = tempfile.NamedTemporaryFile(prefix="livemidi-release-bench-", suffix=".log", delete=False).name
    command = [jackd, *(["-R", "-P", "70"] if realtime else ["-r"]), "-n", name, "-d", "dummy", "-r", "48000", "-p", "256"]
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1")
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    deadline = time.monotonic() + 15
    while not server_running():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"jackd did not start: {Path(log).read_text(errors='replace')[-500:]}")
        time.sleep(0.05)
    return process, log


def settle(got: list, quiet: float, limit: float = 10.0) -> None:
    """Wait until nothing has arrived for `quiet` seconds (at most `limit`: JACK may repeat a stale buffer for good)."""
    count, last = len(got), time.monotonic()
    end = last + limit
    while time.monotonic() - last < quiet and time.monotonic() < end:
        time.sleep(0.01)
        if len(got) != count:
            count, last = len(got), time.monotonic()


def hanging(messages: list) -> int:
    on = {(m.channel, m.note) for _, m in messages if m.type == "note_on" and m.velocity}
    off = {(m.channel, m.note) for _, m in messages if m.type == "note_off" or (m.type == "note_on" and not m.velocity)}
    return len(on - off)


def one_run(backend: str, witness: str, way: str, notes: int, log: str | None) -> dict:
    import livemidi

    name = f"rel{uuid.uuid4().hex[:6]}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]))
    child = subprocess.Popen([sys.executable, "-c", MAIN_PROCESS, name, BACKENDS[backend], str(notes)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)  # fmt: skip

    def tell(command: str) -> None:
        child.stdin.write(command + "\n")
        child.stdin.flush()

    try:
        assert child.stdout.readline().strip() == "ready"
        received: list = []
        witnessed: list = []
        receiver = livemidi.Backend(BACKENDS[backend]).open_input(name)
        second = livemidi.Backend(BACKENDS[witness]).open_input(name)
        receiver.callback = lambda msg: received.append((time.perf_counter(), msg))
        second.callback = lambda msg: witnessed.append((time.perf_counter(), msg))
        deadline = time.monotonic() + 10
        probe = livemidi.Message("control_change", channel=15, control=102, value=0x55)
        while not (any(m == probe for _, m in received) and any(m == probe for _, m in witnessed)):
            if time.monotonic() > deadline:
                raise RuntimeError("the JACK connections did not become active")
            tell("probe")
            time.sleep(0.1)
        time.sleep(0.1)
        tell("play")
        assert child.stdout.readline().split()[0] == "playing"
        settle(received, 0.3)
        mark = os.path.getsize(log) if log else 0
        released = time.perf_counter()
        if way in ("hush", "panic"):
            tell(way)
            child.stdout.readline()
        else:
            child.send_signal({"sigint": signal.SIGINT, "sigterm": signal.SIGTERM, "sigkill": signal.SIGKILL}[way])
            child.wait(60)
        settle(received, 1.0)
        settle(witnessed, 0.2)
        receiver.close()
        second.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    lost = Counter()
    if log:
        with open(log, errors="replace") as file:
            file.seek(mark)
            text = file.read()
        lost = Counter(re.findall(r"client = (.*?) was not finished", text))
        lost["(driver late)"] = text.count("JackTimedDriver::Process XRun")
    offs = [t for t, m in received if t >= released and (m.type == "note_off" or (m.type == "note_on" and not m.velocity))]
    return {
        "backend": backend, "way": way,
        "on_received": sum(1 for _, m in received if m.type == "note_on" and m.velocity),
        "off_received": len(offs),
        "hanging_receiver": hanging(received), "hanging_witness": hanging(witnessed),
        "release_s": (max(offs) - released) if offs else None,
        "lost_cycles": sum(lost.values()), "lost_by_client": dict(lost),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="rtmidi,libremidi", help="comma-separated: rtmidi, libremidi")
    parser.add_argument("--witness", default="libremidi", choices=list(BACKENDS), help="the second listener's backend")
    parser.add_argument("--ways", default=",".join(WAYS), help=f"comma-separated: {', '.join(WAYS)}")
    parser.add_argument("--notes", type=int, default=1600)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--server", help="use this running JACK server instead of starting one")
    parser.add_argument("--no-realtime", action="store_true", help="start the JACK server at normal priority")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    server = log = None
    if args.server:
        os.environ["JACK_DEFAULT_SERVER"] = args.server
    else:
        os.environ["JACK_DEFAULT_SERVER"] = "livemidi-release-bench"
        server, log = start_server("livemidi-release-bench", realtime=not args.no_realtime)
    results = []
    try:
        print(f"{'backend':10} {'way':8} {'ons rx':>6} {'offs rx':>7} {'hanging rx/witness':>18} {'release s':>9} {'JACK lost cycles':>16}")
        for backend in args.backends.split(","):
            for way in args.ways.split(","):
                for _ in range(args.runs):
                    r = one_run(backend, args.witness, way, args.notes, log)
                    results.append(r)
                    took = f"{r['release_s']:.3f}" if r["release_s"] is not None else "-"
                    print(f"{backend:10} {way:8} {r['on_received']:6} {r['off_received']:7} "
                          f"{r['hanging_receiver']:>9}/{r['hanging_witness']:<8} {took:>9} {r['lost_cycles']:16}", flush=True)  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    print("\nsummary: runs with notes hanging at the receiver (of runs); those among them where JACK logged no lost cycle")
    for backend in args.backends.split(","):
        for way in args.ways.split(","):
            rs = [r for r in results if r["backend"] == backend and r["way"] == way]
            hung = [r for r in rs if r["hanging_receiver"]]
            clean = [r for r in hung if not r["lost_cycles"]] if log else []
            times = sorted(r["release_s"] for r in rs if r["release_s"] is not None)
            median = f"{times[len(times) // 2]:.3f} s" if times else "-"
            print(f"  {backend:10} {way:8} {len(hung)}/{len(rs)} hung ({sum(r['hanging_receiver'] for r in hung)} notes),"
                  f" {len(clean)} without lost cycles; release median {median}")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
