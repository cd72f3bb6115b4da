"""Reading access activity: every input format, failed calls, periods, bounded streaming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boundary.iam import catalog
from boundary.load.activity import ACTION_EXCEPTIONS, event_action, load_activity

from ._trail import assumed, event, role_resource, service, table, user, write_lookup_events, write_records

ROLE = "airline-prod-ReserveBookingRole-1PA40RLHC69VH"
OTHER = "payments-prod-ChargeRole-7QX2M3B9Z1K0C"
ROLE_ARN = f"arn:aws:iam::111122223333:role/{ROLE}"


def _trail(tmp_path: Path) -> Path:
    """Two stacks' roles, management and data events, AssumeRole, errors, gzip, nested folders."""
    root = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail" / "eu-west-1" / "2026" / "04"
    bookings = table("airline-prod-BookingTable-1X2Y3Z")
    write_records(
        root / "02" / "111122223333_CloudTrail_eu-west-1_20260402T1000Z_a.json.gz",
        [
            event(
                service("lambda.amazonaws.com"),
                "sts.amazonaws.com",
                "AssumeRole",
                resources=[role_resource(ROLE)],
            ),
            event(assumed(ROLE), "logs.amazonaws.com", "CreateLogStream"),
            event(assumed(ROLE), "dynamodb.amazonaws.com", "PutItem", resources=[bookings], data=True),
            event(
                assumed(ROLE),
                "dynamodb.amazonaws.com",
                "PutItem",
                "2026-04-02T11:00:00Z",
                resources=[bookings],
                data=True,
            ),
            event(
                assumed(ROLE),
                "dynamodb.amazonaws.com",
                "DeleteItem",
                resources=[bookings],
                error="AccessDenied",
                data=True,
            ),
        ],
    )
    write_records(
        root / "03" / "111122223333_CloudTrail_eu-west-1_20260403T1000Z_b.json",
        [
            event(
                assumed(ROLE),
                "dynamodb.amazonaws.com",
                "UpdateItem",
                "2026-04-03T09:00:00Z",
                resources=[bookings],
                error="ConditionalCheckFailedException",
                data=True,
            ),
            event(
                assumed(OTHER),
                "dynamodb.amazonaws.com",
                "PutItem",
                "2026-04-03T09:30:00Z",
                resources=[table("charges")],
                data=True,
            ),
            event(
                user("alice"),
                "dynamodb.amazonaws.com",
                "DescribeTable",
                "2026-04-03T10:00:00Z",
                resources=[bookings],
            ),
            event(
                assumed(ROLE),
                "lambda.amazonaws.com",
                "UpdateFunctionConfiguration20150331v2",
                "2026-04-03T11:00:00Z",
            ),
        ],
    )
    return tmp_path / "AWSLogs"


def _lines(activity):  # type: ignore[no-untyped-def]
    return {(a.principal, a.action, a.resource): a.count for a in activity.accesses}


def test_s3_trail_tree_with_gzip_failed_calls_and_other_principals(tmp_path: Path) -> None:
    activity = load_activity([_trail(tmp_path)])
    assert not activity.errors
    assert len(activity.files) == 2
    assert activity.events == 9
    assert activity.failed == 2  # AccessDenied and a failed conditional update: not use
    lines = _lines(activity)
    bookings = table("airline-prod-BookingTable-1X2Y3Z")[1]
    assert lines[(ROLE_ARN, "dynamodb:PutItem", bookings)] == 2
    assert (ROLE_ARN, "dynamodb:DeleteItem", bookings) not in lines
    assert (ROLE_ARN, "dynamodb:UpdateItem", bookings) not in lines
    assert lines[(ROLE_ARN, "logs:CreateLogStream", None)] == 1
    assert lines[(ROLE_ARN, "lambda:UpdateFunctionConfiguration", None)] == 1
    assert lines[("lambda.amazonaws.com", "sts:AssumeRole", role_resource(ROLE)[1])] == 1
    assert ("arn:aws:iam::111122223333:user/alice", "dynamodb:DescribeTable", bookings) in lines
    assert any(p.endswith(OTHER) for p, _, _ in lines)
    put = next(a for a in activity.accesses if a.action == "dynamodb:PutItem" and a.principal == ROLE_ARN)
    assert (put.first_seen, put.last_seen) == ("2026-04-02T10:00:00Z", "2026-04-02T11:00:00Z")


def test_period_is_inclusive_since_exclusive_until(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    only_third = load_activity([trail], since="2026-04-03", until="2026-04-03T10:00:00Z")
    assert only_third.events == 2  # the failed update and the other stack's put
    assert {a.action for a in only_third.accesses} == {"dynamodb:PutItem"}
    assert only_third.since == "2026-04-03T00:00:00Z"


def test_lookup_events_output_reads_the_event_inside(tmp_path: Path) -> None:
    records = [
        event(assumed(ROLE), "logs.amazonaws.com", "CreateLogGroup", "2026-04-20T08:00:00Z"),
        event(
            assumed(ROLE),
            "logs.amazonaws.com",
            "CreateLogGroup",
            "2026-04-21T08:00:00Z",
            error="ResourceAlreadyExistsException",
        ),
        event(
            service("states.amazonaws.com"),
            "sts.amazonaws.com",
            "AssumeRole",
            "2026-04-21T09:00:00Z",
            resources=[role_resource(ROLE)],
        ),
    ]
    path = write_lookup_events(tmp_path / "events.json", records)
    activity = load_activity([path])
    assert not activity.errors
    assert (activity.events, activity.failed) == (3, 1)
    assert _lines(activity) == {
        (ROLE_ARN, "logs:CreateLogGroup", None): 1,
        ("states.amazonaws.com", "sts:AssumeRole", role_resource(ROLE)[1]): 1,
    }


def test_big_files_stream_to_the_same_result(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    whole = load_activity([trail])
    streamed = load_activity([trail], limit=1)  # every file counts as too big to parse at once
    assert streamed.accesses == whole.accesses
    assert (streamed.events, streamed.failed) == (whole.events, whole.failed)


def test_access_advisor_service_and_action_level(tmp_path: Path) -> None:
    report = {
        "JobStatus": "COMPLETED",
        "JobType": "ACTION_LEVEL",
        "ServicesLastAccessed": [
            {
                "ServiceName": "AWS Lambda",
                "ServiceNamespace": "lambda",
                "LastAuthenticated": "2026-04-25T14:00:12+00:00",
                "LastAuthenticatedEntity": ROLE_ARN,
                "TotalAuthenticatedEntities": 1,
                "TrackedActionsLastAccessed": [
                    {
                        "ActionName": "InvokeFunction",
                        "LastAccessedEntity": ROLE_ARN,
                        "LastAccessedTime": "2026-04-25T14:00:12+00:00",
                    },
                    {"ActionName": "GetFunction"},  # tracked, never used
                ],
            },
            {
                "ServiceName": "Amazon DynamoDB",
                "ServiceNamespace": "dynamodb",
                "LastAuthenticated": "2026-04-24T10:00:00+00:00",
                "LastAuthenticatedEntity": ROLE_ARN,
                "TotalAuthenticatedEntities": 1,
            },
            {"ServiceName": "Amazon SNS", "ServiceNamespace": "sns", "TotalAuthenticatedEntities": 0},
        ],
        "IsTruncated": False,
    }
    path = tmp_path / "advisor.json"
    path.write_text(json.dumps(report))
    activity = load_activity([path])
    assert not activity.errors
    got = {(a.principal, a.service, a.action, a.last_seen) for a in activity.accesses}
    assert got == {
        (ROLE_ARN, "lambda", None, "2026-04-25T14:00:12Z"),
        (ROLE_ARN, "lambda", "lambda:InvokeFunction", "2026-04-25T14:00:12Z"),
        (ROLE_ARN, "dynamodb", None, "2026-04-24T10:00:00Z"),
    }


def test_query_csv(tmp_path: Path) -> None:
    path = tmp_path / "aggregate.csv"
    path.write_text(
        "principal,eventsource,eventname,resource,first_seen,last_seen,count\n"
        f"{ROLE_ARN},dynamodb.amazonaws.com,GetItem,arn:aws:dynamodb:eu-west-1:111122223333:table/t,"
        "2026-04-01 08:00:00.000,2026-04-30 09:00:00.000,42\n"
        f"{ROLE_ARN},logs.amazonaws.com,CreateLogStream,,2026-04-01T08:00:00Z,2026-04-01T08:00:00Z,1\n"
    )
    activity = load_activity([path])
    assert not activity.errors
    assert activity.events == 43
    get = next(a for a in activity.accesses if a.action == "dynamodb:GetItem")
    assert (get.count, get.first_seen, get.last_seen) == (42, "2026-04-01T08:00:00Z", "2026-04-30T09:00:00Z")
    assert next(a for a in activity.accesses if a.action == "logs:CreateLogStream").resource is None


def test_bad_files_are_one_located_line_each_and_the_rest_is_read(tmp_path: Path) -> None:
    trail = _trail(tmp_path)
    (trail / "broken.json").write_text('{"Records": [ {"eventTime": ')
    (trail / "other.json").write_text('{"Something": []}')
    (tmp_path / "wrong.csv").write_text("a,b\n1,2\n")
    activity = load_activity([trail, tmp_path / "wrong.csv", tmp_path / "missing"])
    messages = sorted(str(e) for e in activity.errors)
    assert len(messages) == 4, messages
    assert any("broken.json" in m and "invalid JSON" in m for m in messages)
    assert any("other.json" in m and "not CloudTrail logs" in m for m in messages)
    assert any("wrong.csv" in m and "missing column(s)" in m for m in messages)
    assert any("missing" in m and "no such file" in m for m in messages)
    assert activity.events == 9  # the good files were still read
    assert all("\n" not in m for m in messages)


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        ("dynamodb.amazonaws.com", "PutItem", ("dynamodb:PutItem",)),
        ("lambda.amazonaws.com", "Invoke", ("lambda:InvokeFunction",)),
        ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2", ("lambda:UpdateFunctionCode",)),
        ("lambda.amazonaws.com", "GetFunction20150331", ("lambda:GetFunction",)),
        ("s3.amazonaws.com", "ListObjectsV2", ("s3:ListBucket",)),
        ("s3.amazonaws.com", "HeadObject", ("s3:GetObject",)),
        ("s3.amazonaws.com", "CopyObject", ("s3:GetObject", "s3:PutObject")),
        ("s3.amazonaws.com", "ListBuckets", ("s3:ListAllMyBuckets",)),
        ("monitoring.amazonaws.com", "PutMetricData", ("cloudwatch:PutMetricData",)),
        ("email.amazonaws.com", "SendEmail", ("ses:SendEmail",)),
        ("kms.amazonaws.com", "ReEncrypt", ("kms:ReEncryptFrom", "kms:ReEncryptTo")),
        ("dynamodb.amazonaws.com", "TransactWriteItems", ()),
        ("sts.amazonaws.com", "GetCallerIdentity", ()),
        ("dynamodb.amazonaws.com", "NoSuchCall", None),
        ("nosuchservice.amazonaws.com", "Anything", None),
    ],
)
def test_event_to_action(source: str, name: str, expected: tuple[str, ...] | None) -> None:
    assert event_action(source, name) == expected


def test_every_documented_exception_names_real_actions() -> None:
    cat = catalog()
    for (service_prefix, name), actions in ACTION_EXCEPTIONS.items():
        for action in actions:
            info = cat.action(action)
            assert info is not None and info.name == action, (service_prefix, name, action)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text(encoding="utf-8")
    for service_prefix, name in ACTION_EXCEPTIONS:
        assert f"`{name}`" in doc, f"{service_prefix} {name} is not documented in docs/audit.md"


def test_unmapped_events_are_counted_not_credited(tmp_path: Path) -> None:
    path = write_records(
        tmp_path / "t.json",
        [
            event(assumed(ROLE), "dynamodb.amazonaws.com", "NoSuchCall"),
            event(assumed(ROLE), "dynamodb.amazonaws.com", "TransactWriteItems", data=True),
        ],
    )
    activity = load_activity([path])
    assert activity.unmapped == {("dynamodb.amazonaws.com", "NoSuchCall"): 1}
    assert {a.action for a in activity.accesses} == {None}
