"""Options every live session takes (``livemidi``, ``livemidi run``, Jupyter's ``%livemidi start``).

``--input NAME`` and ``--virtual-input NAME`` open the MIDI inputs that
`knob`, `held` and `on_note` read (the first is their default); see
`livemidi.session.inputs`.

The MPE and microtone options: ``--mpe PORT``, ``--microtonal PORT=CHANNELS``.

``--mpe PORT`` opens an existing port (by name or a unique part of it, as
``--port`` does) as an MPE output: the lower zone, 15 member channels, unless
``--mpe-zone upper`` or ``--mpe-members N`` say otherwise.
``--microtonal PORT=1,2,3,4`` opens an existing port whose microtones
(fractional notes) take turns on channels 1, 2, 3 and 4 (0-based, as in
mido), each with its pitch bend. ``--bend-range SEMITONES`` is the synth's
pitch-bend range on those channels (MPE: 48 unless given; microtonal: 2).
See `livemidi.session.mpe`.

Misuse: a bad value is an argparse error (exit status 2) naming what was
expected; nothing opens.
"""

from __future__ import annotations

import argparse

__all__ = ["add_input_options", "add_mpe_options", "microtonal_option", "mode_outputs"]


def add_input_options(parser: argparse.ArgumentParser) -> None:
    """Add --input and --virtual-input to a live command's parser."""
    parser.add_argument("--input", action="append", default=[], metavar="NAME",
                        help="read this existing MIDI input (its name or a unique part of it) for knob(), held() "
                             "and on_note(); the first input is their default; repeatable")
    parser.add_argument("--virtual-input", action="append", default=[], metavar="NAME",
                        help="create a virtual MIDI input with this name (a controller or program sends to it), "
                             "read like --input; repeatable")


def add_mpe_options(parser: argparse.ArgumentParser) -> None:
    """Add --mpe, --mpe-zone, --mpe-members, --microtonal and --bend-range to a live command's parser."""
    parser.add_argument("--mpe", action="append", default=[], metavar="PORT",
                        help="play on this existing output port as an MPE output (each note on a channel of "
                             "its own, with its own bend, pressure and timbre); repeatable")
    parser.add_argument("--mpe-zone", choices=("lower", "upper"), default="lower",
                        help="the MPE zone of the --mpe ports (lower: manager channel 1; upper: 16)")
    parser.add_argument("--mpe-members", type=int, default=15, metavar="N",
                        help="member channels of the --mpe ports' zone, 1..15 (15)")
    parser.add_argument("--microtonal", action="append", default=[], type=microtonal_option,
                        metavar="PORT=CHANNELS",
                        help="play on this existing output port, fractional notes taking turns on these "
                             "channels (0-15, comma-separated), each with its pitch bend; repeatable")
    parser.add_argument("--bend-range", type=float, metavar="SEMITONES",
                        help="the pitch-bend range of the --mpe member channels (48) and the --microtonal "
                             "channels (2: General MIDI)")


def microtonal_option(text: str) -> tuple[str, list[int]]:
    """``PORT=1,2,3`` -> (port, [1, 2, 3]), for ``--microtonal``; argparse shows the error."""
    port, equals, value = text.rpartition("=")
    try:
        channels = [int(part) for part in value.split(",")] if equals and port else None
    except ValueError:
        channels = None
    if channels is None or not all(0 <= channel <= 15 for channel in channels):
        raise argparse.ArgumentTypeError(
            f"expected PORT=CHANNELS, an output and its channels 0-15 separated by commas, "
            f"e.g. synth=1,2,3,4; got {text!r}"
        )
    return port, channels


def mode_outputs(args: argparse.Namespace) -> list[tuple[str, dict]]:
    """The (port, add_output options) of the --mpe and --microtonal ports."""
    bend = {} if getattr(args, "bend_range", None) is None else {"bend_range": args.bend_range}
    outputs = [
        (name, {"mpe": args.mpe_zone, "members": args.mpe_members, **bend}) for name in getattr(args, "mpe", [])
    ]
    outputs += [(name, {"microtonal_channels": channels, **bend}) for name, channels in getattr(args, "microtonal", [])]
    return outputs
