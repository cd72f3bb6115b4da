"""Effective permissions: Allow, explicit Deny, NotAction, NotResource, conditions, symbolic values."""

from __future__ import annotations

from typing import Any

import pytest

from boundary.iam import Grant, allows, catalog, effective_grants, expanded_actions, normalize_policy
from boundary.iam.effective import certain_conditions
from boundary.model import PolicyDocument, Statement, Symbolic

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Bookings"
OTHER_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Audit"
ROLE = "arn:aws:iam::123456789012:role/Exec"


def doc(*statements: dict[str, Any]) -> PolicyDocument:
    return normalize_policy({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


SECURE_ONLY = {"Bool": {"aws:SecureTransport": "false"}}
FROM_VPC = {"StringEquals": {"aws:SourceVpc": "vpc-1"}}

CASES = [
    # (id, statements, action, resource, expected)
    ("plain-allow", [allow("dynamodb:GetItem", TABLE)], "dynamodb:GetItem", TABLE, True),
    ("action-case-insensitive", [allow("DynamoDB:getitem", TABLE)], "dynamodb:GetItem", TABLE, True),
    ("other-resource", [allow("dynamodb:GetItem", TABLE)], "dynamodb:GetItem", OTHER_TABLE, False),
    ("resource-case-sensitive", [allow("dynamodb:GetItem", TABLE.lower())], "dynamodb:GetItem", TABLE, False),
    ("other-action", [allow("dynamodb:GetItem", TABLE)], "dynamodb:PutItem", TABLE, False),
    ("wildcards", [allow("dynamodb:*", "arn:aws:dynamodb:*:*:table/*")], "dynamodb:PutItem", TABLE, True),
    ("explicit-deny-wins", [allow("*"), deny("dynamodb:DeleteItem")], "dynamodb:DeleteItem", TABLE, False),
    (
        "deny-elsewhere",
        [allow("*"), deny("dynamodb:DeleteItem", OTHER_TABLE)],
        "dynamodb:DeleteItem",
        TABLE,
        True,
    ),
    (
        "conditional-deny-unknown",
        [allow("*"), deny("*", Condition=FROM_VPC)],
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        None,
    ),
    (
        "secure-transport-deny-is-certain",
        [allow("*"), deny("*", Condition=SECURE_ONLY)],
        "sqs:SendMessage",
        "q",
        True,
    ),
    (
        "conditional-allow-unknown",
        [allow("s3:GetObject", Condition=FROM_VPC)],
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        None,
    ),
    (
        "secure-transport-allow-is-certain",
        [allow("s3:GetObject", Condition={"Bool": {"aws:SecureTransport": "true"}})],
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        True,
    ),
    (
        "not-action-allows-others",
        [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
        "s3:PutObject",
        "x",
        True,
    ),
    (
        "not-action-excludes",
        [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
        "iam:PassRole",
        ROLE,
        False,
    ),
    (
        "not-resource-allows-others",
        [{"Effect": "Allow", "Action": "dynamodb:*", "NotResource": OTHER_TABLE}],
        "dynamodb:PutItem",
        TABLE,
        True,
    ),
    (
        "not-resource-excludes",
        [{"Effect": "Allow", "Action": "dynamodb:*", "NotResource": "arn:aws:dynamodb:*:*:table/A*"}],
        "dynamodb:PutItem",
        OTHER_TABLE,
        False,
    ),
    (
        "deny-with-not-action",
        [allow("*"), {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}],
        "s3:PutObject",
        "arn:aws:s3:::b/k",
        False,
    ),
    (
        "deny-with-not-action-spares",
        [allow("*"), {"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}],
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        True,
    ),
    ("no-statements", [], "s3:GetObject", "arn:aws:s3:::b/k", False),
    ("only-deny", [deny("*")], "s3:GetObject", "arn:aws:s3:::b/k", False),
]


@pytest.mark.parametrize(
    ("statements", "action", "resource", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_allows(statements: list[dict[str, Any]], action: str, resource: str, expected: bool | None) -> None:
    grants = effective_grants([("P", doc(*statements))])
    assert allows(grants, action, resource) is expected


def test_deny_in_another_policy_applies() -> None:
    grants = effective_grants([("Allow", doc(allow("*"))), ("Boundary", doc(deny("iam:*")))])
    assert allows(grants, "iam:CreateUser", "arn:aws:iam::123456789012:user/x") is False
    assert allows(grants, "s3:GetObject", "arn:aws:s3:::b/k") is True


def test_grants_are_the_allow_statements_with_denies_attached() -> None:
    document = doc(allow("s3:GetObject", Sid="Read"), deny("s3:DeleteObject"), allow("sqs:*"))
    grants = effective_grants([("Policy", document)])
    assert [g.statement.sid for g in grants] == ["Read", None]
    assert all(g.effect == "Allow" and g.policy_id == "Policy" for g in grants)
    assert [d.actions for d in grants[0].denied_by] == [("s3:DeleteObject",)]
    assert grants[0].statement is document.statements[0]


def test_conditions_are_kept_and_named() -> None:
    (grant,) = effective_grants([("P", doc(allow("s3:GetObject", Condition={**FROM_VPC, **SECURE_ONLY})))])
    assert grant.condition_keys == ("Bool:aws:SecureTransport", "StringEquals:aws:SourceVpc")
    assert grant.is_conditional


@pytest.mark.parametrize(
    ("conditions", "effect", "expected"),
    [
        ({"Bool": {"aws:SecureTransport": "true"}}, "Allow", {"Bool:aws:SecureTransport"}),
        ({"Bool": {"aws:SecureTransport": ["true"]}}, "Allow", {"Bool:aws:SecureTransport"}),
        ({"Bool": {"aws:SecureTransport": "false"}}, "Allow", set()),
        ({"Bool": {"aws:SecureTransport": "false"}}, "Deny", {"Bool:aws:SecureTransport"}),
        ({"StringEquals": {"aws:SecureTransport": "true"}}, "Allow", set()),
        (FROM_VPC, "Allow", set()),
    ],
)
def test_certain_conditions(conditions: dict[str, Any], effect: str, expected: set[str]) -> None:
    assert certain_conditions(conditions, effect) == expected


def test_symbolic_values_make_the_answer_unknown() -> None:
    symbolic = Symbolic("${Table.Arn}", ("Table",), "unknown until deploy")
    statement = Statement(effect="Allow", actions=("dynamodb:GetItem",), resources=(symbolic,))
    grants = effective_grants([("P", PolicyDocument(statements=(statement,)))])
    assert allows(grants, "dynamodb:GetItem", TABLE) is None
    assert allows(grants, "dynamodb:PutItem", TABLE) is False
    sym_effect = Statement(effect=symbolic, actions=("*",), resources=("*",))
    assert effective_grants([("P", PolicyDocument(statements=(sym_effect,)))]) == ()


def test_symbolic_deny_makes_allow_unknown() -> None:
    statement = Statement(
        effect="Deny", actions=(Symbolic("${Param}", reason="unresolved"),), resources=("*",)
    )
    grants = effective_grants([("P", doc(allow("*"))), ("Q", PolicyDocument(statements=(statement,)))])
    assert allows(grants, "s3:GetObject", "arn:aws:s3:::b/k") is None


def test_expanded_actions() -> None:
    (grant,) = effective_grants([("P", doc(allow(["s3:Get*", "sqs:SendMessage"])))])
    expected = set(catalog().expand("s3:Get*")) | {"sqs:SendMessage"}
    assert expanded_actions(grant) == expected


def test_expanded_actions_of_not_action() -> None:
    grant = Grant(
        actions=(),
        not_actions=("iam:*",),
        resources=("*",),
        not_resources=None,
        conditions={},
        statement=Statement(effect="Allow"),
        policy_id="P",
    )
    names = expanded_actions(grant)
    assert "s3:GetObject" in names
    assert not any(name.startswith("iam:") for name in names)
    assert len(names) == len(catalog().expand("*")) - len(catalog().expand("iam:*"))
