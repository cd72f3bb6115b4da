"""How to load: one value that travels from the CLI (or the library call) to every loader."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from boundary.model import Limits

__all__ = ["LoadOptions"]


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """Template parameter overrides, where the stack deploys, and the limits each
    file must keep within (docs/security.md).

    The defaults live here and nowhere else. `region` and `account` are what
    pseudo parameters and generated ARNs use: for SAM and CloudFormation the
    stack's target; for a Terraform plan `account` always, and `region` where
    the plan's provider configuration does not name one (a provider that sets
    its region says where its resources go).
    """

    parameters: Mapping[str, str] | None = None
    region: str = "us-east-1"
    account: str = "123456789012"
    partition: str = "aws"
    stack_name: str = "boundary-stack"
    limits: Limits = Limits()
