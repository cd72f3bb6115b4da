"""Write synthetic CloudTrail logs in the S3 layout, for the audit benchmark.

    python benchmarks/gen_trail.py /tmp/boundary-trail --size-gb 1.0

Never write into the repository: a gigabyte of logs belongs in /tmp. Files follow
`AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*.json` like a trail bucket, about
`--file-mb` each (S3 trail files are small; uncompressed here so that the size on
disk is the size parsed), plus one `--big-mb` file, which boundary streams event by
event instead of parsing it whole. `--gzip` writes `.json.gz` instead.

The events are those of a busy serverless account: `--roles` roles of several stacks
calling DynamoDB, S3, SNS, SQS, Lambda, KMS and CloudWatch Logs on a few hundred
resources, with AssumeRole calls by AWS services and one call in fifty failing with
AccessDenied. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
REGION = "eu-west-1"

CALLS = [
    ("dynamodb.amazonaws.com", "GetItem", "table"),
    ("dynamodb.amazonaws.com", "PutItem", "table"),
    ("dynamodb.amazonaws.com", "Query", "table"),
    ("dynamodb.amazonaws.com", "UpdateItem", "table"),
    ("s3.amazonaws.com", "GetObject", "object"),
    ("s3.amazonaws.com", "PutObject", "object"),
    ("s3.amazonaws.com", "ListObjectsV2", "bucket"),
    ("sns.amazonaws.com", "Publish", "topic"),
    ("sqs.amazonaws.com", "SendMessage", "queue"),
    ("sqs.amazonaws.com", "ReceiveMessage", "queue"),
    ("lambda.amazonaws.com", "Invoke", "function"),
    ("kms.amazonaws.com", "Decrypt", "key"),
    ("logs.amazonaws.com", "CreateLogStream", None),
]


def _arn(kind: str, index: int) -> list[dict[str, str]]:
    if kind == "table":
        return [
            {
                "accountId": ACCOUNT,
                "type": "AWS::DynamoDB::Table",
                "ARN": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/app-Table{index}-X1",
            }
        ]
    if kind == "object":
        return [
            {"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::app-bucket-{index}/data/part-{index % 7}.json"},
            {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::app-bucket-{index}"},
        ]
    if kind == "bucket":
        return [{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::app-bucket-{index}"}]
    if kind == "topic":
        return [
            {
                "accountId": ACCOUNT,
                "type": "AWS::SNS::Topic",
                "ARN": f"arn:aws:sns:{REGION}:{ACCOUNT}:app-Topic{index}",
            }
        ]
    if kind == "queue":
        return [
            {
                "accountId": ACCOUNT,
                "type": "AWS::SQS::Queue",
                "ARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:app-Queue{index}",
            }
        ]
    if kind == "function":
        return [
            {
                "accountId": ACCOUNT,
                "type": "AWS::Lambda::Function",
                "ARN": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:app-Fn{index}",
            }
        ]
    return [
        {
            "accountId": ACCOUNT,
            "type": "AWS::KMS::Key",
            "ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{index:08d}-0000-4000-8000-000000000000",
        }
    ]


class Events:
    def __init__(self, seed: int, roles: int, resources: int) -> None:
        self.rng = random.Random(seed)
        self.roles = [f"stack{i % 12}-Function{i}Role-{self._suffix()}" for i in range(roles)]
        self.resources = resources
        self.count = 0

    def _suffix(self) -> str:
        return "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13))

    def _identity(self, role: str) -> dict[str, Any]:
        session = f"{role[:20]}-session"
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{self.count % 10**16:016d}:{session}",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}",
            "accountId": ACCOUNT,
            "accessKeyId": f"ASIA{self.count % 10**16:016d}",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLE",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                    "accountId": ACCOUNT,
                    "userName": role,
                },
                "attributes": {"creationDate": "2026-04-01T00:00:00Z", "mfaAuthenticated": "false"},
            },
        }

    def next(self, day: int) -> dict[str, Any]:
        self.count += 1
        rng = self.rng
        second = rng.randrange(86400)
        time = f"2026-04-{day:02d}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"
        role = self.roles[rng.randrange(len(self.roles))]
        record: dict[str, Any] = {
            "eventVersion": "1.09",
            "eventTime": time,
            "awsRegion": REGION,
            "sourceIPAddress": "52.95.4.1",
            "userAgent": "Boto3/1.34.90 md/Botocore#1.34.90 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.12 exec-env/AWS_Lambda_python3.12",
            "requestID": f"{self.count:032x}",
            "eventID": f"{self.count:08x}-0000-4000-8000-{self.count:012x}",
            "eventType": "AwsApiCall",
            "recipientAccountId": ACCOUNT,
        }
        if self.count % 40 == 0:
            record |= {
                "userIdentity": {"type": "AWSService", "invokedBy": "lambda.amazonaws.com"},
                "eventSource": "sts.amazonaws.com",
                "eventName": "AssumeRole",
                "requestParameters": {
                    "roleArn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                    "roleSessionName": "s",
                    "durationSeconds": 3600,
                },
                "responseElements": {
                    "credentials": {
                        "accessKeyId": "ASIAEXAMPLE",
                        "sessionToken": "x" * 300,
                        "expiration": "Apr 1, 2026, 1:00:00 AM",
                    }
                },
                "resources": [
                    {
                        "accountId": ACCOUNT,
                        "type": "AWS::IAM::Role",
                        "ARN": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                    }
                ],
                "readOnly": True,
                "managementEvent": True,
                "eventCategory": "Management",
            }
            return record
        source, name, kind = CALLS[rng.randrange(len(CALLS))]
        record |= {
            "userIdentity": self._identity(role),
            "eventSource": source,
            "eventName": name,
            "requestParameters": {
                "key": {"id": {"S": f"{rng.randrange(10**9):09d}"}},
                "returnConsumedCapacity": "NONE",
            },
            "responseElements": None,
            "readOnly": name.startswith(("Get", "List", "Query", "Receive", "Decrypt")),
            "managementEvent": kind is None,
            "eventCategory": "Management" if kind is None else "Data",
        }
        if kind is not None:
            record["resources"] = _arn(kind, rng.randrange(self.resources))
        if self.count % 50 == 0:
            record["errorCode"] = "AccessDenied"
            record["errorMessage"] = (
                f"User: {record['userIdentity']['arn']} is not authorized to perform: {name}"
            )
        return record


def _write(path: Path, records: list[dict[str, Any]], compress: bool) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"Records": records}, separators=(",", ":")).encode()
    if compress:
        path.write_bytes(gzip.compress(payload, compresslevel=1))
    else:
        path.write_bytes(payload)
    return len(payload)


def generate(
    out: Path,
    size_gb: float,
    file_mb: float,
    big_mb: float,
    compress: bool,
    seed: int,
    roles: int,
    resources: int,
) -> tuple[int, int, int]:
    """Write the logs; returns (files, events, bytes of JSON)."""
    events = Events(seed, roles, resources)
    target = int(size_gb * 1024**3)
    written = files = 0
    suffix = ".json.gz" if compress else ".json"
    plan = [big_mb] + [file_mb] * 10**6
    for index, megabytes in enumerate(plan):
        if written >= target:
            break
        day = 1 + index % 28
        records: list[dict[str, Any]] = []
        size = 0
        limit = int(megabytes * 1024**2)
        while size < limit:
            record = events.next(day)
            records.append(record)
            size += 1200  # about one record, without serialising twice
        folder = out / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION / "2026" / "04" / f"{day:02d}"
        name = f"{ACCOUNT}_CloudTrail_{REGION}_202604{day:02d}T{index % 24:02d}{index % 60:02d}Z_{index:016x}{suffix}"
        written += _write(folder / name, records, compress)
        files += 1
    return files, events.count, written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "out", type=Path, help="folder to write (outside the repository, e.g. /tmp/boundary-trail)"
    )
    parser.add_argument("--size-gb", type=float, default=1.0, help="JSON to write, in GiB (default 1.0)")
    parser.add_argument("--file-mb", type=float, default=8.0, help="size of each file (default 8 MiB)")
    parser.add_argument(
        "--big-mb", type=float, default=96.0, help="size of the one big file (default 96 MiB)"
    )
    parser.add_argument("--gzip", action="store_true", help="write .json.gz files")
    parser.add_argument("--roles", type=int, default=60)
    parser.add_argument("--resources", type=int, default=40, help="resources of each kind")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    if args.out.resolve().is_relative_to(root):
        print(f"gen_trail.py: refusing to write into the repository ({args.out}); use /tmp", file=sys.stderr)
        return 2
    files, count, size = generate(
        args.out, args.size_gb, args.file_mb, args.big_mb, args.gzip, args.seed, args.roles, args.resources
    )
    print(f"wrote {files} files, {count} events, {size / 1024**3:.2f} GiB of JSON to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
