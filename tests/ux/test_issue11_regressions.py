"""Issue 11, items 1 to 7, once more end to end: each test fails if its item regresses
(the items' own tests are beside this file; these pin what a new user meets first)."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import boundary
from boundary.cli import app

ROOT = Path(__file__).resolve().parents[2]


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "CI": "1"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_item1_no_document_installs_the_other_boundary() -> None:
    texts = {p: p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]}
    wrong = re.compile(r"pip install\s+['\"]?boundary(\[|['\"\s]|$)", re.M)
    assert [str(p) for p, text in texts.items() if wrong.search(text)] == []
    assert "pip install serverless-boundary" in texts[ROOT / "README.md"]


def test_item5_scanning_the_readme_says_it_is_no_template(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code, _, stderr = _invoke("scan", "--no-cache", "README.md")
    assert code == 2
    (line,) = stderr.splitlines()
    # what it is not comes first; the YAML parser's reason only as the detail after it
    assert re.match(
        r"^README\.md(:\d+:\d+)?: error: not a SAM template, CloudFormation template or Terraform plan\b",
        line,
    ), line


def test_item5_sam_types_without_the_transform_never_pass(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties: {Handler: a.b}\n",
        encoding="utf-8",
    )
    code, _, stderr = _invoke("scan", "--no-cache", str(template))
    assert code == 2
    assert re.match(rf"^{re.escape(str(template))}:3:\d+: error: .*Transform", stderr), stderr


def test_item7_scan_signals_a_file_it_cannot_read(tmp_path: Path) -> None:
    missing = tmp_path / "template.yaml"
    with pytest.raises(boundary.ScanError) as caught:
        boundary.scan([missing])
    (error,) = caught.value.errors
    assert error.file == str(missing) and error.is_error
    assert str(error) == f"{missing}: error: {error.message}"  # no made-up position


SKIPPED = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      AdminRole:
        Type: AWS::IAM::Role
        Metadata:
          boundary:
            skip:
              - id: BND105
                reason: break-glass role, reviewed
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: lambda.amazonaws.com}
                Action: sts:AssumeRole
          ManagedPolicyArns:
            - arn:aws:iam::aws:policy/AdministratorAccess
    """
)


def test_item7_scan_marks_suppressed_findings(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(SKIPPED, encoding="utf-8")
    (admin,) = [f for f in boundary.scan([template]) if f.rule_id == "BND105"]
    assert admin.suppressed and admin.suppression is not None
    assert admin.suppression.reason == "break-glass role, reviewed"
    code, stdout, _ = _invoke("scan", "--no-cache", str(template), "-f", "json")
    (reported,) = [f for f in json.loads(stdout)["findings"] if f["rule_id"] == "BND105"]
    assert reported["suppressed"] is True
    assert code == 0, "a suppressed finding never fails the run"
