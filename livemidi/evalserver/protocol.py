"""The eval server's protocol, version 1: JSON lines, one request and one answer each.

A request is one UTF-8 JSON object on one line::

    {"id": 7, "token": "<token>", "op": "eval", "code": "p.x = note('c4')", "source": "set.py", "line": 12}

and its answer carries the same `id`: ``{"id": 7, "ok": true, ...}`` or
``{"id": 7, "ok": false, "error": {"kind": ..., "message": ...}}``.
`parse_request` checks everything a request may get wrong and raises
`RequestError` with the kind and a message that says what was expected;
the server turns it into the answer. docs/editors.md is the reference.

Misuse: a line must be decoded and checked here before anything acts on
it; the token is checked by the server (`check_token`), in constant time.
"""

from __future__ import annotations

import hmac
import json
import math
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DEFAULT_PORT", "ERROR_KINDS", "MAX_LINE", "OPS", "PROTOCOL", "Request", "RequestError",
    "answer_line", "check_token", "error_answer", "parse_request",
]  # fmt: skip

PROTOCOL = 1
DEFAULT_PORT = 7317
MAX_LINE = 1 << 20  # bytes in one request line, its newline included
ERROR_KINDS = ("auth", "request", "protocol", "code", "interrupted")
EVENTS = ("play", "notice")

# op -> its fields: name -> (type check, what it must be, default; a default of _REQUIRED: it must be there)
_REQUIRED = object()


def _string(value: Any) -> bool:
    return isinstance(value, str)


def _line_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10**9


def _events(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) and item in EVENTS for item in value)


OPS: dict[str, dict[str, tuple[Any, str, Any]]] = {
    "eval": {
        "code": (_string, "a string of Python code", _REQUIRED),
        "source": (_string, "a string: the editor's file path or a name", "<editor>"),
        "line": (_line_number, "an integer from 1: the file line of the block's first line", 1),
    },
    "hush": {},
    "panic": {},
    "stop": {},
    "interrupt": {},
    "status": {},
    "subscribe": {"events": (_events, f"a list of event names from {list(EVENTS)}", list(EVENTS))},
}


class RequestError(Exception):
    """A request the server refuses: `kind` is one of `ERROR_KINDS`, `id` the request's (None when unknown)."""

    def __init__(self, kind: str, message: str, id: Any = None, token: Any = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.id = id
        self.token = token  # the request's token, when it was an object that had one (None otherwise)


@dataclass(frozen=True)
class Request:
    """A checked request: its `id` (echoed), `op`, `token` and the op's fields (defaults filled in)."""

    id: Any
    op: str
    token: str | None
    fields: dict[str, Any] = field(default_factory=dict)


def _is_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


def _describe(value: Any) -> str:
    kinds = {str: "a string", bool: "a boolean", int: "a number", float: "a number", list: "a list",
             dict: "an object", type(None): "null"}  # fmt: skip
    text = json.dumps(value)
    shown = text if len(text) <= 40 else text[:37] + "..."
    return f"{kinds.get(type(value), type(value).__name__)} ({shown})"


def parse_request(line: bytes) -> Request:
    """Decode and check one request line (without its newline); RequestError says what is wrong."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError("request", f"a request must be UTF-8 text; byte {error.start} is not") from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise RequestError("request", f"a request must be one JSON object on one line; this is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise RequestError("request", f"a request must be a JSON object, got {_describe(data)}")
    token = data.get("token")
    if not isinstance(token, str):
        token = None  # wrong in any case: the server answers "auth"
    id = data.get("id")
    if not _is_scalar(id):
        raise RequestError(
            "request", f'"id" must be a JSON scalar (a string, a number, true/false or null), got {_describe(id)}',
            token=token,
        )  # fmt: skip
    protocol = data.get("protocol", PROTOCOL)
    if protocol != PROTOCOL or isinstance(protocol, bool):
        raise RequestError(
            "protocol", f"this session speaks protocol {PROTOCOL}, the request asks for {_describe(protocol)}", id, token
        )
    op = data.get("op")
    if op not in OPS:
        what = f"unknown op {op!r}" if isinstance(op, str) else f'"op" must be a string, got {_describe(op)}'
        raise RequestError("request", f"{what}; the ops are {', '.join(OPS)}", id, token)
    fields = {}
    for name, (check, expected, default) in OPS[op].items():
        if name not in data or (data[name] is None and default is not _REQUIRED):
            if default is _REQUIRED:
                raise RequestError("request", f'{op} needs "{name}": {expected}', id, token)
            fields[name] = list(default) if isinstance(default, list) else default
        elif not check(data[name]):
            raise RequestError("request", f'{op}: "{name}" must be {expected}, got {_describe(data[name])}', id, token)
        else:
            fields[name] = data[name]
    return Request(id, op, token, fields)


def check_token(given: str | None, token: str) -> bool:
    """True when `given` is the session's token (compared in constant time)."""
    return isinstance(given, str) and hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("ascii"))


def answer_line(message: dict[str, Any]) -> bytes:
    """An answer or an event as one line of UTF-8 JSON, with its newline."""
    return (json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def error_answer(id: Any, kind: str, message: str, **details: Any) -> dict[str, Any]:
    """``{"id": id, "ok": false, "error": {"kind": kind, "message": message, ...details}}``."""
    return {"id": id, "ok": False, "error": {"kind": kind, "message": message, **details}}
