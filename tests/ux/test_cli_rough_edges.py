"""Issue 11, items 5 and 8: what the command line says when a path is missing, when a URL
is long, and when an option's value names nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import boundary.cli
from boundary.cli import app
from boundary.rules import rule_classes

ROOT = Path(__file__).resolve().parents[2]
SAM = str(ROOT / "samples" / "sam" / "secure" / "template.yaml")
ACTIVITY = str(ROOT / "samples" / "activity" / "airline")


def _invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "CI": "1", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ a missing path


@pytest.mark.parametrize(
    "command",
    [
        ["scan", "--no-cache"],
        ["graph", "-f", "json"],
        ["paths"],
        ["audit", "--activity", ACTIVITY],
        ["generate-policy", "--activity", ACTIVITY],
    ],
    ids=lambda c: c[0],
)
def test_a_missing_path_is_one_line_without_a_made_up_position(tmp_path: Path, command: list[str]) -> None:
    missing = str(tmp_path / "nonexistent.yaml")
    code, _, stderr = _invoke(*command, missing)
    assert code == 2
    assert stderr.splitlines() == [f"{missing}: error: no such file or directory"]


@pytest.mark.parametrize(
    "command",
    [["scan", "--no-cache", "-q"], ["graph", "-f", "json"], ["paths"], ["audit", "--activity", ACTIVITY]],
    ids=lambda c: c[0],
)
def test_a_missing_path_beside_a_good_one_is_reported_and_the_rest_still_runs(
    tmp_path: Path, command: list[str]
) -> None:
    missing = str(tmp_path / "nonexistent.yaml")
    code, stdout, stderr = _invoke(*command, missing, SAM)
    assert code == 2
    assert stderr.splitlines() == [f"{missing}: error: no such file or directory"]
    assert stdout.strip(), "the template that exists must still be reported"


def test_errors_with_a_position_keep_it(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("Resources:\n  Fn:\n    Type: [unclosed\n", encoding="utf-8")
    code, _, stderr = _invoke("scan", "--no-cache", str(broken))
    assert code == 2
    (line,) = stderr.splitlines()
    assert re.match(rf"^{re.escape(str(broken))}:[1-9][0-9]*:[1-9][0-9]*: error: \S", line), line


# ------------------------------------------------------------ explain keeps URLs


def _reference_urls() -> list[tuple[str, str]]:
    from boundary.config import Config

    return [
        (cls.meta.id, url)
        for cls in rule_classes(Config())
        for url in re.findall(r"https?://[^\s)>]+", cls.meta.docs.get("References", ""))
    ]


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "narrow-terminal"])
def test_explain_never_splits_a_url(monkeypatch: pytest.MonkeyPatch, terminal: bool) -> None:
    urls = _reference_urls()
    assert len(urls) > 10
    monkeypatch.setattr(boundary.cli, "_stdout_is_tty", lambda: terminal)
    for rule_id in sorted({rule_id for rule_id, _ in urls}):
        code, stdout, _ = _invoke("explain", rule_id, env={"COLUMNS": "50"})
        assert code == 0
        lines = stdout.splitlines()
        for url in (u for r, u in urls if r == rule_id):
            assert any(url in line for line in lines), (rule_id, url, stdout[-600:])


# ------------------------------------------------- option values that name nothing

PARAMETERISED = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: dev}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: x
      Environment: {Variables: {STAGE: !Ref Stage}}
"""


@pytest.mark.parametrize(
    "command",
    [
        ["scan", "--no-cache", "-q"],
        ["graph", "-f", "json"],
        ["paths"],
        ["audit", "--activity", ACTIVITY, "--soft-fail"],
    ],
    ids=lambda c: c[0],
)
def test_a_parameter_no_template_declares_is_an_error(tmp_path: Path, command: list[str]) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(PARAMETERISED, encoding="utf-8")
    code, _, stderr = _invoke(*command, str(template), "-p", "Stag=prod")
    assert code == 2
    assert stderr.splitlines() == [
        "error: --param Stag: no template scanned declares a parameter of this name; did you mean Stage?"
    ]
    good, _, clean = _invoke(*command, str(template), "-p", "Stage=prod")
    assert (good, clean) == (0, "")


def test_a_parameter_on_a_plan_is_an_error() -> None:
    plan = str(ROOT / "samples" / "terraform" / "secure" / "plan.json")
    code, _, stderr = _invoke("scan", "--no-cache", "-q", "--fail-on", "critical", plan, "-p", "Stage=prod")
    assert code == 2
    assert stderr.startswith("error: --param Stage: no template scanned declares a parameter of this name")


def test_a_role_map_naming_no_role_is_an_error() -> None:
    code, _, stderr = _invoke(
        "audit", SAM, "--activity", ACTIVITY, "--soft-fail", "--role-map", "ReserveBookingRol=x"
    )
    assert code == 2
    assert stderr.splitlines() == [
        "error: --role-map ReserveBookingRol: no role of this name in the templates; "
        "did you mean ReserveBookingRole?"
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["scan", SAM, "-f", "jsn"],
        ["scan", SAM, "--fail-on", "hgh"],
        ["scan", SAM, "--limit", "max-node=5"],
        ["scan", SAM, "--limit", "max-nodes"],
        ["scan", SAM, "-p", "Stage"],
        ["scan", SAM, "--region", "eu-west"],
        ["scan", SAM, "--account", "12345"],
        ["graph", SAM, "-f", "svg"],
        ["graph", SAM, "--hide", "roles"],
        ["graph", SAM, "--focus", "NoSuchThing"],
        ["paths", SAM, "--to", "NoSuchThing"],
        ["paths", SAM, "-f", "yaml"],
        ["rules", "--severity", "hgh"],
        ["rules", "--category", "shared"],
        ["rules", "-f", "csv"],
        ["explain", "BND1O1"],
        ["validate-policy", SAM, "--kind", "identiy"],
        ["audit", SAM, "--activity", ACTIVITY, "-f", "jsn"],
        ["audit", SAM, "--activity", ACTIVITY, "--region", "Ireland"],
        ["generate-policy", SAM, "--activity", ACTIVITY, "--role", "NoSuchRole"],
        ["generate-policy", SAM, "--activity", ACTIVITY, "--account", "12345"],
        ["generate-policy", SAM, "--activity", ACTIVITY, "-f", "yaml"],
    ],
    ids=lambda a: " ".join(a[:1] + a[-2:]).replace(str(ROOT), ""),
)
def test_an_option_value_that_names_nothing_is_a_usage_error(args: list[str]) -> None:
    code, stdout, stderr = _invoke(*args)
    assert code == 2, (stdout, stderr)
    assert stderr.strip(), "the user is told why"
    assert "Traceback" not in stderr


# ------------------------------------------- validate-policy says what the docs say

POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": "s3:GetObjekt",
      "Resource": "arn:aws:s3:::bookings/*"
    }
  ]
}
"""


def test_validate_policy_prints_the_documented_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "policy.json").write_text(POLICY, encoding="utf-8")
    code, stdout, stderr = _invoke("validate-policy", "policy.json")
    assert (code, stderr) == (1, "")
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = doc.split("## boundary validate-policy", 1)[1]
    assert "`file:line:col: severity: check: message`" in section
    example = re.search(r"```text\n(policy\.json:[^\n]*)\n```", section)
    assert example is not None, "docs/cli.md shows an example line"
    assert stdout.splitlines() == [example.group(1)]


def test_validate_policy_missing_file_has_no_made_up_position(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    code, _, stderr = _invoke("validate-policy", str(missing))
    assert code == 2
    assert stderr.splitlines() == [f"{missing}: error: cannot read file: No such file or directory"]


@pytest.mark.parametrize(
    "region", ["us-east-1", "us-gov-west-1", "cn-northwest-1", "eusc-de-east-1", "ap-southeast-4"]
)
def test_every_shape_of_region_name_is_accepted(region: str) -> None:
    code, _, stderr = _invoke("scan", "--no-cache", "-q", "--soft-fail", "--region", region, SAM)
    assert (code, stderr) == (0, "")
