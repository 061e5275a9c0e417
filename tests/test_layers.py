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
# The package roots (victim_voice/__init__.py and the like) import nothing of the project.
LAYERS = (
    "victim_voice.settings",  # the one place that reads the environment
    "schemas",  # the supplier contract: codebook and the pandera model
    "victim_voice.demo",  # made-up deliveries: knows the contract, never the pipeline it tests
    "victim_voice.themes",  # what victims say: comments coded into the codeframe's themes and a sentiment
    "warehouse",  # DuckDB: connections, transactions, storage writes, comments' codes, the model runner
    "victim_voice.protection",  # pseudonyms and redaction
    "victim_voice.delivery",  # finding, naming, reading and preparing delivery files
    "victim_voice.ingestion",  # a run: deciding what a file is, loading it, workers, retention
    "victim_voice.outputs",  # report, packs, publishing, run summary, alerts, formatting
    "flows",  # Prefect orchestration around the layers below
    "victim_voice.cli",  # the victim-voice command
)
# Third-party packages only some layers may use.
CONFINED = {
    "prefect": ("flows", "victim_voice.cli"),
    "openpyxl": ("victim_voice.delivery", "victim_voice.outputs", "victim_voice.demo"),
    "pandera": ("schemas",),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def layer_of(module: str) -> int | None:
    """The index of the layer a module belongs to (the longest matching prefix)."""
    found = [i for i, layer in enumerate(LAYERS) if module == layer or module.startswith(layer + ".")]
    return max(found, key=lambda i: len(LAYERS[i])) if found else None


def absolute(node: ast.ImportFrom, path: Path) -> str:
    """The module a ``from ... import`` names, relative imports resolved against ``path``."""
    if node.level == 0:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def all_imports(path: Path, top_level_only: bool = False) -> set[str]:
    """Every module a file imports, lazy ones inside functions included unless ``top_level_only``
    (``from package import module`` resolved to the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            module = absolute(node, path)
            for alias in node.names:  # `from victim_voice.outputs import alerts` imports the module alerts
                submodule = f"{module}.{alias.name}"
                found.add(submodule if submodule in MODULES else module)
    return found


def imported_modules(path: Path, top_level_only: bool = False) -> set[str]:
    """The project modules a file imports."""
    return {name for name in all_imports(path, top_level_only) if name.split(".")[0] in PACKAGES}


def test_every_module_belongs_to_a_layer() -> None:
    assert [m for m in MODULES if m not in PACKAGES and layer_of(m) is None] == []


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_root_imports_nothing_of_the_project(package: str) -> None:
    assert imported_modules(MODULES[package]) == set()


@pytest.mark.parametrize("library", sorted(CONFINED))
def test_a_library_is_used_by_its_layers_only(library: str) -> None:
    users = sorted(m for m, p in MODULES.items() if any(n.split(".")[0] == library for n in all_imports(p)))
    assert [m for m in users if not m.startswith(CONFINED[library])] == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer_of(m) is not None))
def test_no_module_imports_a_layer_above_its_own(module: str) -> None:
    mine = layer_of(module)
    upward = [name for name in imported_modules(MODULES[module]) if (layer_of(name) or 0) > mine]
    assert upward == [], f"{module} ({LAYERS[mine]}) imports from a layer above it: {upward}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_project_import_names_a_module_that_exists(module: str) -> None:
    """A lazy import of a module that moved fails only when its function runs: caught here."""
    assert sorted(name for name in imported_modules(MODULES[module]) if name not in MODULES) == []


@pytest.mark.parametrize("top_level_only", [True, False], ids=["at load time", "lazy imports too"])
def test_no_modules_import_each_other(top_level_only: bool) -> None:
    """Within a layer too: no cycle of modules, whether imported at load time or in a function."""
    graph = {m: imported_modules(p, top_level_only) & set(MODULES) - {m} for m, p in MODULES.items()}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        pytest.fail(f"modules import each other: {error.args[1]}")


def test_the_readme_layout_lists_the_layers_in_order() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Project layout", 1)[1].split("\n## ", 1)[0]
    folders = [line.split("`")[1] for line in table.splitlines() if line.startswith("| `")]
    as_modules = [f.removesuffix("/").removesuffix(".py").replace("/", ".") for f in folders]
    assert [m for m in as_modules if m in LAYERS] == list(LAYERS)


def test_the_check_catches_upward_imports_absolute_and_relative() -> None:
    """The rule itself, on two made-up modules of the warehouse layer: both are reported."""
    for source in ("from victim_voice.cli import main\n", "from ..victim_voice.cli import main\n"):
        bad = ROOT / "warehouse" / "not_a_module.py"
        tree_node = ast.parse(source).body[0]
        module = absolute(tree_node, bad)
        found = f"{module}.main" if f"{module}.main" in MODULES else module
        assert layer_of(found) == LAYERS.index("victim_voice.cli") > layer_of("warehouse.not_a_module")
