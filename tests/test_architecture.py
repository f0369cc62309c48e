"""The package layout as docs/architecture.md draws it: layers that import only downwards,
no import circles, small modules and packages. A change that breaks the map fails here,
naming the module and the import."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kg"

# Each package may import from its own and from those before it, never from those after.
LAYERS = ["core", "sparql", "store", "pipeline", "query", "views", "cases", "server", "cli"]
MAX_LINES = 500
DATA_LIKE = {"kg/views/graph/words.py", "kg/words.py"}  # word tables: long by nature
MAX_MODULES_PER_PACKAGE = 10


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def imports(path: Path, top_level_only: bool = False) -> list[tuple[int, str]]:
    """(line, module) of every import of a kg module; with ``top_level_only``, only those
    run when the module is imported (not inside functions)."""
    tree = ast.parse(path.read_text("utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg"):
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("kg")]
    return found


def test_every_package_is_a_known_layer():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(LAYERS)


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_only_downwards(path):
    own = layer(dotted(path))
    if own is None:  # kg/__init__.py, kg/__main__.py
        return
    for line, target in imports(path):
        other = layer(target)
        if other is not None:
            assert LAYERS.index(other) <= LAYERS.index(own), (
                f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}: "
                f"{own} may not depend on {other}")


def test_no_import_circles():
    graph = nx.DiGraph()
    names = {dotted(p) for p in modules()}
    for path in modules():
        for _line, target in imports(path, top_level_only=True):
            while target not in names and "." in target:
                target = target.rsplit(".", 1)[0]  # `from kg.x import name` -> kg.x
            if target in names and target != dotted(path):
                graph.add_edge(dotted(path), target)
    assert list(nx.simple_cycles(graph)) == []


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_small(path):
    name = str(path.relative_to(PACKAGE.parent))
    lines = len(path.read_text("utf-8").splitlines())
    assert name in DATA_LIKE or lines <= MAX_LINES, f"{name}: {lines} lines"


def test_packages_are_small():
    for directory in [PACKAGE, *(p for p in PACKAGE.rglob("*") if p.is_dir())]:
        if not (directory / "__init__.py").is_file():
            continue
        count = sum(1 for p in directory.glob("*.py") if p.name != "__init__.py")
        assert count <= MAX_MODULES_PER_PACKAGE, f"{directory}: {count} modules"
