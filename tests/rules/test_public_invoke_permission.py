"""BND110: severities, and the permissions a function URL needs left to BND109."""

from __future__ import annotations

from pathlib import Path

import pytest

import boundary

FIXTURES = Path(__file__).parent / "fixtures" / "public-invoke-permission"


@pytest.mark.parametrize(
    ("fixture", "resource", "severity"),
    [
        ("sam.yaml", "InvalidAnyonePermission", "high"),
        ("sam.yaml", "InvalidAnyBucketPermission", "medium"),
        ("sam.yaml", "InvalidAnyApiPermission", "medium"),
        ("cfn.yaml", "InvalidAnyoneUrlIamPermission", "high"),
        ("cfn.yaml", "InvalidAnyRulePermission", "medium"),
        ("tfplan.json", "aws_lambda_permission.invalid_anyone", "high"),
        ("tfplan.json", "aws_lambda_permission.invalid_any_bucket", "medium"),
    ],
)
def test_severity(fixture: str, resource: str, severity: str) -> None:
    result = boundary.analyze([FIXTURES / fixture])
    (finding,) = [
        f for f in result.findings if f.rule_name == "public-invoke-permission" and f.resource == resource
    ]
    assert str(finding.severity) == severity


@pytest.mark.parametrize("sample", ["sam/insecure/template.yaml", "terraform/insecure/plan.json"])
def test_open_function_url_is_reported_once(samples_dir: Path, sample: str) -> None:
    """The URL's own permissions (FunctionUrlAuthType NONE, InvokedViaFunctionUrl) are BND109's case."""
    result = boundary.analyze([samples_dir / sample])
    assert not [f for f in result.findings if f.rule_name == "public-invoke-permission"]
    assert [
        f
        for f in result.findings
        if f.rule_name == "unauthenticated-endpoint" and "function URL" in f.message
    ]
