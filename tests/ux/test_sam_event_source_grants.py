"""Issue 11, item 3: the execution policy SAM attaches for an event source on its own is
reported, but never fails a scan at the default `--fail-on low`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import boundary
from boundary.cli import app
from boundary.rules import Severity

SOURCES = {
    # event type: (resource type, the event's properties, SAM's policy template scoped to it)
    "SQS": (
        "AWS::SQS::Queue",
        "Queue: !GetAtt Source.Arn",
        "SQSPollerPolicy: {QueueName: !GetAtt Source.QueueName}",
        "AWSLambdaSQSQueueExecutionRole",
    ),
    "DynamoDB": (
        "AWS::DynamoDB::Table",
        "Stream: !GetAtt Source.StreamArn\n            StartingPosition: LATEST",
        "DynamoDBStreamReadPolicy: {TableName: !Ref Source, StreamName: '*'}",
        "AWSLambdaDynamoDBExecutionRole",
    ),
    "Kinesis": (
        "AWS::Kinesis::Stream",
        "Stream: !GetAtt Source.Arn\n            StartingPosition: LATEST",
        "KinesisStreamReadPolicy: {StreamName: !Ref Source}",
        "AWSLambdaKinesisExecutionRole",
    ),
}

TABLE_PROPS = """
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      StreamSpecification: {StreamViewType: NEW_IMAGE}"""


def _template(event: str, *, name_policy: bool = False) -> str:
    kind, props, scoped, managed = SOURCES[event]
    policies = f"        - {scoped}\n"
    if name_policy:
        policies += f"        - {managed}\n"
    extra = (
        TABLE_PROPS
        if kind == "AWS::DynamoDB::Table"
        else ("\n      ShardCount: 1" if kind == "AWS::Kinesis::Stream" else "")
    )
    return textwrap.dedent(
        """\
        AWSTemplateFormatVersion: "2010-09-09"
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Source:
            Type: {kind}
            Properties:{extra}
          Consumer:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.12
              Handler: index.handler
              InlineCode: "def handler(e, c): pass"
              Policies:
        {policies}      Events:
                Records:
                  Type: {event}
                  Properties:
                    {props}
        """
    ).format(kind=kind, extra=extra or " {}", policies=policies, event=event, props=props)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("event", sorted(SOURCES))
def test_sam_added_execution_policy_is_info_and_passes(
    tmp_path: Path, event: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, _template(event))
    result = boundary.analyze([path])
    assert result.errors == ()
    managed = SOURCES[event][3]
    found = [f for f in result.findings if managed in f.message]
    assert [f.rule_id for f in found] == ["BND104"], "the wide grant is still reported"
    assert found[0].severity is Severity.INFO
    assert "SAM attaches this policy" in found[0].message
    assert all(f.severity is Severity.INFO for f in result.findings), [
        (f.rule_id, f.severity, f.message) for f in result.findings
    ]
    monkeypatch.chdir(tmp_path)
    done = CliRunner().invoke(app, ["scan", "--no-progress", str(path)])
    assert done.exit_code == 0, done.output
    strict = CliRunner().invoke(app, ["scan", "--no-progress", "--fail-on", "info", str(path)])
    assert strict.exit_code == 1, strict.output


@pytest.mark.parametrize("event", sorted(SOURCES))
def test_the_same_policy_named_by_the_user_keeps_its_severity(tmp_path: Path, event: str) -> None:
    path = _write(tmp_path, _template(event, name_policy=True))
    result = boundary.analyze([path])
    managed = SOURCES[event][3]
    found = [f for f in result.findings if managed in f.message and f.rule_id == "BND104"]
    assert [f.severity for f in found] == [Severity.LOW]
