"""The ``livemidi`` command: ``main(argv=None) -> int``.

Each subcommand is a function that takes the parsed arguments and returns
an exit status; later layers add theirs to `_build_parser`.
"""

from __future__ import annotations

import argparse
import sys

from ._version import __version__
from .portcommands import add_port_commands

DESCRIPTION = """\
livemidi: a live-coding MIDI sequencer for Python.

Write patterns in a REPL or a file; livemidi plays them in time through a
MIDI port (to Ableton Live, a DAW or any synth), records what it plays and
loads .mid files as loops. Its MIDI layer offers the mido API:
`import livemidi as mido`.
"""


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livemidi",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"livemidi {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_port_commands(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except (OSError, ValueError) as error:
        print(f"livemidi: {error}", file=sys.stderr)
        return 1
