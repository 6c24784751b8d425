"""The one line a terminal shows for each block an editor ran: ``← set.py:12 ok`` or the error."""

from __future__ import annotations

import os

from .evaluator import Outcome

__all__ = ["eval_notice"]


def eval_notice(source: str, line: int, outcome: Outcome) -> str:
    """``← set.py:12 ok``, ``← set.py:12 NameError: name 'x' is not defined (line 13)``, ``← set.py:12 interrupted (hush)``."""
    name = os.path.basename(source) or source
    where = f"{name}:{line}"
    if outcome.ok:
        return f"← {where} ok"
    if outcome.interrupted is not None:
        return f"← {where} interrupted ({outcome.interrupted})"
    message = outcome.message.splitlines()[0] if outcome.message else ""
    at = f" (line {outcome.line})" if outcome.line is not None and outcome.line != line else ""
    return f"← {where} {outcome.error_type}: {message}{at}"
