"""The port commands of ``livemidi``: ports, play, serve, connect (mido-ports, mido-play,
mido-serve and mido-connect, under one command).

Each ``cmd_*`` takes the parsed arguments and returns an exit status.
Whatever happens, an output port that played notes gets their note-offs
before the command exits (Ctrl-C included).
"""

from __future__ import annotations

import argparse
import os
import sys

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

    serve = subparsers.add_parser(
        "serve", help="serve output ports over TCP (as mido-serve)", description=SERVE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    serve.add_argument("address", metavar="HOST:PORT", help="address to serve on, e.g. localhost:9080")
    serve.add_argument("ports", metavar="PORTNAME", nargs="+", help="output port to send received messages to")
    serve.add_argument("--backend", help="backend module")
    serve.add_argument("-q", "--quiet", action="store_true", help="print no messages (notices still go to stderr)")
    _add_server_limits(serve)
    serve.set_defaults(handler=cmd_serve)

    connect = subparsers.add_parser("connect", help="send input ports to a server over TCP (as mido-connect)")
    connect.add_argument("address", metavar="HOST:PORT", help="address of the server")
    connect.add_argument("ports", metavar="PORTNAME", nargs="+", help="input port to forward")
    connect.add_argument("--backend", help="backend module")
    connect.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    connect.set_defaults(handler=cmd_connect)


SERVE_DESCRIPTION = """\
Serve output ports over TCP: what clients (livemidi connect, mido-connect,
mido.sockets.connect) send is played on the ports. Serve on 127.0.0.1 unless
other machines must reach you: anyone who can connect plays your synths, and
livemidi warns when the address is not loopback.

The server holds its own against careless and hostile clients: the options
below bound what one client may do. When a client goes, however it goes,
its notes get their note-offs (not other clients' notes); Ctrl-C ends every
note. Notices (refused or dropped clients, rate limiting) go to stderr.
"""


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text}")
    return value


# `PortServer`'s defaults, written out so that building the command line imports no sockets
# (tests/ports/test_ports_serve_limits.py checks that they match).
SERVER_DEFAULTS = {
    "max_clients": 64, "max_per_address": 16, "idle_timeout": 60.0, "max_rate": 2000, "keepalive": 30.0,
    "backlog": 128, "max_sysex_size": 1 << 20, "max_buffer": 1 << 20,
}  # fmt: skip


def _add_server_limits(parser: argparse.ArgumentParser) -> None:
    """The options of `livemidi.sockets.PortServer`; one left out keeps PortServer's default."""
    limits = parser.add_argument_group(
        "limits", "what clients may do; 0 turns off --max-per-address, --idle-timeout, --max-rate and --keepalive"
    )

    def option(name: str, kind, metavar: str, text: str) -> None:
        limits.add_argument(f"--{name.replace('_', '-')}", type=kind, metavar=metavar,
                            help=f"{text} (default: {SERVER_DEFAULTS[name]})")  # fmt: skip

    option("max_clients", _count, "N", "clients connected at once")
    option("max_per_address", _count, "N", "clients from one IP address at once; all local clients share 127.0.0.1")
    option("idle_timeout", _seconds, "SECONDS",
           "when the server or an address is full, a newcomer takes the place of a client that has sent nothing "
           "for this long")  # fmt: skip
    option("max_rate", _seconds, "N",
           "messages a second from one client, in bursts of up to a second's worth; what is over is dropped with "
           "a notice and that client's notes end")  # fmt: skip
    option("keepalive", _seconds, "SECONDS",
           "TCP keepalive: a client whose machine vanished without closing goes about twice this long after it "
           "fell silent")  # fmt: skip
    option("backlog", _count, "N", "connections waiting to be accepted")
    option("max_sysex_size", _count, "BYTES", "longer sysex messages are dropped")
    option("max_buffer", _count, "BYTES", "a client that leaves more unread of what the server sends is dropped")
    limits.add_argument("--no-release-notes", dest="release_notes", action="store_false",
                        help="do not end a gone client's notes (they then sound until Ctrl-C)")


def _server_limits(args: argparse.Namespace) -> dict:
    """`PortServer` keyword arguments from the options given (0: off, where a limit can be off)."""
    limits = {"release_notes": args.release_notes}
    for name in SERVER_DEFAULTS:
        value = getattr(args, name)
        if value is None:
            continue
        if name in ("max_per_address", "idle_timeout", "max_rate", "keepalive"):
            value = value or None
        elif value < (2 if name == "max_sysex_size" else 1) and name != "backlog":
            raise ValueError(f"--{name.replace('_', '-')} cannot be off: expected at least "
                             f"{2 if name == 'max_sysex_size' else 1}, got {value}")  # fmt: skip
        limits[name] = value
    return limits


def _backend(args: argparse.Namespace):
    from .. import backends

    if getattr(args, "backend", None):
        return backends.Backend(args.backend)
    return backends.current_backend()


def _say(args: argparse.Namespace, *text) -> None:
    if not getattr(args, "quiet", False):
        print(*text, flush=True)


def cmd_ports(args: argparse.Namespace) -> int:
    from ..errors import PortError

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
    from ..errors import PortError

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
        """Note-off for every sounding note, then all-notes-off on every channel: paced (ports.pace)."""
        from ..messages import Message
        from ..ports import reset_messages
        from ..ports.pace import send_paced

        offs = [Message("note_off", channel=channel, note=note, velocity=0) for channel, note in sorted(self.sounding)]
        send_paced(self.port.send, offs + list(reset_messages()))
        self.sounding.clear()


def cmd_play(args: argparse.Namespace) -> int:
    from ..midifiles import MidiFile

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


def _print_notice(message, category, filename, lineno, file=None, line=None) -> None:
    text = str(message).removeprefix("livemidi.sockets: ")
    print(f"livemidi serve: {text}", file=sys.stderr, flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    import warnings

    from ..ports import MultiPort
    from ..sockets import PortServer, parse_address

    host, portno = parse_address(args.address)
    limits = _server_limits(args)
    backend = _backend(args)
    outputs = []
    with warnings.catch_warnings():
        # The server says at most one thing a subject every few seconds: show each as a line, not a traceback.
        warnings.simplefilter("always", RuntimeWarning)
        warnings.showwarning = _print_notice
        try:
            for name in args.ports:
                outputs.append(backend.open_output(name))
            out = MultiPort(outputs)
            ledger = _NoteLedger(out)
            with PortServer(host, portno, **limits) as server:
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


SERVER_GONE = (
    "the server at {} closed the connection: it may be full, or have too many clients from this address, "
    "or it dropped this one (idle while it was full, or sending over its rate limit)"
)


def cmd_connect(args: argparse.Namespace) -> int:
    from ..errors import PortDisconnectedError
    from ..ports import multi_receive, sleep
    from ..sockets import connect, parse_address

    host, portno = parse_address(args.address)
    backend = _backend(args)
    inputs = []
    try:
        for name in args.ports:
            inputs.append(backend.open_input(name))
        with connect(host, portno) as server:
            # Read what the server sends (and drop it, as mido-connect does): a client that never reads is
            # dropped by a server that sends, and reading is how a server that closes is noticed at once.
            server.callback = lambda msg: None
            _say(args, f"Connected to {server.name}.")
            try:
                while not server.closed and any(not port.closed for port in inputs):
                    for msg in multi_receive(inputs, block=False):
                        _say(args, f"Sending {msg}")
                        server.send(msg)
                    sleep()
            except (ValueError, PortDisconnectedError) as error:  # ValueError: send() on a port just closed
                if not server.closed:
                    raise
                raise PortDisconnectedError(SERVER_GONE.format(server.name)) from error
            except KeyboardInterrupt:
                return 130
            if server.closed:
                raise PortDisconnectedError(SERVER_GONE.format(server.name))
    finally:
        for port in inputs:
            port.close()
    return 0
