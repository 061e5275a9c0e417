"""The examples in the code's docstrings run (examples that need files are marked +SKIP)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for package in ("flows", "schemas", "warehouse", "victim_voice")
    for path in (ROOT / package).rglob("*.py")
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"


def readme_commands() -> dict[str, set[str]]:
    """The README's command list ("## Command line" code block): each command and its options."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Command line", 1)[1].split("```", 2)[1]
    commands: dict[str, set[str]] = {}
    for line in block.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "victim-voice":
            options = commands.setdefault(words[1], set())
            options |= {w.strip("[]()|") for w in words[2:] if w.strip("[]()|").startswith("--")}
    return commands


def parser_commands() -> dict[str, set[str]]:
    """The CLI parser's commands and their options (besides --help)."""
    from victim_voice.cli import build_parser

    [commands] = [a for a in build_parser()._actions if a.dest == "command"]
    return {
        name: {o for action in sub._actions for o in action.option_strings if o.startswith("--") and o != "--help"}
        for name, sub in commands.choices.items()
    }


def test_the_readme_lists_every_command_with_its_options() -> None:
    assert readme_commands() == parser_commands()


def test_the_readme_describes_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("## Command line", 1)[1]
    assert [c for c in parser_commands() if f"- `{c}`" not in readme] == []
