"""The live REPL (prompt_toolkit and pygments are imported only here, under livemidi/repl/)."""

from __future__ import annotations

from .app import default_history_path, repl, run_repl
from .execute import Executor, is_complete

__all__ = ["Executor", "default_history_path", "is_complete", "repl", "run_repl"]
