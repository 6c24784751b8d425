"""The extension in one shell: ``%%livemidi``, ``%livemidi``, and the hooks around each cell.

- ``pre_run_cell``: notes the raw cell (where the ``%%livemidi`` line is); in
  a hosted session, holds the evaluator's turn while the cell runs.
- ``post_run_cell``: releases it, notes a cell that ran in the recording (as
  the REPL marks each block), prints the notices the session gave since the
  last cell, then the status line.

A cell's name is the one IPython compiled it under (``<ipython-input-3-…>``,
or the kernel's ``/tmp/ipykernel_…/….py``): the name its own tracebacks
show, so an error from ``%%livemidi`` points at the same cell, line counted
from the cell's first line. An error raises `CellError`, which IPython shows
as the session's traceback (its ``_render_traceback_``) and which marks the
cell as failed, so "run all" stops there.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any

from ..errors import EvalServerError, LivemidiError, NoSessionError
from .links import Hosted, Joined, start_options

__all__ = ["CellError", "Extension", "status_line"]

MAGIC = "livemidi"


class CellError(LivemidiError):
    """A ``%%livemidi`` block failed (or was interrupted) in the session; carries the answer's ``error``."""

    def __init__(self, error: dict[str, Any]) -> None:
        self.error = error
        where = f"{error.get('file')}:{error.get('line')}: " if error.get("line") else ""
        kind = error.get("type") or error.get("kind") or "error"
        super().__init__(f"{where}{kind}: {error.get('message', '')}")

    def _render_traceback_(self) -> list[str]:
        # IPython shows these lines instead of our own frames: the performer's, from the session.
        text = self.error.get("traceback") or str(self)
        return text.rstrip("\n").split("\n")


def status_line(status: dict[str, Any]) -> str:
    """``livemidi: playing at 120 BPM, bar 3; loops: bass, drums (muted)``, from a status answer."""
    bpm = f"{float(status.get('bpm', 0)):g} BPM"
    state = f"playing at {bpm}" if status.get("playing") else f"stopped ({bpm})"
    loops = [f"{loop['name']} (muted)" if loop.get("muted") else str(loop["name"]) for loop in status.get("loops", [])]
    return f"livemidi: {state}, bar {status.get('bar', '?')}; loops: {', '.join(loops) or 'none'}"


def cell_name(shell: Any) -> str | None:
    """The name IPython compiled the running cell under (found from the frames that run it)."""
    names = getattr(getattr(shell, "compile", None), "_filename_map", None) or {}
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename in names:
            return frame.f_code.co_filename
        frame = frame.f_back
    return None


class Extension:
    """`load` joins the running session or starts one; `unload` undoes everything `load` did."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.link: Joined | Hosted | None = None
        self.statusline = True
        self._raw_cell = ""
        self._gone_said = False
        self._hooked = False

    # -- life -----------------------------------------------------------------------------

    def load(self) -> None:
        self.shell.register_magic_function(self.cell_magic, "cell", MAGIC)
        self.shell.register_magic_function(self.line_magic, "line", MAGIC)
        self.shell.events.register("pre_run_cell", self.pre_run_cell)
        self.shell.events.register("post_run_cell", self.post_run_cell)
        self._hooked = True
        try:
            self.link = Joined()
        except NoSessionError:
            self.start([])
            return
        print(f"livemidi: joined {self.link.describe}; %%livemidi sends a cell to it.")

    def start(self, argv: list[str]) -> None:
        """Start a session in this kernel (leaving a joined one, closing one started here)."""
        options = start_options(argv)
        self.close_link()
        self.link = Hosted(self.shell, options)
        self._gone_said = False
        print(f"livemidi: started {self.link.describe}; cells run in its namespace (p.name = pattern plays a loop).")

    def close_link(self) -> None:
        link, self.link = self.link, None
        if link is not None:
            link.close()
            if link.hosted:
                print("livemidi: the session in this kernel stopped; every note ended.")

    def unload(self) -> None:
        self.close_link()
        if self._hooked:
            self._hooked = False
            for event, hook in (("pre_run_cell", self.pre_run_cell), ("post_run_cell", self.post_run_cell)):
                try:
                    self.shell.events.unregister(event, hook)
                except ValueError:
                    pass
            magics = self.shell.magics_manager.magics
            magics["cell"].pop(MAGIC, None)
            magics["line"].pop(MAGIC, None)

    # -- hooks ----------------------------------------------------------------------------

    def pre_run_cell(self, info: Any) -> None:
        self._raw_cell = getattr(info, "raw_cell", "") or ""
        if isinstance(self.link, Hosted):
            self.link.hold()

    def post_run_cell(self, result: Any) -> None:
        link = self.link
        if isinstance(link, Hosted):
            link.release()
            if getattr(result, "success", False) and not self._raw_cell.lstrip().startswith(("%", "!")):
                try:
                    link.session.note_code(self._raw_cell)
                except Exception as error:  # a full disk must not spoil the cell
                    print(f"livemidi: could not note this cell in the recording: {error}")
            while link.notices:
                print(f"! {link.notices.popleft()}")
        if link is None or not self.statusline:
            return
        try:
            status = link.request("status")
        except (NoSessionError, EvalServerError) as error:
            if not self._gone_said:
                self._gone_said = True
                print(f"livemidi: {error}; %livemidi start starts a session here")
            return
        self._gone_said = False
        if status.get("ok"):
            print(status_line(status))

    # -- magics ---------------------------------------------------------------------------

    def cell_magic(self, line: str, cell: str) -> None:
        """``%%livemidi``: send this cell to the session as one block (a hosted session runs it here)."""
        if self.link is None:
            raise CellError({"kind": "livemidi", "message": "no session; %livemidi start starts one here"})
        source = cell_name(self.shell) or f"<livemidi cell {self.shell.execution_count}>"
        try:
            answer = self.link.run(cell, source, self._body_line())
        except EvalServerError as error:  # no session any more, or it went away while the block ran
            raise CellError({"kind": "livemidi", "message": f"{error}; %livemidi start starts a session here"}) from None
        if not answer.get("ok"):
            error = answer.get("error") or {}
            if error.get("output"):
                print(error["output"], end="")
            raise CellError(error)
        if answer.get("output"):
            print(answer["output"], end="")
        if answer.get("value") is not None:
            print(answer["value"])

    def _body_line(self) -> int:
        """The line of the cell where the ``%%livemidi`` body starts (IPython skips blank lines before it)."""
        for number, text in enumerate(self._raw_cell.split("\n"), start=1):
            if text.lstrip().startswith(f"%%{MAGIC}"):
                return number + 1
        return 2

    def line_magic(self, line: str) -> None:
        """``%livemidi [status | hush | panic | stop | interrupt | start OPTIONS | statusline on|off]``."""
        words = shlex.split(line)
        command = words[0] if words else "status"
        if command == "start":
            self.start(words[1:])
            return
        if command == "statusline":
            if words[1:] not in (["on"], ["off"]):
                raise ValueError(f"%livemidi statusline takes on or off, got {' '.join(words[1:])!r}")
            self.statusline = words[1] == "on"
            return
        if command not in ("status", "hush", "panic", "stop", "interrupt"):
            raise ValueError(
                f"%livemidi takes status, hush, panic, stop, interrupt, start OPTIONS or statusline on|off; "
                f"got {command!r}"
            )
        if self.link is None:
            raise CellError({"kind": "livemidi", "message": "no session; %livemidi start starts one here"})
        try:
            answer = self.link.request(command)
        except EvalServerError as error:
            raise CellError({"kind": "livemidi", "message": f"{error}; %livemidi start starts a session here"}) from None
        if not answer.get("ok"):
            raise CellError(answer.get("error") or {})
        if command == "status":
            print(status_line(answer))
        elif command == "interrupt":
            print("livemidi: interrupted the running block" if answer.get("interrupted") else "livemidi: no block runs")
