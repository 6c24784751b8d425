"""Every ```pycon example in docs/patterns.md runs and prints what it shows.

The same rules as the project-wide docs test: the blocks of the file run in
order in one namespace, compared with ELLIPSIS and NORMALIZE_WHITESPACE.
"""

from __future__ import annotations

import doctest
import re
import textwrap
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "patterns.md"
FENCE = re.compile(r"^(?P<indent>[ \t]*)```pycon[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)


def test_patterns_doc_examples():
    text = DOC.read_text(encoding="utf-8")
    globs: dict = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    reports, attempted = [], 0
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        test = parser.get_doctest(textwrap.dedent(match.group("body")), globs, f"patterns.md:{line}", str(DOC), line)
        test.globs = globs
        out: list[str] = []
        result = runner.run(test, out=out.append, clear_globs=False)
        attempted += result.attempted
        if result.failed:
            reports.append("".join(out))
    assert attempted > 120
    assert not reports, "\n".join(reports)


def test_every_public_name_is_documented():
    import livemidi.pattern as P

    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in P.__all__ if not re.search(rf"\b{re.escape(name)}\b", text)]
    assert not missing, f"document these in docs/patterns.md: {missing}"
