"""The eval server: editors (and ``livemidi send``) run code in the live session.

Every live session runs one (the REPL, ``livemidi run``, ``livemidi --pipe``),
and a `Session` of your own on request::

    from livemidi.evalserver import serve_eval

    with Session() as session, serve_eval(session):
        ...

It listens on 127.0.0.1 (port 7317, ``LIVEMIDI_EVAL_PORT``), takes JSON lines
with the token of the server file (`server_file_path`), and runs each block
as the REPL would, one at a time. `connect` is the Python client.
docs/editors.md is the protocol reference.
"""

from __future__ import annotations

from .client import Client, connect
from .discovery import server_file_path
from .evaluator import Evaluator, Outcome
from .protocol import DEFAULT_PORT, PROTOCOL
from .server import EvalServer, serve_eval

__all__ = ["Client", "DEFAULT_PORT", "EvalServer", "Evaluator", "Outcome", "PROTOCOL", "connect", "serve_eval",
           "server_file_path"]
