"""Realistic CloudTrail records for the audit tests, written the way AWS writes them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
REGION = "eu-west-1"


def assumed(role: str, session: str = "session-1") -> dict[str, Any]:
    """The userIdentity of a call made with an assumed role's session."""
    return {
        "type": "AssumedRole",
        "principalId": f"AROAEXAMPLEID0000001:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAEXAMPLEKEY000001",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEID0000001",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/{role}",
                "accountId": ACCOUNT,
                "userName": role,
            },
            "attributes": {"creationDate": "2026-04-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def service(name: str) -> dict[str, Any]:
    return {"type": "AWSService", "invokedBy": name}


def user(name: str) -> dict[str, Any]:
    return {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLEID0000001",
        "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "accountId": ACCOUNT,
        "userName": name,
    }


_counter = [0]


def event(
    identity: dict[str, Any],
    source: str,
    name: str,
    time: str = "2026-04-02T10:00:00Z",
    *,
    resources: list[tuple[str, str]] | None = None,
    error: str | None = None,
    data: bool = False,
    request: dict[str, Any] | None = None,
) -> dict[str, Any]:
    _counter[0] += 1
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": identity.get("invokedBy") or "203.0.113.10",
        "userAgent": identity.get("invokedBy") or "Boto3/1.34.90 Python/3.12",
        "requestParameters": request,
        "responseElements": None,
        "requestID": f"req-{_counter[0]:06d}",
        "eventID": f"00000000-0000-4000-8000-{_counter[0]:012d}",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": not data,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Data" if data else "Management",
    }
    if resources:
        record["resources"] = [{"accountId": ACCOUNT, "type": kind, "ARN": arn} for kind, arn in resources]
    if error:
        record["errorCode"] = error
        record["errorMessage"] = f"{error}: the request failed"
    return record


def table(name: str) -> tuple[str, str]:
    return ("AWS::DynamoDB::Table", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}")


def role_resource(name: str) -> tuple[str, str]:
    return ("AWS::IAM::Role", f"arn:aws:iam::{ACCOUNT}:role/{name}")


def write_records(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"Records": records}).encode()
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(payload))
    else:
        path.write_bytes(payload)
    return path


def write_lookup_events(path: Path, records: list[dict[str, Any]]) -> Path:
    """What `aws cloudtrail lookup-events` prints: the event as a JSON string inside."""
    events = [
        {
            "EventId": r["eventID"],
            "EventName": r["eventName"],
            "ReadOnly": "false",
            "EventTime": r["eventTime"].replace("Z", "+00:00"),
            "EventSource": r["eventSource"],
            "Resources": [
                {"ResourceType": x["type"], "ResourceName": x["ARN"]} for x in r.get("resources", [])
            ],
            "CloudTrailEvent": json.dumps(r),
        }
        for r in records
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"Events": events, "NextToken": None}, indent=2))
    return path
