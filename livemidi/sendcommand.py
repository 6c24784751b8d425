"""``livemidi send [FILE | -]``: run code in the running session, from any editor or script.

::

    livemidi send set.py --line 12         # the file's text, its first line counted as line 12
    echo 'p.x = note("c4 e4")' | livemidi send
    livemidi send --hush | --panic | --stop | --interrupt | --status
    livemidi send --where                  # where the server file is

Exit status: 0 when the session answered ok, 1 when the answer is an error
(printed as ``file:line: Type: message`` and the traceback, on stderr), 2
when there is no session or the command line is wrong (the message says
how to start a session). Ctrl-C while a block runs interrupts it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["add_send_command", "cmd_send"]


def add_send_command(subparsers) -> None:
    send = subparsers.add_parser(
        "send", help="run code in the running session (for editors: a file, a selection on stdin)",
        description="Send code to the running livemidi session (the REPL, `livemidi run`, `livemidi --pipe`) "
                    "and print its answer. Exit status: 0 ok, 1 the code failed, 2 no session or bad usage.",
    )  # fmt: skip
    send.add_argument("file", nargs="?", default="-", metavar="FILE", help="the code to run (default -: stdin)")
    send.add_argument("--line", type=int, default=1, metavar="N",
                      help="the file line of the code's first line, for tracebacks (default 1)")
    send.add_argument("--source", metavar="NAME", help="the file name tracebacks show (default: FILE, or <stdin>)")
    ops = send.add_mutually_exclusive_group()
    for op, text in (("hush", "silence every loop (interrupting a running block)"),
                     ("panic", "every note off on every output, now"),
                     ("stop", "stop the transport (interrupting a running block)"),
                     ("interrupt", "interrupt the running block"),
                     ("status", "print what plays, the tempo and where the music is")):  # fmt: skip
        ops.add_argument(f"--{op}", dest="op", action="store_const", const=op, help=text)
    ops.add_argument("--where", action="store_true", help="print the path of the server file and exit")
    send.add_argument("--json", action="store_true", help="print the answer as the JSON line the session sent")
    send.add_argument("--timeout", type=float, metavar="S", help="give up after S seconds (default: wait)")
    send.set_defaults(handler=cmd_send)


def _code(args: argparse.Namespace) -> tuple[str, str]:
    if args.file == "-":
        return sys.stdin.read(), args.source or "<stdin>"
    path = Path(args.file)
    return path.read_text(encoding="utf-8"), args.source or str(path.resolve())


def _print_status(answer: dict) -> None:
    state = "playing" if answer.get("playing") else "stopped"
    print(f"{state} at {answer.get('bpm', 0):g} BPM, bar {answer.get('bar')} beat {answer.get('beat', 0):.2f}")
    loops = answer.get("loops") or []
    print("loops: " + (", ".join(f"{loop['name']} ({loop.get('state', '?')})" for loop in loops) or "none"))
    print("outputs: " + (", ".join(answer.get("outputs") or []) or "none"))


def _print_error(error: dict) -> None:
    if error.get("kind") == "interrupted":
        print(error.get("message"), file=sys.stderr)
        return
    where = f"{error.get('file')}:{error.get('line')}: " if error.get("file") and error.get("line") else ""
    kind = error.get("type") or error.get("kind")
    print(f"{where}{kind}: {error.get('message')}", file=sys.stderr)
    if error.get("traceback"):
        print(error["traceback"].rstrip("\n"), file=sys.stderr)


def cmd_send(args: argparse.Namespace) -> int:
    from .errors import EvalServerError, NoSessionError
    from .evalserver import connect, server_file_path

    if args.where:
        print(server_file_path())
        return 0
    if args.line < 1:
        print(f"livemidi send: --line must be 1 or more, got {args.line}", file=sys.stderr)
        return 2
    op = args.op or "eval"
    fields = {}
    if op == "eval":
        try:
            code, source = _code(args)
        except (OSError, UnicodeDecodeError) as error:
            print(f"livemidi send: cannot read {args.file}: {error}", file=sys.stderr)
            return 2
        fields = {"code": code, "source": source, "line": args.line}
    try:
        client = connect()
    except NoSessionError as error:
        print(f"livemidi send: {error}", file=sys.stderr)
        return 2
    except EvalServerError as error:
        print(f"livemidi send: {error}", file=sys.stderr)
        return 2
    with client:
        try:
            id = client.send(op, **fields)
            answer = client.wait(id, args.timeout)
        except KeyboardInterrupt:
            if op == "eval":
                client.request("interrupt", timeout=5)
            return 130
        except TimeoutError:
            print(f"livemidi send: no answer within {args.timeout:g} s", file=sys.stderr)
            return 1
        except (OSError, ValueError) as error:
            print(f"livemidi send: the session went away: {error}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(answer))
        return 0 if answer.get("ok") else 1
    if not answer.get("ok"):
        error = answer.get("error") or {}
        if error.get("output"):
            sys.stdout.write(error["output"])
        if error.get("kind") in ("auth", "protocol"):
            print(f"livemidi send: {error.get('message')}", file=sys.stderr)
            return 2
        _print_error(error)
        return 1
    if op == "status":
        _print_status(answer)
    elif op == "eval":
        sys.stdout.write(answer.get("output") or "")
        if answer.get("value") is not None:
            print(answer["value"])
    elif answer.get("interrupted"):
        print("interrupted the running block")
    return 0
