"""ports, backends and sockets import only livemidi.messages and livemidi.errors (and each other)."""

import ast
from pathlib import Path

import livemidi

ROOT = Path(livemidi.__file__).parent
ALLOWED = {"messages", "errors", "ports", "backends", "sockets"}


def _livemidi_imports(path: Path):
    package = path.relative_to(ROOT.parent).with_suffix("").parts[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ((node.module,) if node.module else ()))
            else:
                target = node.module or ""
            if target.startswith("livemidi"):
                yield target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("livemidi", "mido"):
                    yield alias.name


def test_port_layers_import_only_messages_and_errors():
    files = [path for package in ("ports", "backends", "sockets") for path in ROOT.joinpath(package).glob("*.py")]
    assert len(files) > 10
    bad = []
    for path in files:
        for target in _livemidi_imports(path):
            parts = target.split(".")
            if parts[0] != "livemidi" or len(parts) < 2 or parts[1] not in ALLOWED:
                bad.append(f"{path.relative_to(ROOT)} imports {target}")
    assert bad == []
