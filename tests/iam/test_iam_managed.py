"""AWS managed policies: lookup by name and ARN, content, and validity against the catalog."""

from __future__ import annotations

import pytest

from boundary.iam import (
    IssueSeverity,
    is_aws_managed_arn,
    managed_policy,
    managed_policy_names,
    validate_policy,
)
from boundary.iam.arn import wildcard_match
from boundary.iam.evaluate import allowed_actions, literal

REQUIRED = [
    "AdministratorAccess",
    "PowerUserAccess",
    "IAMFullAccess",
    "ReadOnlyAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonDynamoDBReadOnlyAccess",
    "AmazonS3FullAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonSNSFullAccess",
    "AmazonSNSReadOnlyAccess",
    "AmazonSQSFullAccess",
    "AmazonSQSReadOnlyAccess",
    "AWSLambda_FullAccess",
    "AWSLambda_ReadOnlyAccess",
    "AWSStepFunctionsFullAccess",
    "AmazonKinesisFullAccess",
    "AmazonKinesisReadOnlyAccess",
    "SecretsManagerReadWrite",
    "AmazonAPIGatewayAdministrator",
    "AmazonAPIGatewayInvokeFullAccess",
    "AWSAppSyncAdministrator",
    "CloudWatchFullAccess",
    "CloudWatchLogsFullAccess",
    "AmazonEventBridgeFullAccess",
    "AmazonCognitoPowerUser",
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSXRayDaemonWriteAccess",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaKinesisExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaRole",
]

SERVICE_ROLE = [
    "AWSLambdaBasicExecutionRole",
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaDynamoDBExecutionRole",
    "AWSLambdaKinesisExecutionRole",
    "AWSLambdaSQSQueueExecutionRole",
    "AWSLambdaRole",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_required_policies_are_known(name: str) -> None:
    policy = managed_policy(name)
    assert policy is not None
    assert policy.name == name
    assert policy.document.statements
    assert managed_policy(policy.arn) == policy


@pytest.mark.parametrize("name", managed_policy_names())
def test_every_managed_policy_is_valid_against_the_catalog(name: str) -> None:
    policy = managed_policy(name)
    assert policy is not None and policy.version.startswith("v")
    problems = [
        issue.message
        for issue in validate_policy(policy.document)
        if issue.severity in (IssueSeverity.ERROR, IssueSeverity.SUGGESTION)
    ]
    assert problems == []


@pytest.mark.parametrize("name", SERVICE_ROLE)
def test_service_role_paths(name: str) -> None:
    arn = f"arn:aws:iam::aws:policy/service-role/{name}"
    policy = managed_policy(arn)
    assert policy is not None and policy.arn == arn
    assert managed_policy(f"arn:aws:iam::aws:policy/{name}") is None  # AWS has no such ARN


def test_administrator_access_grants_everything() -> None:
    policy = managed_policy("arn:aws:iam::aws:policy/AdministratorAccess")
    assert policy is not None
    (statement,) = policy.document.statements
    assert (statement.effect, statement.actions, statement.resources) == ("Allow", ("*",), ("*",))
    assert allowed_actions(policy.document.statements, ["iam:CreateUser"]) == {"iam:CreateUser": [0]}


@pytest.mark.parametrize(
    ("name", "action", "resource", "expected"),
    [
        ("PowerUserAccess", "s3:PutObject", "arn:aws:s3:::b/k", True),
        ("PowerUserAccess", "iam:CreateUser", "arn:aws:iam::123456789012:user/x", False),
        ("PowerUserAccess", "iam:CreateServiceLinkedRole", "arn:aws:iam::123456789012:role/x", True),
        ("AmazonS3ReadOnlyAccess", "s3:GetObject", "arn:aws:s3:::b/k", True),
        ("AmazonS3ReadOnlyAccess", "s3:PutObject", "arn:aws:s3:::b/k", False),
        (
            "AWSLambdaBasicExecutionRole",
            "logs:PutLogEvents",
            "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s",
            True,
        ),
        ("AWSLambdaBasicExecutionRole", "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:1:table/T", False),
        ("AWSLambda_FullAccess", "iam:PassRole", "arn:aws:iam::1:role/r", None),  # conditional
        ("AmazonDynamoDBReadOnlyAccess", "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/T", False),
    ],
)
def test_managed_policy_content(name: str, action: str, resource: str, expected: bool | None) -> None:
    """Granted (True), not granted (False), or granted only under a condition (None)."""
    policy = managed_policy(name)
    assert policy is not None
    statements = policy.document.statements
    granting = [
        statements[i]
        for i in allowed_actions(statements, [action]).get(action, [])
        if any(wildcard_match(r, resource) for r in literal(statements[i].resources))
        or statements[i].not_resources is not None
    ]
    answer = None if granting and all(s.conditions for s in granting) else bool(granting)
    assert answer is expected


@pytest.mark.parametrize(
    "arn_or_name",
    [
        "NoSuchManagedPolicy",
        "arn:aws:iam::aws:policy/NoSuchManagedPolicy",
        "arn:aws:iam::123456789012:policy/AdministratorAccess",  # customer managed, same name
        "administratoraccess",
        "",
    ],
)
def test_unknown_managed_policies_are_none(arn_or_name: str) -> None:
    assert managed_policy(arn_or_name) is None


def test_partitions() -> None:
    china = managed_policy("arn:aws-cn:iam::aws:policy/AWSLambda_FullAccess")
    assert china is not None and china.arn.startswith("arn:aws-cn:")
    resources = {r for s in china.document.statements for r in s.resources}
    assert "arn:aws-cn:logs:*:*:log-group:/aws/lambda/*" in resources
    symbolic = managed_policy(
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        partition="aws-us-gov",
    )
    assert symbolic is not None and symbolic.arn.startswith("arn:aws-us-gov:")


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        ("arn:aws:iam::aws:policy/AdministratorAccess", True),
        ("arn:aws-cn:iam::aws:policy/service-role/AWSLambdaRole", True),
        ("arn:aws:iam::aws:policy/NotInOurData", True),
        ("arn:aws:iam::123456789012:policy/Mine", False),
        ("arn:aws:iam::aws:role/x", False),
        ("AdministratorAccess", False),
    ],
)
def test_is_aws_managed_arn(arn: str, expected: bool) -> None:
    assert is_aws_managed_arn(arn) is expected
