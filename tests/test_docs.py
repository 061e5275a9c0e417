"""The examples in the code's docstrings run (examples that need files are marked +SKIP)."""

from __future__ import annotations

import argparse
import doctest
import importlib
import re
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


def readme_commands() -> dict[str, tuple[set[str], set[str], int]]:
    """The README's command list ("## Command line" code block): each command's options, the
    options it requires (outside [ ] and ( )) and its number of positional arguments. A
    lower-case word after the command is a sub-command ("comments review")."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Command line", 1)[1].split("```", 2)[1]
    commands: dict[str, tuple[set[str], set[str], int]] = {}
    for line in block.splitlines():
        words = line.split()
        if len(words) < 2 or words[0] != "victim-voice":
            continue
        nested = len(words) > 2 and re.fullmatch(r"[a-z][a-z-]*", words[2]) is not None
        name, rest = (f"{words[1]} {words[2]}", words[3:]) if nested else (words[1], words[2:])
        options, required, positionals, depth, previous = set(), set(), 0, 0, ""
        for word in rest:
            depth += word.count("[") + word.count("(")
            bare = word.strip("[]()|")
            if bare.startswith("--"):
                options.add(bare)
                if depth == 0:
                    required.add(bare)
            elif bare and depth == 0 and not previous.startswith("--"):
                positionals += 1  # "SQL", FILE: not the value of an option
            depth -= word.count("]") + word.count(")")
            previous = bare if depth == 0 or bare.startswith("--") else previous
        commands[name] = (options, required, positionals)
    return commands


def parser_commands() -> dict[str, tuple[set[str], set[str], int]]:
    """The CLI parser's commands (a command with sub-commands as "comments review"): their
    options (besides --help), required options, positionals."""
    from victim_voice.cli import build_parser

    def commands_of(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
        [subparsers] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)] or [None]
        if subparsers is None:
            return {prefix.strip(): parser}
        return {
            k: v for name, sub in subparsers.choices.items() for k, v in commands_of(sub, f"{prefix}{name} ").items()
        }

    found = {}
    for name, sub in commands_of(build_parser()).items():
        options = {o for a in sub._actions for o in a.option_strings if o.startswith("--") and o != "--help"}
        required = {o for a in sub._actions if a.required for o in a.option_strings if o.startswith("--")}
        positionals = sum(1 for a in sub._actions if not a.option_strings)
        found[name] = (options, required, positionals)
    return found


def test_the_readme_lists_every_command_with_its_options() -> None:
    assert readme_commands() == parser_commands()


def test_the_readme_describes_every_command() -> None:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Command line", 1)[1].split("\n## ", 1)[0]
    assert [c for c in parser_commands() if f"- `{c}`" not in section] == []
