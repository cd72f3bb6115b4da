"""Offline policy validation on the sample applications."""

from __future__ import annotations

from pathlib import Path

import pytest

import boundary
from boundary.iam import IssueSeverity, validate_policy
from boundary.model import PolicyKind

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FILES = {"sam": "template.yaml", "terraform": "plan.json"}


def _issues(fmt: str, variant: str) -> list[tuple[str, object]]:
    model = boundary.load([SAMPLES / fmt / variant / FILES[fmt]])
    assert not model.errors
    found = []
    for template in model.templates:
        for policy in template.policies:
            if policy.document is None:
                continue
            kind = {PolicyKind.TRUST: "trust", PolicyKind.RESOURCE: "resource"}.get(policy.kind, "identity")
            found.extend((policy.id, issue) for issue in validate_policy(policy.document, kind=kind))
    return found


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_secure_sample_has_no_error_level_validation_issue(fmt: str) -> None:
    errors = [(pid, i) for pid, i in _issues(fmt, "secure") if i.severity is IssueSeverity.ERROR]  # type: ignore[attr-defined]
    assert not errors, errors


def test_insecure_sam_update_item_on_a_topic_is_a_resource_type_mismatch() -> None:
    mismatches = [
        (pid, i)
        for pid, i in _issues("sam", "insecure")
        if i.check == "action-resource-mismatch"  # type: ignore[attr-defined]
    ]
    assert len(mismatches) == 1, mismatches
    policy_id, issue = mismatches[0]
    assert "confirm" in policy_id.lower()
    assert "dynamodb:UpdateItem" in issue.message and ":sns:" in issue.message  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_insecure_mismatch_is_reported_in_both_formats(fmt: str) -> None:
    """In the plan the topic ARN is known only after apply; the scan still links it
    through the configuration's references and reports the mismatch."""
    findings = [
        f
        for f in boundary.scan([SAMPLES / fmt / "insecure" / FILES[fmt]])
        if f.category.value == "resource-type-mismatch"
    ]
    assert len(findings) == 1, findings
    assert "dynamodb:UpdateItem" in findings[0].message and ":sns:" in findings[0].message
