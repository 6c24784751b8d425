"""Completion of what the performer types: names, loop names, pattern methods, scale and chord names.

- a name: every name in the namespace (pattern functions, commands, variables)
- after ``p.``: the loop names
- after ``).`` or a pattern variable and a dot: the Pattern methods
- inside a string given to `scale`, `chord` or `arp`: the scale, chord or
  arpeggio names
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.document import Document

from ..pattern import ARP_MODES, CHORDS, SCALES, Pattern

__all__ = ["LiveCompleter"]

_STRING_ARG = re.compile(r"\b(scale|chord|arp|snap)\(\s*['\"]([\w#'-]*)$")
_ATTRIBUTE = re.compile(r"([\w\)\]]+)\.(\w*)$")
_NAME = re.compile(r"(\w+)$")


def _matches(prefix: str, names: Iterable[str]) -> list[Completion]:
    return [Completion(name, start_position=-len(prefix)) for name in sorted(set(names)) if name.startswith(prefix)]


class LiveCompleter(Completer):
    def __init__(self, namespace: dict, session) -> None:
        self.namespace = namespace
        self.session = session

    def get_completions(self, document: Document, complete_event):
        before = document.text_before_cursor
        string_arg = _STRING_ARG.search(before)
        if string_arg:
            kind, prefix = string_arg.groups()
            names = {"scale": SCALES, "snap": SCALES, "chord": CHORDS, "arp": ARP_MODES}[kind]
            yield from _matches(prefix, names)
            return
        attribute = _ATTRIBUTE.search(before)
        if attribute:
            owner, prefix = attribute.groups()
            if owner == "p":
                yield from _matches(prefix, self.session.loops)
                return
            value = self.namespace.get(owner)
            if owner.endswith((")", "]")) or isinstance(value, Pattern):
                yield from _matches(prefix, [name for name in dir(Pattern) if not name.startswith("_")])
            elif value is not None:
                yield from _matches(prefix, [name for name in dir(value) if not name.startswith("_")])
            return
        name = _NAME.search(before)
        if name:
            yield from _matches(name.group(1), [key for key in self.namespace if not key.startswith("_")])
