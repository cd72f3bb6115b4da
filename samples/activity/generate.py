#!/usr/bin/env python3
"""Write the airline sample's access activity: a month of CloudTrail as AWS exports it.

    python samples/activity/generate.py            # rewrites samples/activity/airline/

The secure airline sample (samples/sam/secure/template.yaml) deployed as the stack
`airline-prod` in account 111122223333, eu-west-1, April 2026. Deterministic (fixed
seed, gzip without timestamps), so a test can check the committed files are this
script's output. What is written:

* `AWSLogs/.../CloudTrail/eu-west-1/2026/04/DD/*.json.gz`: S3-delivered trail files
  (`{"Records": [...]}`), 1 to 25 April: management and data events, AssumeRole by
  Lambda, Step Functions and AppSync, failed calls (AccessDenied, a conditional check
  failure) that are not use, an IAM user, and the roles of two other stacks: the same
  template deployed as `airline-staging` (it scans the loyalty table) and an unrelated
  `payments-prod`;
* `lookup-events/2026-04-26.json`: `aws cloudtrail lookup-events` output, 26 to 30 April;
* `access-advisor/ProcessBookingRole.json`: `aws iam get-service-last-accessed-details`
  for the state machine's role, at action level for Lambda.

The grants left unused on purpose are `SEEDED_UNUSED` (per template role: the
actions) and `SEEDED_NEVER_USED` (roles with no activity at all); `boundary audit
samples/sam/secure/template.yaml --activity samples/activity/airline --stack
airline-prod` must report exactly these.
"""

from __future__ import annotations

import gzip
import json
import random
import shutil
import string
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "airline"
ACCOUNT = "111122223333"
REGION = "eu-west-1"
STACK = "airline-prod"

SEEDED_UNUSED: dict[str, set[str]] = {
    "ReserveBookingRole": {"dynamodb:UpdateItem", "dynamodb:BatchWriteItem"},
    "NotifyBookingRole": {"logs:CreateLogGroup"},
    "IngestLoyaltyRole": {"dynamodb:BatchWriteItem"},
    "GetLoyaltyRole": {"dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"},
}
SEEDED_NEVER_USED = {"CancelBookingRole"}

rng = random.Random(20260401)


def _suffix(n: int = 13) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))


def _physical(stack: str, logical: str) -> str:
    return f"{stack}-{logical}-{_suffix()}"


ROLES = {
    logical: _physical(STACK, logical)
    for logical in (
        "ReserveBookingRole",
        "ConfirmBookingRole",
        "CancelBookingRole",
        "NotifyBookingRole",
        "IngestLoyaltyRole",
        "GetLoyaltyRole",
        "ProcessBookingRole",
        "AppSyncLoyaltyRole",
    )
}
STAGING_GET_LOYALTY = _physical("airline-staging", "GetLoyaltyRole")
PAYMENTS_ROLE = _physical("payments-prod", "ChargeRole")
BOOKING_TABLE = _physical(STACK, "BookingTable")
LOYALTY_TABLE = _physical(STACK, "LoyaltyTable")
PAYMENTS_TABLE = _physical("payments-prod", "ChargesTable")
TOPIC = _physical(STACK, "BookingTopic")
FUNCTIONS = {
    name: f"{STACK}-{name}-{_suffix(12)}"
    for name in ("ReserveBooking", "ConfirmBooking", "CancelBooking", "NotifyBooking")
}


def _role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def _table_arn(name: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def _function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def _id() -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(32))


def _uuid() -> str:
    h = _id()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _assumed(role_name: str, session: str) -> dict[str, Any]:
    return {
        "type": "AssumedRole",
        "principalId": f"AROA{_suffix(17)}:{session}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/{session}",
        "accountId": ACCOUNT,
        "accessKeyId": f"ASIA{_suffix(16)}",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": f"AROA{_suffix(17)}",
                "arn": _role_arn(role_name),
                "accountId": ACCOUNT,
                "userName": role_name,
            },
            "attributes": {"creationDate": "2026-04-01T00:00:00Z", "mfaAuthenticated": "false"},
        },
    }


def _event(
    time: str,
    identity: dict[str, Any],
    source: str,
    name: str,
    *,
    resources: list[tuple[str, str]] = (),  # type: ignore[assignment]
    request: dict[str, Any] | None = None,
    data: bool = False,
    error: tuple[str, str] | None = None,
    read_only: bool = False,
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": identity.get("invokedBy") or "52.95.4.1",
        "userAgent": identity.get("invokedBy")
        or "Boto3/1.34.90 md/Botocore#1.34.90 Python/3.12 exec-env/AWS_Lambda_python3.12",
        "requestParameters": request,
        "responseElements": None,
        "requestID": _uuid(),
        "eventID": _uuid(),
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": not data,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Data" if data else "Management",
    }
    if resources:
        event["resources"] = [{"accountId": ACCOUNT, "type": kind, "ARN": arn} for kind, arn in resources]
    if error:
        event["errorCode"], event["errorMessage"] = error
    return event


def _assume_role(time: str, service: str, role_name: str, session: str) -> dict[str, Any]:
    event = _event(
        time,
        {"type": "AWSService", "invokedBy": service},
        "sts.amazonaws.com",
        "AssumeRole",
        resources=[("AWS::IAM::Role", _role_arn(role_name))],
        request={"roleArn": _role_arn(role_name), "roleSessionName": session},
        read_only=True,
    )
    event["sharedEventID"] = _uuid()
    return event


def _logs(time: str, identity: dict[str, Any], name: str, group: str) -> dict[str, Any]:
    return _event(
        time,
        identity,
        "logs.amazonaws.com",
        name,
        request={"logGroupName": group, "logStreamName": f"2026/04/01/[$LATEST]{_id()}"},
    )


def _dynamodb(
    time: str, identity: dict[str, Any], name: str, table: str, error: tuple[str, str] | None = None
) -> dict[str, Any]:
    return _event(
        time,
        identity,
        "dynamodb.amazonaws.com",
        name,
        resources=[("AWS::DynamoDB::Table", _table_arn(table))],
        request={"tableName": table, "key": {"id": {"S": _id()[:8]}}},
        data=True,
        error=error,
        read_only=name in ("GetItem", "Query", "Scan", "BatchGetItem", "DescribeTable"),
    )


def _function_day(
    day: int, hour: int, function: str, role: str, calls: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A cold start: Lambda assumes the role, the runtime makes the log stream, then the handler's calls."""
    time = f"2026-04-{day:02d}T{hour:02d}:00:00Z"
    session = f"{STACK}-{function}-{_suffix(8)}"
    ident = _assumed(ROLES[role], session)
    group = f"/aws/lambda/{FUNCTIONS.get(function, function)}"
    events = [_assume_role(time, "lambda.amazonaws.com", ROLES[role], session)]
    if role != "NotifyBookingRole":  # its log group was made by hand: CreateLogGroup never runs
        create = _logs(time, ident, "CreateLogGroup", group)
        if day > 1:  # it exists after the first cold start: the call fails, and is not use
            create["errorCode"] = "ResourceAlreadyExistsException"
            create["errorMessage"] = "The specified log group already exists."
        events.append(create)
    events.append(_logs(f"2026-04-{day:02d}T{hour:02d}:00:01Z", ident, "CreateLogStream", group))
    for index, call in enumerate(calls):
        minute = 1 + index
        kind, name, target, *rest = call["call"]
        stamp = f"2026-04-{day:02d}T{hour:02d}:{minute:02d}:30Z"
        error = rest[0] if rest else None
        if kind == "dynamodb":
            events.append(_dynamodb(stamp, ident, name, target, error))
        elif kind == "sns":
            events.append(
                _event(
                    stamp,
                    ident,
                    "sns.amazonaws.com",
                    name,
                    resources=[("AWS::SNS::Topic", target)],
                    request={"topicArn": target},
                    data=True,
                    error=error,
                )
            )
    return events


def _day_events(day: int) -> list[dict[str, Any]]:
    topic_arn = f"arn:aws:sns:{REGION}:{ACCOUNT}:{TOPIC}"
    events: list[dict[str, Any]] = []
    events += _function_day(
        day,
        8,
        "ReserveBooking",
        "ReserveBookingRole",
        [
            {"call": ("dynamodb", "PutItem", BOOKING_TABLE)},
            {"call": ("dynamodb", "PutItem", BOOKING_TABLE)},
        ],
    )
    if day % 5 == 0:  # an update the table refused: a failed call is not use
        events += _function_day(
            day,
            9,
            "ReserveBooking",
            "ReserveBookingRole",
            [
                {
                    "call": (
                        "dynamodb",
                        "UpdateItem",
                        BOOKING_TABLE,
                        ("ConditionalCheckFailedException", "The conditional request failed"),
                    )
                },
                {
                    "call": (
                        "dynamodb",
                        "DeleteItem",
                        BOOKING_TABLE,
                        (
                            "AccessDenied",
                            f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{ROLES['ReserveBookingRole']}/x is not authorized to perform: dynamodb:DeleteItem",
                        ),
                    )
                },
            ],
        )
    events += _function_day(
        day, 10, "ConfirmBooking", "ConfirmBookingRole", [{"call": ("dynamodb", "UpdateItem", BOOKING_TABLE)}]
    )
    events += _function_day(
        day, 11, "NotifyBooking", "NotifyBookingRole", [{"call": ("sns", "Publish", topic_arn)}]
    )
    events += _function_day(
        day,
        12,
        "IngestLoyalty",
        "IngestLoyaltyRole",
        [
            {"call": ("dynamodb", "PutItem", LOYALTY_TABLE)},
            {"call": ("dynamodb", "UpdateItem", LOYALTY_TABLE)},
        ],
    )
    events += _function_day(
        day,
        13,
        "GetLoyalty",
        "GetLoyaltyRole",
        [
            {"call": ("dynamodb", "GetItem", LOYALTY_TABLE)},
            {"call": ("dynamodb", "Query", LOYALTY_TABLE)},
        ],
    )
    # the state machine: Step Functions assumes its role and invokes three of the four functions
    stamp = f"2026-04-{day:02d}T14:00:00Z"
    session = f"states-{_suffix(10)}"
    events.append(_assume_role(stamp, "states.amazonaws.com", ROLES["ProcessBookingRole"], session))
    machine = _assumed(ROLES["ProcessBookingRole"], session)
    for index, function in enumerate(("ReserveBooking", "ConfirmBooking", "NotifyBooking")):
        arn = _function_arn(FUNCTIONS[function])
        events.append(
            _event(
                f"2026-04-{day:02d}T14:00:{10 + index:02d}Z",
                machine,
                "lambda.amazonaws.com",
                "Invoke",
                resources=[("AWS::Lambda::Function", arn)],
                request={"functionName": arn},
                data=True,
            )
        )
    # AppSync assumes its role to sign calls to the loyalty API (execute-api calls are not logged)
    events.append(
        _assume_role(
            f"2026-04-{day:02d}T15:00:00Z",
            "appsync.amazonaws.com",
            ROLES["AppSyncLoyaltyRole"],
            f"appsync-{_suffix(8)}",
        )
    )
    # the same template deployed as airline-staging: it scans the loyalty table
    staging = _assumed(STAGING_GET_LOYALTY, f"airline-staging-GetLoyalty-{_suffix(8)}")
    events.append(
        _dynamodb(
            f"2026-04-{day:02d}T16:00:00Z", staging, "Scan", _physical("airline-staging", "LoyaltyTable")
        )
    )
    # an unrelated stack, and a person in the console
    payments = _assumed(PAYMENTS_ROLE, f"payments-prod-Charge-{_suffix(8)}")
    events.append(_dynamodb(f"2026-04-{day:02d}T17:00:00Z", payments, "PutItem", PAYMENTS_TABLE))
    events.append(_dynamodb(f"2026-04-{day:02d}T17:00:05Z", payments, "BatchWriteItem", PAYMENTS_TABLE))
    alice = {
        "type": "IAMUser",
        "principalId": "AIDA" + _suffix(17),
        "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "accountId": ACCOUNT,
        "userName": "alice",
    }
    events.append(_dynamodb(f"2026-04-{day:02d}T18:00:00Z", alice, "DescribeTable", LOYALTY_TABLE))
    return events


def _gzip(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as handle:
        handle.write(payload)


def _records_file(day: int, part: int, events: list[dict[str, Any]]) -> None:
    folder = OUT / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION / "2026" / "04" / f"{day:02d}"
    name = f"{ACCOUNT}_CloudTrail_{REGION}_202604{day:02d}T{part:02d}00Z_{_suffix(16)}.json.gz"
    _gzip(folder / name, json.dumps({"Records": events}, separators=(",", ":")).encode())


def _lookup_events(days: range) -> None:
    """`aws cloudtrail lookup-events` shows management events only."""
    entries = []
    for day in days:
        for event in _day_events(day):
            if not event["managementEvent"]:
                continue
            entries.append(
                {
                    "EventId": event["eventID"],
                    "EventName": event["eventName"],
                    "ReadOnly": str(event["readOnly"]).lower(),
                    "EventTime": event["eventTime"].replace("Z", "+00:00"),
                    "EventSource": event["eventSource"],
                    "Username": event["userIdentity"].get("userName")
                    or event["userIdentity"].get("invokedBy", ""),
                    "Resources": [
                        {"ResourceType": r["type"], "ResourceName": r["ARN"]}
                        for r in event.get("resources", [])
                    ],
                    "CloudTrailEvent": json.dumps(event, separators=(",", ":")),
                }
            )
    entries.reverse()  # newest first, as the CLI prints them
    path = OUT / "lookup-events" / "2026-04-26.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"Events": entries}, indent=4) + "\n", encoding="utf-8")


def _access_advisor() -> None:
    role = _role_arn(ROLES["ProcessBookingRole"])
    report = {
        "JobStatus": "COMPLETED",
        "JobType": "ACTION_LEVEL",
        "JobCreationDate": "2026-05-01T09:00:00.000000+00:00",
        "ServicesLastAccessed": [
            {
                "ServiceName": "AWS Lambda",
                "LastAuthenticated": "2026-04-25T14:00:12+00:00",
                "ServiceNamespace": "lambda",
                "LastAuthenticatedEntity": role,
                "LastAuthenticatedRegion": REGION,
                "TotalAuthenticatedEntities": 1,
                "TrackedActionsLastAccessed": [
                    {
                        "ActionName": "InvokeFunction",
                        "LastAccessedEntity": role,
                        "LastAccessedTime": "2026-04-25T14:00:12+00:00",
                        "LastAccessedRegion": REGION,
                    }
                ],
            },
            {
                "ServiceName": "Amazon DynamoDB",
                "ServiceNamespace": "dynamodb",
                "TotalAuthenticatedEntities": 0,
            },
        ],
        "JobCompletionDate": "2026-05-01T09:00:03.000000+00:00",
        "IsTruncated": False,
    }
    path = OUT / "access-advisor" / "ProcessBookingRole.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=4) + "\n", encoding="utf-8")


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    for day in range(1, 26):
        events = _day_events(day)
        half = len(events) // 2
        _records_file(day, 0, events[:half])
        _records_file(day, 12, events[half:])
    _lookup_events(range(26, 31))
    _access_advisor()


if __name__ == "__main__":
    main()
