"""Run the ```pycon examples in README.md and docs/*.md as doctests.

Every ```pycon block of a file runs in order in one namespace (so a name
imported in one block is there in the next), fresh for each file. Output is
compared with ELLIPSIS and NORMALIZE_WHITESPACE, so long output may be
wrapped at spaces and shortened with ``...``. A file without pycon blocks
passes.
"""

from __future__ import annotations

import doctest
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# A fenced block, possibly indented (inside a list item); the closing fence has
# the same indentation as the opening one.
FENCE = re.compile(r"^(?P<indent>[ \t]*)```pycon[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)


def pycon_blocks(text: str) -> list[tuple[int, str]]:
    """(line number of the opening fence, dedented block text) for each pycon block."""
    return [
        (text.count("\n", 0, match.start()) + 1, textwrap.dedent(match.group("body")))
        for match in FENCE.finditer(text)
    ]


def run_file(path: Path) -> tuple[int, list[str]]:
    """Run every pycon block of `path`; return (examples run, failure reports)."""
    text = path.read_text(encoding="utf-8")
    name = str(path.relative_to(ROOT))
    globs: dict = {"__name__": "__docs__"}
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    attempted = 0
    reports = []
    for line, body in pycon_blocks(text):
        test = parser.get_doctest(body, globs, f"{name}, block at line {line}", name, line)
        test.globs = globs  # DocTest copies the dict; share it so names carry on to the next block
        output: list[str] = []
        result = runner.run(test, out=output.append, clear_globs=False)
        attempted += result.attempted
        if result.failed:
            reports.append("".join(output))
    return attempted, reports


@pytest.mark.parametrize("path", [p for p in DOC_FILES if p.exists()], ids=lambda p: str(p.relative_to(ROOT)))
def test_pycon_examples(path: Path) -> None:
    _, reports = run_file(path)
    if reports:
        pytest.fail(f"{path.relative_to(ROOT)}: examples that do not match:\n" + "\n".join(reports), pytrace=False)


def test_messages_page_has_examples() -> None:
    # Guards the extraction itself: if the fence pattern stopped matching, every file would "pass".
    attempted, _ = run_file(ROOT / "docs" / "messages.md")
    assert attempted > 100


def test_extraction_handles_indented_blocks_and_files_without_blocks() -> None:
    text = "intro\n\n- item\n\n  ```pycon\n  >>> 1 + 1\n  2\n  ```\n\n```python\nnot run\n```\n"
    assert pycon_blocks(text) == [(5, ">>> 1 + 1\n2\n")]
    assert pycon_blocks("# a README with no examples\n") == []
