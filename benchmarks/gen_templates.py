"""Write synthetic SAM/CloudFormation templates of any size, for the scale benchmark.

    python benchmarks/gen_templates.py OUT --resources 10000            # one template
    python benchmarks/gen_templates.py OUT --resources 10 --templates 1000

Each template is built from repeating units of an ordinary serverless workload,
so that every stage (SAM transform, intrinsics, graph, every rule) has work that
grows with the size: per unit a DynamoDB table, an SQS queue, a bucket, a Lambda
function with its own role and inline policy (`!GetAtt` of the table and queue),
an API Gateway invoke permission, and a SAM function reading the table from the
queue (the transform adds its role and event source mapping): nine resources of
the loaded model. The roles of units 3, 10 and 17 grant `dynamodb:*` on `*`, every eleventh
unit's SAM function shares the role of the unit before, every thirteenth bucket
has a public-read policy, so the findings grow with the size too. Resource names
are unique across templates (`--templates` writes `t0000.yaml`, ...), so the
cross-template rules have a realistic, not degenerate, amount to do.

The output is deterministic: the same arguments write the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

RESOURCES_PER_UNIT = 9  # in the loaded model, after the SAM transform
# The units whose role grants `dynamodb:*` on `*`: a few per template, however large. Such a
# grant reaches every table of the template (that is what it means), so a template where a
# fixed share of the roles had one would hold quadratically many facts, whatever the tool.
WIDE_UNITS = frozenset({3, 10, 17})


def unit(index: int, prefix: str) -> list[str]:
    """The template lines of one unit (nine resources once SAM has expanded it)."""
    n = f"{prefix}{index}"
    wide = index in WIDE_UNITS
    statements = (
        ["            - {Effect: Allow, Action: 'dynamodb:*', Resource: '*'}"]
        if wide
        else [
            "            - Effect: Allow",
            "              Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:Query]",
            f"              Resource: [!GetAtt Table{n}.Arn, !Sub '${{Table{n}.Arn}}/index/*']",
        ]
    )
    lines = [
        f"  Table{n}:",
        "    Type: AWS::DynamoDB::Table",
        "    Properties:",
        "      BillingMode: PAY_PER_REQUEST",
        "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]",
        "      KeySchema: [{AttributeName: id, KeyType: HASH}]",
        f"  Queue{n}:",
        "    Type: AWS::SQS::Queue",
        f"  Bucket{n}:",
        "    Type: AWS::S3::Bucket",
        f"  Role{n}:",
        "    Type: AWS::IAM::Role",
        "    Properties:",
        "      AssumeRolePolicyDocument:",
        "        Version: '2012-10-17'",
        "        Statement:",
        "          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: 'sts:AssumeRole'}",
        "      Policies:",
        "        - PolicyName: app",
        "          PolicyDocument:",
        "            Version: '2012-10-17'",
        "            Statement:",
        *statements,
        "            - Effect: Allow",
        "              Action: [sqs:SendMessage]",
        f"              Resource: !GetAtt Queue{n}.Arn",
        "            - Effect: Allow",
        "              Action: [s3:GetObject, s3:PutObject]",
        f"              Resource: !Sub '${{Bucket{n}.Arn}}/*'",
        f"  Function{n}:",
        "    Type: AWS::Lambda::Function",
        "    Properties:",
        "      Runtime: python3.12",
        "      Handler: app.handler",
        "      Code: {S3Bucket: bench-code, S3Key: code.zip}",
        f"      Role: !GetAtt Role{n}.Arn",
        "      Environment:",
        f"        Variables: {{TABLE: !Ref Table{n}, QUEUE: !Ref Queue{n}, BUCKET: !Ref Bucket{n}}}",
        f"  Invoke{n}:",
        "    Type: AWS::Lambda::Permission",
        "    Properties:",
        "      Action: lambda:InvokeFunction",
        f"      FunctionName: !Ref Function{n}",
        "      Principal: apigateway.amazonaws.com",
        f"  Worker{n}:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        "      Runtime: python3.12",
        "      Handler: worker.handler",
        "      CodeUri: s3://bench-code/worker.zip",
    ]
    if index % 11 == 10:
        lines.append(f"      Role: !GetAtt Role{prefix}{index - 1}.Arn")
    else:
        lines += ["      Policies:", f"        - DynamoDBReadPolicy: {{TableName: !Ref Table{n}}}"]
    lines += [
        "      Events:",
        f"        Jobs: {{Type: SQS, Properties: {{Queue: !GetAtt Queue{n}.Arn, BatchSize: 10}}}}",
    ]
    if index % 13 == 5:
        lines += [
            f"  BucketPolicy{n}:",
            "    Type: AWS::S3::BucketPolicy",
            "    Properties:",
            f"      Bucket: !Ref Bucket{n}",
            "      PolicyDocument:",
            "        Statement:",
            f"          - {{Effect: Allow, Principal: '*', Action: 's3:GetObject', Resource: !Sub '${{Bucket{n}.Arn}}/*'}}",
        ]
    return lines


def template(units: int, prefix: str = "") -> str:
    """A SAM template of `units` units (about nine resources each once expanded)."""
    lines = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        "Transform: AWS::Serverless-2016-10-31",
        "Resources:",
    ]
    for index in range(units):
        lines += unit(index, prefix)
    return "\n".join(lines) + "\n"


def write(out: Path, resources: int, templates: int = 1) -> list[Path]:
    """Write `templates` templates of about `resources` resources each into `out`."""
    units = max(1, resources // RESOURCES_PER_UNIT)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(templates):
        path = out / (f"t{number:04d}.yaml" if templates > 1 else "template.yaml")
        path.write_text(template(units, prefix=f"T{number}x" if templates > 1 else ""), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write into (created)")
    parser.add_argument(
        "--resources", type=int, default=1000, help="resources per template, about (default 1000)"
    )
    parser.add_argument("--templates", type=int, default=1, help="how many templates (default 1)")
    args = parser.parse_args(argv)
    paths = write(args.out, args.resources, args.templates)
    print(f"wrote {len(paths)} template(s) of about {args.resources} resources to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
