"""The eval server in the live commands: ``--eval-port N``, ``--no-eval``, and ``livemidi --pipe``.

Every live session (the REPL, ``livemidi run``, ``livemidi --pipe``) starts
an eval server (`livemidi.evalserver`) so that editors and ``livemidi send``
reach it. If the port is taken the session plays all the same: one line
says by whom and how to choose another.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_eval_options", "run_pipe_session", "start_eval_server"]


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535 (0: any free port), got {text!r}")
    return port


def add_eval_options(parser: argparse.ArgumentParser) -> None:
    """``--eval-port N`` and ``--no-eval`` (every live session)."""
    parser.add_argument("--eval-port", type=_port, metavar="N",
                        help="the eval server's port on 127.0.0.1, for editors and `livemidi send` "
                             "(default 7317, or $LIVEMIDI_EVAL_PORT; 0: any free port)")
    parser.add_argument("--no-eval", action="store_true", help="run no eval server (editors cannot reach the session)")


def start_eval_server(session: Any, args: argparse.Namespace, kind: str, namespace: dict | None = None,
                      notices: Any = None):
    """The session's eval server, started; None with --no-eval or when it cannot listen (one line says why)."""
    if getattr(args, "no_eval", False):
        return None
    from .errors import EvalServerError
    from .evalserver import serve_eval
    from .evalserver.notice import eval_notice

    out = notices or sys.stdout

    def told(source: str, line: int, outcome: Any) -> None:
        print(eval_notice(source, line, outcome), file=out, flush=True)

    try:
        return serve_eval(session, namespace, port=getattr(args, "eval_port", None), kind=kind, on_eval=told)
    except (EvalServerError, ValueError) as error:
        print(f"livemidi: {error}", file=sys.stderr, flush=True)
        return None


def run_pipe_session(session: Any, args: argparse.Namespace) -> int:
    """``livemidi --pipe``: blocks from stdin run in the session until the input ends."""
    from .evalserver import Evaluator
    from .evalserver.pipe import run_pipe
    from .session import namespace

    server = start_eval_server(session, args, "pipe", notices=sys.stderr)
    evaluator = server.evaluator if server is not None else Evaluator(namespace(session), on_success=session.note_code)
    try:
        return run_pipe(evaluator, sys.stdin, sys.stdout)
    finally:
        if server is not None:
            server.close()
        else:
            evaluator.close()
