"""BND109 beyond the Valid/Invalid naming: SAM-generated endpoints, severities, locations."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

import boundary
from boundary.rules import Finding

FIXTURES = Path(__file__).parent / "fixtures" / "unauthenticated-endpoint"
RULE = "unauthenticated-endpoint"


@cache
def _findings(path: Path) -> tuple[tuple[Finding, ...], tuple[str, ...]]:
    result = boundary.analyze([path])
    assert not result.errors, [str(e) for e in result.errors]
    lines = result.templates[0].source_lines
    return tuple(f for f in result.findings if f.rule_name == RULE), tuple(lines)


@pytest.mark.parametrize(
    ("fixture", "resource", "line_text", "severity"),
    [
        # SAM implicit APIs: the finding points at the function's event, where the route was written.
        ("sam.yaml", "ServerlessRestApi", "ListFares:", "high"),
        ("sam.yaml", "ServerlessHttpApi", "Checkin:", "high"),
        ("sam.yaml", "OpenUrlFnUrl", "FunctionUrlConfig:", "high"),
        ("sam.yaml", "KeyOnlyApi", "GetSeats:", "medium"),
        ("cfn.yaml", "InvalidOpenMethod", "InvalidOpenMethod:", "high"),
        ("cfn.yaml", "InvalidKeyOnlyMethod", "InvalidKeyOnlyMethod:", "medium"),
        ("cfn.yaml", "InvalidPrivateMethod", "InvalidPrivateMethod:", "low"),
        # A MOCK integration calls no backend; a PRIVATE API tied to one VPC endpoint by its policy.
        ("cfn.yaml", "InvalidMockMethod", "InvalidMockMethod:", "low"),
        ("cfn.yaml", "InvalidVpcOnlyMethod", "InvalidVpcOnlyMethod:", "info"),
        ("sam.yaml", "VpcOnlyApi", "GetRoster:", "info"),
        ("cfn.yaml", "InvalidBodyApi", "get:", "high"),
        ("cfn.yaml", "InvalidConnectRoute", "InvalidConnectRoute:", "high"),
        ("cfn.yaml", "InvalidKeyGraphQLApi", "InvalidKeyGraphQLApi:", "low"),
    ],
)
def test_endpoint_is_reported_where_it_was_written(
    fixture: str, resource: str, line_text: str, severity: str
) -> None:
    findings, lines = _findings(FIXTURES / fixture)
    matching = [f for f in findings if f.resource == resource]
    assert len(matching) == 1, [(f.resource, f.message) for f in findings]
    finding = matching[0]
    assert str(finding.severity) == severity
    assert line_text in lines[finding.location.line - 1]


@pytest.mark.parametrize("fixture", ["sam.yaml", "cfn.yaml", "tfplan.json"])
def test_preflight_and_authorized_endpoints_are_not_reported(fixture: str) -> None:
    findings, _ = _findings(FIXTURES / fixture)
    for finding in findings:
        assert "OPTIONS" not in finding.message
        assert "AWS_IAM" not in finding.message.split(";")[0]


def test_message_names_the_route_and_the_expectation() -> None:
    findings, _ = _findings(FIXTURES / "cfn.yaml")
    (finding,) = [f for f in findings if f.resource == "InvalidOpenMethod"]
    assert finding.message == (
        "GET /fares on FaresApi has no authorization (NONE); "
        "expected AWS_IAM, a Cognito/JWT authorizer or a Lambda authorizer"
    )


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("sam/insecure/template.yaml", {"ServerlessHttpApi", "NotifyBookingUrl", "LoyaltyApi"}),
        (
            "terraform/insecure/plan.json",
            {
                "aws_api_gateway_method.get_loyalty",
                "aws_apigatewayv2_route.post_bookings",
                "aws_lambda_function_url.notify_booking",
            },
        ),
        ("sam/secure/template.yaml", set()),
        ("terraform/secure/plan.json", set()),
    ],
)
def test_samples(samples_dir: Path, sample: str, expected: set[str]) -> None:
    findings, _ = _findings(samples_dir / sample)
    assert {f.resource for f in findings if f.severity.rank >= 2} == expected


def test_private_api_finding_names_the_policy_and_the_vpc() -> None:
    findings, _ = _findings(FIXTURES / "cfn.yaml")
    (finding,) = [f for f in findings if f.resource == "InvalidVpcOnlyMethod"]
    assert "PRIVATE API" in finding.message and "the Policy of VpcOnlyApi" in finding.message
    assert "aws:SourceVpce vpce-0a1b2c3d4e5f60718" in finding.message
    (mock,) = [f for f in findings if f.resource == "InvalidMockMethod"]
    assert "MOCK integration" in mock.message
