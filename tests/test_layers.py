"""The tree is the architecture: every folder is one layer, and imports point down only.

Read with ``ast`` from the source (lazy imports inside functions count too), so a new
module that reaches upward, or two layers that import each other, fails here.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("flows", "schemas", "warehouse", "victim_voice")

# Bottom to top: a module may import its own layer and the layers before it, never one after.
LAYERS = (
    "victim_voice.settings",  # the one place that reads the environment
    "schemas",  # the supplier contract: codebook and the pandera model
    "victim_voice.demo",  # made-up deliveries: knows the contract, never the pipeline it tests
    "victim_voice.protection",  # pseudonyms and redaction
    "victim_voice.delivery",  # finding, naming, reading and preparing delivery files
    "warehouse",  # DuckDB only: connections, transactions, storage writes, the model runner
    "victim_voice.ingestion",  # a run: deciding what a file is, loading it, workers, retention
    "victim_voice.outputs",  # report, packs, publishing, run summary, alerts, formatting
    "flows",  # Prefect orchestration around the layers below
    "victim_voice.cli",  # the victim-voice command
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def layer_of(module: str) -> int | None:
    """The index of the layer a module belongs to (the longest matching prefix)."""
    found = [i for i, layer in enumerate(LAYERS) if module == layer or module.startswith(layer + ".")]
    return max(found, key=lambda i: len(LAYERS[i])) if found else None


def imported_modules(path: Path, top_level_only: bool = False) -> set[str]:
    """Project modules a file imports (``from package import module`` resolved to the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # `from victim_voice.outputs import alerts` imports the module alerts
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def test_every_module_belongs_to_a_layer() -> None:
    assert [m for m in MODULES if m not in PACKAGES and layer_of(m) is None] == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer_of(m) is not None))
def test_no_module_imports_a_layer_above_its_own(module: str) -> None:
    mine = layer_of(module)
    upward = [name for name in imported_modules(MODULES[module]) if (layer_of(name) or 0) > mine]
    assert upward == [], f"{module} ({LAYERS[mine]}) imports from a layer above it: {upward}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_project_import_names_a_module_that_exists(module: str) -> None:
    """A lazy import of a module that moved fails only when its function runs: caught here."""
    assert sorted(name for name in imported_modules(MODULES[module]) if name not in MODULES) == []


def test_the_package_import_graph_has_no_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        unit = LAYERS[layer_of(module)] if layer_of(module) is not None else module
        graph.setdefault(unit, set()).update(
            LAYERS[layer_of(name)] for name in imported_modules(path) if layer_of(name) is not None
        )
    graph = {unit: deps - {unit} for unit, deps in graph.items()}
    TopologicalSorter(graph).prepare()  # raises CycleError on a cycle


def test_no_two_modules_import_each_other_at_load_time() -> None:
    graph = {m: imported_modules(p, top_level_only=True) & set(MODULES) - {m} for m, p in MODULES.items()}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        pytest.fail(f"modules import each other: {error.args[1]}")


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The rule itself: a warehouse module importing the CLI would be reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("from victim_voice.cli import main\n", encoding="utf-8")
    assert [layer_of(n) for n in imported_modules(bad)] == [LAYERS.index("victim_voice.cli")]
    assert layer_of("victim_voice.cli") > layer_of("warehouse.db")
