"""Issue 11, items 5 and 8: what the command line says when a path is missing, when a URL
is long, and when an option's value names nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import boundary.cli
from boundary.cli import app
from boundary.rules import rule_classes

ROOT = Path(__file__).resolve().parents[2]
SAM = str(ROOT / "samples" / "sam" / "secure" / "template.yaml")
ACTIVITY = str(ROOT / "samples" / "activity" / "airline")


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "CI": "1", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ a missing path


@pytest.mark.parametrize(
    "command",
    [
        ["scan", "--no-cache"],
        ["graph", "-f", "json"],
        ["paths"],
        ["audit", "--activity", ACTIVITY],
        ["generate-policy", "--activity", ACTIVITY],
    ],
    ids=lambda c: c[0],
)
def test_a_missing_path_is_one_line_without_a_made_up_position(tmp_path: Path, command: list[str]) -> None:
    missing = str(tmp_path / "nonexistent.yaml")
    code, _, stderr = _invoke(*command, missing)
    assert code == 2
    assert stderr.splitlines() == [f"{missing}: error: no such file or directory"]


@pytest.mark.parametrize(
    "command",
    [["scan", "--no-cache", "-q"], ["graph", "-f", "json"], ["paths"], ["audit", "--activity", ACTIVITY]],
    ids=lambda c: c[0],
)
def test_a_missing_path_beside_a_good_one_is_reported_and_the_rest_still_runs(
    tmp_path: Path, command: list[str]
) -> None:
    missing = str(tmp_path / "nonexistent.yaml")
    code, stdout, stderr = _invoke(*command, missing, SAM)
    assert code == 2
    assert stderr.splitlines() == [f"{missing}: error: no such file or directory"]
    assert stdout.strip(), "the template that exists must still be reported"


def test_errors_with_a_position_keep_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources:\n  Fn:\n    Type: [unclosed\n", encoding="utf-8")
    code, _, stderr = _invoke("scan", "--no-cache", str(broken))
    assert code == 2
    (line,) = stderr.splitlines()
    assert re.match(rf"^{re.escape(str(broken))}:[1-9][0-9]*:[1-9][0-9]*: error: \S", line), line


# ------------------------------------------------------------ explain keeps URLs


def _reference_urls() -> list[tuple[str, str]]:
    from boundary.config import Config

    return [
        (cls.meta.id, url)
        for cls in rule_classes(Config())
        for url in re.findall(r"https?://[^\s)>]+", cls.meta.docs.get("References", ""))
    ]


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "narrow-terminal"])
def test_explain_never_splits_a_url(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    urls = _reference_urls()
    assert len(urls) > 10
    monkeypatch.setattr(boundary.cli, "_stdout_is_tty", lambda: terminal)
    for rule_id in sorted({rule_id for rule_id, _ in urls}):
        code, stdout, _ = _invoke("explain", rule_id, env={"COLUMNS": "50"})
        assert code == 0
        lines = stdout.splitlines()
        for url in (u for r, u in urls if r == rule_id):
            assert any(url in line for line in lines), (rule_id, url, stdout[-600:])
