"""``%load_ext livemidi``: play livemidi from IPython and Jupyter.

::

    %load_ext livemidi          # joins the running session, or starts one in this kernel

When a session runs (the REPL, ``livemidi run``...), the notebook joins it
through its eval server: ``%%livemidi`` sends a cell there as one block,
under the cell's own name, so an error points at the cell's line. When none
runs, a session starts in the kernel, with its eval server (editors can join
it), and every cell runs in the session's namespace (``p.bass = note(...)``,
``tempo(128)``, ``hush()``). Either way a status line (tempo, bar, loops)
follows each cell, and ``%livemidi`` does the rest::

    %livemidi                   # the status line
    %livemidi hush | panic | stop | interrupt
    %livemidi start --port "IAC Driver Bus 1" --bpm 128   # (re)start a session in this kernel
                                                        # (also --mpe PORT, --microtonal, --input NAME...)
    %livemidi statusline off    # no status line after each cell (on: again)

``%unload_ext livemidi`` ends a session started here (every note ends) and
leaves a joined one playing. docs/editors.md has the details.

IPython is not a dependency of livemidi: nothing here imports it (the shell
is handed to `load_ipython_extension`). ``import livemidi`` does not import
this package either (keep it so: the import is timed by the tests).
"""

from __future__ import annotations

from typing import Any

from .extension import Extension

__all__ = ["Extension", "load_ipython_extension", "unload_ipython_extension"]

_loaded: dict[int, Extension] = {}  # id(shell) -> its extension


def load_ipython_extension(shell: Any) -> None:
    """Called by ``%load_ext livemidi``: join or start a session, register ``%%livemidi`` and the hooks."""
    if id(shell) in _loaded:
        return
    extension = Extension(shell)
    _loaded[id(shell)] = extension
    try:
        extension.load()
    except BaseException:
        del _loaded[id(shell)]
        extension.unload()
        raise


def unload_ipython_extension(shell: Any) -> None:
    """Called by ``%unload_ext livemidi``: end a session started here, leave a joined one."""
    extension = _loaded.pop(id(shell), None)
    if extension is not None:
        extension.unload()
