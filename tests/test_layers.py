"""Layering: each layer imports only from the layers below it (see docs in DESIGN.md).

Every .py file under livemidi/ is read with `ast`; its imports of livemidi
modules (absolute ``livemidi.x`` and relative ``.x``/``..x``) are resolved to
the top-level name under livemidi/ (``messages``, ``frozen``, ``clock``...).
A new layer adds one row to LAYERS; a module that no row names fails the test.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "livemidi"

# layer: (its top-level modules and packages under livemidi/, the layers it may import).
# A layer may always import its own modules. Order: bottom to top.
LAYERS = {
    "errors": ({"errors"}, set()),
    "version": ({"_version"}, set()),
    "messages": ({"messages", "frozen", "tokenizer", "parser"}, {"errors"}),
    "files": ({"midifiles", "syx"}, {"errors", "messages"}),
    "ports": ({"ports", "backends", "sockets"}, {"errors", "messages"}),
    "pattern": ({"pattern"}, {"errors"}),
    "mini": ({"mini"}, {"errors", "pattern"}),
    "clock": ({"clock"}, {"errors", "messages", "ports"}),
    "config": ({"config"}, {"errors"}),
    "render": ({"render"}, {"errors", "messages", "pattern"}),
    "session": (
        {"session"},
        {"errors", "messages", "files", "ports", "pattern", "mini", "clock", "config", "render"},
    ),
    "evalserver": (
        {"evalserver"},
        {"errors", "version", "messages", "files", "ports", "pattern", "mini", "clock", "config", "render", "session"},
    ),
    "repl": (
        {"repl"},
        {"errors", "version", "messages", "files", "ports", "pattern", "mini", "clock", "config", "render", "session",
         "evalserver"},
    ),
    "cli": (
        {"cli", "__main__", "portcommands", "livecommands", "calibrate", "evalsession", "sendcommand"},
        {"errors", "version", "messages", "files", "ports", "pattern", "mini", "clock", "config", "render", "session",
         "evalserver", "repl"},
    ),
    "package": ({"__init__"}, {"errors", "version", "messages", "files", "ports", "pattern", "mini", "clock", "render"}),
}

MIDI_MODULES = {
    "messages", "frozen", "tokenizer", "parser", "midifiles", "syx",
    "ports", "backends", "sockets", "clock", "render", "session",
}  # fmt: skip

# Third-party packages and the only top-level names under livemidi/ that may import them.
THIRD_PARTY_ONLY_IN = {
    "prompt_toolkit": {"repl"},
    "pygments": {"repl"},
    "mido": set(),
    "isobar": set(),
}

LAYER_OF = {module: layer for layer, (modules, _) in LAYERS.items() for module in modules}


def top_name(path: Path) -> str:
    """The top-level name under livemidi/ that `path` belongs to."""
    first = path.relative_to(PACKAGE).parts[0]
    return first[:-3] if first.endswith(".py") else first


def package_parts(path: Path) -> list[str]:
    """The dotted package that a relative import in `path` is relative to."""
    parts = ["livemidi", *path.relative_to(PACKAGE).with_suffix("").parts]
    return parts[:-1]  # a module's package; for __init__ the package itself


def imports_of(path: Path, source: str | None = None) -> list[tuple[str, int]]:
    """(absolute dotted name, line) of every import in `path`, each imported name included."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts(path)
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            # `from livemidi import clock` imports livemidi.clock: keep the names.
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def livemidi_target(name: str) -> str | None:
    """The top-level livemidi name that an absolute import refers to (None if not livemidi)."""
    parts = name.split(".")
    if parts[0] != "livemidi":
        return None
    if len(parts) == 1:
        return "__init__"
    target = parts[1]
    if target in LAYER_OF or (PACKAGE / target).is_dir() or (PACKAGE / f"{target}.py").is_file():
        return target
    return "__init__"  # a name defined in livemidi/__init__.py


SOURCES = sorted(PACKAGE.rglob("*.py"))


def rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def test_sources_found():
    assert PACKAGE / "messages" / "message.py" in SOURCES


def test_every_module_has_a_layer():
    missing = sorted({top_name(path) for path in SOURCES} - set(LAYER_OF))
    assert not missing, f"add these to a row of LAYERS in tests/test_layers.py: {missing}"


def test_resolution_of_relative_imports():
    # The checks below rely on this: ..errors from livemidi/messages/x.py is livemidi.errors.
    path = PACKAGE / "messages" / "checks.py"
    assert package_parts(path) == ["livemidi", "messages"]
    assert package_parts(PACKAGE / "messages" / "__init__.py") == ["livemidi", "messages"]
    assert package_parts(PACKAGE / "frozen.py") == ["livemidi"]
    assert livemidi_target("livemidi.errors.UnknownMessageTypeError") == "errors"
    assert livemidi_target("livemidi.messages.specs.SPECS") == "messages"
    assert livemidi_target("livemidi.__version__") == "__init__"
    assert livemidi_target("livemidi") == "__init__"
    assert livemidi_target("re") is None


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_layer_imports(path):
    layer = LAYER_OF.get(top_name(path))
    if layer is None:
        pytest.skip("no layer (see test_every_module_has_a_layer)")
    allowed_modules = set(LAYERS[layer][0])
    for allowed_layer in LAYERS[layer][1]:
        allowed_modules |= LAYERS[allowed_layer][0]
    for name, line in imports_of(path):
        target = livemidi_target(name)
        if target is not None and target != top_name(path):
            assert target in allowed_modules, f"{rel(path)}:{line}: layer {layer!r} may not import livemidi.{target}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "messages").rglob("*.py")), ids=rel)
def test_messages_package_imports_only_errors(path):
    for name, line in imports_of(path):
        target = livemidi_target(name)
        assert target in (None, "messages", "errors"), f"{rel(path)}:{line} imports livemidi.{target}"


def test_errors_is_a_leaf():
    for name, line in imports_of(PACKAGE / "errors.py"):
        assert livemidi_target(name) is None, f"livemidi/errors.py:{line} imports {name}"


def test_pattern_and_mini_know_no_midi():
    for path in SOURCES:
        if top_name(path) not in ("pattern", "mini"):
            continue
        for name, line in imports_of(path):
            target = livemidi_target(name)
            assert target not in MIDI_MODULES, f"{rel(path)}:{line} imports livemidi.{target}"
            assert name.split(".")[0] not in ("rtmidi", "mido"), f"{rel(path)}:{line} imports {name}"


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_third_party_imports(path):
    for name, line in imports_of(path):
        first = name.split(".")[0]
        if first in THIRD_PARTY_ONLY_IN:
            assert top_name(path) in THIRD_PARTY_ONLY_IN[first], f"{rel(path)}:{line} imports {name}"


def test_import_walker_sees_every_form():
    source = (
        "import livemidi.clock\n"
        "import prompt_toolkit.shortcuts as p\n"
        "from livemidi import render\n"
        "from . import session\n"
        "from ..messages import Message\n"
        "def f():\n"
        "    from .. import ports\n"
    )
    found = imports_of(PACKAGE / "pattern" / "imaginary.py", source)
    assert {livemidi_target(name) for name, _ in found} == {"clock", "render", "pattern", "messages", "ports", None}
    assert ("prompt_toolkit.shortcuts", 2) in found
    assert ("livemidi.ports", 7) in found
