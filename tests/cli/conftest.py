"""CLI test helpers: a CliRunner, and a stand-in for `boundary.analyze` fed hand-made results."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from report._sample import Result, build_result, finding
from typer.testing import CliRunner

import boundary

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory (no configuration above it is found) with one template file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    (tmp_path / "template.yaml").write_text("Resources: {}\n", encoding="utf-8")
    return tmp_path


FakeAnalyze = Callable[[Result], list[dict[str, Any]]]


@pytest.fixture
def fake_analyze(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnalyze]:
    """Make `boundary.analyze` return a given result; returns the list of calls it received."""

    def install(result: Result) -> list[dict[str, Any]]:
        calls: list[dict[str, Any]] = []

        def analyze(paths: Any, **kwargs: Any) -> Result:
            calls.append({"paths": list(paths), **kwargs})
            return result

        monkeypatch.setattr(boundary, "analyze", analyze)
        return calls

    yield install


def only(*findings: Any, errors: tuple[Any, ...] = ()) -> Result:
    """A result holding exactly these findings and errors."""
    return replace(build_result(), findings=tuple(findings), errors=errors)


__all__ = ["ROOT", "finding", "only"]
