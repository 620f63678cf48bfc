"""The package's layers, as folders: imports only go down, and nothing imports in a circle.

Each module's imports of castnotes modules are read with `ast` (imports inside functions
count too: a late import is still a dependency). A module may import any module of a
lower layer, and modules of its own package; never a module of a higher layer or of
another package on the same layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import castnotes

PACKAGE_DIR = Path(castnotes.__file__).parent

# Lowest first. The top-level modules are shared leaves; each package sits on one layer.
# The shared leaves (layer 0) may import each other; the cycle test keeps them honest.
LAYERS: list[set[str]] = [
    {"__init__", "model", "errors", "codec", "timecode", "feedxml", "fields", "slugs", "files", "store", "imageinfo",
     "fetch", "workers", "markdown"},
    {"config", "audio"},
    {"read"},
    {"render"},
    {"output"},
    {"checks"},
    {"importing"},
    {"commands"},
    {"cli"},
    {"__main__"},
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(["castnotes", *parts])


def room(module: str) -> str:
    """The package (or leaf module) a module belongs to: `castnotes.read.show` -> `read`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer(module: str) -> int:
    name = room(module)
    for index, rooms in enumerate(LAYERS):
        if name in rooms:
            return index
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS in {__file__}")


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The castnotes modules `path` imports (a `from pkg import module` counts as the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("castnotes"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] == "castnotes":
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in modules else node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{module_name(path)}: relative import; write it absolute")
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE_DIR.rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) - {module_name(p)} for p in paths}


def test_every_package_opens_with_its_purpose() -> None:
    for init in PACKAGE_DIR.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and doc.strip(), f"{init} has no docstring saying what the package is for"


def test_imports_only_go_down() -> None:
    wrong = []
    for module, imported in import_graph().items():
        for target in sorted(imported):
            if target == "castnotes" or room(target) == room(module):
                continue
            if layer(target) == layer(module) == 0:
                continue
            if layer(target) >= layer(module):
                wrong.append(f"{module} (layer {layer(module)}) imports {target} "
                             f"(layer {layer(target)})")
    assert not wrong, "imports that do not go down:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph = import_graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)
