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
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..config import check_offset
from ..pattern import reify
from .namespace import namespace
from .session import PatternError, Session

__all__ = ["PatternFileError", "load_pattern_file"]


class PatternFileError(ValueError):
    """A pattern file could not be read, raised while it ran, or held a pattern that fails."""


class _StagedLoops:
    """Stands in for `p` while a file runs: remembers each assignment."""

    def __init__(self, plan: list) -> None:
        object.__setattr__(self, "_plan", plan)
        object.__setattr__(self, "_values", {})

    def __setattr__(self, name: str, pattern: Any) -> None:
        if pattern is None:
            self._plan.append(("stop_loop", (name,), {}))
        else:
            self._plan.append(("play", (name, pattern), {}))
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


def _staged_namespace(session: Session, plan: list) -> dict:
    names = namespace(session)
    names["p"] = _StagedLoops(plan)

    def recorder(command: str) -> Callable[..., None]:
        def record(*args: Any, **kwargs: Any) -> None:
            plan.append((command, args, kwargs))

        record.__name__ = command
        return record

    for command in _STAGED:
        names[command] = recorder(command)

    def offset(port: Any = None, ms: Any = None, *, save: bool = False) -> Any:
        # Checked now, so that a bad port or value refuses the whole file; applied with the rest.
        if ms is None:
            current = session.offset(port)
            if save:
                plan.append(("offset", (port, None), {"save": True}))
            return current
        session._port_index(port)
        value = check_offset(ms)
        plan.append(("offset", (port, value), {"save": save}))
        return value

    names["offset"] = offset
    return names


def _run(path: Path, names: dict) -> None:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PatternFileError(f"cannot read pattern file {str(path)!r}: {error}") from error
    try:
        code = compile(source, str(path), "exec")
        exec(code, names)
    except Exception as error:
        raise PatternFileError(f"{path}: {type(error).__name__}: {error} (nothing was changed)") from error


def load_pattern_file(session: Session, path: str | Path, previous: set[str] | None = None) -> set[str]:
    """Run the file staged, then apply it (see the module docstring); returns the loop names it plays.

    `previous` is the set this returned for the file last time: those loops
    the file no longer plays are stopped. Raises PatternFileError, having
    changed nothing, when the file cannot be read, raises, or holds a
    pattern that fails its trial.
    """
    path = Path(path)
    plan: list = []
    names = _staged_namespace(session, plan)
    _run(path, names)
    plays = {}
    for command, args, kwargs in plan:
        if command == "play":
            plays[args[0]] = (reify(args[1]), kwargs)
    for name, (pattern, kwargs) in plays.items():
        try:
            session.check_pattern(name, pattern, at=kwargs.get("at"), channel=kwargs.get("channel"), port=kwargs.get("port"))
        except PatternError as error:
            raise PatternFileError(f"{path}: {error}") from error
    commands = namespace(session)
    for command, args, kwargs in plan:
        if command == "quantize":
            commands["quantize"](*args, **kwargs)
        else:
            getattr(session, command)(*args, **kwargs)
    playing = {name for name, _ in plays.items()}
    stopped = {args[0] for command, args, _ in plan if command == "stop_loop"}
    playing -= stopped
    for name in sorted((previous or set()) - playing - stopped):
        if name in session.loops:
            session.stop_loop(name)
    return playing
