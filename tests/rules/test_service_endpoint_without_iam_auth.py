"""BND113 and BND114 on SAM-generated APIs and on the airline samples."""

from __future__ import annotations

from pathlib import Path

import pytest

import boundary

FIXTURES = Path(__file__).parent / "fixtures"


def test_sam_api_called_by_a_state_machine() -> None:
    result = boundary.analyze([FIXTURES / "service-endpoint-without-iam-auth" / "sam.yaml"])
    reported = {
        (f.resource, str(f.severity))
        for f in result.findings
        if f.rule_name == "service-endpoint-without-iam-auth"
    }
    assert reported == {("OpenRatesApi", "high"), ("InvalidPlainFaresMethod", "high")}
    (finding,) = [
        f
        for f in result.findings
        if f.rule_name == "service-endpoint-without-iam-auth" and f.resource == "OpenRatesApi"
    ]
    assert "RatesFlow" in finding.message
    assert "Quote:" in result.templates[0].source_lines[finding.location.line - 1]


@pytest.mark.parametrize(
    ("sample", "endpoint", "role"),
    [
        ("sam/insecure/template.yaml", "LoyaltyApi", "AppSyncLoyaltyRole"),
        (
            "terraform/insecure/plan.json",
            "aws_api_gateway_method.get_loyalty",
            "aws_iam_role.appsync_loyalty_role",
        ),
    ],
)
def test_insecure_samples(samples_dir: Path, sample: str, endpoint: str, role: str) -> None:
    result = boundary.analyze([samples_dir / sample])
    open_calls = [f for f in result.findings if f.rule_name == "service-endpoint-without-iam-auth"]
    assert [(f.resource, str(f.severity)) for f in open_calls] == [(endpoint, "high")]
    unscoped = [f for f in result.findings if f.rule_name == "unscoped-service-invoke"]
    assert [(f.resource, str(f.severity)) for f in unscoped] == [(role, "medium")]
    assert "on * " in unscoped[0].message


@pytest.mark.parametrize("sample", ["sam/secure/template.yaml", "terraform/secure/plan.json"])
def test_secure_samples_are_clean(samples_dir: Path, sample: str) -> None:
    result = boundary.analyze([samples_dir / sample])
    mine = {
        "service-endpoint-without-iam-auth",
        "unscoped-service-invoke",
        "public-invoke-permission",
        "admin-access",
    }
    assert not [f.message for f in result.findings if f.rule_name in mine]
