"""Severity and wording of findings whose fix differs from the usual one (issue 15, item 8),
and one root cause reported once (item 7)."""

from __future__ import annotations

from pathlib import Path

import boundary
from boundary.findings import Finding, Severity

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _findings(rule: str, fixture: str, resource: str) -> list[Finding]:
    result = boundary.analyze([FIXTURES / fixture])
    return [
        f
        for f in result.findings
        if f.resource == resource and rule in {f.rule_name, *(m.rule_name for m in f.merged)}
    ]


def test_power_user_access_is_high_and_not_called_administrator() -> None:
    [finding] = _findings("admin-access", "admin-access/cfn.yaml", "InvalidPowerUserRole")
    assert finding.severity is Severity.HIGH
    assert "power-user access" in finding.message and "administrator access" not in finding.message


def test_administrator_access_stays_critical() -> None:
    [finding] = _findings("admin-access", "admin-access/cfn.yaml", "InvalidManagedAdminRole")
    assert finding.severity is Severity.CRITICAL and "administrator access" in finding.message


def test_deploy_role_gets_deploy_advice() -> None:
    [finding] = _findings("admin-access", "admin-access/cfn.yaml", "InvalidStackServiceRole")
    assert "deploy role (trusted by cloudformation.amazonaws.com)" in finding.message
    assert "permissions boundary" in finding.message and "iam:PassedToService" in finding.message
    assert "the workload uses" not in finding.message
    escalation = _findings("privilege-escalation", "privilege-escalation/cfn.yaml", "InvalidStackDeployRole")
    assert escalation and all("codebuild.amazonaws.com" in f.message for f in escalation)
    assert all("workload role" not in f.message for f in escalation)


def test_workload_role_keeps_workload_advice() -> None:
    findings = _findings("privilege-escalation", "privilege-escalation/cfn.yaml", "InvalidAnyRoleCreator")
    assert findings and all("deploy role" not in f.message for f in findings)


def test_passrole_on_a_name_pattern_and_on_every_role_read_differently() -> None:
    [stack] = [
        f
        for f in _findings("privilege-escalation", "privilege-escalation/cfn.yaml", "InvalidStackDeployRole")
        if "create a function" in f.message
    ]
    [anyone] = [
        f
        for f in _findings("privilege-escalation", "privilege-escalation/cfn.yaml", "InvalidAnyRoleCreator")
        if "create a function" in f.message
    ]
    assert (
        "iam:PassRole on the roles matching arn:aws:iam::123456789012:role/boundary-stack-*" in stack.message
    )
    assert "not every role" in stack.message
    assert "iam:PassRole on every role of the account (arn:aws:iam::123456789012:role/*)" in anyone.message


def test_mismatch_made_up_for_by_another_statement_is_low() -> None:
    [shadowed] = _findings(
        "resource-type-mismatch", "resource-type-mismatch/cfn.yaml", "InvalidShadowedQueuePolicy"
    )
    assert shadowed.severity is Severity.LOW
    assert "ValidQueueReadPolicy" in shadowed.message and "adds nothing" in shadowed.message
    [plain] = _findings("resource-type-mismatch", "resource-type-mismatch/cfn.yaml", "InvalidWorkerPolicy")
    assert plain.severity is Severity.HIGH


def test_full_access_policy_is_one_finding_not_two() -> None:
    result = boundary.analyze([FIXTURES / "unknown-managed-policy" / "cfn.yaml"])
    rules = sorted(f.rule_id for f in result.findings if f.resource == "ValidTextractFullRole")
    assert rules == ["BND105"]


def test_service_linked_role_remark_is_not_a_second_finding() -> None:
    result = boundary.analyze([FIXTURES / "invalid-policy" / "cfn.yaml"])
    rules = {f.rule_id for f in result.findings if f.resource == "ValidEverythingRole"}
    assert "BND105" in rules and "BND115" not in rules


def test_notaction_without_iam_is_power_user_and_names_what_it_leaves_out() -> None:
    """`NotAction: iam:*` on every resource is PowerUserAccess written by hand: high, not
    administrator; a NotAction that leaves IAM permissions management in is administrator."""
    [power] = _findings("admin-access", "wildcard-action/cfn.yaml", "InvalidNotActionRole")
    assert power.severity is Severity.HIGH and power.rule_name == "admin-access"
    assert "every action except iam:* on every resource: power-user access" in power.message
    assert "administrator access" not in power.message
    [admin] = _findings("admin-access", "admin-access/cfn.yaml", "InvalidNotActionRole")
    assert admin.severity is Severity.CRITICAL
    assert "every action except aws-portal:* on every resource: administrator access" in admin.message
    assert "iam:AttachRolePolicy" in admin.message
