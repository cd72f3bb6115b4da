"""The airline sample's activity: the audit finds exactly the seeded unused grants, and the
generated policies allow every successful event and nothing else, by boundary's own evaluator."""

from __future__ import annotations

import filecmp
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from boundary.audit import AuditResult, audit, generate_policies, merged_diff
from boundary.iam import normalize_policy
from boundary.iam.evaluate import allows, statement_actions
from boundary.load.activity import event_action, event_principal, iter_events, load_activity

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "samples" / "sam" / "secure" / "template.yaml"
ACTIVITY = ROOT / "samples" / "activity" / "airline"
GENERATOR = ROOT / "samples" / "activity" / "generate.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("generate_sample_activity", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def result() -> AuditResult:
    return audit([TEMPLATE], load_activity([ACTIVITY], stacks=["airline-prod"]))


def test_sample_activity_is_the_generators_output(tmp_path: Path) -> None:
    module = _generator()
    module.OUT = tmp_path / "airline"
    module.main()
    comparison = filecmp.dircmp(ACTIVITY, module.OUT)
    pending = [comparison]
    while pending:
        current = pending.pop()
        assert not current.left_only and not current.right_only, (current.left_only, current.right_only)
        _, mismatch, errors = filecmp.cmpfiles(
            current.left, current.right, current.common_files, shallow=False
        )
        assert not mismatch and not errors, f"rerun python samples/activity/generate.py: {mismatch}"
        pending.extend(current.subdirs.values())


def test_audit_reports_exactly_the_seeded_unused_grants(result: AuditResult) -> None:
    module = _generator()
    assert not result.errors
    findings = [f for f in result.findings if f.rule_id == "BND118"]
    never = {f.resource for f in findings if f.key == "never-used"}
    assert never == module.SEEDED_NEVER_USED
    reported: dict[str, set[str]] = {}
    for usage in result.usage:
        if usage.unused and not usage.never_used:
            reported[usage.resource.id] = set(usage.unused)
    assert reported == module.SEEDED_UNUSED
    # one finding per statement that grants them, on that statement, naming each action
    by_role = {f.resource: f for f in findings if f.key != "never-used"}
    assert set(by_role) == set(module.SEEDED_UNUSED)
    for role, actions in module.SEEDED_UNUSED.items():
        finding = by_role[role]
        assert finding.category == "unused-permission"
        assert finding.location.file.endswith("template.yaml") and finding.location.line > 0
        assert all(action in finding.message for action in actions), finding.message


def test_other_stacks_count_unless_the_stack_is_named() -> None:
    anywhere = audit([TEMPLATE], load_activity([ACTIVITY]))
    get_loyalty = next(u for u in anywhere.usage if u.resource.id == "GetLoyaltyRole")
    assert "dynamodb:Scan" in get_loyalty.used  # airline-staging's GetLoyaltyRole scans
    assert any("airline-staging" in p for p in get_loyalty.principals)


def _successful_events() -> Iterator[Mapping[str, Any]]:
    for path in sorted(ACTIVITY.rglob("*")):
        if path.name.endswith(".json.gz"):
            kind = "records"
        elif path.parent.name == "lookup-events":
            kind = "events"
        else:
            continue
        for event in iter_events(str(path), kind):
            if not event.get("errorCode"):
                yield event


def _resource(event: Mapping[str, Any]) -> str:
    resources = event.get("resources") or []
    if resources:
        return str(resources[0]["ARN"])
    group = (event.get("requestParameters") or {}).get("logGroupName")
    if group:
        return f"arn:aws:logs:{event['awsRegion']}:{event['recipientAccountId']}:log-group:{group}:*"
    raise AssertionError(f"no resource for {event['eventName']}")


def test_generated_policies_allow_every_event_and_nothing_else(result: AuditResult) -> None:
    policies = {p.role: p for p in generate_policies(result.model, result.usage)}
    usage = {u.resource.id: u for u in result.usage}
    principals = {principal: role for role, u in usage.items() for principal in u.principals}
    checked = 0
    for event in _successful_events():
        role = principals.get(event_principal(event))
        if role is None:
            continue  # AWS services assuming roles, other stacks, people
        statements = normalize_policy(policies[role].document).statements
        for action in event_action(event["eventSource"], event["eventName"]) or ():
            assert allows(statements, action, _resource(event)), (role, action, _resource(event))
            checked += 1
    assert checked > 300
    for role, policy in policies.items():
        statements = normalize_policy(policy.document).statements
        granted = set().union(*(statement_actions(s) for s in statements if s.effect == "Allow"))
        assert granted == set(usage[role].used) | set(usage[role].unrecorded), role
    # the calls AWS refused stay refused
    reserve = normalize_policy(policies["ReserveBookingRole"].document).statements
    table = "arn:aws:dynamodb:eu-west-1:111122223333:table/airline-prod-BookingTable-BNIQWSEXTDEXN"
    assert not allows(reserve, "dynamodb:DeleteItem", table)
    assert not allows(reserve, "dynamodb:UpdateItem", table)
    assert allows(reserve, "dynamodb:PutItem", table)


def test_sam_block_prefers_an_exactly_matching_policy_template(result: AuditResult) -> None:
    policies = {p.role: p for p in generate_policies(result.model, result.usage)}
    assert "SNSPublishMessagePolicy:" in policies["NotifyBookingRole"].sam
    assert "TopicName: !GetAtt BookingTopic.TopicName" in policies["NotifyBookingRole"].sam
    reserve = policies["ReserveBookingRole"].sam
    assert "DynamoDBWritePolicy" not in reserve  # it grants UpdateItem and BatchWriteItem too
    assert "- dynamodb:PutItem" in reserve and "!GetAtt BookingTable.Arn" in reserve
    assert "logs:" not in reserve  # SAM attaches the basic execution role itself


@pytest.mark.skipif(sys.platform == "win32", reason="uses git apply")
def test_the_diff_applies_and_leaves_only_what_sam_owns(result: AuditResult, tmp_path: Path) -> None:
    work = tmp_path / "repo"
    (work / "samples" / "sam" / "secure").mkdir(parents=True)
    target = work / "samples" / "sam" / "secure" / "template.yaml"
    target.write_bytes(TEMPLATE.read_bytes())
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        patch = merged_diff(result.model, generate_policies(result.model, result.usage))
    finally:
        os.chdir(here)
    assert patch.startswith("--- a/samples/sam/secure/template.yaml")
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    subprocess.run(["git", "apply", "-"], cwd=work, input=patch.encode(), check=True)
    after = audit([target], load_activity([ACTIVITY], stacks=["airline-prod"]))
    assert not after.errors
    left = {(u.resource.id, a) for u in after.usage for a in u.unused if not u.never_used}
    # SAM attaches AWSLambdaBasicExecutionRole itself, so CreateLogGroup stays; the rest is gone
    assert left == {("NotifyBookingRole", "logs:CreateLogGroup")}
    assert {u.resource.id for u in after.usage if u.never_used and u.granted} == {"CancelBookingRole"}
    for usage in after.usage:
        assert set(usage.used) <= set(usage.granted), usage.resource.id
