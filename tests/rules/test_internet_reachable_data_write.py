"""BND117 beyond the Valid/Invalid naming: a PRIVATE API is not the internet."""

from __future__ import annotations

from pathlib import Path

import pytest

import boundary

FIXTURES = Path(__file__).parent / "fixtures" / "internet-reachable-data-write"


@pytest.mark.parametrize(
    ("fixture", "function", "policy", "severity"),
    [
        ("cfn.yaml", "InvalidVpcOnlyDeleter", "the Policy of VpcOnlyClaimsApi", "low"),
        (
            "sam.yaml",
            "InvalidVpcOnlyWriter",
            "x-amazon-apigateway-policy in the body of VpcOnlyFareApi",
            "low",
        ),
    ],
)
def test_private_api_path_says_who_can_reach_it(
    fixture: str, function: str, policy: str, severity: str
) -> None:
    result = boundary.analyze([FIXTURES / fixture])
    found = [
        f
        for f in result.findings
        if f.rule_name == "internet-reachable-data-write" and f.resource == function
    ]
    assert len(found) == 1, [(f.resource, f.message) for f in result.findings]
    assert str(found[0].severity) == severity
    assert "anyone on the internet" not in found[0].message
    assert "a PRIVATE API" in found[0].message and policy in found[0].message


def test_public_paths_stay_high() -> None:
    result = boundary.analyze([FIXTURES / "cfn.yaml"])
    found = [f for f in result.findings if f.resource == "InvalidMethodDeleter"]
    assert [str(f.severity) for f in found if f.rule_name == "internet-reachable-data-write"] == ["high"]
