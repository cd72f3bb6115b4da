"""`boundary scan` through typer's CliRunner with hand-made results: exit codes, formats, files, baselines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import boundary
import boundary.rules
from boundary.cli import app
from boundary.findings import Decision, Severity, Suppression
from boundary.model import LoadError, Location

from .conftest import FakeAnalyze, finding, only

HIGH = finding()
CRITICAL = finding("BND201", severity=Severity.CRITICAL, resource="FnA", key="0")
INFO = finding("BND301", severity=Severity.INFO, resource="Api")
WARN_HIGH = finding("BND302", severity=Severity.HIGH, decision=Decision.WARN, resource="Api")
SUPPRESSED = finding("BND303", resource="X", suppression=Suppression("ok", "config"))
ERROR = LoadError("broken.yaml", 2, 3, "could not find expected ':'")


@pytest.mark.parametrize(
    ("findings", "errors", "args", "code"),
    [
        ((), (), [], 0),
        ((HIGH,), (), [], 1),
        ((SUPPRESSED,), (), [], 0),
        ((WARN_HIGH,), (), [], 0),
        ((INFO,), (), [], 0),
        ((INFO,), (), ["--fail-on", "info"], 1),
        ((HIGH,), (), ["--fail-on", "critical"], 0),
        ((CRITICAL,), (), ["--fail-on", "CRITICAL"], 1),
        ((HIGH,), (), ["--soft-fail"], 0),
        ((), (ERROR,), [], 2),
        ((HIGH,), (ERROR,), [], 2),
        ((HIGH,), (ERROR,), ["--soft-fail"], 2),
    ],
    ids=[
        "clean",
        "finding",
        "suppressed-only",
        "warn-decision-only",
        "info-below-default-threshold",
        "fail-on-info",
        "below-fail-on",
        "at-fail-on-any-case",
        "soft-fail",
        "load-error",
        "load-error-wins-over-findings",
        "soft-fail-keeps-load-errors",
    ],
)
def test_exit_codes(
    runner: CliRunner,
    workdir: Path,
    fake_analyze: FakeAnalyze,
    findings: tuple[Any, ...],
    errors: tuple[LoadError, ...],
    args: list[str],
    code: int,
) -> None:
    fake_analyze(only(*findings, errors=errors))
    result = runner.invoke(app, ["scan", "template.yaml", *args])
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_load_errors_are_one_line_each_on_stderr(
    runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze
) -> None:
    fake_analyze(only(HIGH, errors=(ERROR,)))
    result = runner.invoke(app, ["scan", "template.yaml", "missing.yaml"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "missing.yaml: error: no such file or directory",
        "broken.yaml:2:3: error: could not find expected ':'",
    ]
    assert "broken.yaml" not in result.stdout  # not repeated in the report on stdout


def test_arguments_reach_analyze(runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze) -> None:
    from dataclasses import replace

    from boundary.model import Format, Template

    declaring = Template("template.yaml", Format.SAM, {}, parameters={"Stage": "dev", "Empty": "x"})
    calls = fake_analyze(replace(only(), templates=(declaring,)))
    result = runner.invoke(
        app,
        [
            "scan",
            "template.yaml",
            "--param",
            "Stage=prod",
            "-p",
            "Empty=",
            "--exclude",
            "*.bak",
            "--region",
            "eu-west-1",
            "--account",
            "111111111111",
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    (call,) = calls
    assert call["paths"] == ["template.yaml"]
    # The load options travel as one object, and the rules loaded for the
    # configuration check are the ones the scan runs.
    assert call["options"] == boundary.LoadOptions(
        parameters={"Stage": "prod", "Empty": ""}, region="eu-west-1", account="111111111111"
    )
    assert [cls.meta.id for cls in call["rules"]] == [m.id for m in boundary.rules.registry()]
    assert list(call["exclude"]) == ["*.bak"]
    assert call.get("progress") is None  # not a terminal


def test_default_path_is_the_current_directory(
    runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze
) -> None:
    calls = fake_analyze(only())
    assert runner.invoke(app, ["scan"]).exit_code == 0
    assert calls[0]["paths"] == ["."]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "unknown format 'xml'"),
        (["--format", "json,sarif"], "several formats need --output-dir"),
        (["--format", "json", "--format", "text"], "several formats need --output-dir"),
        (["-f", "json,sarif", "-o", "out.json"], "--output takes one format"),
        (["-o", "a.txt", "--output-dir", "d"], "either --output or --output-dir"),
        (["-f", "github", "-o", "a.txt"], "stdout only"),
        (["--param", "NoEquals"], "expected KEY=VALUE"),
        (["--fail-on", "severe"], "--fail-on"),
    ],
)
def test_usage_errors_exit_2(
    runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze, args: list[str], message: str
) -> None:
    calls = fake_analyze(only(HIGH))
    result = runner.invoke(app, ["scan", "template.yaml", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert calls == []  # nothing was scanned


def test_bad_configuration_is_one_line_and_exit_2(
    runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze
) -> None:
    fake_analyze(only())
    (workdir / ".boundary.toml").write_text("selcet = ['BND101']\n", encoding="utf-8")
    result = runner.invoke(app, ["scan", "template.yaml"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "selcet" in line


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "markdown", "github", "text"])
def test_each_format_on_stdout(runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze, fmt: str) -> None:
    fake_analyze(only(HIGH))
    result = runner.invoke(app, ["scan", "template.yaml", "--format", fmt])
    assert result.exit_code == 1
    assert HIGH.message in result.stdout
    if fmt in ("json", "sarif"):
        json.loads(result.stdout)


def test_output_dir_writes_one_file_per_format_and_github_to_stdout(
    runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze
) -> None:
    fake_analyze(only(HIGH, CRITICAL))
    result = runner.invoke(
        app,
        [
            "scan",
            "template.yaml",
            "-f",
            "text,json,sarif",
            "-f",
            "junit,markdown,github",
            "--output-dir",
            "out",
        ],
    )
    assert result.exit_code == 1
    written = sorted(p.name for p in (workdir / "out").iterdir())
    assert written == ["boundary.json", "boundary.md", "boundary.sarif", "boundary.txt", "boundary.xml"]
    assert result.stdout.startswith("::error ")
    text = (workdir / "out" / "boundary.txt").read_text(encoding="utf-8")
    assert "\x1b[" not in text and HIGH.message in text
    assert len(json.loads((workdir / "out" / "boundary.json").read_text(encoding="utf-8"))["findings"]) == 2


def test_output_file_gets_the_report_and_stderr_the_summary(
    runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze
) -> None:
    fake_analyze(only(HIGH))
    result = runner.invoke(app, ["scan", "template.yaml", "-f", "sarif", "-o", "reports/boundary.sarif"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "boundary: 1 finding (1 high) in 4 files, 0 suppressed, 0 errors"
    document = json.loads((workdir / "reports" / "boundary.sarif").read_text(encoding="utf-8"))
    assert document["runs"][0]["results"][0]["ruleId"] == HIGH.rule_id


def test_quiet_prints_one_line_per_finding(
    runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze
) -> None:
    fake_analyze(only(HIGH, CRITICAL))
    result = runner.invoke(app, ["scan", "template.yaml", "-q"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and lines[-1].startswith("2 findings")
    fake_analyze(only())
    quiet_clean = runner.invoke(app, ["scan", "template.yaml", "-q"])
    assert (quiet_clean.exit_code, quiet_clean.stdout) == (0, "")


def test_baseline_cycle(runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze) -> None:
    fake_analyze(only(HIGH, CRITICAL))
    created = runner.invoke(app, ["scan", "template.yaml", "--create-baseline", "baseline.json"])
    assert created.exit_code == 0, created.output  # adopting: today's findings do not fail
    stored = json.loads((workdir / "baseline.json").read_text(encoding="utf-8"))
    assert sorted(stored["fingerprints"]) == sorted([HIGH.fingerprint, CRITICAL.fingerprint])

    same = runner.invoke(app, ["scan", "template.yaml", "--baseline", "baseline.json", "-f", "json"])
    assert same.exit_code == 0
    document = json.loads(same.stdout)
    assert document["findings"] == [] and document["summary"]["baselined"] == 2

    new = finding("BND104", resource="Other", location=Location("template.yaml", 9, 1))
    fake_analyze(only(HIGH, CRITICAL, new))
    grown = runner.invoke(app, ["scan", "template.yaml", "--baseline", "baseline.json"])
    assert grown.exit_code == 1
    assert new.message in grown.stdout
    assert grown.stdout.rstrip().endswith("2 in baseline, 0 errors")


def test_unreadable_baseline_is_exit_2(runner: CliRunner, workdir: Path, fake_analyze: FakeAnalyze) -> None:
    fake_analyze(only())
    (workdir / "baseline.json").write_text("{oops", encoding="utf-8")
    result = runner.invoke(app, ["scan", "template.yaml", "--baseline", "baseline.json"])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == "baseline.json:1:2: error: baseline is not JSON: Expecting property name enclosed in double quotes"
    )


TRUSTED_BY_ACCOUNT = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  PartnerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: "arn:aws:iam::111122223333:root"}
            Action: sts:AssumeRole
"""


def test_account_option_decides_what_another_account_is(tmp_path: Path) -> None:
    """The same trust policy is cross-account for the default account, and not when
    the stack deploys to the trusted account itself."""
    template = tmp_path / "template.yaml"
    template.write_text(TRUSTED_BY_ACCOUNT, encoding="utf-8")
    runner = CliRunner()
    other = runner.invoke(app, ["scan", str(template), "-q", "--no-progress"])
    assert other.exit_code == 1 and "BND112" in other.stdout
    own = runner.invoke(app, ["scan", str(template), "-q", "--no-progress", "--account", "111122223333"])
    assert own.exit_code == 0, own.stdout
    bad = runner.invoke(app, ["scan", str(template), "--account", "12"])
    assert bad.exit_code == 2


def test_a_configuration_naming_an_unknown_rule_exits_2(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TRUSTED_BY_ACCOUNT, encoding="utf-8")
    config = tmp_path / ".boundary.toml"
    config.write_text('select = ["BND999"]\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", str(template), "--config", str(config)])
    assert result.exit_code == 2
    assert "'select' names unknown rule(s) BND999" in result.stderr


def test_nothing_to_scan_is_an_error_not_a_pass(tmp_path: Path) -> None:
    """Pointing a CI job at the wrong folder must not pass as '0 findings'."""
    (tmp_path / "main.tf.bak").write_text('resource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    (tmp_path / "compose.yaml").write_text("services: {}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["scan", str(tmp_path), "--no-progress"])
    assert result.exit_code == 2
    assert "no SAM template, CloudFormation template or Terraform plan found" in result.stderr
    assert "a folder of .tf files" in result.stderr
