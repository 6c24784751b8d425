"""Pattern files: Python files of loops, loaded whole or not at all.

A pattern file is the code a performer would type, saved::

    tempo(124)
    p.kick = note("c2*4").ch(9)
    p.bass = note("<c2 eb2> ~ [c2 c3] ~").ch(1)

`load_pattern_file` runs it *staged*: the file runs against stand-ins that
only write down what it asks for (loops, tempo, quantize, latency offsets).
Only when the whole file has run without an error, and every new pattern has
passed its trial, is any of it applied; so a file saved half-edited, with a
typo or a pattern that raises, changes nothing, and the version before it
plays on.
On a reload, loops the file no longer names stop at the next bar.

When the file fails, the error says where, as Python would: the file, the
line and its text, and the error, without livemidi's own frames
(`livemidi.session.usertrace`). A pattern that fails its trial is reported at
the line that assigned it.

The file is compiled with `livemidi.mini.code.compile_located`, so the
events of its mini-notation know their file, line and columns
(`livemidi.pattern.locations`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import check_offset
from ..mini.code import compile_located
from ..pattern import reify
from .loops import no_such_loop
from .namespace import namespace
from .session import PatternError, Session
from .usertrace import remember_source, source_frame, user_line, user_traceback

__all__ = ["PatternFileError", "load_pattern_file"]


class PatternFileError(ValueError):
    """A pattern file could not be read, raised while it ran, or held a pattern that fails.

    ``reason`` says what and where in one line (``song.py, line 4: NameError: ...``);
    ``trace`` is the traceback of the file's own code, as Python prints it
    without livemidi's frames ('' when there is none); ``path`` and ``line``
    (None when unknown) say where. The message is the reason, "(nothing was
    changed)", then the traceback.
    """

    def __init__(self, reason: str, *, path: Any = None, line: int | None = None, trace: str = "") -> None:
        self.reason = reason
        self.path = path
        self.line = line
        self.trace = trace.rstrip("\n")
        super().__init__(f"{reason} (nothing was changed)" + (f"\n{self.trace}" if self.trace else ""))


def _line_in(filename: str) -> int | None:
    """The line of `filename` that is running now (the nearest frame of it on the stack)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename != filename:
        frame = frame.f_back
    return None if frame is None else frame.f_lineno


class _StagedLoops:
    """Stands in for `p` while a file runs: remembers each assignment, and the line it is on."""

    def __init__(self, plan: list, filename: str) -> None:
        object.__setattr__(self, "_plan", plan)
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_filename", filename)

    def __setattr__(self, name: str, pattern: Any) -> None:
        line = _line_in(self._filename)
        if pattern is None:
            self._plan.append(("stop_loop", (name,), {}, line))
        else:
            self._plan.append(("play", (name, pattern), {}, line))
        self._values[name] = pattern

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._values:
            return self._values[name]
        raise AttributeError(f"the file has not set p.{name} yet")

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)

    __setitem__ = __setattr__
    __getitem__ = __getattr__
    __delitem__ = __delattr__


# Commands a pattern file may give; they are written down and applied in order.
_STAGED = ("play", "stop_loop", "tempo", "quantize", "mute", "unmute", "solo", "unsolo")
_BY_LOOP_NAME = ("stop_loop", "mute", "unmute", "solo", "unsolo")  # name loops that must exist by then


def _staged_namespace(session: Session, plan: list, filename: str) -> dict:
    names = namespace(session)
    names["p"] = _StagedLoops(plan, filename)

    def recorder(command: str) -> Callable[..., None]:
        def record(*args: Any, **kwargs: Any) -> None:
            if command in _BY_LOOP_NAME:  # checked now: a typo refuses the file, at its line
                known = [*session.loops, *(entry[1][0] for entry in plan if entry[0] == "play")]
                for name in args:
                    if name not in known and not (command == "unsolo" and name in session._solo):
                        raise no_such_loop(name, dict.fromkeys(known))
            plan.append((command, args, kwargs, _line_in(filename)))

        record.__name__ = command
        return record

    for command in _STAGED:
        names[command] = recorder(command)

    def offset(port: Any = None, ms: Any = None, *, save: bool = False) -> Any:
        # Checked now, so that a bad port or value refuses the whole file; applied with the rest.
        if ms is None:
            current = session.offset(port)
            if save:
                plan.append(("offset", (port, None), {"save": True}, None))
            return current
        session._port_index(port)
        value = check_offset(ms)
        plan.append(("offset", (port, value), {"save": save}, None))
        return value

    names["offset"] = offset
    return names


def _run(path: Path, names: dict) -> None:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PatternFileError(f"cannot read pattern file {str(path)!r}: {error}", path=path) from error
    filename = str(path)
    remember_source(filename, source)  # the traceback shows the lines that ran, even if the file is saved again
    try:
        code = compile_located(source, filename, "exec")
        exec(code, names)
    except Exception as error:
        line = user_line(error, filename)
        where = f"{path}, line {line}" if line is not None else str(path)
        what = error.msg if isinstance(error, SyntaxError) else str(error)
        raise PatternFileError(
            f"{where}: {type(error).__name__}: {what}", path=path, line=line, trace=user_traceback(error)
        ) from error


def _trial_error(path: Path, name: str, line: int | None, error: PatternError) -> PatternFileError:
    # The trial runs after the file did: the line that assigned the pattern stands for where it failed.
    cause = error.__cause__ or error
    where = f"{path}, line {line}" if line is not None else str(path)
    first = source_frame(str(path), line) if line is not None else None
    return PatternFileError(
        f"{where}: the pattern for p.{name} fails when played: {type(cause).__name__}: {cause}",
        path=path, line=line, trace=user_traceback(cause, first),
    )  # fmt: skip


def load_pattern_file(session: Session, path: str | Path, previous: set[str] | None = None) -> set[str]:
    """Run the file staged, then apply it (see the module docstring); returns the loop names it plays.

    `previous` is the set this returned for the file last time: those loops
    the file no longer plays are stopped. Raises PatternFileError, having
    changed nothing, when the file cannot be read, raises, or holds a
    pattern that fails its trial.
    """
    path = Path(path)
    plan: list = []
    names = _staged_namespace(session, plan, str(path))
    _run(path, names)
    plays = {}
    for command, args, kwargs, line in plan:
        if command == "play":
            plays[args[0]] = (reify(args[1]), kwargs, line)
    for name, (pattern, kwargs, line) in plays.items():
        try:
            session.check_pattern(name, pattern, at=kwargs.get("at"), channel=kwargs.get("channel"), port=kwargs.get("port"))
        except PatternError as error:
            raise _trial_error(path, name, line, error) from error
    commands = namespace(session)
    for command, args, kwargs, _line in plan:
        if command == "quantize":
            commands["quantize"](*args, **kwargs)
        else:
            getattr(session, command)(*args, **kwargs)
    playing = {name for name, _ in plays.items()}
    stopped = {args[0] for command, args, _, _ in plan if command == "stop_loop"}
    playing -= stopped
    for name in sorted((previous or set()) - playing - stopped):
        if name in session.loops:
            session.stop_loop(name)
    return playing
