"""`rules`, `explain`, `validate-policy` and `--version` through typer's CliRunner."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import boundary
from boundary.cli import app, rule_markdown
from boundary.findings import Category, Severity
from boundary.model import PolicyKind
from boundary.report import FORMATS
from boundary.rules import registry


@pytest.mark.parametrize(
    ("command", "option", "library_enum"),
    [
        ("scan", "--fail-on", Severity),
        ("rules", "--category", Category),
        ("rules", "--severity", Severity),
        ("validate-policy", "--kind", PolicyKind),
    ],
)
def test_cli_choices_are_the_library_enums(
    runner: CliRunner, command: str, option: str, library_enum: Any
) -> None:
    """The choices come from the public enums themselves: there is no copy to drift."""
    result = runner.invoke(app, [command, "--help"], terminal_width=400)
    text = "".join(result.stdout.split())
    assert f"<{'|'.join(m.value for m in library_enum)}>" in text
    rejected = runner.invoke(app, [command, option, "no-such-choice"])
    assert rejected.exit_code == 2


def test_cli_formats_are_the_report_formats(runner: CliRunner) -> None:
    result = runner.invoke(app, ["scan", "--help"], terminal_width=200)
    assert ", ".join(FORMATS) in " ".join(result.stdout.split())


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"boundary {boundary.__version__}\n")


def test_rules_table_lists_every_rule(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules"])
    assert result.exit_code == 0
    for meta in registry():
        line = next(line for line in result.stdout.splitlines() if line.startswith(meta.id))
        assert meta.name in line and str(meta.category) in line and str(meta.severity) in line


def test_rules_json_has_the_metadata(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [r["id"] for r in listed] == [m.id for m in registry()]
    assert all(r["help_uri"].endswith(f"{r['id']}.md") for r in listed)


@pytest.mark.parametrize("meta", registry(), ids=lambda m: m.id)
def test_rules_filters(runner: CliRunner, meta: Any) -> None:
    by_category = json.loads(
        runner.invoke(app, ["rules", "-f", "json", "--category", str(meta.category)]).stdout
    )
    assert meta.id in [r["id"] for r in by_category]
    assert {r["category"] for r in by_category} == {str(meta.category)}
    by_severity = json.loads(
        runner.invoke(app, ["rules", "-f", "json", "--severity", str(meta.severity)]).stdout
    )
    assert {r["severity"] for r in by_severity} == {str(meta.severity)}


def test_rules_bad_filter_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["rules", "--category", "nonsense"])
    assert result.exit_code == 2


@pytest.mark.parametrize("meta", registry(), ids=lambda m: m.id)
@pytest.mark.parametrize("by", ["id", "name"])
def test_explain_renders_every_doc_section(runner: CliRunner, meta: Any, by: str) -> None:
    result = runner.invoke(app, ["explain", meta.id.lower() if by == "id" else meta.name])
    assert result.exit_code == 0, result.output
    assert meta.id in result.stdout and meta.title in result.stdout
    for section, body in meta.docs.items():
        if body.strip():
            assert section in result.stdout
    assert "## " not in result.stdout  # rendered, not raw Markdown


def test_rule_markdown_contains_the_sections() -> None:
    meta = registry()[0]
    text = rule_markdown(meta)
    assert text.startswith(f"# {meta.id} {meta.name}")
    assert all(f"## {section}" in text for section, body in meta.docs.items() if body.strip())


def test_explain_unknown_rule(runner: CliRunner) -> None:
    result = runner.invoke(app, ["explain", "BND999"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: unknown rule 'BND999'; `boundary rules` lists them"


# ------------------------------------------------------------ validate-policy


@dataclass(frozen=True)
class _Level:
    value: str


@dataclass(frozen=True)
class _Issue:
    check: str
    severity: _Level
    message: str
    statement_index: int | None = None
    element: str | None = None
    location: Any = None


POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


@pytest.fixture
def fake_validate(monkeypatch: pytest.MonkeyPatch) -> Any:
    def install(issues: list[_Issue]) -> list[tuple[Any, str]]:
        calls: list[tuple[Any, str]] = []

        def validate_policy(document: Any, *, kind: str = "identity") -> list[_Issue]:
            calls.append((document, kind))
            return issues

        monkeypatch.setattr(boundary, "validate_policy", validate_policy, raising=False)
        return calls

    return install


@pytest.mark.parametrize(
    ("level", "code"),
    [(None, 0), ("suggestion", 0), ("warning", 0), ("security-warning", 1), ("error", 1)],
)
def test_validate_policy_exit_codes(
    runner: CliRunner, tmp_path: Path, fake_validate: Any, level: str | None, code: int
) -> None:
    issues = [] if level is None else [_Issue("CHECK", _Level(level), "something is off", 0, "Resource")]
    calls = fake_validate(issues)
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(POLICY), encoding="utf-8")
    result = runner.invoke(app, ["validate-policy", str(path), "--kind", "resource"])
    assert result.exit_code == code, result.output
    assert [(document.raw, kind) for document, kind in calls] == [(POLICY, "resource")]
    if level:
        assert result.stdout.strip() == f"{path}: {level}: CHECK: something is off (Statement[0].Resource)"


def test_validate_policy_json_format(runner: CliRunner, tmp_path: Path, fake_validate: Any) -> None:
    fake_validate([_Issue("PASS_ROLE", _Level("security-warning"), "iam:PassRole on *", 0, "Action")])
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(POLICY), encoding="utf-8")
    result = runner.invoke(app, ["validate-policy", str(path), "-f", "json"])
    assert result.exit_code == 1
    (issue,) = json.loads(result.stdout)
    assert (issue["check"], issue["severity"], issue["statement_index"]) == (
        "PASS_ROLE",
        "security-warning",
        0,
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "{path}: error: cannot read file: No such file or directory"),
        (
            '{"Version": "2012-10-17",\n  "Statement": [,]}',
            "{path}:2:17: error: not valid JSON: Expecting value",
        ),
        ("[]", "{path}:1:1: error: a policy document must be a JSON object"),
        (
            b"\xff\xfe{",
            "{path}:1:1: error: cannot read file: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
    ],
    ids=["missing", "bad-json", "not-object", "not-utf8"],
)
def test_validate_policy_unreadable_files_exit_2_and_others_are_still_checked(
    runner: CliRunner, tmp_path: Path, fake_validate: Any, content: str | bytes | None, expected: str
) -> None:
    calls = fake_validate([])
    bad = tmp_path / "bad.json"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif content is not None:
        bad.write_text(content, encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(POLICY), encoding="utf-8")
    result = runner.invoke(app, ["validate-policy", str(bad), str(good)])
    assert result.exit_code == 2
    assert result.stderr.strip() == expected.format(path=bad)
    assert len(calls) == 1


def test_validate_policy_points_at_the_statement_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "policy.json"
    path.write_text(
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},\n'
        '    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}\n  ]\n}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["validate-policy", str(path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{path}:5:5: security-warning: pass-role-with-star-resource:"), (
        result.stdout
    )
