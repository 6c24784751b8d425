"""What each op of the protocol does, once the request is checked and its token is right.

- ``eval``: queue the block (`Evaluator.submit`); the answer comes when it has run.
- ``hush`` / ``stop``: drop the queued blocks, interrupt the running one, wait
  for it (up to `SETTLE` seconds), then hush / stop the session.
- ``panic``: every note off on every output, now.
- ``interrupt``: the running block only.
- ``status``: where the music is and what plays.
- ``subscribe``: play and notice events from now on, on this connection.

Misuse: ops run in the client's reader thread; none may wait long, or the
client's next line (an ``interrupt``) waits too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._version import __version__
from .protocol import PROTOCOL, Request, error_answer

if TYPE_CHECKING:
    from .connection import Connection
    from .evaluator import Outcome
    from .server import EvalServer

__all__ = ["MAX_PENDING_EVALS", "SETTLE", "run_op", "status"]

MAX_PENDING_EVALS = 32  # blocks one connection may have queued or running
SETTLE = 1.0  # seconds hush/stop wait for an interrupted block to end before acting anyway


def run_op(server: EvalServer, connection: Connection, request: Request) -> None:
    """Act on `request` and answer it on `connection` (an eval's answer comes later)."""
    op = request.op
    if op == "eval":
        _eval(server, connection, request)
        return
    try:
        result = _OPS[op](server, connection, request)
    except Exception as error:  # the session refused (a stop under Link, say): said, not fatal
        connection.answer(error_answer(request.id, "code", f"{op}: {error}", type=type(error).__name__, file=None,
                                       line=None, column=None, traceback=""))
        return
    connection.answer({"id": request.id, "ok": True, **result})


def _eval(server: EvalServer, connection: Connection, request: Request) -> None:
    if not connection.count_eval(+1, MAX_PENDING_EVALS):
        connection.answer(error_answer(
            request.id, "request", f"{MAX_PENDING_EVALS} blocks from this connection wait already; "
            "wait for their answers before sending more",
        ))  # fmt: skip
        return
    code, source, line = request.fields["code"], request.fields["source"], request.fields["line"]

    def done(outcome: Outcome) -> None:
        connection.count_eval(-1)
        result = outcome.as_result()
        if outcome.ok:
            connection.answer({"id": request.id, "ok": True, **result})
        else:
            connection.answer({"id": request.id, "ok": False, "error": result})
        if outcome.interrupted is None or "before it ran" not in outcome.message:
            server.evaluated(source, line, outcome)

    try:
        server.evaluator.submit(code, source, line, done)
    except RuntimeError:
        connection.count_eval(-1)
        connection.answer(error_answer(request.id, "interrupted", "the session is ending"))


def _settle(server: EvalServer, why: str) -> bool:
    server.evaluator.cancel_pending(why)
    interrupted = server.evaluator.interrupt(why)
    if interrupted:
        server.evaluator.wait_idle(SETTLE)
    return interrupted


def _hush(server: EvalServer, connection: Connection, request: Request) -> dict[str, Any]:
    interrupted = _settle(server, "hush")
    server.session.hush()
    return {"interrupted": interrupted}


def _stop(server: EvalServer, connection: Connection, request: Request) -> dict[str, Any]:
    interrupted = _settle(server, "stop")
    server.session.stop()
    return {"interrupted": interrupted}


def _panic(server: EvalServer, connection: Connection, request: Request) -> dict[str, Any]:
    server.session.panic()
    return {}


def _interrupt(server: EvalServer, connection: Connection, request: Request) -> dict[str, Any]:
    return {"interrupted": server.evaluator.interrupt("interrupt")}


def status(session: Any) -> dict[str, Any]:
    """The ``status`` answer's fields for `session`."""
    now = session.status()
    position = now.position
    loops = [
        {"name": loop.name, "muted": loop.state == "muted", "state": loop.state, "channel": loop.channel}
        for loop in now.loops
    ]
    return {
        "playing": bool(now.running), "bpm": float(now.bpm), "bar": int(position.bar),
        "beat": float(position.beat + position.phase), "cycle": float(position.cycle), "loops": loops,
        "outputs": list(now.outputs), "recording": session.recording, "late": now.late,
        "late_machine": now.late_machine, "stalls": now.stalls, "errors": now.errors,
        "protocol": PROTOCOL, "livemidi": __version__,
    }  # fmt: skip


def _status(server: EvalServer, connection: Connection, request: Request) -> dict[str, Any]:
    return {**status(server.session), "session": server.kind, "busy": server.evaluator.busy}


def _subscribe(server: EvalServer, connection: Connection, request: Request) -> dict[str, Any]:
    connection.events = frozenset(request.fields["events"])
    return {"events": sorted(connection.events)}


_OPS = {"hush": _hush, "stop": _stop, "panic": _panic, "interrupt": _interrupt, "status": _status,
        "subscribe": _subscribe}  # fmt: skip
