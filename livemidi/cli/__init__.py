"""The ``livemidi`` command: ``main(argv=None) -> int``.

One module per group of commands, each adding its own to the parser:

- `live`: ``livemidi`` with no command (the REPL), ``run FILE.py`` and
  ``render FILE.py``: a session playing patterns;
- `ports`: ``ports``, ``play``, ``serve`` and ``connect`` (mido's port tools);
- `dump`: ``dump FILE.mid``, a MIDI file printed readably or as a piano roll;
- `calibrate`: ``calibrate --out PORT --in PORT``, an output's latency measured
  by a round trip and stored;
- `send`: ``send [FILE | -]``, code run in the running session through its
  eval server (`evalsession` adds ``--eval-port``/``--no-eval`` to the live
  commands and runs ``livemidi --pipe``).

Each subcommand is a function that takes the parsed arguments and returns an
exit status. The command's entry point is `_livemidi_cli.main`, outside the
package, so that Ctrl-C while livemidi imports ends it quietly; it calls
`main` here, and `end_startup` says when start-up is over.
"""

from __future__ import annotations

import argparse
import sys

from .._version import __version__
from ..errors import LivemidiError
from .calibrate import add_calibrate_command
from .dump import add_dump_command
from .live import add_live_commands, add_live_options, cmd_repl, cmd_run, end_startup
from .ports import add_port_commands
from .send import add_send_command

DESCRIPTION = """\
livemidi: a live-coding MIDI sequencer for Python.

Write patterns in a REPL or a file; livemidi plays them in time through a
MIDI port (to Ableton Live, a DAW or any synth), records what it plays and
loads .mid files as loops. Its MIDI layer offers the mido API:
`import livemidi as mido`.

With no command, livemidi starts the live REPL (the options below are its);
`livemidi COMMAND --help` tells about each command.
"""


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="livemidi",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"livemidi {__version__}")
    add_live_options(parser)  # for the REPL: `livemidi` with no command
    parser.add_argument("--pipe", action="store_true",
                        help="read code from stdin instead of the REPL: blocks separated by blank lines, answers on "
                             "stdout (for flok-repl and other drivers); the session ends at the end of the input")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_dump_command(commands)
    add_live_commands(commands)
    add_port_commands(commands)
    add_calibrate_command(commands)
    add_send_command(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``livemidi`` command; returns its exit status (130 after Ctrl-C, at any moment)."""
    try:
        args = _build_parser().parse_args(argv)
        handler = getattr(args, "handler", None) or cmd_repl  # no command: the live REPL
        if handler not in (cmd_repl, cmd_run):
            end_startup()  # the live commands end it once their session plays
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except (OSError, ValueError, LivemidiError) as error:  # a missing optional package is one too
        print(f"livemidi: {error}", file=sys.stderr)
        return 1
