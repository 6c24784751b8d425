"""The server file: the one documented place where a client finds the running session.

Where it is (`server_file_path`):

- ``$LIVEMIDI_SERVER_FILE`` when set (tests use it);
- Linux and the BSDs: ``$XDG_RUNTIME_DIR/livemidi/server.json``, or
  ``/tmp/livemidi-<uid>/server.json`` when XDG_RUNTIME_DIR is unset;
- macOS: ``$TMPDIR/livemidi/server.json``; Windows: ``%LOCALAPPDATA%\\livemidi\\server.json``.

What it holds: ``{"protocol": 1, "host": "127.0.0.1", "port": 7317, "token":
"<32 hex>", "pid": 1234, "livemidi": "<version>", "session": "repl"}``.
It is written mode 0600, atomically (a temporary file renamed over it), in
a directory made 0700; a directory that is not the user's, or is a symlink,
is refused (someone else could read the token or plant a file). It is
removed at exit, only if it still holds this session's token (a newer
session may have written it since).

Misuse: a client must treat the file as a hint: the process it names may
be gone (`pid_alive`), and a stale file is "no running session".
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..errors import EvalServerError, NoSessionError

__all__ = ["pid_alive", "read_server_file", "remove_server_file", "server_file_path", "write_server_file"]

FILE_NAME = "server.json"


def server_file_path() -> Path:
    """Where the server file is on this machine, for this user (see the module docstring)."""
    given = os.environ.get("LIVEMIDI_SERVER_FILE")
    if given:
        return Path(given)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
        return Path(base) / "livemidi" / FILE_NAME
    if sys.platform == "darwin":
        return Path(os.environ.get("TMPDIR") or tempfile.gettempdir()) / "livemidi" / FILE_NAME
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / "livemidi" / FILE_NAME
    return Path("/tmp") / f"livemidi-{os.getuid()}" / FILE_NAME


def _private_directory(path: Path) -> None:
    """Make `path` (0700) or check that it is ours, private and not a symlink."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.lstat(path)
    except OSError as error:
        raise EvalServerError(f"cannot make the directory of the server file, {path}: {error}") from error
    if sys.platform == "win32":
        return  # the profile's own directory; no POSIX modes to check
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise EvalServerError(f"refusing the server file's directory {path}: it is a symlink or not a directory")
    if info.st_uid != os.getuid():
        raise EvalServerError(
            f"refusing the server file's directory {path}: it belongs to uid {info.st_uid}, not to you "
            f"({os.getuid()}); remove it or set LIVEMIDI_SERVER_FILE"
        )
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)  # ours, but others could read it: make it private before a token goes in


def write_server_file(info: dict[str, Any], path: Path | None = None) -> Path:
    """Write `info` to the server file (0600, atomically); returns its path."""
    path = server_file_path() if path is None else Path(path)
    if os.environ.get("LIVEMIDI_SERVER_FILE") and path == server_file_path():
        path.parent.mkdir(parents=True, exist_ok=True)  # a place the user chose: used as it is
    else:
        _private_directory(path.parent)
    fd, temporary = tempfile.mkstemp(prefix=".server-", suffix=".json", dir=path.parent)
    try:
        os.chmod(temporary, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump(info, file)
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    return path


def read_server_file(path: Path | None = None) -> dict[str, Any]:
    """The server file's content; NoSessionError when there is none or it makes no sense."""
    path = server_file_path() if path is None else Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NoSessionError(f"no running livemidi session (there is no server file at {path})") from None
    except OSError as error:
        raise NoSessionError(f"cannot read the server file {path}: {error}") from error
    try:
        info = json.loads(text)
        port, token = info["port"], info["token"]
    except (ValueError, KeyError, TypeError):
        raise NoSessionError(f"the server file {path} is not a livemidi server file; remove it") from None
    if not isinstance(port, int) or not isinstance(token, str) or not 0 < port < 65536:
        raise NoSessionError(f"the server file {path} has no usable port and token; remove it")
    return info


def remove_server_file(token: str, path: Path | None = None) -> bool:
    """Remove the server file if it still holds `token`; True if it did."""
    path = server_file_path() if path is None else Path(path)
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("token") != token:
            return False
        path.unlink()
    except (OSError, ValueError, AttributeError):
        return False
    return True


def pid_alive(pid: Any) -> bool:
    """True when process `pid` exists (of any user); True when that cannot be known."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if sys.platform == "win32":
        return True  # os.kill(pid, 0) would end the process there; the connection tells instead
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True
    return True
