"""The ``livemidi`` command: ``main(argv=None) -> int``.

Each subcommand is a function that takes the parsed arguments and returns
an exit status; later layers add theirs to `_build_parser`.
"""

from __future__ import annotations

import argparse
import sys

from ._version import __version__
from .calibrate import add_calibrate_command
from .errors import LivemidiError
from .livecommands import add_live_commands, add_live_options, cmd_repl, cmd_run, end_startup
from .portcommands import add_port_commands
from .sendcommand import add_send_command

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
    dump = commands.add_parser("dump", help="print the tracks and messages of a MIDI file",
                               description="Print a MIDI file readably: type, tracks, ticks per beat, "
                               "length, then every track's messages with their absolute tick.")
    dump.add_argument("file", metavar="FILE.mid", help="a Standard MIDI File (.mid, .midi, .rmi)")
    checks = dump.add_mutually_exclusive_group()
    checks.add_argument("--lenient", action="store_true",
                        help="also load a damaged file that mido cannot read, printing a warning for each repair")
    checks.add_argument("--strict", action="store_true",
                        help="refuse an odd file (one that loads with warnings by default)")
    dump.add_argument("--meta-only", action="store_true", help="print only the meta messages")
    dump.add_argument("--roll", action="store_true",
                      help="draw the notes as a piano roll (bars as load() loops them) instead of listing messages")
    dump.add_argument("--bars", type=int, metavar="N", help="with --roll: draw the first N bars (default: all)")
    dump.set_defaults(handler=_dump)
    add_live_commands(commands)
    add_port_commands(commands)
    add_calibrate_command(commands)
    add_send_command(commands)
    return parser


def _dump(args: argparse.Namespace) -> int:
    import warnings

    from .midifiles import MidiFile

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mid = MidiFile(args.file, strict=True if args.strict else False if args.lenient else None)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    if args.roll:
        import shutil

        from .session.roll import file_roll

        print(file_roll(mid, args.bars, width=shutil.get_terminal_size().columns))
        return 0
    out = sys.stdout
    out.write(f"file: {args.file}\ntype: {mid.type}\ntracks: {len(mid.tracks)}\n"
              f"ticks per beat: {mid.ticks_per_beat}\n")
    if mid.type == 2:
        out.write("length: - (type 2: the tracks are independent songs)\n")
    else:
        out.write(f"length: {mid.length:.3f} s\n")
    for number, track in enumerate(mid.tracks):
        name = track.name
        out.write(f"\n=== track {number}{f' {name!r}' if name else ''}: {len(track)} messages\n")
        tick = 0
        lines = []
        for msg in track:
            tick += msg.time
            if args.meta_only and not msg.is_meta:
                continue
            text = repr(msg) if msg.is_meta else str(msg)
            lines.append(f"{tick:>10}  {text}\n")
        out.writelines(lines)
    return 0


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
