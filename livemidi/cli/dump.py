"""``livemidi dump FILE.mid``: print a MIDI file readably (type, tracks, every message), or as a piano roll.

A damaged file loads with a warning for each repair (``--lenient`` loads what
mido cannot read; ``--strict`` refuses an odd file); the warnings go to
stderr and the listing to stdout.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["add_dump_command"]


def add_dump_command(commands) -> None:
    """Add ``dump`` to the ``livemidi`` argument parser."""
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


def _dump(args: argparse.Namespace) -> int:
    import warnings

    from ..midifiles import MidiFile

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mid = MidiFile(args.file, strict=True if args.strict else False if args.lenient else None)
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    if args.roll:
        import shutil

        from ..session.roll import file_roll

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
