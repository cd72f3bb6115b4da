"""Offline policy validation: every check has a failing (Invalid) and a passing (Valid) policy."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest

from boundary.iam import CHECKS, Catalog, IssueSeverity, PolicyIssue, normalize_policy, validate_policy
from boundary.model import Location, PolicyDocument, Statement, Symbolic

V = "2012-10-17"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Bookings"
TOPIC = "arn:aws:sns:us-east-1:123456789012:BookingTopic"
ROLE = "arn:aws:iam::123456789012:role/Exec"


def policy(*statements: Any, version: Any = V) -> dict[str, Any]:
    out: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        out["Version"] = version
    return out


def allow(action: Any = "dynamodb:GetItem", resource: Any = TABLE, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


SERVICE = {"Service": "lambda.amazonaws.com"}
TRUST_OK = {"Effect": "Allow", "Principal": SERVICE, "Action": "sts:AssumeRole"}
BUCKET_OK = {
    "Effect": "Allow",
    "Principal": {"AWS": ROLE},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::b/*",
}
NOT_PRINCIPAL = {
    "Effect": "Allow",
    "NotPrincipal": {"AWS": ROLE},
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::b/*",
}
UNDEFINED = Symbolic("${TableNme}", reason="undefined parameter TableNme")

# (check, kind, invalid policy, valid policy). The valid one is as close to the
# invalid one as possible, so the test shows what makes the difference.
CASES: list[tuple[str, str, Any, Any]] = [
    ("invalid-json", "identity", '{"Version": "2012-10-17", "Statement": [}', json.dumps(policy(allow()))),
    ("invalid-document", "identity", ["not", "an", "object"], policy(allow())),
    ("missing-statement", "identity", {"Version": V}, policy(allow())),
    ("missing-statement", "identity", {"Version": V, "Statement": None}, policy(allow())),
    (
        "nested-list",
        "identity",
        policy(allow(action=[["s3:GetObject"]])),
        policy(allow(action=["s3:GetObject"])),
    ),
    ("nested-list", "identity", policy(allow(resource=[[TABLE]])), policy(allow(resource=[TABLE]))),
    ("nested-list", "resource", policy({**BUCKET_OK, "Principal": {"AWS": [[ROLE]]}}), policy(BUCKET_OK)),
    (
        "unmatchable-condition",
        "trust",
        policy(
            {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"accounts.google.com:aud": "app.apps.googleusercontent.com"}},
            }
        ),
        policy(
            {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringNotEquals": {"accounts.google.com:aud": "app.apps.googleusercontent.com"}
                },
            }
        ),
    ),
    (
        "unmatchable-condition",
        "trust",
        policy(
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB12"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/AB12:clusterID": "c1"}},
            }
        ),
        policy(
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB12/"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "OIDC.eks.us-east-1.amazonaws.com/id/AB12:Sub": "system:serviceaccount:a:b"
                    }
                },
            }
        ),
    ),
    ("invalid-statement", "identity", policy("Allow everything"), policy(allow())),
    ("missing-version", "identity", policy(allow(), version=None), policy(allow())),
    (
        "invalid-version",
        "identity",
        policy(allow(), version="2012-10-18"),
        policy(allow(), version="2008-10-17"),
    ),
    (
        "invalid-version",
        "identity",
        policy(allow(), version=datetime.date(2012, 10, 18)),
        policy(allow(), version=datetime.date(2012, 10, 17)),
    ),
    (
        "invalid-effect",
        "identity",
        policy({**allow(), "Effect": "allow"}),
        policy({**allow(), "Effect": "Deny"}),
    ),
    ("invalid-effect", "identity", policy({"Action": "s3:GetObject", "Resource": "*"}), policy(allow())),
    ("missing-action", "identity", policy({"Effect": "Allow", "Resource": "*"}), policy(allow())),
    (
        "missing-resource",
        "identity",
        policy({"Effect": "Allow", "Action": "s3:ListAllMyBuckets"}),
        policy(allow("s3:ListAllMyBuckets", "*")),
    ),
    (
        "missing-resource",
        "resource",
        policy({k: v for k, v in BUCKET_OK.items() if k != "Resource"}),
        policy(BUCKET_OK),
    ),
    ("missing-principal", "trust", policy({"Effect": "Allow", "Action": "sts:AssumeRole"}), policy(TRUST_OK)),
    (
        "missing-principal",
        "resource",
        policy({k: v for k, v in BUCKET_OK.items() if k != "Principal"}),
        policy(BUCKET_OK),
    ),
    ("unsupported-principal", "identity", policy(allow(Principal="*")), policy(allow())),
    ("conflicting-elements", "identity", policy(allow(NotAction="s3:*")), policy(allow())),
    ("conflicting-elements", "identity", policy(allow(NotResource=TOPIC)), policy(allow())),
    ("empty-array", "identity", policy(allow(action=[])), policy(allow(action=["dynamodb:GetItem"]))),
    ("empty-array", "identity", policy(allow(resource=[])), policy(allow(resource=[TABLE]))),
    ("empty-array", "trust", policy({**TRUST_OK, "Principal": {"AWS": []}}), policy(TRUST_OK)),
    ("empty-array", "identity", policy(version=V), policy(allow())),
    ("invalid-action", "identity", policy(allow("GetItem")), policy(allow("dynamodb:GetItem"))),
    ("unknown-service", "identity", policy(allow("dynamodbb:GetItem")), policy(allow("dynamodb:GetItem"))),
    ("unknown-action", "identity", policy(allow("dynamodb:GetItems")), policy(allow("dynamodb:getitem"))),
    ("unknown-action", "identity", policy(allow("dynamodb:Fetch*")), policy(allow("dynamodb:Get*"))),
    (
        "unknown-action",
        "identity",
        policy({"Effect": "Deny", "NotAction": "s3:Gett*", "Resource": "*"}),
        policy({"Effect": "Deny", "NotAction": "s3:Get*", "Resource": "*"}),
    ),
    (
        "wildcard-in-service-name",
        "identity",
        policy(allow("s*:GetObject", "*")),
        policy(allow("s3:GetObject", "*")),
    ),
    (
        "redundant-action",
        "identity",
        policy(allow(["dynamodb:Get*", "dynamodb:GetItem"])),
        policy(allow(["dynamodb:Get*", "dynamodb:PutItem"])),
    ),
    (
        "redundant-action",
        "identity",
        policy(allow(["dynamodb:GetItem", "DynamoDB:getitem"])),
        policy(allow(["dynamodb:GetItem"])),
    ),
    (
        "redundant-action",
        "identity",
        policy(allow(["*", "dynamodb:GetItem"], "*")),
        policy(allow(["dynamodb:GetItem"], "*")),
    ),
    (
        "redundant-action",
        "identity",
        policy(allow(["dynamodb:Get*", "dynamodb:GetI*"])),
        policy(allow(["dynamodb:Get*", "dynamodb:Put*"])),
    ),
    (
        "redundant-resource",
        "identity",
        policy(allow(resource=[TABLE, "arn:aws:dynamodb:*:*:table/*"])),
        policy(allow(resource=[TABLE, TABLE + "/index/*"])),
    ),
    (
        "redundant-resource",
        "identity",
        policy(allow(resource=[TABLE, TABLE])),
        policy(allow(resource=[TABLE])),
    ),
    (
        "redundant-statement",
        "identity",
        policy(allow(Sid="A"), allow(Sid="B")),
        policy(allow(Sid="A"), allow("dynamodb:PutItem", Sid="B")),
    ),
    (
        "duplicate-sid",
        "identity",
        policy(allow(Sid="A"), allow("dynamodb:PutItem", Sid="A")),
        policy(allow(Sid="A"), allow("dynamodb:PutItem", Sid="B")),
    ),
    (
        "pass-role-with-star-resource",
        "identity",
        policy(allow("iam:PassRole", "*")),
        policy(allow("iam:PassRole", ROLE)),
    ),
    ("pass-role-with-star-resource", "identity", policy(allow("iam:*", "*")), policy(allow("iam:Get*", "*"))),
    (
        "pass-role-with-star-resource",
        "identity",
        policy(allow("*", "*")),
        policy({"Effect": "Deny", "Action": "*", "Resource": "*"}),
    ),
    (
        "pass-role-with-star-resource",
        "identity",
        policy({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}),
        policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
    ),
    (
        "pass-role-with-star-resource",
        "identity",
        policy({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": TABLE}),
        policy({"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::*:role/*"}),
    ),
    (
        "service-linked-role-with-star",
        "identity",
        policy(allow("iam:CreateServiceLinkedRole", "*")),
        policy(
            allow(
                "iam:CreateServiceLinkedRole",
                "*",
                Condition={"StringEquals": {"iam:AWSServiceName": "dax.amazonaws.com"}},
            )
        ),
    ),
    (
        "allow-with-not-principal",
        "resource",
        policy(NOT_PRINCIPAL),
        policy({**NOT_PRINCIPAL, "Effect": "Deny"}),
    ),
    ("invalid-arn", "identity", policy(allow(resource="Bookings")), policy(allow(resource=TABLE))),
    (
        "invalid-arn",
        "identity",
        policy(allow(resource="arn:aws:dynamodb:table/Bookings")),
        policy(allow(resource="*")),
    ),
    (
        "invalid-arn",
        "identity",
        policy(allow("logs:PutLogEvents", "arn:aws:logs:us-east-1")),
        policy(allow("logs:PutLogEvents", "arn:aws:logs:*")),
    ),
    (
        "invalid-arn",
        "resource",
        policy({**BUCKET_OK, "Action": "execute-api:Invoke", "Resource": "/prod/*"}),
        policy({**BUCKET_OK, "Action": "execute-api:Invoke", "Resource": "execute-api:/prod/*"}),
    ),
    (
        "arn-service-case",
        "identity",
        policy(allow(resource=TABLE.replace(":dynamodb:", ":DynamoDB:"))),
        policy(allow(resource=TABLE)),
    ),
    (
        "arn-region-for-global-service",
        "identity",
        policy(allow("iam:PassRole", "arn:aws:iam:us-east-1:123456789012:role/Exec")),
        policy(allow("iam:PassRole", ROLE)),
    ),
    (
        "arn-region-for-global-service",
        "identity",
        policy(allow("s3:GetObject", "arn:aws:s3:us-east-1::bucket/*")),
        policy(allow("s3:GetObject", "arn:aws:s3:::bucket/*")),
    ),
    (
        "arn-account-not-allowed",
        "identity",
        policy(allow("s3:ListBucket", "arn:aws:s3::123456789012:bucket")),
        policy(allow("s3:ListBucket", "arn:aws:s3:::bucket")),
    ),
    (
        "action-resource-mismatch",
        "identity",
        policy(allow("dynamodb:UpdateItem", TOPIC)),
        policy(allow("dynamodb:UpdateItem", TABLE)),
    ),
    (
        "action-resource-mismatch",
        "identity",
        policy(allow(["dynamodb:UpdateItem", "sns:Publish"], TOPIC)),
        policy(allow(["dynamodb:UpdateItem", "sns:Publish"], [TOPIC, TABLE])),
    ),
    (
        "action-resource-mismatch",
        "identity",
        policy(allow("dynamodb:*Item", TOPIC)),
        policy(allow("dynamodb:*Item", "arn:aws:dynamodb:*:*:table/*")),
    ),
    (
        "undefined-reference",
        "identity",
        PolicyDocument(
            statements=(Statement("Allow", ("dynamodb:GetItem",), resources=(UNDEFINED,)),), version=V
        ),
        PolicyDocument(
            statements=(
                Statement(
                    "Allow",
                    ("dynamodb:GetItem",),
                    resources=(Symbolic("${Table.Arn}", ("Table",), "unknown until deploy"),),
                ),
            ),
            version=V,
        ),
    ),
]


def checks_of(issues: list[PolicyIssue]) -> list[str]:
    return [issue.check for issue in issues]


@pytest.mark.parametrize(
    ("check", "kind", "invalid", "valid"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_check_fires_on_invalid_and_not_on_valid(check: str, kind: str, invalid: Any, valid: Any) -> None:
    found = [i for i in validate_policy(invalid, kind=kind) if i.check == check]
    assert found, f"{check} did not fire: {validate_policy(invalid, kind=kind)}"
    assert all(issue.severity is CHECKS[check].severity for issue in found)
    assert check not in checks_of(validate_policy(valid, kind=kind))


def test_every_check_has_cases() -> None:
    assert {case[0] for case in CASES} == set(CHECKS)


def test_check_ids_are_kebab_case_and_severities_known() -> None:
    for check, info in CHECKS.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", check)
        assert isinstance(info.severity, IssueSeverity) and info.meaning.endswith(".")
    assert [s.value for s in IssueSeverity] == ["error", "security-warning", "warning", "suggestion"]


def test_docs_list_every_check() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "iam.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (\S+) \|", docs, flags=re.MULTILINE))
    assert rows == {check: info.severity.value for check, info in CHECKS.items()}


@pytest.mark.parametrize(
    ("document", "kind"),
    [
        (policy(allow()), "identity"),
        (
            policy(
                allow("s3:GetObject", "arn:aws:s3:::uploads/*"),
                allow("s3:ListBucket", "arn:aws:s3:::uploads"),
            ),
            "identity",
        ),
        (policy(TRUST_OK), "trust"),
        (policy(BUCKET_OK), "resource"),
        (
            policy(
                allow(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "arn:aws:logs:*:*:log-group:/aws/lambda/*:*",
                )
            ),
            "identity",
        ),
        (
            policy(
                allow("sqs:SendMessage", "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:Queue")
            ),
            "identity",
        ),
        (policy(allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*")), "identity"),
    ],
)
def test_good_policies_have_no_issues(document: Any, kind: str) -> None:
    assert validate_policy(document, kind=kind) == []


def test_message_names_statement_and_element() -> None:
    (issue,) = validate_policy(policy(allow(), allow("dynamodb:UpdateItem", TOPIC, Sid="WriteBookings")))
    assert issue.check == "action-resource-mismatch"
    assert issue.statement_index == 1 and issue.element == "Resource"
    assert issue.message.startswith('Statement[1] (Sid "WriteBookings"): ')
    assert "dynamodb:UpdateItem" in issue.message and TOPIC in issue.message and "table" in issue.message
    (unnamed,) = validate_policy(policy(allow("dynamodb:GetItems")))
    assert unnamed.message.startswith("Statement[0]: ") and unnamed.element == "Action"


def test_undefined_reference_message() -> None:
    document = PolicyDocument(
        statements=(Statement("Allow", ("dynamodb:GetItem",), resources=(UNDEFINED,)),), version=V
    )
    (issue,) = validate_policy(document)
    assert issue.message.endswith('Resource "${TableNme}" names an undefined parameter TableNme')


def test_issues_carry_statement_locations() -> None:
    first, second = Location("template.yaml", 10, 9), Location("template.yaml", 20, 9)
    document = normalize_policy(
        policy(allow(), allow("dynamodb:GetItems")), Location("template.yaml", 8, 5), [first, second]
    )
    (issue,) = validate_policy(document)
    assert issue.location == second
    (missing,) = validate_policy(normalize_policy(policy(allow(), version=None), Location("t.yaml", 3, 1)))
    assert missing.check == "missing-version" and missing.location == Location("t.yaml", 3, 1)


SYM = Symbolic("${Param}", reason="unresolved")


@pytest.mark.parametrize(
    "statement",
    [
        Statement(effect=SYM, actions=(SYM,), resources=(SYM,)),
        Statement(effect="Allow", actions=(SYM, "s3:GetObject"), resources=("arn:aws:s3:::b/*", SYM)),
        Statement(effect="Allow", actions=("iam:PassRole",), not_resources=(SYM,)),
        Statement(effect="Allow", not_actions=(SYM,), resources=("*",)),
        Statement(effect="Allow", actions=("s3:GetObject",), resources=("*",), principals={"AWS": (SYM,)}),
    ],
)
def test_symbolic_values_never_crash_and_are_not_judged(statement: Statement) -> None:
    issues = validate_policy(PolicyDocument(statements=(statement,), version=V), kind="resource")
    assert not {"invalid-effect", "invalid-arn", "unknown-action", "pass-role-with-star-resource"} & set(
        checks_of(issues)
    )


def test_symbolic_whole_statement() -> None:
    raw = {"Version": V, "Statement": [UNDEFINED]}
    document = PolicyDocument(statements=(Statement(effect=UNDEFINED),), version=V, raw=raw)
    assert checks_of(validate_policy(document)) == ["undefined-reference"]


def test_validation_loads_only_the_services_named() -> None:
    cat = Catalog()
    validate_policy(
        policy(allow(["dynamodb:GetItem", "dynamodb:Query"], [TABLE, TABLE + "/index/*"])), using=cat
    )
    assert cat.loaded_services() == ("dynamodb",)


def test_kind_must_be_known() -> None:
    with pytest.raises(ValueError):
        validate_policy(policy(allow()), kind="session")


@pytest.mark.parametrize(
    "raw",
    [
        None,
        42,
        "",
        "[]",
        {"Statement": None},
        {"Statement": {"Effect": ["Allow"]}},
        {"Statement": [{"Action": 3}]},
    ],
)
def test_odd_input_gives_issues_not_exceptions(raw: Any) -> None:
    issues = validate_policy(raw)
    assert issues and all(
        issue.severity is IssueSeverity.ERROR or issue.check == "missing-version" for issue in issues
    )


# ------------------------------------------------------------ structured fields


def _one(issues: list[PolicyIssue], check: str) -> PolicyIssue:
    (found,) = [i for i in issues if i.check == check]
    return found


def test_issues_carry_what_programs_need_in_fields_not_only_in_the_message() -> None:
    """Rules read these fields; none parses the English message."""
    document = policy(
        allow("dynamodb:GetItme", TABLE, Sid="A"),
        allow("sqs:SendMessage", "orders-table", Sid="A"),
        allow("sqs:SendMessage", TABLE),
    )
    issues = validate_policy(document)
    unknown = _one(issues, "unknown-action")
    assert (unknown.action, unknown.value, unknown.statement) == (
        "dynamodb:GetItme",
        "dynamodb:GetItme",
        'Statement[0] (Sid "A")',
    )
    arn = _one(issues, "invalid-arn")
    assert (arn.element, arn.value, arn.statement_index) == ("Resource", "orders-table", 1)
    sid = _one(issues, "duplicate-sid")
    assert (sid.value, sid.statement_index) == ("A", 1)
    mismatch = _one(issues, "action-resource-mismatch")
    assert (mismatch.action, mismatch.found, mismatch.statement) == (
        "sqs:SendMessage",
        (TABLE,),
        "Statement[2]",
    )
    assert mismatch.message.startswith(f"{mismatch.statement}: ")


def test_document_level_issues_name_no_statement() -> None:
    issue = _one(validate_policy({"Statement": [allow()]}), "missing-version")
    assert issue.statement is None and issue.statement_index is None
