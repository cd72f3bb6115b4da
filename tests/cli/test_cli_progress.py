"""When the progress bar shows, and that it survives being fed by `analyze`."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import boundary
from boundary import cli
from boundary.cli import app

from .conftest import only


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("tty", "ci", "no_progress", "quiet", "expected"),
    [
        (True, None, False, False, True),
        (False, None, False, False, False),
        (True, "true", False, False, False),
        (True, None, True, False, False),
        (True, None, False, True, False),
    ],
    ids=["terminal", "piped", "ci", "no-progress", "quiet"],
)
def test_progress_is_wanted_only_on_an_interactive_terminal(
    monkeypatch: pytest.MonkeyPatch, tty: bool, ci: str | None, no_progress: bool, quiet: bool, expected: bool
) -> None:
    monkeypatch.setattr(sys, "stderr", _Stream(tty))
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    assert cli._progress_wanted(no_progress, quiet) is expected


def test_progress_bar_is_fed_per_file(
    runner: CliRunner, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []

    def analyze(paths: Any, **kwargs: Any) -> Any:
        progress = kwargs["progress"]
        seen.append(progress)
        for index, name in enumerate(["a.yaml", "[bold]b.yaml"], start=1):
            progress(name, index, 2)
        return only()

    monkeypatch.setattr(boundary, "analyze", analyze)
    monkeypatch.setattr(cli, "_progress_wanted", lambda no_progress, quiet: True)
    result = runner.invoke(app, ["scan", "template.yaml"])
    assert result.exit_code == 0, result.output
    assert seen and callable(seen[0])
