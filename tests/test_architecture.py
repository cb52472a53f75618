"""The layers stay apart: imports point down, no cycle (type-only imports included), small modules.

Read from the source with ``ast`` (every import statement, also those under
``if TYPE_CHECKING:`` and inside functions), not from what happens to be imported at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "stpwidget"
#: The layers above the kernel, as subpackages (every other module is kernel: torch and NumPy).
UPPER = ("view", "render", "explorer", "page", "__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


SOURCES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
SOURCE_NAMES = set(SOURCES)


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names), wherever the import stands."""
    tree = ast.parse(path.read_text())
    package = module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against the package
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import mod`` depends on pkg.mod (pkg is only its namespace);
            # ``from mod import name`` on mod.
            modules = {f"{base}.{alias.name}" for alias in node.names} & SOURCE_NAMES
            found.update(modules if modules else {base})
    return found


GRAPH = {
    name: {m for m in imports(path) if m in SOURCES and m != name} for name, path in SOURCES.items()
}


def layer(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1:
        return "package"
    return parts[1] if parts[1] in UPPER else "kernel"


def test_the_graph_was_read():
    assert "stpwidget.explorer.explorer" in GRAPH and "stpwidget.state" in GRAPH
    assert "stpwidget.state" in GRAPH["stpwidget.explorer.explorer"]


@pytest.mark.parametrize("name", sorted(n for n in SOURCES if layer(n) == "kernel"))
def test_the_kernel_imports_no_widgets_and_no_matplotlib(name):
    bad = {m for m in imports(SOURCES[name]) if m.split(".")[0] in ("ipywidgets", "matplotlib")}
    assert not bad, f"{name} imports {sorted(bad)}"
    upward = {m for m in GRAPH[name] if layer(m) not in ("kernel",)}
    assert not upward, f"{name} imports {sorted(upward)} above the kernel"


def test_view_imports_no_widgets_and_nothing_above_it():
    for name in (n for n in SOURCES if layer(n) == "view"):
        found = imports(SOURCES[name])
        assert not {m for m in found if m.startswith("ipywidgets")}, name
        assert all(layer(m) in ("kernel", "view") for m in GRAPH[name]), name


def test_render_imports_only_view_and_kernel():
    for name in (n for n in SOURCES if layer(n) == "render"):
        assert all(layer(m) in ("kernel", "view", "render") for m in GRAPH[name]), name


def test_no_import_cycle_type_only_imports_included():
    done: set[str] = set()
    path: list[str] = []

    def visit(name: str) -> None:
        if name in path:
            cycle = [*path[path.index(name) :], name]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if name in done:
            return
        path.append(name)
        for dep in sorted(GRAPH[name]):
            if dep != name.rsplit(".", 1)[0]:  # a submodule importing its own package
                visit(dep)
        path.pop()
        done.add(name)

    for name in sorted(GRAPH):
        visit(name)


def test_sections_see_the_door_not_the_explorer():
    for name in (n for n in SOURCES if n.startswith("stpwidget.explorer.sections")):
        assert "stpwidget.explorer.explorer" not in GRAPH[name], name


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_modules_are_small(path):
    lines = len(path.read_text().splitlines())
    limit = 300 if "explorer" in path.relative_to(PACKAGE).parts[:1] else 450
    assert lines <= limit, f"{path.relative_to(PACKAGE)} has {lines} lines (limit {limit})"
