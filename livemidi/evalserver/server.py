"""The eval server: editors send code to the running session over TCP on 127.0.0.1.

::

    from livemidi.evalserver import serve_eval

    server = serve_eval(session)          # listens on 7317 (LIVEMIDI_EVAL_PORT), writes the server file
    ...
    server.close()                        # or `with serve_eval(session):`

It listens on a loopback address only (anything else is refused, never
bound), needs the token of the server file in every request, and writes
where it is to the server file (`livemidi.evalserver.discovery`), which it
removes when it closes. Each client has its own connection and threads
(`livemidi.evalserver.connection`); blocks run one at a time in the
session's namespace (`livemidi.evalserver.evaluator`), under the REPL's
rules. The ops are in `livemidi.evalserver.ops`; docs/editors.md is the
protocol reference.

Misuse: the server does not close the session or the evaluator it was
given; whoever made them closes them, after the server.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import EvalPortInUseError, EvalServerError, NoSessionError
from .connection import Connection
from .discovery import pid_alive, read_server_file, remove_server_file, server_file_path, write_server_file
from .evaluator import Evaluator, Outcome
from .events import PlayTap
from .ops import run_op
from .protocol import DEFAULT_PORT, PROTOCOL, RequestError, check_token, error_answer, parse_request

__all__ = ["EvalServer", "MAX_CLIENTS", "check_host", "eval_port", "serve_eval"]

MAX_CLIENTS = 64  # connections at once; a newcomer beyond it takes the place of the oldest stranger, if any
SESSION_KINDS = ("repl", "run", "pipe", "session", "ipython")
_NOTICE_INTERVAL = 10.0  # seconds between two notices about refused clients


def check_host(host: str) -> str:
    """`host` when it is a loopback address ('localhost' is 127.0.0.1); ValueError for any other."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"the eval server listens on a loopback address like 127.0.0.1, got {host!r}") from None
    if not address.is_loopback:
        raise ValueError(
            f"refusing to listen on {host}: the eval server runs any code it is sent, so it listens on "
            "a loopback address only (127.0.0.1 or ::1)"
        )
    return str(address)


def eval_port(port: int | None = None) -> int:
    """The port to listen on: `port`, else ``$LIVEMIDI_EVAL_PORT``, else 7317 (0: any free port)."""
    where = "the eval port"
    if port is None:
        text = os.environ.get("LIVEMIDI_EVAL_PORT", "").strip()
        if not text:
            return DEFAULT_PORT
        where = "LIVEMIDI_EVAL_PORT"
        try:
            port = int(text)
        except ValueError:
            raise ValueError(f"{where} must be a port number from 0 to 65535 (0: any free port), got {text!r}") from None
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"{where} must be a port number from 0 to 65535 (0: any free port), got {port!r}")
    return port


def _taken_by(port: int, path: Path) -> str:
    try:
        info = read_server_file(path)
    except NoSessionError:
        return "another program"
    if info.get("port") == port and pid_alive(info.get("pid")):
        return f"another livemidi session ({info.get('session', 'session')}, pid {info.get('pid')})"
    return "another program"


class EvalServer:
    """``EvalServer(session, evaluator, *, port=None, host='127.0.0.1', kind='session', ...)``; `start` listens.

    `port`: None reads ``$LIVEMIDI_EVAL_PORT`` (default 7317), 0 takes any
    free port (`port` says which once started). `kind` goes to the server
    file ('repl', 'run', 'pipe', 'session', 'ipython'). `on_eval(source,
    line, outcome)` hears each editor block that ran (the REPL prints a
    line). `server_file`: where to write (default `server_file_path()`).
    """

    def __init__(
        self,
        session: Any,
        evaluator: Evaluator,
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        kind: str = "session",
        server_file: str | Path | None = None,
        on_eval: Callable[[str, int, Outcome], None] | None = None,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        if kind not in SESSION_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SESSION_KINDS)}, got {kind!r}")
        self.session = session
        self.evaluator = evaluator
        self.host = check_host(host)
        self.port = eval_port(port)
        self.kind = kind
        self.path = Path(server_file) if server_file is not None else server_file_path()
        self.on_eval = on_eval
        self.max_clients = max_clients
        self.token = secrets.token_hex(16)
        self._listener: socket.socket | None = None
        self._accepter: threading.Thread | None = None
        self._lock = threading.Lock()
        self._connections: list[Connection] = []
        self._count = 0
        self._closed = False
        self._noticed_at = float("-inf")
        self.refused = 0  # clients refused: wrong token, too many
        self.owns_evaluator = False  # `serve_eval` made it: closing the server closes it too
        clock = getattr(session, "clock", None)
        self.now: Callable[[], float] = getattr(clock, "_now", None) or time.perf_counter  # the clock's time line
        self._tap: PlayTap | None = None

    # -- life -----------------------------------------------------------------------------

    def start(self) -> EvalServer:
        """Listen and write the server file. EvalPortInUseError when the port is taken (says by whom)."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            if os.name != "nt":  # on Windows this would let a second server take the port
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(16)
        except OSError as error:
            listener.close()
            if error.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                raise EvalPortInUseError(
                    f"the eval port {self.port} is in use by {_taken_by(self.port, self.path)}; editors cannot "
                    "reach this session (the music plays on). Choose another port with --eval-port N (0: any "
                    "free port) or LIVEMIDI_EVAL_PORT=N, or turn the server off with --no-eval"
                ) from error
            raise EvalServerError(f"the eval server cannot listen on {self.host}:{self.port}: {error}") from error
        self._listener = listener
        self.port = listener.getsockname()[1]
        try:
            write_server_file(self.info(), self.path)
        except BaseException:
            listener.close()
            raise
        self._accepter = threading.Thread(target=self._accept, name="livemidi eval server", daemon=True)
        self._accepter.start()
        self.watch_notices()
        if getattr(self.session, "clock", None) is not None and hasattr(self.session.clock, "source"):
            self._tap = PlayTap(self.session.clock, lambda: self.subscribed, self._publish_play)
        return self

    def info(self) -> dict[str, Any]:
        """What the server file says."""
        return {
            "protocol": PROTOCOL, "host": self.host, "port": self.port, "token": self.token, "pid": os.getpid(),
            "livemidi": __version__, "session": self.kind,
        }  # fmt: skip

    def close(self) -> None:
        """Stop listening, let every client go, remove the server file (if it is still ours)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            connections = list(self._connections)
        listener = self._listener
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes accept()
            except OSError:
                pass
            listener.close()
        for connection in connections:
            connection.abort()
        if self._tap is not None:
            self._tap.remove()
        remove_server_file(self.token, self.path)
        if self.owns_evaluator:
            self.evaluator.close()
        notice = getattr(self.session, "on_notice", None)
        if isinstance(notice, _NoticeTap) and notice.server is self:
            self.session.on_notice = notice.inner

    def __enter__(self) -> EvalServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def clients(self) -> int:
        """Connections open now."""
        return len(self._connections)

    # -- connections ----------------------------------------------------------------------

    def _accept(self) -> None:
        listener = self._listener
        while not self._closed:
            try:
                sock, _address = listener.accept()
            except OSError:
                if self._closed:
                    return
                time.sleep(0.05)  # out of file descriptors, say: try again soon, never spin
                continue
            self._admit(sock)

    def _admit(self, sock: socket.socket) -> None:
        with self._lock:
            self._count += 1
            connection = Connection(self, sock, self._count)
            victim = None
            if len(self._connections) >= self.max_clients:
                strangers = [c for c in self._connections if not c.authenticated]
                victim = min(strangers, key=lambda c: c.opened_at, default=None)
                if victim is None:
                    refused = connection
                else:
                    self._connections.remove(victim)
                    refused = None
            else:
                refused = None
            if refused is None:
                self._connections.append(connection)
        if victim is not None:
            victim.abort()
        connection.start(read=refused is None)
        if refused is not None:
            self._refuse(connection, "request", f"too many clients ({self.max_clients}) are connected; try again later")

    def forget(self, connection: Connection) -> None:
        with self._lock:
            if connection in self._connections:
                self._connections.remove(connection)

    def _refuse(self, connection: Connection, kind: str, message: str, id: Any = None) -> None:
        self.refused += 1
        connection.answer(error_answer(id, kind, message))
        connection.finish()
        now = time.monotonic()
        if kind == "auth" and now - self._noticed_at >= _NOTICE_INTERVAL:
            self._noticed_at = now
            self._notice(f"eval server: refused a client: {message}")

    def _notice(self, text: str) -> None:
        notice = getattr(self.session, "on_notice", None)
        if notice is not None:
            notice(text)

    # -- requests -------------------------------------------------------------------------

    def handle(self, connection: Connection, line: bytes) -> None:
        """One line from `connection`: checked, authenticated, then acted on (called in its reader thread)."""
        try:
            request = parse_request(line)
        except RequestError as error:
            if error.token is not None and not check_token(error.token, self.token):
                self._refuse(connection, "auth", "wrong token: read it from the server file", error.id)
            elif connection.authenticated or check_token(error.token, self.token):
                connection.authenticate()
                connection.answer(error_answer(error.id, error.kind, error.message))
            else:  # a stranger's garbage: one answer, then the door
                self._refuse(connection, error.kind, error.message, error.id)
            return
        if not check_token(request.token, self.token):
            what = "wrong token" if request.token else 'no "token"'
            self._refuse(connection, "auth", f"{what}: read it from the server file ({self.path})", request.id)
            return
        connection.authenticate()
        run_op(self, connection, request)

    def evaluated(self, source: str, line: int, outcome: Outcome) -> None:
        """Tell `on_eval` (the REPL's line) of an editor's block that ran."""
        if self.on_eval is not None:
            try:
                self.on_eval(source, line, outcome)
            except Exception:
                pass  # a printer's trouble must not lose the answer

    # -- events ---------------------------------------------------------------------------

    def publish(self, kind: str, message: dict[str, Any]) -> None:
        """Send an event to every client that subscribed to `kind` (dropped for a slow one)."""
        for connection in list(self._connections):
            if kind in connection.events:
                connection.event(message)

    def _publish_play(self, message: dict[str, Any], due: float) -> None:
        for connection in list(self._connections):
            if "play" in connection.events:
                connection.event(dict(message), due)

    @property
    def subscribed(self) -> bool:
        """True when some client wants play events (the tap works only then)."""
        return any("play" in connection.events for connection in list(self._connections))

    def watch_notices(self) -> None:
        """Send the session's notices to subscribers too; call again after replacing `session.on_notice`."""
        notice = getattr(self.session, "on_notice", None)
        if notice is None or (isinstance(notice, _NoticeTap) and notice.server is self):
            return
        self.session.on_notice = _NoticeTap(self, notice)


class _NoticeTap:
    """The session's `on_notice`, which also publishes each notice as an event."""

    def __init__(self, server: EvalServer, inner: Callable[[str], None]) -> None:
        self.server = server
        self.inner = inner

    def __call__(self, text: str) -> None:
        try:
            self.inner(text)
        finally:
            self.server.publish("notice", {"event": "notice", "text": text})


def serve_eval(
    session: Any,
    namespace: dict | None = None,
    *,
    port: int | None = None,
    kind: str = "session",
    on_eval: Callable[[str, int, Outcome], None] | None = None,
    server_file: str | Path | None = None,
) -> EvalServer:
    """Start an eval server for `session` (in `namespace`, default the REPL's names); returns it, started.

    Blocks run in a thread of their own. Close the server (or use it as a
    context manager) before closing the session.
    """
    if namespace is None:
        from ..session import namespace as make_namespace

        namespace = make_namespace(session)
    evaluator = Evaluator(namespace, on_success=getattr(session, "note_code", None))
    server = EvalServer(session, evaluator, port=port, kind=kind, on_eval=on_eval, server_file=server_file)
    try:
        server.start()
    except BaseException:
        evaluator.close()
        raise
    server.owns_evaluator = True
    return server
