"""The live commands: ``livemidi`` (the REPL), ``livemidi run FILE.py`` and ``livemidi render FILE.py``.

All three build a session the same way: outputs from ``--port`` (existing
ports, by name or a unique part of one) and ``--virtual`` (ports to create);
with neither, a virtual port ``livemidi``, or the built-in monitor where the
machine has no MIDI system. ``--offset PORT=MS`` sets an output's latency
offset (negative: earlier), over the one stored in the user's config file.
Ctrl-C, Ctrl-D and SIGTERM end every sounding note before the command exits.
"""

from __future__ import annotations

import argparse
import gc
import signal
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

from ..session.liveoptions import add_input_options, add_mpe_options, mode_outputs
from .evalsession import add_eval_options, run_pipe_session, start_eval_server

__all__ = ["add_live_commands", "add_live_options", "cmd_repl", "end_startup"]

LINK_DISCOVERY = 1.0  # seconds --link waits for the first peer before deciding who starts


def add_live_options(parser: argparse.ArgumentParser) -> None:
    """The options of a live session (the REPL's are the top level of ``livemidi``)."""
    parser.add_argument("--port", action="append", default=[], metavar="NAME",
                        help="play on this existing output port (its name or a unique part of it); repeatable")
    parser.add_argument("--virtual", action="append", default=[], metavar="NAME",
                        help="create a virtual output port with this name (other programs read it); repeatable")
    add_mpe_options(parser)
    parser.add_argument("--bpm", type=float, default=120.0, help="tempo in beats (quarter notes) per minute (120)")
    parser.add_argument("--beats", type=int, default=4, metavar="N", help="beats per bar (4)")
    parser.add_argument("--backend", help="port backend, e.g. livemidi.backends.rtmidi/UNIX_JACK")
    parser.add_argument("--record", metavar="OUT.mid",
                        help="record everything played to this MIDI file (written at least once a second)")
    parser.add_argument("--link", action="store_true",
                        help="join the Ableton Link session: tempo, bar phase and play/stop follow Live's "
                             "(needs: pip install 'livemidi[link]')")
    parser.add_argument("--no-start-stop", action="store_true",
                        help="with --link, share only tempo and phase, not play/stop (Live's Start Stop Sync off)")
    parser.add_argument("--clock-in", metavar="NAME",
                        help="follow the MIDI clock on this input (tempo, start/stop, song position): "
                             "the master's transport drives livemidi")
    parser.add_argument("--clock-in-virtual", metavar="NAME",
                        help="like --clock-in, on a virtual input of this name that the master sends to")
    parser.add_argument("--clock-out", action="append", default=[], metavar="NAME",
                        help="send MIDI clock, Start/Stop and Song Position to this output (an output of the "
                             "session or another existing port); repeatable")
    add_input_options(parser)
    parser.add_argument("--offset", action="append", default=[], type=offset_option, metavar="PORT=MS",
                        help="play this output MS milliseconds later, or earlier when negative (latency "
                             "compensation, -1000 to 1000; overrides the config file's); repeatable")
    add_eval_options(parser)


def offset_option(text: str) -> tuple[str, float]:
    """``PORT=MS`` -> (port, ms), for ``--offset``; argparse shows the error."""
    from ..config import check_offset

    port, equals, value = text.rpartition("=")
    if not equals or not port:
        raise argparse.ArgumentTypeError(
            f"expected PORT=MS, an output and milliseconds (negative: earlier), e.g. livemidi=-12; got {text!r}"
        )
    try:
        return port, check_offset(float(value), f"the offset of {port!r}")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"the offset of {port!r} should be a number of milliseconds from -1000 to 1000 "
            f"(negative: earlier), got {value!r}"
        ) from None


def add_live_commands(subparsers) -> None:
    run = subparsers.add_parser("run", help="play a pattern file (headless)",
                                description="Play a pattern file: the Python code you would type in the REPL, saved.")
    run.add_argument("file", metavar="FILE.py", help="a pattern file")
    add_live_options(run)
    run.add_argument("--bars", type=int, metavar="N", help="stop after N bars (every note ends)")
    run.add_argument("--watch", action="store_true",
                     help="reload the file whenever it is saved; the change plays from the next bar "
                          "(a version that fails is refused and the old one plays on)")
    run.set_defaults(handler=cmd_run)

    render = subparsers.add_parser("render", help="render a pattern file to a .mid file, offline",
                                   description="Render a pattern file to a Standard MIDI File without "
                                               "waiting: the same file always gives the same bytes.")
    render.add_argument("file", metavar="FILE.py", help="a pattern file")
    render.add_argument("--bars", type=int, required=True, metavar="N", help="how many bars to render")
    render.add_argument("-o", "--output", required=True, metavar="OUT.mid", help="the MIDI file to write")
    render.add_argument("--port", action="append", default=[], metavar="NAME",
                        help="name an output the file's patterns use (each becomes a track); repeatable. "
                             "Without it, each port the file names becomes a track")
    render.add_argument("--bpm", type=float, default=120.0, help="tempo (the file's tempo() wins)")
    render.add_argument("--beats", type=int, default=4, metavar="N", help="beats per bar (4)")
    add_mpe_options(render)  # here --mpe NAME and --microtonal NAME=... name a track's output, not a port
    render.set_defaults(handler=cmd_render)


def end_startup() -> None:
    """Start-up is over: from now Ctrl-C is a plain KeyboardInterrupt, which the command handles.

    The ``livemidi`` command starts under a guard (`_livemidi_cli`) that
    remembers a Ctrl-C that Python dropped during start-up; it is raised
    here. Called from Python, without the guard, this does nothing.
    """
    guard = signal.getsignal(signal.SIGINT)
    if not (hasattr(guard, "pressed") and callable(getattr(guard, "end", None))):
        return
    guard.end()
    if guard.pressed:
        raise KeyboardInterrupt


def settle_memory() -> None:
    """Start-up is over: what it made is kept out of the garbage collector's full collections.

    The collector's full collections walk every object that may be in a
    cycle, with the interpreter held: the lookahead thread waits them out.
    What start-up made (modules, the session, the REPL) lives as long as the
    command: `gc.freeze` leaves it out of them. A session playing
    ``note("c4*2000")`` through the modules the REPL loads (issue 15): full
    collections of up to 38 ms before, 5.7 ms after, on the project's VM.
    Called twice: before the session starts, when the collection walks all
    of start-up's objects (14 ms on that VM when idle, several times that
    under load; after the start it fell inside the first lookahead, with
    nothing more than that queued in the sender), and once start-up is over,
    for what came since (the REPL, the eval server). Both before
    `end_startup`: a Ctrl-C that lands in a collection's callback is
    dropped by Python, and only the start-up guard remembers it.
    """
    gc.collect()
    gc.freeze()


@contextmanager
def _sigterm_as_interrupt():
    # SIGTERM (a service manager, `kill`) ends the session as Ctrl-C does.
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _bpm(value: float):
    return int(value) if value == int(value) else value


def _session(args: argparse.Namespace):
    from ..session import Session
    from ..session.latency import describe_offset
    from ..session.outputs import open_outputs

    session = Session(bpm=_bpm(args.bpm), beats_per_bar=args.beats)
    try:
        monitor = open_outputs(session, args.port, args.virtual, backend=args.backend, modes=mode_outputs(args))
        for port, ms in args.offset:
            session.offset(port, ms)  # ValueError listing the outputs when none matches
            name = session.outputs[session._port_index(port)]
            print(f"Output {name!r} plays {describe_offset(ms)} (--offset).")
        if args.record:
            session.record(args.record)
            print(f"Recording to {args.record}.")
        _sync(session, args)
        _inputs(session, args)
    except BaseException:
        session.close()
        raise
    return session, monitor


def _sync(session, args: argparse.Namespace) -> None:
    """--link, --clock-out: what the session follows and who hears its clock."""
    if args.no_start_stop and not args.link:
        raise SystemExit("livemidi: --no-start-stop only means something with --link")
    if args.link:
        link = session.link(start_stop=not args.no_start_stop, wait=LINK_DISCOVERY)
        peers = link.peers
        print(f"Ableton Link: {peers} peer{'s' if peers != 1 else ''}, {link.bpm:g} BPM.")
    if args.clock_in and args.clock_in_virtual:
        raise SystemExit("livemidi: give --clock-in or --clock-in-virtual, not both")
    if (args.clock_in or args.clock_in_virtual) and args.link:
        raise SystemExit("livemidi: follow Link (--link) or a MIDI clock (--clock-in), not both")
    if args.clock_in or args.clock_in_virtual:
        clock = session.clock_in(args.clock_in or args.clock_in_virtual, virtual=bool(args.clock_in_virtual),
                                 backend=args.backend)
        print(f"Following the MIDI clock on {clock.port_name!r}: press play on the master.")
    if args.clock_out:
        names = session.clock_out(*args.clock_out)
        print(f"MIDI clock to {', '.join(names)}.")


def _inputs(session, args: argparse.Namespace) -> None:
    """--input, --virtual-input: the MIDI inputs that knob(), held() and on_note() read."""
    from ..session.inputs import open_inputs

    names = open_inputs(session, args.input, args.virtual_input, backend=args.backend)
    if names:
        print(f"Reading MIDI input {', '.join(repr(name) for name in names)} (knob, held, on_note; "
              f"heard within {session.clock.lookahead * 1000:g} ms).")


def _start(session) -> None:
    """Start playing, unless the transport belongs to the Link session: then follow it."""
    link = session.sync
    if link is not None and getattr(link, "follows_position", False):
        return  # the MIDI clock's master starts and stops
    if link is not None and getattr(link, "name", "") == "Link" and link.start_stop_sync and link.peers:
        if link.playing:
            print("Link is playing: livemidi joins at the next bar.", flush=True)
        else:
            print("Link is stopped: livemidi starts when play is pressed in Live (or type start()).", flush=True)
        return
    session.start()


def _close(session, args: argparse.Namespace) -> None:
    """Stop the session (every note ends, a recording is finished) and say so, and what went late."""
    recording = session.recording
    try:
        trouble = timing_trouble(session.status())
    except Exception:  # closing comes first
        trouble = ""
    session.close()
    if recording:
        print(f"livemidi: recorded to {args.record}.", flush=True)
    print("livemidi: stopped; every note ended.", flush=True)
    if trouble:
        print(f"livemidi: timing: {trouble}.", file=sys.stderr, flush=True)


def timing_trouble(status) -> str:
    """What went wrong with the timing of a session, from its `SessionStatus`; "" when nothing did."""
    parts = []
    if status.stalls:
        parts.append(f"{status.stalls} stall{'s' if status.stalls != 1 else ''} skipped music")
    if status.late:
        parts.append(f"{status.late} message{'s' if status.late != 1 else ''} over 1 ms late "
                     f"(the machine's: {status.late_machine})")
    return "; ".join(parts)


def cmd_repl(args: argparse.Namespace) -> int:
    from ..repl import default_history_path, run_repl

    session, monitor = _session(args)
    server = None
    with _sigterm_as_interrupt():
        try:
            settle_memory()
            _start(session)
            if getattr(args, "pipe", False):
                settle_memory()
                end_startup()
                return run_pipe_session(session, args)
            server = start_eval_server(session, args, "repl")
            settle_memory()
            end_startup()
            return run_repl(session, monitor=monitor, history_path=default_history_path(), server=server)
        except KeyboardInterrupt:
            return 130
        finally:
            if server is not None:
                server.close()
            _close(session, args)


def _print_sent(records) -> None:
    for sent in records:
        print(f"♪ {sent.describe()}", flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    from fractions import Fraction

    from ..session.patternfile import PatternFileError, load_pattern_file

    path = Path(args.file)
    if args.bars is not None and args.bars < 1:
        print("livemidi: --bars must be 1 or more", file=sys.stderr)
        return 2
    session, monitor = _session(args)
    server = None
    with _sigterm_as_interrupt():
        try:
            stamp = _stamp(path)  # before loading: a save while the file loads is seen, and loaded, at once
            try:
                playing = load_pattern_file(session, path)
            except PatternFileError as error:
                print(f"livemidi: {error}", file=sys.stderr)
                return 1
            end = None if args.bars is None else Fraction(args.bars)
            if end is not None:
                session.end_at(end)
            if monitor:
                session.add_listener(_print_sent)
            settle_memory()
            _start(session)
            session.note_code(_read(path))
            server = start_eval_server(session, args, "run")
            print(f"Playing {path} ({', '.join(sorted(playing)) or 'no loops'}); Ctrl-C stops.", flush=True)
            settle_memory()
            end_startup()
            while True:
                time.sleep(0.1)
                if end is not None and session.position().cycle >= end:
                    break
                if args.watch and _stamp(path) != stamp:
                    stamp = _stamp(path)
                    try:
                        with server.evaluator.exclusive() if server is not None else nullcontext():
                            playing = load_pattern_file(session, path, previous=playing)
                    except PatternFileError as error:
                        trace = f"\n{error.trace}" if error.trace else ""
                        print(f"livemidi: {error.reason}; the version before plays on{trace}", file=sys.stderr,
                              flush=True)
                    else:
                        if end is not None:
                            session.end_at(end)
                        session.note_code(_read(path))  # a marker in the recording, if one runs
                        print(f"Reloaded {path}: {', '.join(sorted(playing)) or 'no loops'} from the next bar.",
                              flush=True)
            return 0
        except KeyboardInterrupt:
            return 130
        finally:
            if server is not None:
                server.close()
            _close(session, args)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _stamp(path: Path):
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def cmd_render(args: argparse.Namespace) -> int:
    from ..session.offline import render_pattern_file
    from ..session.patternfile import PatternFileError

    notices: list[str] = []
    try:
        midi = render_pattern_file(args.file, args.bars, outputs=args.port or None, bpm=_bpm(args.bpm),
                                   beats_per_bar=args.beats, notices=notices, modes=mode_outputs(args))
    except (PatternFileError, ValueError) as error:
        print(f"livemidi: {error}", file=sys.stderr)
        return 1
    for text in notices:
        print(f"livemidi: {text}", file=sys.stderr)
    midi.save(args.output)
    notes = sum(1 for track in midi.tracks for msg in track if msg.type == "note_on")
    print(f"Wrote {args.output}: {args.bars} bars, {len(midi.tracks) - 1} track(s), {notes} notes, {midi.length:.2f} s.")
    return 0
