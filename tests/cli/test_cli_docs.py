"""docs/cli.md is generated from `--help`; it fails here the moment they drift."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

import pytest
from typer.testing import CliRunner

from boundary.cli import app

from .conftest import ROOT


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli_docs", ROOT / "scripts" / "gen_cli_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_md_is_up_to_date() -> None:
    generated = _generator().render()
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == generated, "docs/cli.md is stale: run python scripts/gen_cli_docs.py"


@pytest.mark.parametrize(
    "command", ["scan", "rules", "explain", "validate-policy", "audit", "generate-policy"]
)
def test_every_option_of_every_command_is_documented(command: str) -> None:
    help_text = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", help_text))
    assert options, help_text
    section = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").split(f"## boundary {command}\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    assert sorted(o for o in options if o not in section) == []


def test_every_command_has_a_section() -> None:
    generator = _generator()
    registered = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    assert registered == set(generator.COMMANDS)
