"""The package's layers, read from the code: no import goes up a layer, and no circles.

The layers, bottom to top (README, Layout): the basics at the top level; ``snapshot``;
``collect`` and ``health``; ``history`` and ``export``; ``render`` (which dispatches to the
export formats and prints the history table); ``delivery`` and ``record``; ``run``; ``cli``.
A module may import its own package and any package of a lower layer; never one beside it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from support.paths import REPO

PACKAGE = REPO / "fleetreport"
LAYERS: dict[str, int] = {
    "": 0,  # errors, text, text_files, ordering, atomic_write, resources, paths, ...
    "snapshot": 1,
    "collect": 2,
    "health": 2,
    "history": 3,
    "export": 3,
    "render": 4,
    "delivery": 5,
    "record": 5,
    "run": 6,
    "cli": 7,
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path, known: dict[str, Path]) -> Iterator[str]:
    """Every fleetreport module ``path`` imports, wherever the import statement is."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name in known and name.startswith("fleetreport"):
                yield name


def package_of(module: str) -> str:
    """``collect`` for ``fleetreport.collect.run``; ``""`` for a top-level module."""
    parts = module.split(".")
    if module == "fleetreport.__main__":
        return "cli"  # ``python -m fleetreport``: the command line
    if len(parts) == 1 or not (PACKAGE / parts[1]).is_dir():
        return ""
    return parts[1]


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(imports_of(path, known)) - {name} for name, path in known.items()}


def test_every_package_has_a_layer() -> None:
    packages = {package_of(name) for name in modules()}
    assert packages <= set(LAYERS), packages - set(LAYERS)


def test_no_import_goes_up_a_layer_or_sideways() -> None:
    wrong = []
    for importer, imported in sorted(graph().items()):
        source = package_of(importer)
        for target in sorted(imported):
            destination = package_of(target)
            if source == destination:
                continue
            if LAYERS[destination] >= LAYERS[source] and destination != "":
                wrong.append(f"{importer} -> {target}")
    assert wrong == []


def test_no_circles_but_the_check_registrys() -> None:
    """The catalogue imports the check modules to register them, and the checks (with the
    settings that read their declared thresholds) import the catalogue: that one circle is
    the registry's. Any other is a defect."""
    circles = [c for c in strongly_connected(graph()) if len(c) > 1]
    others = [
        sorted(c)
        for c in circles
        if "fleetreport.health.catalogue" not in c
        or not all(m.startswith("fleetreport.health.") for m in c)
    ]
    assert others == []
    assert len(circles) == 1, "the check registry's circle is gone: update this test"


def test_the_layer_test_sees_imports() -> None:
    """The graph is not empty: an upward import would be caught."""
    edges = graph()
    assert "fleetreport.snapshot.model" in edges["fleetreport.snapshot.store"]
    assert "fleetreport.health.build" in edges["fleetreport.cli.report"]


def strongly_connected(edges: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(component)
    return found
