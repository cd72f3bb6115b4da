"""Which deployed role names are which template role."""

from __future__ import annotations

import pytest

from boundary.graph.usage import deployed_as, role_name_of
from boundary.model import Format, Location, Resource, ResourceKind, Symbolic


def _role(
    logical_id: str, name: str | Symbolic | None, properties: dict[str, object] | None = None
) -> Resource:
    return Resource(
        id=logical_id,
        type="AWS::IAM::Role" if not logical_id.startswith("aws_") else "aws_iam_role",
        kind=ResourceKind.ROLE,
        location=Location("t.yaml", 1, 1),
        properties=properties or {},
        name=name,
    )


GENERATED = _role("ConfirmBookingRole", "boundary-stack-ConfirmBookingRole")
LONG = _role(
    "ProcessPaymentAndNotifyCustomerStateMachineRole",
    "boundary-stack-ProcessPaymentAndNotifyCustomerStateMachineRole",
)


@pytest.mark.parametrize(
    ("resource", "name", "stacks", "expected"),
    [
        (GENERATED, "airline-ConfirmBookingRole-1PA40RLHC69VH", (), True),
        (GENERATED, "airline-ConfirmBookingRole-1PA40RLHC69VH", ("airline",), True),
        (GENERATED, "airline-ConfirmBookingRole-1PA40RLHC69VH", ("other",), False),
        (GENERATED, "airline-prod-ConfirmBookingRole-1PA40RLHC69VH", ("airline-prod",), True),
        (GENERATED, "airline-CancelBookingRole-1PA40RLHC69VH", (), False),
        (GENERATED, "airline-ConfirmBookingRoleX-1PA40RLHC69VH", (), False),
        (GENERATED, "ConfirmBookingRole", (), False),
        # CloudFormation cuts the logical id to keep the name within 64 characters
        (LONG, "payments-prod-ProcessPaymentAndNotifyCustomerState-A1B2C3D4E5F6G", (), True),
        (LONG, "payments-ProcessPayment-A1B2C3D4E5F6G", (), False),
        (_role("BookingRole", "booking-service"), "booking-service", (), True),
        (_role("BookingRole", "booking-service"), "airline-BookingRole-1PA40RLHC69VH", (), False),
        (_role("BookingRole", Symbolic("${RoleName}")), "airline-BookingRole-1PA40RLHC69VH", (), False),
    ],
)
def test_cloudformation_names(resource: Resource, name: str, stacks: tuple[str, ...], expected: bool) -> None:
    assert deployed_as(resource, name, Format.CLOUDFORMATION, stacks) is expected


def test_terraform_names() -> None:
    named = _role("aws_iam_role.api", None, {"name": "api-role"})
    assert deployed_as(named, "api-role", Format.TERRAFORM)
    assert not deployed_as(named, "api-role-2", Format.TERRAFORM)
    prefixed = _role("aws_iam_role.worker", None, {"name_prefix": "worker-"})
    assert deployed_as(prefixed, "worker-20260401120000000000000001", Format.TERRAFORM)
    assert not deployed_as(prefixed, "worker-admin", Format.TERRAFORM)
    unnamed = _role("aws_iam_role.x", None)
    assert not deployed_as(unnamed, "terraform-20260401120000000000000001", Format.TERRAFORM)


def test_role_name_of() -> None:
    assert role_name_of("arn:aws:iam::1:role/service-role/path/app-Role-X") == "app-Role-X"
    assert role_name_of("arn:aws:sts::1:assumed-role/app-Role-X/session") == "app-Role-X"
    assert role_name_of("arn:aws:iam::1:user/alice") is None
    assert role_name_of("lambda.amazonaws.com") is None
