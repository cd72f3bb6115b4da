"""Which condition keys an assume-role request carries, and so which trust conditions never hold."""

from __future__ import annotations

from typing import Any

import pytest

from boundary.iam import admits_cognito_guests, dead_conditions, normalize_statement, web_identity_provider

EKS = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB12"
GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def _dead(principal: dict[str, Any], condition: dict[str, Any]) -> list[tuple[str, str]]:
    statement = normalize_statement(
        {
            "Effect": "Allow",
            "Principal": principal,
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": condition,
        }
    )
    return [(d.principal, f"{d.operator} {d.key}") for d in dead_conditions(statement)]


def test_provider_prefix_of_each_principal_form() -> None:
    assert web_identity_provider(EKS) == "oidc.eks.eu-west-1.amazonaws.com/id/ab12"
    assert web_identity_provider("arn:aws:iam::1:oidc-provider/auth.example.com/") == "auth.example.com"
    assert web_identity_provider("accounts.google.com") == "accounts.google.com"
    assert web_identity_provider("arn:aws:iam::1:saml-provider/Corp") is None


@pytest.mark.parametrize(
    ("principal", "condition", "dead"),
    [
        # A claim AWS does not pass on, and another provider's key.
        ({"Federated": EKS}, {"StringEquals": {f"{EKS.split('/', 1)[1]}:clusterID": "c"}}, True),
        (
            {"Federated": "cognito-identity.amazonaws.com"},
            {"StringEquals": {"accounts.google.com:aud": "a"}},
            True,
        ),
        # ForAnyValue needs the key too; Null "false" asks for it.
        (
            {"Federated": "accounts.google.com"},
            {"ForAnyValue:StringLike": {"graph.facebook.com:id": "1"}},
            True,
        ),
        ({"Federated": "accounts.google.com"}, {"Null": {"www.amazon.com:user_id": "false"}}, True),
        # An AWS principal's AssumeRole carries no web-identity claim, nor a SAML one.
        ({"AWS": "arn:aws:iam::444455556666:root"}, {"StringEquals": {"saml:aud": "x"}}, True),
        # A key with no prefix is in no request.
        ({"Federated": "accounts.google.com"}, {"StringEquals": {"clusterID": "c"}}, True),
        # Keys the request does carry: the standard claims, the provider's catalogued claims,
        # aws: and sts: keys.
        (
            {"Federated": EKS},
            {"StringEquals": {f"{EKS.split('/', 1)[1]}:sub": "s", "aws:RequestTag/t": "v"}},
            False,
        ),
        (
            {"Federated": GITHUB},
            {"StringEquals": {"token.actions.githubusercontent.com:job_workflow_ref": "r"}},
            False,
        ),
        ({"Federated": "accounts.google.com"}, {"StringEquals": {"accounts.google.com:oaud": "o"}}, False),
        ({"Federated": "graph.facebook.com"}, {"StringEquals": {"graph.facebook.com:app_id": "1"}}, False),
        # Operators that hold when the key is absent.
        (
            {"Federated": "cognito-identity.amazonaws.com"},
            {"StringNotEquals": {"accounts.google.com:aud": "a"}},
            False,
        ),
        (
            {"Federated": "cognito-identity.amazonaws.com"},
            {"StringEqualsIfExists": {"accounts.google.com:aud": "a"}},
            False,
        ),
        (
            {"Federated": "cognito-identity.amazonaws.com"},
            {"ForAllValues:StringEquals": {"accounts.google.com:aud": "a"}},
            False,
        ),
        (
            {"Federated": "cognito-identity.amazonaws.com"},
            {"Null": {"accounts.google.com:aud": "true"}},
            False,
        ),
        # Unknown callers: "*" may be a federated user; a SAML provider's keys are not judged here.
        ({"AWS": "*"}, {"StringEquals": {"accounts.google.com:aud": "a"}}, False),
        ({"Federated": "arn:aws:iam::1:saml-provider/Corp"}, {"StringEquals": {"saml:aud": "a"}}, False),
    ],
)
def test_dead_conditions(principal: dict[str, Any], condition: dict[str, Any], dead: bool) -> None:
    assert bool(_dead(principal, condition)) is dead


def test_only_the_principal_whose_request_lacks_the_key_is_dead() -> None:
    found = _dead(
        {"Federated": ["accounts.google.com", "cognito-identity.amazonaws.com"]},
        {"StringEquals": {"accounts.google.com:aud": "a"}},
    )
    assert found == [("cognito-identity.amazonaws.com", "StringEquals accounts.google.com:aud")]


_AMR = "cognito-identity.amazonaws.com:amr"


@pytest.mark.parametrize(
    ("conditions", "explicit", "admitted"),
    [
        ({}, False, True),  # no amr test: guests and signed-in identities alike
        ({}, True, False),  # ... but it does not name guests
        ({"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}}, False, True),
        ({"ForAnyValue:StringLike": {_AMR: "unauthenticated"}}, True, True),
        ({"ForAnyValue:StringLike": {_AMR: "unauth*"}}, True, True),
        ({"ForAnyValue:StringLike": {_AMR: "authenticated"}}, False, False),
        ({"ForAnyValue:StringNotLike": {_AMR: "unauthenticated"}}, False, False),
        ({"ForAnyValue:StringNotLike": {_AMR: "authenticated"}}, False, True),
    ],
)
def test_which_trust_lets_cognito_guests_in(
    conditions: dict[str, Any], explicit: bool, admitted: bool
) -> None:
    raw: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if conditions:
        raw["Condition"] = conditions
    assert admits_cognito_guests(normalize_statement(raw), explicit=explicit) is admitted


def test_another_provider_or_a_deny_lets_no_cognito_guest_in() -> None:
    google = {
        "Effect": "Allow",
        "Principal": {"Federated": "accounts.google.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    deny = {
        "Effect": "Deny",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    assert not admits_cognito_guests(normalize_statement(google))
    assert not admits_cognito_guests(normalize_statement(deny))
