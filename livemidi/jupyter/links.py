"""The two ways a kernel plays: `Joined` to a running session, or `Hosted`, a session of its own.

Both answer the same few calls, with the eval server's answers (dicts with
``ok``, and the ``error`` object of docs/editors.md), so the magics do not
care which they have:

- ``run(code, source, line)``: one block, as an editor's eval;
- ``request(op)``: hush, panic, stop, interrupt, status;
- ``close()``.

`Joined` talks to the session through its eval server, on one connection
used from the kernel's main thread only. Ctrl-C (Jupyter's stop button)
while a block runs there sends ``interrupt`` on a second connection, so
the remote block stops and the music plays on.

`Hosted` owns a `Session`, an `Evaluator` over the shell's namespace and
the eval server. Its plain cells run in that namespace; it holds the
evaluator's turn while a cell runs (`hold`/`release`), so an editor's block
runs between cells, never halfway through one, as in the REPL.

Misuse: neither is thread-safe; call them from the kernel's main thread.
"""

from __future__ import annotations

import argparse
import atexit
import select
import socket
import time
from collections import deque
from pathlib import Path
from typing import Any

from ..errors import EvalPortInUseError, EvalServerError, NoSessionError
from ..evalserver import EvalServer, Evaluator, connect
from ..evalserver.discovery import read_server_file, server_file_path
from ..evalserver.ops import status as session_status

__all__ = ["Hosted", "Joined", "start_options"]

CONTROL_TIMEOUT = 5.0  # seconds for hush, panic, stop, status
INTERRUPT_GRACE = 10.0  # seconds an interrupted remote block has to answer


def _alive(sock: socket.socket) -> bool:
    """False when the server has closed `sock` (it reads as the end of the stream); nothing is consumed."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return not readable or sock.recv(1, socket.MSG_PEEK) != b""
    except (OSError, ValueError):
        return False


class Joined:
    """A running session, reached through the server file at `path` (default: the usual place)."""

    hosted = False

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else server_file_path()
        self.client = None
        self.describe = "the session"
        self._client()  # NoSessionError when there is none

    def _client(self):
        if self.client is not None and not _alive(self.client.sock):
            self._lost()  # the session ended (or restarted) since the last cell
        if self.client is None:
            self.client = connect(self.path)
            try:
                info = read_server_file(self.path)
                self.describe = f"the {info.get('session', 'livemidi')} session of process {info.get('pid')}"
            except NoSessionError:
                pass  # gone again already: the next request says so
        return self.client

    def _lost(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            try:
                client.close()
            except OSError:
                pass

    def run(self, code: str, source: str, line: int) -> dict[str, Any]:
        """Send one block; its answer. Ctrl-C interrupts it there (the answer then says "interrupted")."""
        client = self._client()
        ident = client.send("eval", code=code, source=source, line=line)
        try:
            return client.wait(ident)
        except KeyboardInterrupt:
            with connect(self.path) as other:
                other.request("interrupt", timeout=CONTROL_TIMEOUT)
            return client.wait(ident, timeout=INTERRUPT_GRACE)
        except (OSError, ValueError) as error:
            self._lost()
            raise EvalServerError(f"the connection to {self.describe} was lost while the block ran: {error}") from error

    def request(self, op: str) -> dict[str, Any]:
        """A control op (hush, panic, stop, interrupt, status); NoSessionError when the session is gone."""
        for attempt in (1, 2):
            try:
                return self._client().request(op, timeout=CONTROL_TIMEOUT)
            except NoSessionError:
                raise
            except (OSError, ValueError) as error:  # a session restarted: read the server file again, once
                self._lost()
                if attempt == 2:
                    raise NoSessionError(f"{self.describe} does not answer ({error})") from error
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._lost()


def start_options(argv: list[str]) -> argparse.Namespace:
    """``%livemidi start``'s options, as the ``livemidi`` command takes them; ValueError for bad ones."""
    from ..session.liveoptions import add_input_options, add_mpe_options

    parser = argparse.ArgumentParser(prog="%livemidi start", add_help=False, exit_on_error=False)
    parser.add_argument("--port", action="append", default=[], metavar="NAME")
    parser.add_argument("--virtual", action="append", default=[], metavar="NAME")
    add_mpe_options(parser)
    add_input_options(parser)
    parser.add_argument("--bpm", type=float, default=120.0)
    parser.add_argument("--beats", type=int, default=4)
    parser.add_argument("--backend")
    parser.add_argument("--eval-port", type=int, default=None)
    parser.add_argument("--no-eval", action="store_true")
    try:
        options, rest = parser.parse_known_args(argv)
    except argparse.ArgumentError as error:
        raise ValueError(f"%livemidi start: {error}") from None
    if rest:
        raise ValueError(
            f"%livemidi start takes --port NAME, --virtual NAME, --mpe PORT (with --mpe-zone, --mpe-members), "
            f"--microtonal PORT=CHANNELS, --bend-range N, --input NAME, --virtual-input NAME, --bpm N, --beats N, "
            f"--backend B, --eval-port N and --no-eval; got {' '.join(rest)!r}"
        )
    return options


def _print_notes(records) -> None:
    for sent in records:
        print(f"♪ {sent.describe()}", flush=True)


class Hosted:
    """A session in this kernel, its names in `shell`'s namespace, and its eval server (kind "ipython")."""

    hosted = True

    def __init__(self, shell: Any, options: argparse.Namespace, say=print) -> None:
        from ..session import Session, namespace
        from ..session.inputs import open_inputs
        from ..session.liveoptions import mode_outputs
        from ..session.outputs import open_outputs

        self.notices: deque[str] = deque(maxlen=100)  # told after the next cell (a thread appends)
        bpm = int(options.bpm) if options.bpm == int(options.bpm) else options.bpm
        self.session = session = Session(bpm=bpm, beats_per_bar=options.beats, on_notice=self.notices.append)
        self.server: EvalServer | None = None
        self._held = None
        try:
            self.monitor = open_outputs(session, options.port, options.virtual, backend=options.backend, say=say,
                                        modes=mode_outputs(options))
            open_inputs(session, options.input, options.virtual_input, backend=options.backend)
            if self.monitor:  # no MIDI system: the notes are printed, as the REPL's monitor does
                session.add_listener(_print_notes)
            names = {name: value for name, value in namespace(session).items() if not name.startswith("__")}
            shell.push(names, interactive=False)  # %who lists the user's names only
            self.evaluator = Evaluator(shell.user_ns, on_success=session.note_code)
            if not options.no_eval:
                try:
                    self.server = EvalServer(session, self.evaluator, port=options.eval_port, kind="ipython").start()
                except EvalPortInUseError as error:
                    say(f"livemidi: {error}")
            session.start()
        except BaseException:
            self.close()
            raise
        atexit.register(self.close)  # the kernel shuts down: every note ends, the server file goes
        where = f"editors reach it at 127.0.0.1:{self.server.port}" if self.server else "no eval server"
        self.describe = f"a session in this kernel ({', '.join(session.outputs)}; {where})"

    def run(self, code: str, source: str, line: int) -> dict[str, Any]:
        """Run one block here, under the REPL's rules; its answer, as the eval server would give it."""
        held = self._held is not None
        if held:
            self.release()  # the cell that runs this holds the turn; the block takes it
        try:
            outcome = self.evaluator.run(code, source, line)
        finally:
            if held:
                self.hold()
        result = outcome.as_result()
        return {"ok": True, **result} if outcome.ok else {"ok": False, "error": result}

    def request(self, op: str) -> dict[str, Any]:
        """A control op, done here."""
        session = self.session
        if op == "status":
            return {"ok": True, **session_status(session)}
        if op == "interrupt":
            return {"ok": True, "interrupted": self.evaluator.interrupt("interrupt")}
        actions = {"hush": session.hush, "panic": session.panic, "stop": session.stop}
        if op not in actions:
            raise ValueError(f"expected one of hush, panic, stop, interrupt, status; got {op!r}")
        interrupted = op != "panic" and self.evaluator.interrupt(op)
        actions[op]()
        return {"ok": True, "interrupted": interrupted}

    def hold(self) -> None:
        """Editors' blocks wait until `release` (a cell runs); first, the ones already waiting run.

        A lock is not fair: with cells run back to back ("Run All") the kernel
        took the turn again before the evaluator's thread woke (in 3 runs of
        4 of tests/editors/test_jupyter.py), and an editor's block waited for
        the whole notebook. Ctrl-C (Jupyter's stop button) while waiting
        interrupts the editor's block that runs, and the cell goes on.
        """
        try:
            while self.evaluator.pending:
                time.sleep(0.002)
        except KeyboardInterrupt:
            self.evaluator.cancel_pending("Ctrl-C")
            if self.evaluator.interrupt("Ctrl-C"):
                print("livemidi: interrupted an editor's block that was running")
        if self._held is None:
            held = self.evaluator.exclusive()
            held.__enter__()
            self._held = held

    def release(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            held.__exit__(None, None, None)

    def close(self) -> None:
        """Stop the server, then the session: every note ends."""
        atexit.unregister(self.close)
        self.release()
        if self.server is not None:
            self.server.close()
            self.server = None
        evaluator = getattr(self, "evaluator", None)
        if evaluator is not None:
            evaluator.close()
        self.session.close()
