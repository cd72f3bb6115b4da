"""Issue 11, BND102: what triggers a function leaves out only the trigger's own resource and
the actions Lambda needs to poll it, not every grant in the trigger's services."""

from __future__ import annotations

import textwrap
from pathlib import Path

import boundary

TEMPLATE = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Inbox: {Type: AWS::SQS::Queue}
      Outbox: {Type: AWS::SQS::Queue}
      Uploads: {Type: AWS::S3::Bucket}
      Reports: {Type: AWS::S3::Bucket}
      Events: {Type: AWS::SNS::Topic}
      Changes:
        Type: AWS::DynamoDB::Table
        Properties:
          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
          KeySchema: [{AttributeName: id, KeyType: HASH}]
          BillingMode: PAY_PER_REQUEST
          StreamSpecification: {StreamViewType: NEW_IMAGE}
      Ledger:
        Type: AWS::DynamoDB::Table
        Properties:
          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
          KeySchema: [{AttributeName: id, KeyType: HASH}]
          BillingMode: PAY_PER_REQUEST
      Everything:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(e, c): pass"
          Policies:
            - DynamoDBCrudPolicy: {TableName: !Ref Ledger}
            - S3WritePolicy: {BucketName: !Ref Reports}
            - SNSPublishMessagePolicy: {TopicName: !GetAtt Events.TopicName}
            - SQSSendMessagePolicy: {QueueName: !GetAtt Outbox.QueueName}
            - SESCrudPolicy: {IdentityName: example.com}
          Events:
            Api: {Type: Api, Properties: {Path: /x, Method: post}}
            Upload: {Type: S3, Properties: {Bucket: !Ref Uploads, Events: "s3:ObjectCreated:*"}}
            Queue: {Type: SQS, Properties: {Queue: !GetAtt Inbox.Arn}}
            Tick: {Type: Schedule, Properties: {Schedule: rate(1 hour)}}
            Stream: {Type: DynamoDB, Properties: {Stream: !GetAtt Changes.StreamArn, StartingPosition: LATEST}}
    """
)


def test_writes_in_the_services_of_its_triggers_still_count(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    found = [f for f in boundary.analyze([path]).findings if f.rule_id == "BND102"]
    services = [f for f in found if f.key == "services"]
    assert services, [(f.rule_id, f.message) for f in boundary.analyze([path]).findings]
    for name in ("dynamodb", "s3", "sns", "sqs"):
        assert name in services[0].message, services[0].message


def test_a_plain_stream_consumer_is_not_multi_purpose(tmp_path: Path) -> None:
    """Its triggers' resources and poll actions, and one topic it publishes to: one job."""
    dropped = ("DynamoDBCrudPolicy", "S3WritePolicy", "SQSSendMessagePolicy", "SESCrudPolicy")
    text = "".join(line for line in TEMPLATE.splitlines(keepends=True) if not any(d in line for d in dropped))
    assert "SNSPublishMessagePolicy" in text and "DynamoDBCrudPolicy" not in text
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    assert [f for f in boundary.analyze([path]).findings if f.rule_id == "BND102"] == []
