"""Closing a JACK input while messages pour in never crashes or hangs (a callback may be waiting for the GIL)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys, threading, time
    import livemidi
    from livemidi import Message

    jack = livemidi.Backend(sys.argv[2])
    name = sys.argv[1]
    sys.setswitchinterval(0.5)  # the main thread keeps the GIL while it works: callbacks must wait
    received = 0
    for round in range(15):
        got = []
        port = jack.open_input(f"{name}{round}", virtual=True, callback=got.append)
        out = jack.open_output(f"{name}{round}")
        stop = threading.Event()

        def flood():
            while not stop.is_set():
                out.send(Message("clock"))
                time.sleep(0.0002)

        thread = threading.Thread(target=flood)
        thread.start()
        time.sleep(0.05)
        busy = time.perf_counter() + 0.03
        while time.perf_counter() < busy:  # hold the GIL: JACK's thread waits in a callback
            pass
        port.close()  # with that call waiting
        stop.set()
        thread.join()
        out.close()
        received += len(got)
    print("received", received)
    """
)


def test_closing_inputs_while_messages_arrive(jack, jack_spec, unique):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", SCRIPT, unique, jack_spec], capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.returncode == 0, f"the process died ({result.returncode}): {result.stderr[-2000:]}"
    assert int(result.stdout.split()[-1]) > 0  # the callbacks did run before each close
