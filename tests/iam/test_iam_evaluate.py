"""The one IAM evaluator, on statements alone: Allow, Deny, NotAction, NotResource,
conditions, symbolic values."""

from __future__ import annotations

from typing import Any

import pytest

from boundary.iam import catalog, normalize_policy
from boundary.iam.evaluate import (
    action_matches,
    allowed_actions,
    allows,
    blanket_denies,
    expand_actions,
    nullified,
    on_every_resource,
    statement_actions,
)
from boundary.model import Statement, Symbolic

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Bookings"
FROM_VPC = {"StringEquals": {"aws:SourceVpc": "vpc-1"}}


def statements(*raw: dict[str, Any]) -> tuple[Statement, ...]:
    return normalize_policy({"Version": "2012-10-17", "Statement": list(raw)}).statements


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


@pytest.mark.parametrize(
    ("raw", "action", "expected"),
    [
        (allow("dynamodb:GetItem"), "dynamodb:GetItem", True),
        (allow("DynamoDB:getitem"), "dynamodb:GetItem", True),  # actions are case-insensitive
        (allow("dynamodb:Get*"), "dynamodb:GetItem", True),
        (allow("dynamodb:Get*"), "dynamodb:PutItem", False),
        (allow("*"), "iam:PassRole", True),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "s3:GetObject", True),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "iam:PassRole", False),
    ],
)
def test_action_and_not_action(raw: dict[str, Any], action: str, expected: bool) -> None:
    (statement,) = statements(raw)
    assert action_matches(statement, action) is expected


def test_symbolic_actions_never_match() -> None:
    statement = Statement(effect="Allow", actions=(Symbolic("${Action}"),), resources=("*",))
    assert not action_matches(statement, "s3:GetObject")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (allow("s3:GetObject", "*"), True),
        (allow("s3:GetObject", ["arn:aws:s3:::b/*", "*"]), True),
        (allow("s3:GetObject", "arn:aws:s3:::b/*"), False),
        ({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/*"}, True),
    ],
)
def test_resource_and_not_resource(raw: dict[str, Any], expected: bool) -> None:
    (statement,) = statements(raw)
    assert on_every_resource(statement) is expected


def test_allow_is_granted_and_explicit_deny_wins() -> None:
    found = statements(allow("dynamodb:*", TABLE), deny("dynamodb:DeleteItem"))
    granted = allowed_actions(found, ["dynamodb:GetItem", "dynamodb:DeleteItem", "s3:GetObject"])
    assert granted == {"dynamodb:GetItem": [0]}


def test_every_granting_statement_is_named() -> None:
    found = statements(allow("dynamodb:GetItem", TABLE), allow("dynamodb:*"))
    assert allowed_actions(found, ["dynamodb:GetItem"]) == {"dynamodb:GetItem": [0, 1]}
    assert allowed_actions(found, ["dynamodb:GetItem"], on_all_resources=True) == {"dynamodb:GetItem": [1]}


@pytest.mark.parametrize(
    ("denial", "takes_away"),
    [
        (deny("iam:PassRole"), True),
        ({"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}, True),
        (deny("iam:PassRole", "arn:aws:iam::123456789012:role/Admin"), False),  # narrower: may not apply
        (deny("iam:PassRole", Condition=FROM_VPC), False),  # conditional: may not apply
        ({"Effect": "Deny", "Action": "iam:PassRole", "NotResource": "arn:aws:s3:::b"}, True),
    ],
)
def test_only_unconditional_deny_on_every_resource_takes_away(
    denial: dict[str, Any], takes_away: bool
) -> None:
    found = statements(allow("iam:PassRole"), denial)
    assert ("iam:PassRole" not in allowed_actions(found, ["iam:PassRole"])) is takes_away
    assert (len(blanket_denies(found)) == 1) is takes_away


def test_conditional_allow_still_grants() -> None:
    """Conditions are kept, not evaluated: the grant holds whenever the condition does."""
    found = statements(allow("sqs:SendMessage", Condition=FROM_VPC))
    assert allowed_actions(found, ["sqs:SendMessage"]) == {"sqs:SendMessage": [0]}


def test_an_allow_wholly_denied_is_nullified() -> None:
    found = statements(allow(["iam:PassRole", "iam:CreateRole"]), deny("iam:*"))
    assert nullified(found[0], found)
    partly = statements(allow(["iam:PassRole", "s3:GetObject"]), deny("iam:*"))
    assert not nullified(partly[0], partly)
    everything = statements(allow("*"), deny("*"))
    assert nullified(everything[0], everything)
    not_everything = statements(allow("*"), deny("iam:*"))
    assert not nullified(not_everything[0], not_everything)


def test_a_partly_symbolic_allow_is_never_nullified() -> None:
    allow_statement = Statement(
        effect="Allow", actions=("iam:PassRole", Symbolic("${Other}")), resources=("*",)
    )
    (denial,) = statements(deny("iam:*"))
    assert not nullified(allow_statement, [allow_statement, denial])


def test_a_deny_is_never_nullified() -> None:
    found = statements(deny("iam:*"), deny("*"))
    assert not nullified(found[0], found)


def test_expand_actions_goes_through_the_catalog() -> None:
    assert set(expand_actions(["dynamodb:Get*"])) == set(catalog().expand("dynamodb:Get*"))
    assert list(expand_actions(["custom:Thing"])) == ["custom:Thing"]


@pytest.mark.parametrize(
    ("raw", "action", "resource", "expected"),
    [
        ([allow("dynamodb:GetItem", TABLE)], "dynamodb:GetItem", TABLE, True),
        ([allow("dynamodb:GetItem", TABLE)], "dynamodb:GetItem", TABLE.replace("Bookings", "Audit"), False),
        (
            [allow("dynamodb:GetItem", TABLE.lower())],
            "dynamodb:GetItem",
            TABLE,
            False,
        ),  # ARNs: case-sensitive
        ([allow("dynamodb:*", "arn:aws:dynamodb:*:*:table/*")], "dynamodb:PutItem", TABLE, True),
        ([allow("*"), deny("dynamodb:DeleteItem", TABLE)], "dynamodb:DeleteItem", TABLE, False),
        ([allow("*"), deny("dynamodb:DeleteItem", "arn:aws:s3:::b")], "dynamodb:DeleteItem", TABLE, True),
        ([allow("*"), deny("*", Condition=FROM_VPC)], "dynamodb:GetItem", TABLE, True),  # may not apply
        (
            [{"Effect": "Allow", "Action": "dynamodb:GetItem", "NotResource": TABLE}],
            "dynamodb:GetItem",
            TABLE,
            False,
        ),
    ],
)
def test_allows_one_request(raw: list[dict[str, Any]], action: str, resource: str, expected: bool) -> None:
    assert allows(statements(*raw), action, resource) is expected


def test_statement_actions_names_catalog_actions() -> None:
    (read,) = statements(allow("dynamodb:Get*"))
    assert statement_actions(read) == frozenset(catalog().expand("dynamodb:Get*"))
    (not_iam,) = statements({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert "s3:GetObject" in statement_actions(not_iam) and "iam:PassRole" not in statement_actions(not_iam)
