"""No module under livemidi/ passes 600 lines: a file that needs more is doing two jobs.

STYLE.md asks for modules of 50-400 lines, none over ~500; 600 is the hard
stop. A module near it wants splitting along its seams (a collaborator in a
module of its own, by composition), not a few lines squeezed out of it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "livemidi"
MAX_LINES = 600


def too_long(root: Path, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    """(path relative to `root`'s parent, line count) of every .py file under `root` over `limit` lines."""
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append((str(path.relative_to(root.parent)), lines))
    return found


def test_no_module_passes_600_lines():
    found = too_long(PACKAGE)
    assert not found, "split these along their seams (docs in tests/test_module_size.py): " + ", ".join(
        f"{path} has {lines} lines" for path, lines in found
    )


@pytest.mark.parametrize("lines, over", [(MAX_LINES, False), (MAX_LINES + 1, True)])
def test_the_count_sees_a_long_module(tmp_path, lines, over):
    package = tmp_path / "livemidi"
    (package / "sub").mkdir(parents=True)
    (package / "small.py").write_text("x = 1\n" * 10)
    (package / "sub" / "long.py").write_text("x = 1\n" * lines)
    assert too_long(package) == ([("livemidi/sub/long.py", lines)] if over else [])
