"""``python -m livemidi`` runs the ``livemidi`` command.

Through the command's own entry point, so that Ctrl-C during start-up ends
it quietly (`_livemidi_cli`); here livemidi itself is already imported.
"""

from __future__ import annotations

import sys

try:
    from _livemidi_cli import main
except ImportError:  # livemidi copied without its entry point: the command, without the start-up guard
    from .cli import main

sys.exit(main())
