"""Every problem seeded in the insecure samples is found with the right category,
resource and line; the lines are read from the sample itself, so editing the
sample cannot leave this test asserting stale numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

import boundary

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SAM = SAMPLES / "sam" / "insecure" / "template.yaml"
PLAN = SAMPLES / "terraform" / "insecure" / "plan.json"


def _line(path: Path, text: str, after: int = 0) -> int:
    """The first line (1-based) after `after` containing `text`."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if number > after and text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def _found(path: Path) -> set[tuple[str, str, int]]:
    # a finding merged into another on the same statement is still found
    return {
        (each.category.value, each.resource, each.location.line)
        for f in boundary.scan([path])
        for each in (f, *f.merged)
    }


def _sam_expected() -> list[tuple[str, str, int]]:
    role = _line(SAM, "BookingRole: #")
    dynamodb_star = _line(SAM, "# seeded: wildcard action and resource")
    sns_star = _line(SAM, "# seeded: wildcard action and resource", after=dynamodb_star)
    appsync_star = _line(SAM, "Action: execute-api:Invoke") - 1  # the statement starts a line above
    return [
        ("shared-role", "BookingRole", role),
        ("wildcard-action", "BookingRole", dynamodb_star),
        ("wildcard-action", "BookingRole", sns_star),
        ("wildcard-resource", "BookingRole", dynamodb_star),
        ("wildcard-resource", "BookingRole", sns_star),
        ("wildcard-resource", "AppSyncLoyaltyRole", appsync_star),
        ("over-grant", "AppSyncLoyaltyRole", appsync_star),
        (
            "resource-type-mismatch",
            "ConfirmBookingPolicy",
            _line(SAM, "# seeded: topic ARN in a DynamoDB statement"),
        ),
        ("unauthenticated-endpoint", "ServerlessHttpApi", _line(SAM, "# seeded: open route") - 1),
        ("unauthenticated-endpoint", "NotifyBookingUrl", _line(SAM, "FunctionUrlConfig:")),
        ("unauthenticated-endpoint", "LoyaltyApi", _line(SAM, "GetApi:")),
        ("long-term-credentials", "CancelBooking", _line(SAM, "AKIAIOSFODNN7EXAMPLE")),
        ("long-term-credentials", "CancelBooking", _line(SAM, "AWS_SECRET_ACCESS_KEY")),
    ]


@pytest.mark.parametrize("expected", _sam_expected(), ids=lambda e: f"{e[0]}-{e[1]}-{e[2]}")
def test_sam_seeded_problem_is_found(expected: tuple[str, str, int]) -> None:
    assert expected in _found(SAM)


@pytest.mark.parametrize(
    ("category", "resource"),
    [
        ("shared-role", "aws_iam_role.booking_role"),
        ("wildcard-action", "aws_iam_role.booking_role"),
        ("wildcard-resource", "aws_iam_role.booking_role"),
        ("wildcard-resource", "aws_iam_role.appsync_loyalty_role"),
        ("over-grant", "aws_iam_role.appsync_loyalty_role"),
        ("resource-type-mismatch", "aws_iam_role_policy.confirm_booking"),
        ("unauthenticated-endpoint", "aws_apigatewayv2_route.post_bookings"),
        ("unauthenticated-endpoint", "aws_lambda_function_url.notify_booking"),
        ("unauthenticated-endpoint", "aws_api_gateway_method.get_loyalty"),
        ("long-term-credentials", "aws_lambda_function.cancel_booking"),
    ],
)
def test_terraform_seeded_problem_is_found_at_its_resource(
    category: str, resource: str, tmp_path: Path
) -> None:
    """Read with the main.tf beside it, a plan's finding is at the block of the resource
    (or of the policy the statement comes from) in main.tf, or at an attribute inside it;
    the plan alone (copied away from its sources) points at the `"address"` line."""
    source = PLAN.with_name("main.tf")
    tf = source.read_text(encoding="utf-8").splitlines()
    blocks = [n for n, line in enumerate(tf, start=1) if line.startswith(("resource ", "data "))]
    found = [
        each
        for f in boundary.scan([PLAN])
        for each in (f, *f.merged)  # merged into another finding on the same statement
        if (each.category.value, each.resource) == (category, resource)
    ]
    assert found, f"no {category} finding on {resource}"
    for finding in found:
        assert finding.location.file == str(source), finding.location
        line = finding.location.line
        start = max(n for n in blocks if n <= line)
        assert tf[start - 1].startswith(("resource ", "data ")), (line, tf[start - 1])
        address = finding.location.address or ""
        kind, name = address.removeprefix("data.").split(".")[:2]
        assert f'"{kind}" "{name}"' in tf[start - 1], (address, tf[start - 1])

    alone = tmp_path / "plan.json"
    alone.write_text(PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    lines = {line for cat, res, line in _found(alone) if (cat, res) == (category, resource)}
    assert lines, f"no {category} finding on {resource} in the plan alone"
    text = PLAN.read_text(encoding="utf-8").splitlines()
    for line in lines:
        assert '"address": ' in text[line - 1], (line, text[line - 1])
