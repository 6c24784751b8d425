"""No import cycle among the modules under livemidi/.

Two modules that import each other (directly or around a ring) can only be
understood, tested and loaded together, and one of them sees the other half
made when Python imports it. Every import counts, at the top of a module or
inside a function, and so does ``importlib.import_module("livemidi....")``
with a literal name. Two kinds are left out:

- imports under ``if TYPE_CHECKING:``, which never run (type hints only);
- the edges in `ALLOWED`, each documented where it stands.

A package's ``__init__`` is a module like any other: ``from ..clock import
Lookahead`` imports ``livemidi.clock``. The parent packages Python imports on
the way (``livemidi`` itself, for every module) are not counted: a package
that imports its own modules is not a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "livemidi"

# (importer, imported): why the cycle through this edge is accepted.
ALLOWED = {
    ("livemidi.pattern.compose", "livemidi.mini"): (
        "the mini-notation hook: the pattern engine loads livemidi.mini, a layer above it, by name "
        "the first time it parses a string, and livemidi.mini registers its parser (see compose.mini)"
    ),
}


def module_name(path: Path, package: Path) -> str:
    parts = [package.name, *path.relative_to(package).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(path: Path, package: Path, source: str | None = None) -> list[tuple[str, int]]:
    """(dotted name, line) of everything `path` imports that runs: TYPE_CHECKING blocks left out.

    ``from a.b import c`` gives ``a.b.c`` (a module, or a name in ``a.b``: see `graph`).
    """
    if source is None:
        source = path.read_text(encoding="utf-8")
    me = module_name(path, package)
    base = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for other in child.orelse:
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                module = ".".join(base[: len(base) - (node.level - 1)] + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.extend((f"{module}.{alias.name}", node.lineno) for alias in node.names)
        else:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "import_module"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and not node.args[0].value.startswith(".")
            ):
                found.append((node.args[0].value, node.lineno))
            visit(node)

    visit(ast.parse(source, filename=str(path)))
    return found


def graph(package: Path) -> dict[str, dict[str, int]]:
    """importer -> {imported module: line}, for the modules under `package` (other imports dropped)."""
    modules = {module_name(path, package): path for path in sorted(package.rglob("*.py"))}
    edges: dict[str, dict[str, int]] = {name: {} for name in modules}
    for name, path in modules.items():
        for imported, line in imported_names(path, package):
            parts = imported.split(".")
            while parts and ".".join(parts) not in modules:
                parts.pop()  # a.b.c where c is a name in module a.b: the module a.b
            target = ".".join(parts)
            if target and target != name:
                edges[name].setdefault(target, line)
    return edges


def cycles(edges: dict[str, dict[str, int]], allowed=()) -> list[list[str]]:
    """The import cycles: one ring of modules (the first again at the end) per knot of mutually importing ones."""
    edges = _without(edges, allowed)
    return [_ring(knot, edges) for knot in knots(edges)]


def _without(edges, allowed) -> dict[str, set[str]]:
    return {a: {b for b in targets if (a, b) not in allowed} for a, targets in edges.items()}


def knots(edges: dict[str, set[str]]) -> list[set[str]]:
    """The sets of modules that all reach each other through imports (of two or more)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []
    for root in edges:  # Tarjan's strongly connected components, without recursion
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    work.append((target, iter(sorted(edges[target]))))
                    break
                if target in stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    knot = set()
                    while True:
                        member = stack.pop()
                        knot.add(member)
                        if member == node:
                            break
                    if len(knot) > 1:
                        found.append(knot)
    return found


def _ring(knot: set[str], edges: dict[str, set[str]]) -> list[str]:
    """A shortest way round from the knot's first module back to it, inside the knot."""
    start = min(knot)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(edges[node] & knot):
                if target == start:
                    return paths[node] + [start]
                if target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no ring through {start} in {sorted(knot)}")


def test_no_import_cycles():
    edges = graph(PACKAGE)
    found = knots(_without(edges, ALLOWED))
    rings = [_ring(knot, _without(edges, ALLOWED)) for knot in found]
    assert not found, "import cycles (break them; see tests/test_import_cycles.py):\n" + "\n".join(
        " -> ".join(f"{a} (line {edges[a][b]})" for a, b in zip(ring, ring[1:]))
        + f" -> {ring[-1]}\n  (all of these import each other, around one ring or another: {', '.join(sorted(knot))})"
        for ring, knot in zip(rings, found)
    )


def test_every_allowed_edge_is_there():
    edges = graph(PACKAGE)
    stale = [edge for edge in ALLOWED if edge[1] not in edges.get(edge[0], {})]
    assert not stale, f"these allowed imports are gone: take them out of ALLOWED: {stale}"


def test_allowed_edges_still_close_a_cycle():
    # An exception that no longer excuses a cycle is one to remove.
    edges = graph(PACKAGE)
    for edge in ALLOWED:
        others = {key: value for key, value in ALLOWED.items() if key != edge}
        assert any(edge[0] in ring and edge[1] in ring for ring in cycles(edges, others)), edge


def write(package: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.parametrize(
    "a_imports",
    [
        "from .b import thing\n",  # at the top
        "def f():\n    from . import b\n",  # in a function
        "import livemidi.sub.b\n",  # absolute
        "import importlib\nimportlib.import_module('livemidi.sub.b')\n",  # by name
    ],
)
def test_a_cycle_is_found_however_it_imports(tmp_path, a_imports):
    package = tmp_path / "livemidi"
    write(package, {
        "__init__.py": "",
        "sub/__init__.py": "",
        "sub/a.py": a_imports,
        "sub/b.py": "from . import c\n",
        "sub/c.py": "from .a import f\n",
        "other.py": "from .sub import a\n",
    })  # fmt: skip
    assert cycles(graph(package)) == [["livemidi.sub.a", "livemidi.sub.b", "livemidi.sub.c", "livemidi.sub.a"]]


def test_type_checking_imports_and_allowed_edges_are_no_cycle(tmp_path):
    package = tmp_path / "livemidi"
    write(package, {
        "__init__.py": "from . import a\n",  # a package importing its module
        "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\nelse:\n    import os\n",
        "b.py": "from .a import A\n",
        "c.py": "import typing\nif typing.TYPE_CHECKING:\n    from . import b\nfrom . import d\n",
        "d.py": "import importlib\nimportlib.import_module('livemidi.c')\n",
    })  # fmt: skip
    edges = graph(package)
    assert edges["livemidi.a"] == {} and edges["livemidi.b"] == {"livemidi.a": 1}
    assert cycles(edges) == [["livemidi.c", "livemidi.d", "livemidi.c"]]
    assert cycles(edges, {("livemidi.d", "livemidi.c")}) == []
