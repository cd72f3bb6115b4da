"""Issue 11, item 9: a duplicate mapping key is a located warning, the template is scanned
with the value CloudFormation uses (the last), and the scan goes on."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import boundary
from boundary.cli import app
from boundary.model import LoadSeverity

YAML = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: lambda.amazonaws.com}
                Action: sts:AssumeRole
          Policies:
            - PolicyName: data
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: dynamodb:GetItem
                    Resource: arn:aws:dynamodb:us-east-1:123456789012:table/Orders
                    Resource: "*"
    """
)


def _check(path: Path) -> None:
    result = boundary.analyze([path])
    (warning,) = result.errors
    assert warning.severity is LoadSeverity.WARNING
    assert (warning.line, warning.column, warning.file) == (20, 17, str(path))
    assert "duplicate key 'Resource' (first at line 19)" in warning.message
    assert "last value" in warning.message
    # scanned with the value CloudFormation deploys: the second Resource, "*"
    assert [f.rule_id for f in result.findings if not f.suppressed] == ["BND104"]


def test_yaml_duplicate_key_is_a_warning_and_the_last_value_is_scanned(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(YAML, encoding="utf-8")
    _check(path)


def test_json_duplicate_key_is_a_warning_and_the_last_value_is_scanned(tmp_path: Path) -> None:
    text = json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Role": "ROLE"}}, indent=1)
    role = json.dumps(
        {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                },
                "Policies": [
                    {
                        "PolicyName": "data",
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "DUP"}
                            ],
                        },
                    }
                ],
            },
        },
        indent=1,
    )
    role = role.replace(
        '"Resource": "DUP"',
        '"Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Orders",\n"Resource": "*"',
    )
    path = tmp_path / "template.json"
    path.write_text(text.replace('"ROLE"', role), encoding="utf-8")
    result = boundary.analyze([path])
    (warning,) = result.errors
    assert warning.severity is LoadSeverity.WARNING
    assert "duplicate key 'Resource'" in warning.message
    assert (
        path.read_text(encoding="utf-8").splitlines()[warning.line - 1].lstrip().startswith('"Resource": "*"')
    )
    assert [f.rule_id for f in result.findings] == ["BND104"]


def test_cli_reports_the_warning_and_the_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "template.yaml").write_text(YAML, encoding="utf-8")
    done = CliRunner().invoke(app, ["scan", "-q", "--no-progress", "template.yaml"])
    assert done.exit_code == 1, done.output  # the finding, not a load error (2)
    assert "template.yaml:20:17: warning: duplicate key 'Resource'" in done.output
    assert "BND104" in done.output
