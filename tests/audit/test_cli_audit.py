"""`boundary audit` and `boundary generate-policy` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from boundary.cli import app

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = str(ROOT / "samples" / "sam" / "secure" / "template.yaml")
ACTIVITY = str(ROOT / "samples" / "activity" / "airline")
BASE = ["audit", TEMPLATE, "--activity", ACTIVITY, "--stack", "airline-prod"]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


def test_text_has_the_role_summary_and_the_findings(tmp_path: Path) -> None:
    summary = tmp_path / "summary.json"
    code, out, _ = _run(*BASE, "--summary", str(summary))
    assert code == 1
    assert "ReserveBookingRole: 6 granted, 3 used, 2 unused" in out
    assert "AppSyncLoyaltyRole: 1 granted, no call recorded; last assumed 2026-04-30T15:00:00Z" in out
    assert "CancelBookingRole: never used" in out
    assert "BND118" in out
    data = json.loads(summary.read_text())
    roles = {r["role"]: r for r in data["roles"]}
    assert roles["GetLoyaltyRole"]["unused"] == [
        "dynamodb:BatchGetItem",
        "dynamodb:DescribeTable",
        "dynamodb:Scan",
    ]
    assert roles["CancelBookingRole"]["never_used"] is True
    assert roles["AppSyncLoyaltyRole"]["last_assumed"] == "2026-04-30T15:00:00Z"


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_findings_in_machine_formats(fmt: str) -> None:
    code, out, _ = _run(*BASE, "--format", fmt)
    assert code == 1
    data = json.loads(out)
    text = json.dumps(data)
    assert text.count("BND118") >= 5
    assert "unused-permission" in text or fmt == "sarif"


def test_since_until_narrow_the_period() -> None:
    code, out, _ = _run(*BASE, "--since", "2026-04-26", "--until", "2026-05-01", "--soft-fail")
    assert code == 0
    # only lookup-events output covers the last days: management events, no data events
    assert "ReserveBookingRole: 6 granted, 1 used, 4 unused" in out


def test_bad_activity_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"Records": [ {"eventTime": ')
    code, _, err = _run("audit", TEMPLATE, "--activity", str(bad), "--soft-fail")
    assert code == 2
    assert "bad.json:1:29: error: invalid JSON" in err
    assert "Traceback" not in err


def test_role_map_is_checked_and_used(tmp_path: Path) -> None:
    code, _, err = _run("audit", TEMPLATE, "--activity", ACTIVITY, "--role-map", "nonsense")
    assert code == 2 and "RESOURCE=ROLE" in err
    code, out, _ = _run(
        *BASE,
        "--role-map",
        "CancelBookingRole=airline-prod-ReserveBookingRole-3XM4KCX2UF6GO",
        "--format",
        "json",
    )
    assert code == 1


def test_generate_policy_forms() -> None:
    code, out, _ = _run(
        "generate-policy", TEMPLATE, "--activity", ACTIVITY, "--stack", "airline-prod", "-f", "json"
    )
    assert code == 0
    documents = json.loads(out)
    assert set(documents) >= {"ReserveBookingRole", "NotifyBookingRole", "ProcessBookingRole"}
    assert "CancelBookingRole" not in documents
    code, out, _ = _run(
        "generate-policy", TEMPLATE, "--activity", ACTIVITY, "--stack", "airline-prod", "-f", "diff"
    )
    assert code == 0 and out.count("+++ b/") == 1
    code, out, _ = _run(
        "generate-policy", TEMPLATE, "-a", ACTIVITY, "--stack", "airline-prod", "--role", "NotifyBookingRole"
    )
    assert code == 0
    assert "== NotifyBookingRole" in out and "ReserveBookingRole" not in out
    assert "SNSPublishMessagePolicy" in out
    code, _, err = _run("generate-policy", TEMPLATE, "-a", ACTIVITY, "--role", "NoSuchRole")
    assert code == 2 and "NoSuchRole" in err
