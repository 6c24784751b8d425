"""The entry point of the ``livemidi`` command, outside the livemidi package so that it runs first.

Importing livemidi and starting a session take a moment (a tenth of a second,
more on a busy machine). Ctrl-C in that moment must end the command as it
does later: quietly, with status 130, not with the traceback of whatever
import it happened to interrupt. Python imports a package before any module
in it, so this guard cannot live in livemidi itself.

Until the command says its start-up is over (`livemidi.cli.end_startup`),
Ctrl-C raises KeyboardInterrupt as usual and is also remembered. Python
drops a KeyboardInterrupt that lands in a weakref callback or a ``__del__``
(it prints "Exception ignored in ..." and goes on): the command would then
start playing as if Ctrl-C had never been pressed. So such reports are not
printed, and `end_startup` raises the remembered interrupt.

Before this module runs, Python itself starts (its ``site`` module); a
Ctrl-C in those few milliseconds is Python's to report.
"""

from __future__ import annotations

import signal
import sys

__all__ = ["StartupGuard", "main"]


class StartupGuard:
    """SIGINT's handler during start-up: raises KeyboardInterrupt, and remembers that it did."""

    def __init__(self) -> None:
        self.pressed = False
        self._hook = sys.unraisablehook

    def install(self) -> None:
        signal.signal(signal.SIGINT, self)
        sys.unraisablehook = self._unraisable

    def end(self) -> None:
        """Ctrl-C is Python's plain KeyboardInterrupt again; the reports of dropped ones are printed again."""
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.unraisablehook = self._hook

    def __call__(self, signum: int, frame: object) -> None:
        self.pressed = True
        raise KeyboardInterrupt

    def _unraisable(self, report: object) -> None:
        if isinstance(getattr(report, "exc_value", None), KeyboardInterrupt):
            return  # remembered: end_startup raises it again
        self._hook(report)


def main() -> int:
    """Run the ``livemidi`` command; Ctrl-C at any moment of its start-up gives status 130 and no traceback."""
    try:
        StartupGuard().install()
        from livemidi.cli import main as run

        return run()
    except KeyboardInterrupt:
        return 130
