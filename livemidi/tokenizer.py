"""mido's documented path for the byte-stream tokenizer: ``livemidi.tokenizer.Tokenizer``."""

from __future__ import annotations

from .messages.tokenizer import Tokenizer

__all__ = ["Tokenizer"]
