"""The user's config file: what livemidi reads at start (for now, a latency offset per output port).

Where it is: ``$LIVEMIDI_CONFIG`` when set (tests point it at a temporary
file), else ``$XDG_CONFIG_HOME/livemidi/config.json`` (by default
``~/.config/livemidi/config.json``; on Windows ``%APPDATA%\\livemidi\\config.json``).
What it holds, as JSON::

    {
      "offsets": {"livemidi": -12.5, "IAC Driver Bus 1": -20}
    }

``offsets`` maps an output port's name (as ``livemidi ports`` lists it, or a
virtual port's name) to milliseconds: negative plays that port earlier, as
Ableton Live's track delay does. ``livemidi calibrate`` writes them; a session
that opens an output of that name applies the offset and says so.

Reading never stops livemidi: a missing file is an empty config; a file that
cannot be read or is not valid JSON, and entries that make no sense, come
back as `UserConfig.problems` (each naming the file and what is wrong), and
whatever is valid is used. Writing changes only the entry asked for and keeps
everything else in the file as it was; it goes to a temporary file in the
same folder that then replaces the old one (`os.replace`), so a crash never
leaves half a file. It refuses (`ConfigError`) to write over a file it cannot
parse: the performer's hand edits are never thrown away.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple

from .errors import ConfigError

__all__ = ["CONFIG_ENV", "MAX_OFFSET_MS", "UserConfig", "check_offset", "config_path", "read_config", "save_offset"]

CONFIG_ENV = "LIVEMIDI_CONFIG"
MAX_OFFSET_MS = 1000
EXAMPLE = '{"offsets": {"livemidi": -12.5}}'


class UserConfig(NamedTuple):
    """What `read_config` found: the file, the valid offsets (ms by port name), and what was wrong."""

    path: Path
    offsets: dict[str, float]
    problems: list[str]


def config_path() -> Path:
    """The config file: ``$LIVEMIDI_CONFIG``, else ``$XDG_CONFIG_HOME/livemidi/config.json`` (``~/.config/...``)."""
    chosen = os.environ.get(CONFIG_ENV)
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base and os.name == "nt" and os.environ.get("APPDATA"):
        base = os.environ["APPDATA"]
    if not base:
        base = os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "livemidi" / "config.json"


def check_offset(ms: Any, what: str = "an offset") -> float:
    """`ms` as a float if it is a number of milliseconds from -1000 to 1000; ValueError saying so if not."""
    if isinstance(ms, bool) or not isinstance(ms, (int, float, Fraction)) or not -MAX_OFFSET_MS <= ms <= MAX_OFFSET_MS:
        raise ValueError(
            f"{what} is a number of milliseconds from -{MAX_OFFSET_MS} to {MAX_OFFSET_MS} "
            f"(negative: earlier), got {ms!r}"
        )
    return float(ms)


def _load(path: Path) -> tuple[dict | None, str | None]:
    """(the file's JSON object, None), ({}, None) when there is no file, or (None, what is wrong)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except UnicodeDecodeError as error:
        return None, f"the config file {path} is not UTF-8 text ({error})"
    except OSError as error:
        return None, f"cannot read the config file {path}: {error.strerror or error}"
    if not text.strip():
        return {}, None  # an empty file (just created by hand) holds nothing yet
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return None, (
            f"the config file {path} is not valid JSON (line {error.lineno} column {error.colno}: {error.msg}); "
            f"expected something like {EXAMPLE}"
        )
    if not isinstance(data, dict):
        return None, f"the config file {path} should hold a JSON object like {EXAMPLE}, found {type(data).__name__}"
    offsets = data.get("offsets", {})
    if not isinstance(offsets, dict):
        return None, (
            f"in the config file {path}, \"offsets\" should be an object of port names and milliseconds "
            f"like {EXAMPLE}, found {type(offsets).__name__}"
        )
    return data, None


def read_config(path: str | os.PathLike | None = None) -> UserConfig:
    """Read the config file (default `config_path()`); never raises for what is in it or its absence."""
    path = config_path() if path is None else Path(path)
    data, problem = _load(path)
    if data is None:
        return UserConfig(path, {}, [f"{problem}; going on without it"])
    offsets: dict[str, float] = {}
    problems = []
    for name, ms in data.get("offsets", {}).items():
        try:
            offsets[name] = check_offset(ms, f"the offset of {name!r}")
        except ValueError as error:
            problems.append(f"in the config file {path}: {error}; that entry is ignored")
    return UserConfig(path, offsets, problems)


def save_offset(port: str, ms: float | None, path: str | os.PathLike | None = None) -> Path:
    """Store `port`'s offset (`ms`; None removes it) in the config file; returns the file's path.

    Only that entry changes. Raises ValueError for a bad port name or
    offset, and ConfigError when the file exists but cannot be read or
    parsed (it is left as it was) or cannot be written.
    """
    if not isinstance(port, str) or not port:
        raise ValueError(f"a port name (a non-empty str) is needed to store an offset, got {port!r}")
    if ms is not None:
        ms = check_offset(ms)
    path = config_path() if path is None else Path(path)
    data, problem = _load(path)
    if data is None:
        raise ConfigError(
            f"{problem}. Nothing was written, so that nothing in it is lost: "
            f"fix the file or move it away, then try again",
            path=path,
        )
    offsets = data.setdefault("offsets", {})
    if ms is None:
        offsets.pop(port, None)
    else:
        offsets[port] = ms
    _write_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


def _write_atomically(path: Path, text: str) -> None:
    target = path.resolve() if path.is_symlink() else path  # keep a symlinked config a symlink
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = 0o644
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        raise ConfigError(f"cannot write the config file {path}: {error.strerror or error}", path=path) from error
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise ConfigError(f"cannot write the config file {path}: {error.strerror or error}", path=path) from error
