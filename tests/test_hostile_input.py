"""Hostile input, built here by generators (nothing large is committed): no silent pass,
no traceback, no internal error (issue 16, S3 items 6-8).

Each test names the guard it holds; without the guard it fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import boundary
from boundary.cli import app
from boundary.model import LoadError, LoadSeverity
from boundary.report import ReportOptions, render

ROOT = Path(__file__).resolve().parents[1]
SECURE_PLAN = ROOT / "samples" / "terraform" / "secure" / "plan.json"
BIG = "9" * 5000  # past Python's 4,300-digit guard on int()

TOPIC = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
STATEMENT = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}


def _policy(tmp_path: Path, text: str | bytes, name: str = "policy.json") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# -- item 6: unreadable folders ----------------------------------------------------------------


def test_an_unreadable_subfolder_is_a_located_error_not_a_silent_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "template.yaml").write_text(TOPIC, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:  # what a folder without the read permission does
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    model = boundary.load([tmp_path])
    assert [(e.file, e.message, e.is_error) for e in model.errors] == [
        (str(locked), "cannot read folder: Permission denied", True)
    ]
    assert len(model.templates) == 1  # the rest is still scanned
    result = runner.invoke(app, ["scan", str(tmp_path), "--no-progress"])
    assert result.exit_code == 2
    assert f"{locked}:0:0: error: cannot read folder: Permission denied" in result.stderr.splitlines()
    assert "1 error" in result.stderr or "1 error" in result.stdout


def test_a_named_file_in_an_unreadable_folder_is_not_called_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    target = tmp_path / "locked" / "template.yaml"
    real_stat = os.stat

    def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(path) == str(target):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    result = runner.invoke(app, ["scan", str(target), "--no-progress"])
    assert result.exit_code == 2
    assert f"{target}:0:0: error: cannot read: Permission denied" in result.stderr.splitlines()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every folder")
def test_a_folder_without_permissions_for_real(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "template.yaml").write_text("Resources: {}\n", encoding="utf-8")
    locked.chmod(0)
    try:
        errors = boundary.load([tmp_path]).errors
    finally:
        locked.chmod(0o755)
    assert [e.message for e in errors] == ["cannot read folder: Permission denied"]


# -- item 7: validate-policy reads and checks like scan ----------------------------------------


@pytest.mark.parametrize(
    ("document", "check"),
    [
        ({"Version": "2012-10-17", "Statement": None}, "missing-statement"),
        (
            {"Version": "2012-10-17", "Statement": [{**STATEMENT, "Action": [["s3:GetObject"]]}]},
            "nested-list",
        ),
        ({"Version": "2012-10-17", "Statement": [{**STATEMENT, "Resource": [["*"]]}]}, "nested-list"),
    ],
    ids=["null-statement", "nested-action", "nested-resource"],
)
def test_validate_policy_refuses_what_iam_refuses(
    tmp_path: Path, runner: CliRunner, document: dict[str, Any], check: str
) -> None:
    path = _policy(tmp_path, json.dumps(document))
    result = runner.invoke(app, ["validate-policy", str(path)])
    assert result.exit_code == 1, result.output
    assert f": error: {check}: " in result.stdout


def test_validate_policy_accepts_a_bom_as_scan_does(tmp_path: Path, runner: CliRunner) -> None:
    document = {"Version": "2012-10-17", "Statement": [STATEMENT]}
    path = _policy(tmp_path, b"\xef\xbb\xbf" + json.dumps(document).encode())
    result = runner.invoke(app, ["validate-policy", str(path)])
    assert result.exit_code == 0, result.output
    template = _policy(tmp_path, b"\xef\xbb\xbf" + SECURE_PLAN.read_bytes(), "plan.json")
    assert boundary.load([template]).errors == ()


# -- item 8: big integers, duplicate keys ------------------------------------------------------


def _big_cases(tmp_path: Path) -> list[Path]:
    yaml_template = (
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      Big: " + BIG + "\n"
    )
    json_template = json.dumps(
        {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Big": 0}}}}
    )
    plan = SECURE_PLAN.read_text(encoding="utf-8").replace(
        '"format_version"', f'"big": -{BIG}, "format_version"', 1
    )
    return [
        _policy(tmp_path, yaml_template, "template.yaml"),
        _policy(tmp_path, json_template.replace('"Big": 0', f'"Big": {BIG}'), "template.json"),
        _policy(tmp_path, plan, "plan.json"),
    ]


def test_integers_over_4300_digits_are_values_in_every_loader(tmp_path: Path, runner: CliRunner) -> None:
    paths = _big_cases(tmp_path)
    model = boundary.load(paths)
    assert model.errors == () and len(model.templates) == 3
    topic = next(t for t in model.templates if t.path.endswith("template.yaml")).resources["Topic"]
    assert topic.properties["Big"] == BIG  # kept as its text, exactly
    result = runner.invoke(app, ["scan", *map(str, paths), "--no-progress"])
    assert result.exit_code in (0, 1) and "internal error" not in result.output


def test_validate_policy_takes_big_integers_as_values(tmp_path: Path, runner: CliRunner) -> None:
    condition = {"NumericLessThan": {"s3:max-keys": 0}}
    text = json.dumps({"Version": "2012-10-17", "Statement": [{**STATEMENT, "Condition": condition}]})
    path = _policy(tmp_path, text.replace('"s3:max-keys": 0', f'"s3:max-keys": {BIG}'))
    result = runner.invoke(app, ["validate-policy", str(path)])
    assert result.exit_code == 0, result.output
    assert boundary.validate_policy(path.read_text(encoding="utf-8")) == []


def _duplicated_plan(tmp_path: Path) -> Path:
    text = json.dumps(json.loads(SECURE_PLAN.read_text(encoding="utf-8")), indent=2)
    # the same key twice, the last value is the one Terraform wrote
    text = text.replace('  "format_version": ', '  "format_version": "0.1",\n  "format_version": ', 1)
    return _policy(tmp_path, text, "plan.json")


def test_a_duplicate_key_in_a_plan_is_a_located_warning_and_the_last_value_wins(
    tmp_path: Path, runner: CliRunner
) -> None:
    plan = _duplicated_plan(tmp_path)
    clean = boundary.load([SECURE_PLAN]).templates[0]
    model = boundary.load([plan])
    (warning,) = model.errors
    assert warning.severity is LoadSeverity.WARNING and not warning.is_error
    line = plan.read_text(encoding="utf-8").splitlines().index('  "format_version": "0.1",') + 2
    assert (warning.line, warning.column) == (line, 3)
    assert (
        warning.message
        == f'duplicate key "format_version" (first at line {line - 1}); the last value is used'
    )
    assert len(model.templates) == 1
    assert set(model.templates[0].resources) == set(clean.resources)  # the scan went on

    result = runner.invoke(app, ["scan", str(plan), "--no-progress", "-f", "json"])
    assert result.exit_code == 0, result.output  # a warning does not fail the run
    assert f"{plan}:{line}:3: warning: duplicate key" in result.stderr
    document = json.loads(result.stdout)
    assert document["errors"][0]["severity"] == "warning"
    assert (document["summary"]["errors"], document["summary"]["warnings"]) == (0, 1)


def test_a_duplicate_key_in_a_policy_is_the_same_warning(tmp_path: Path, runner: CliRunner) -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [STATEMENT]})
    text = text.replace('"Effect": "Allow"', '"Effect": "Deny", "Effect": "Allow"')
    path = _policy(tmp_path, text)
    result = runner.invoke(app, ["validate-policy", str(path)])
    assert result.exit_code == 0, result.output  # the last value, Allow, is valid
    column = text.index('"Effect": "Allow"') + 1
    assert result.stderr.splitlines() == [
        f'{path}:1:{column}: warning: duplicate key "Effect" (first at line 1); the last value is used'
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown", "github"])
def test_every_format_tells_a_warning_from_an_error(fmt: str) -> None:
    warning = LoadError("plan.json", 3, 5, 'duplicate key "a"; the last value is used', LoadSeverity.WARNING)
    result = boundary.ScanResult(findings=(), errors=(warning,), files=("plan.json",), templates=())
    out = render(fmt, result, ReportOptions())
    assert "duplicate key" in out
    if fmt == "json":
        assert json.loads(out)["summary"]["errors"] == 0
    elif fmt == "sarif":
        (run,) = json.loads(out)["runs"]
        assert run["invocations"][0]["executionSuccessful"] is True
        assert run["invocations"][0]["toolExecutionNotifications"][0]["level"] == "warning"
    elif fmt == "junit":
        assert "<error" not in out
    elif fmt == "github":
        assert out.startswith("::warning ")
    else:
        assert "plan.json:3:5: warning: " in out and "0 errors, 1 warning" in out
