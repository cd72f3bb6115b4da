"""resource-type-mismatch (BND108) owns a name or queue URL written where an ARN belongs;
invalid-policy (BND115) must not report the same statement again as a malformed ARN."""

from __future__ import annotations

from pathlib import Path

import pytest

import boundary

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "resource-type-mismatch" / "sam.yaml"


@pytest.mark.parametrize(
    ("function", "what", "owner"),
    [("InvalidQueueUrlFn", "URL", "JobsQueue"), ("InvalidTableNameFn", "name", "OrdersTable")],
)
def test_ref_instead_of_arn_is_one_mismatch(function: str, what: str, owner: str) -> None:
    findings = [f for f in boundary.analyze([FIXTURE]).findings if f.resource == f"{function}Role"]
    rules = sorted(
        f.rule_name for f in findings if f.rule_name in ("resource-type-mismatch", "invalid-policy")
    )
    assert rules == ["resource-type-mismatch"]
    message = next(f.message for f in findings if f.rule_name == "resource-type-mismatch")
    assert f"is the {what} of {owner}" in message and f"!GetAtt {owner}.Arn" in message
