"""Benchmark of boundary.iam: normalise and validate 10,000 policy statements.

A script, not a timed test: `python benchmarks/bench_iam.py` prints the numbers.
The statements are a realistic serverless mix (DynamoDB CRUD, S3 objects, logs,
queues, topics, invocations, some wildcards and some mistakes), grouped five to
a policy as SAM policy templates and inline policies usually are.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from typing import Any

from boundary.iam import Catalog, normalize_policy, validate_policy

ACCOUNT, REGION = "123456789012", "us-east-1"


def statement(rng: random.Random, n: int) -> dict[str, Any]:
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Table{n % 97}"
    bucket = f"arn:aws:s3:::bucket-{n % 53}"
    choices: list[dict[str, Any]] = [
        {
            "Action": [
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:Query",
                "dynamodb:Scan",
            ],
            "Resource": [table, f"{table}/index/*"],
        },
        {"Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{bucket}/*"},
        {"Action": "s3:ListBucket", "Resource": bucket},
        {
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/fn{n % 31}:*",
        },
        {
            "Action": [
                "sqs:SendMessage",
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
            ],
            "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:queue{n % 41}",
        },
        {"Action": "sns:Publish", "Resource": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic{n % 29}"},
        {
            "Action": "lambda:InvokeFunction",
            "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:fn{n % 31}",
        },
        {"Action": "dynamodb:*", "Resource": "*"},
        {"Action": ["s3:Get*", "s3:List*"], "Resource": [bucket, f"{bucket}/*"]},
        {"Action": "iam:PassRole", "Resource": "*"},
        {"Action": "dynamodb:UpdateItem", "Resource": f"arn:aws:sns:{REGION}:{ACCOUNT}:topic{n % 29}"},
        {
            "Action": "secretsmanager:GetSecretValue",
            "Resource": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/{n % 13}-*",
        },
        {
            "Action": ["states:StartExecution"],
            "Resource": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:sm{n % 7}",
        },
        {
            "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
            "Resource": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/s{n % 11}",
        },
        {"Action": "events:PutEvents", "Resource": f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"},
        {"Action": "dynamodb:GetItems", "Resource": table},
    ]
    weights = [14, 12, 6, 14, 8, 6, 6, 3, 4, 2, 1, 4, 4, 3, 3, 1]
    body = dict(rng.choices(choices, weights)[0])
    return {"Sid": f"S{n}", "Effect": "Allow", **body}


def main() -> None:
    rng = random.Random(7)
    statements = [statement(rng, n) for n in range(10_000)]
    policies = [{"Version": "2012-10-17", "Statement": statements[i : i + 5]} for i in range(0, 10_000, 5)]
    catalog = Catalog()

    started = time.perf_counter()
    documents = [normalize_policy(raw) for raw in policies]
    normalised = time.perf_counter() - started

    started = time.perf_counter()
    issues = [issue for document in documents for issue in validate_policy(document, using=catalog)]
    first = time.perf_counter() - started

    started = time.perf_counter()
    for document in documents:
        validate_policy(document, using=catalog)
    second = time.perf_counter() - started

    print("10,000 statements in 2,000 policies")
    print(f"  normalise:                       {normalised * 1000:8.1f} ms")
    print(f"  validate (cold catalog):         {first * 1000:8.1f} ms")
    print(f"  validate (warm catalog):         {second * 1000:8.1f} ms")
    print(f"  per statement (warm):            {second / 10_000 * 1e6:8.1f} us")
    print(f"  services loaded: {', '.join(catalog.loaded_services())}")
    print("  issues:", dict(sorted(Counter(issue.check for issue in issues).items())))

    lazy = Catalog()
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/Bookings"
    started = time.perf_counter()
    found = validate_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Put*"],
                    "Resource": [table, f"{table}/index/*"],
                }
            ],
        },
        using=lazy,
    )
    elapsed = time.perf_counter() - started
    print("\none DynamoDB policy on a fresh catalog")
    print(
        f"  validate: {elapsed * 1000:.1f} ms, issues: {len(found)}, loaded_services(): {lazy.loaded_services()}"
    )


if __name__ == "__main__":
    main()
