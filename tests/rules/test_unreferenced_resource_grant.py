"""BND107 beyond the Valid/Invalid naming: one finding per grant, and what the message calls referenced."""

from __future__ import annotations

from pathlib import Path

import boundary

FIXTURES = Path(__file__).parent / "fixtures" / "unreferenced-resource-grant"
RULE = "unreferenced-resource-grant"


def _messages(fixture: str, role: str) -> list[str]:
    result = boundary.analyze([FIXTURES / fixture])
    return [f.message for f in result.findings if f.rule_name == RULE and f.resource == role]


def test_a_path_pattern_is_one_finding_naming_its_resources() -> None:
    (message,) = _messages("cfn.yaml", "InvalidOtherPathRole")
    assert "on 3 resources through arn:aws:ssm:us-east-1:123456789012:parameter/billing/config/*" in message
    assert "BillingDbParam, BillingKeyParam, BillingUrlParam" in message
    assert "OrdersDbParam" not in message.split("(", 1)[1].split(")", 1)[0]


def test_referenced_lists_only_data_the_function_names() -> None:
    (message,) = _messages("sam.yaml", "InvalidApiNeighbourRole")
    assert "it references no data resource" in message
    for unrelated in ("AlarmTopic", "ApiSibling", "ServerlessRestApi"):
        assert unrelated not in message
