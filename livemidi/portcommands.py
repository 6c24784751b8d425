"""The port commands of ``livemidi``: ports, play, serve, connect (mido-ports, mido-play,
mido-serve and mido-connect, under one command).

Each ``cmd_*`` takes the parsed arguments and returns an exit status.
Whatever happens, an output port that played notes gets their note-offs
before the command exits (Ctrl-C included).
"""

from __future__ import annotations

import argparse
import os

ENVIRONMENT = (
    "LIVEMIDI_BACKEND",
    "LIVEMIDI_DEFAULT_INPUT",
    "LIVEMIDI_DEFAULT_OUTPUT",
    "LIVEMIDI_DEFAULT_IOPORT",
    "MIDO_BACKEND",
    "MIDO_DEFAULT_INPUT",
    "MIDO_DEFAULT_OUTPUT",
    "MIDO_DEFAULT_IOPORT",
)


def add_port_commands(subparsers) -> None:
    """Add the port commands to the ``livemidi`` argument parser."""
    ports = subparsers.add_parser("ports", help="list MIDI input and output ports")
    ports.add_argument("--backend", help="backend module, e.g. livemidi.backends.rtmidi/UNIX_JACK")
    ports.set_defaults(handler=cmd_ports)

    play = subparsers.add_parser("play", help="play MIDI files on an output port")
    play.add_argument("files", metavar="FILE", nargs="+", help="Standard MIDI File (.mid)")
    play.add_argument("-p", "--port", "-o", "--output-port", dest="port", help="output port: name, part of it, or index")
    play.add_argument("--virtual", action="store_true", help="create a virtual output named by --port")
    play.add_argument("--backend", help="backend module")
    play.add_argument("-m", "--print-messages", action="store_true", help="print messages as they are played")
    play.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    play.set_defaults(handler=cmd_play)

    serve = subparsers.add_parser("serve", help="serve output ports over TCP (as mido-serve)")
    serve.add_argument("address", metavar="HOST:PORT", help="address to serve on, e.g. localhost:9080")
    serve.add_argument("ports", metavar="PORTNAME", nargs="+", help="output port to send received messages to")
    serve.add_argument("--backend", help="backend module")
    serve.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    serve.set_defaults(handler=cmd_serve)

    connect = subparsers.add_parser("connect", help="send input ports to a server over TCP (as mido-connect)")
    connect.add_argument("address", metavar="HOST:PORT", help="address of the server")
    connect.add_argument("ports", metavar="PORTNAME", nargs="+", help="input port to forward")
    connect.add_argument("--backend", help="backend module")
    connect.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    connect.set_defaults(handler=cmd_connect)


def _backend(args: argparse.Namespace):
    from . import backends

    if getattr(args, "backend", None):
        return backends.Backend(args.backend)
    return backends.current_backend()


def _say(args: argparse.Namespace, *text) -> None:
    if not getattr(args, "quiet", False):
        print(*text, flush=True)


def cmd_ports(args: argparse.Namespace) -> int:
    from .errors import PortError

    backend = _backend(args)
    status = 0
    for title, names in (("Inputs", backend.get_input_names), ("Outputs", backend.get_output_names)):
        print(f"{title}:")
        try:
            found = names()
        except (PortError, ImportError) as error:
            # No MIDI system at all (a server, a container), or no MIDI library
            # that loads here: say so, and still show the backend and the
            # environment below.
            print(f"  none: {error}")
            status = 1
            continue
        for index, name in enumerate(found):
            print(f"  {index}: {name!r}")
        if not found:
            print("  none")
    _print_backend(backend)
    print("Environment:")
    for name in ENVIRONMENT:
        value = os.environ.get(name)
        print(f"  {name}={value!r}" if value is not None else f"  {name} not set")
    return status


def _print_backend(backend) -> None:
    """The backend, its library and the MIDI API ports open on (the same answer the port functions get)."""
    from .errors import PortError

    try:
        about = backend.describe()
    except (PortError, ImportError) as error:
        about = {"problem": str(error)}
    library = f" ({about['library']})" if about.get("library") else ""
    print(f"Backend: {backend.name}{library}")
    if "api" in about or "problem" in about:
        chosen = about.get("api") or "none"
        how = "asked for" if backend.api else "chosen"
        others = f"; available: {', '.join(about['apis'])}" if about.get("apis") else ""
        print(f"  MIDI API: {chosen} ({how}{others})")
    if about.get("libjack"):
        print(f"  libjack: {about['libjack']}")
    if about.get("problem") and not about.get("api"):
        print(f"  problem: {about['problem']}")


class _NoteLedger:
    """The notes sounding on an output, so that each gets its note-off whatever happens."""

    def __init__(self, port) -> None:
        self.port = port
        self.sounding: set[tuple[int, int]] = set()

    def send(self, msg) -> None:
        self.port.send(msg)
        if msg.type == "note_on" and msg.velocity > 0:
            self.sounding.add((msg.channel, msg.note))
        elif msg.type in ("note_on", "note_off"):
            self.sounding.discard((msg.channel, msg.note))

    def silence(self) -> None:
        """Note-off for every sounding note, then all-notes-off on every channel."""
        from .messages import Message

        for channel, note in sorted(self.sounding):
            self.port.send(Message("note_off", channel=channel, note=note, velocity=0))
        self.sounding.clear()
        self.port.reset()


def cmd_play(args: argparse.Namespace) -> int:
    from .midifiles import MidiFile

    files = [MidiFile(path) for path in args.files]  # read them all first: a bad file fails before any sound
    backend = _backend(args)
    with backend.open_output(args.port, virtual=args.virtual) as output:
        _say(args, f"Using output {output.name!r}.")
        ledger = _NoteLedger(output)
        try:
            for path, song in zip(args.files, files):
                _say(args, f"Playing {path}.")
                for msg in song.play():
                    if getattr(msg, "is_meta", False):
                        continue
                    if args.print_messages and not args.quiet:
                        print(msg, flush=True)
                    ledger.send(msg)
        except KeyboardInterrupt:
            ledger.silence()
            _say(args, "Stopped; sent note-offs.")
            return 130
        ledger.silence()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .ports import MultiPort
    from .sockets import PortServer, parse_address

    host, portno = parse_address(args.address)
    backend = _backend(args)
    outputs = []
    try:
        for name in args.ports:
            outputs.append(backend.open_output(name))
        out = MultiPort(outputs)
        ledger = _NoteLedger(out)
        with PortServer(host, portno) as server:
            _say(args, f"Serving {', '.join(repr(port.name) for port in outputs)} on {server.name}.")
            try:
                for msg in server:
                    _say(args, f"Received {msg}")
                    ledger.send(msg)
            except KeyboardInterrupt:
                ledger.silence()
                return 130
    finally:
        for port in outputs:
            port.close()
    return 0


def cmd_connect(args: argparse.Namespace) -> int:
    from .ports import multi_receive
    from .sockets import connect, parse_address

    host, portno = parse_address(args.address)
    backend = _backend(args)
    inputs = []
    try:
        for name in args.ports:
            inputs.append(backend.open_input(name))
        with connect(host, portno) as server:
            _say(args, f"Connected to {server.name}.")
            try:
                for msg in multi_receive(inputs):
                    _say(args, f"Sending {msg}")
                    server.send(msg)
            except KeyboardInterrupt:
                return 130
    finally:
        for port in inputs:
            port.close()
    return 0
