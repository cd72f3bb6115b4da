"""Hostile input, built here by generators (nothing large is committed): no silent pass,
no traceback, no internal error (issue 16, S3 items 6-8).

Each test names the guard it holds; without the guard it fails.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

import boundary
import boundary.model
from boundary.cli import app
from boundary.model import LoadError, LoadSeverity
from boundary.report import FORMATS, ReportOptions, markdown, render

ROOT = Path(__file__).resolve().parents[1]
SECURE_PLAN = ROOT / "samples" / "terraform" / "secure" / "plan.json"
BIG = "9" * 5000  # past Python's 4,300-digit guard on int()

TOPIC = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
STATEMENT = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}


def _policy(tmp_path: Path, text: str | bytes, name: str = "policy.json") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# -- item 6: unreadable folders ----------------------------------------------------------------


def test_an_unreadable_subfolder_is_a_located_error_not_a_silent_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "template.yaml").write_text(TOPIC, encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: Any = ".") -> Any:  # what a folder without the read permission does
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    model = boundary.load([tmp_path])
    assert [(e.file, e.message, e.is_error) for e in model.errors] == [
        (str(locked), "cannot read folder: Permission denied", True)
    ]
    assert len(model.templates) == 1  # the rest is still scanned
    result = runner.invoke(app, ["scan", str(tmp_path), "--no-progress"])
    assert result.exit_code == 2
    assert f"{locked}: error: cannot read folder: Permission denied" in result.stderr.splitlines()
    assert "1 error" in result.stderr or "1 error" in result.stdout


def test_a_named_file_in_an_unreadable_folder_is_not_called_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    target = tmp_path / "locked" / "template.yaml"
    real_stat = os.stat

    def stat(path: Any, *args: Any, **kwargs: Any) -> Any:
        if os.fspath(path) == str(target):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    result = runner.invoke(app, ["scan", str(target), "--no-progress"])
    assert result.exit_code == 2
    assert f"{target}: error: cannot read: Permission denied" in result.stderr.splitlines()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every folder")
def test_a_folder_without_permissions_for_real(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "template.yaml").write_text("Resources: {}\n", encoding="utf-8")
    locked.chmod(0)
    try:
        errors = boundary.load([tmp_path]).errors
    finally:
        locked.chmod(0o755)
    assert [e.message for e in errors] == ["cannot read folder: Permission denied"]


# -- item 7: validate-policy reads and checks like scan ----------------------------------------


@pytest.mark.parametrize(
    ("document", "check"),
    [
        ({"Version": "2012-10-17", "Statement": None}, "missing-statement"),
        (
            {"Version": "2012-10-17", "Statement": [{**STATEMENT, "Action": [["s3:GetObject"]]}]},
            "nested-list",
        ),
        ({"Version": "2012-10-17", "Statement": [{**STATEMENT, "Resource": [["*"]]}]}, "nested-list"),
    ],
    ids=["null-statement", "nested-action", "nested-resource"],
)
def test_validate_policy_refuses_what_iam_refuses(
    tmp_path: Path, runner: CliRunner, document: dict[str, Any], check: str
) -> None:
    path = _policy(tmp_path, json.dumps(document))
    result = runner.invoke(app, ["validate-policy", str(path)])
    assert result.exit_code == 1, result.output
    assert f": error: {check}: " in result.stdout


def test_validate_policy_accepts_a_bom_as_scan_does(tmp_path: Path, runner: CliRunner) -> None:
    document = {"Version": "2012-10-17", "Statement": [STATEMENT]}
    path = _policy(tmp_path, b"\xef\xbb\xbf" + json.dumps(document).encode())
    result = runner.invoke(app, ["validate-policy", str(path)])
    assert result.exit_code == 0, result.output
    template = _policy(tmp_path, b"\xef\xbb\xbf" + SECURE_PLAN.read_bytes(), "plan.json")
    assert boundary.load([template]).errors == ()


# -- item 8: big integers, duplicate keys ------------------------------------------------------


def _big_cases(tmp_path: Path) -> list[Path]:
    yaml_template = (
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      Big: " + BIG + "\n"
    )
    json_template = json.dumps(
        {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Big": 0}}}}
    )
    plan = SECURE_PLAN.read_text(encoding="utf-8").replace(
        '"format_version"', f'"big": -{BIG}, "format_version"', 1
    )
    return [
        _policy(tmp_path, yaml_template, "template.yaml"),
        _policy(tmp_path, json_template.replace('"Big": 0', f'"Big": {BIG}'), "template.json"),
        _policy(tmp_path, plan, "plan.json"),
    ]


def test_integers_over_4300_digits_are_values_in_every_loader(tmp_path: Path, runner: CliRunner) -> None:
    paths = _big_cases(tmp_path)
    model = boundary.load(paths)
    assert model.errors == () and len(model.templates) == 3
    topic = next(t for t in model.templates if t.path.endswith("template.yaml")).resources["Topic"]
    assert topic.properties["Big"] == BIG  # kept as its text, exactly
    result = runner.invoke(app, ["scan", *map(str, paths), "--no-progress"])
    assert result.exit_code in (0, 1) and "internal error" not in result.output


def test_validate_policy_takes_big_integers_as_values(tmp_path: Path, runner: CliRunner) -> None:
    condition = {"NumericLessThan": {"s3:max-keys": 0}}
    text = json.dumps({"Version": "2012-10-17", "Statement": [{**STATEMENT, "Condition": condition}]})
    path = _policy(tmp_path, text.replace('"s3:max-keys": 0', f'"s3:max-keys": {BIG}'))
    result = runner.invoke(app, ["validate-policy", str(path)])
    assert result.exit_code == 0, result.output
    assert boundary.validate_policy(path.read_text(encoding="utf-8")) == []


def _duplicated_plan(tmp_path: Path) -> Path:
    text = json.dumps(json.loads(SECURE_PLAN.read_text(encoding="utf-8")), indent=2)
    # the same key twice, the last value is the one Terraform wrote
    text = text.replace('  "format_version": ', '  "format_version": "0.1",\n  "format_version": ', 1)
    return _policy(tmp_path, text, "plan.json")


def test_a_duplicate_key_in_a_plan_is_a_located_warning_and_the_last_value_wins(
    tmp_path: Path, runner: CliRunner
) -> None:
    plan = _duplicated_plan(tmp_path)
    clean = boundary.load([SECURE_PLAN]).templates[0]
    model = boundary.load([plan])
    (warning,) = model.errors
    assert warning.severity is LoadSeverity.WARNING and not warning.is_error
    line = plan.read_text(encoding="utf-8").splitlines().index('  "format_version": "0.1",') + 2
    assert (warning.line, warning.column) == (line, 3)
    assert warning.message == (
        f'duplicate key "format_version" (first at line {line - 1}): the last value is used, '
        "as JSON readers do; remove one of them"
    )
    assert len(model.templates) == 1
    assert set(model.templates[0].resources) == set(clean.resources)  # the scan went on

    result = runner.invoke(app, ["scan", str(plan), "--no-progress", "-f", "json"])
    assert result.exit_code == 0, result.output  # a warning does not fail the run
    assert f"{plan}:{line}:3: warning: duplicate key" in result.stderr
    document = json.loads(result.stdout)
    assert document["errors"][0]["severity"] == "warning"
    assert (document["summary"]["errors"], document["summary"]["warnings"]) == (0, 1)


def test_a_duplicate_key_in_a_policy_is_the_same_warning(tmp_path: Path, runner: CliRunner) -> None:
    text = json.dumps({"Version": "2012-10-17", "Statement": [STATEMENT]})
    text = text.replace('"Effect": "Allow"', '"Effect": "Deny", "Effect": "Allow"')
    path = _policy(tmp_path, text)
    result = runner.invoke(app, ["validate-policy", str(path)])
    assert result.exit_code == 0, result.output  # the last value, Allow, is valid
    column = text.index('"Effect": "Allow"') + 1
    assert result.stderr.splitlines() == [
        f'{path}:1:{column}: warning: duplicate key "Effect" (first at line 1): the last value is used, '
        "as JSON readers do; remove one of them"
    ]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown", "github"])
def test_every_format_tells_a_warning_from_an_error(fmt: str) -> None:
    warning = LoadError("plan.json", 3, 5, 'duplicate key "a"; the last value is used', LoadSeverity.WARNING)
    result = boundary.ScanResult(findings=(), errors=(warning,), files=("plan.json",), templates=())
    out = render(fmt, result, ReportOptions())
    assert "duplicate key" in out
    if fmt == "json":
        assert json.loads(out)["summary"]["errors"] == 0
    elif fmt == "sarif":
        (run,) = json.loads(out)["runs"]
        assert run["invocations"][0]["executionSuccessful"] is True
        assert run["invocations"][0]["toolExecutionNotifications"][0]["level"] == "warning"
    elif fmt == "junit":
        assert "<error" not in out
    elif fmt == "github":
        assert out.startswith("::warning ")
    else:
        assert "plan.json:3:5: warning: " in out and "0 errors, 1 warning" in out


# -- S4 items 9-12: what reaches the output ------------------------------------------------------

# Everything a terminal or renderer acts on: C0 but newline and tab, DEL, C1, bidi, separators.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069]")
HOSTILE = "x\x1b]0;owned\x07\x1b[2J\x9b31m\u202egpj.exe\n::warning::injected\r"
SHARED = textwrap.dedent(
    """\
    Resources:
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument:
            Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
          Policies:
            - PolicyName: all
              PolicyDocument:
                Statement: [{Effect: Allow, Action: "*", Resource: "*"}]
    """
)


def _hostile_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / f"{HOSTILE}.yaml").write_text("Resources:\n  R: [\n", encoding="utf-8")  # an error line
    (tree / f"t{HOSTILE}.yaml").write_text(SHARED, encoding="utf-8")  # findings in a hostile file
    return tree


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown", "github"])
def test_hostile_file_names_never_reach_the_output_raw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner, fmt: str
) -> None:
    _hostile_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["scan", "tree", "--no-progress", "-f", fmt])
    assert result.exit_code == 2, result.output
    for stream in (result.stdout, result.stderr):
        assert not RAW_CONTROL.search(stream), repr(stream[:2000])
        # a newline in a name never starts a line of its own (GitHub reads ::commands from stderr)
        assert not any(line.startswith("::warning::injected") for line in stream.splitlines())
    (error,) = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert error.startswith(
        "tree/x\\x1b]0;owned\\x07\\x1b[2J\\x9b31m\\u202egpj.exe\\n::warning::injected\\r.yaml:"
    )
    if fmt == "json":  # the data is intact, only written as JSON escapes
        assert "\\u001b" in result.stdout and "\\u009b" in result.stdout and "\\u202e" in result.stdout


def _render_all(findings: tuple[Any, ...]) -> dict[str, str]:
    result = boundary.ScanResult(findings=findings, errors=(), files=("t.yaml",), templates=())
    return {fmt: render(fmt, result, ReportOptions()) for fmt in FORMATS}


def test_hostile_resource_names_are_escaped_in_every_format() -> None:
    from boundary.findings import Category, Decision, Finding, Severity

    resource = f"Role``<img src=x onerror=alert(1)>``[link](https://evil.example)<details>{HOSTILE}"
    hostile = Finding(
        rule_id="BND103",
        rule_name="wildcard-action",
        category=Category.WILDCARD_ACTION,
        severity=Severity.HIGH,
        decision=Decision.DENY,
        message=f"role {resource} allows every action; expected named actions",
        resource=resource,
        location=boundary.model.Location(f"t{HOSTILE}.yaml", 3, 5),
        related=(f"Fn`{HOSTILE}",),
    )
    outputs = _render_all((hostile,))
    for fmt, out in outputs.items():
        assert not RAW_CONTROL.search(out), (fmt, repr(out[:3000]))
    assert "\\x1b]0;owned" in outputs["text"] and "\\u202e" in outputs["github"]
    assert all(line.startswith(("::", "boundary:")) for line in outputs["github"].splitlines())

    html = MarkdownIt("commonmark").enable("table").render(outputs["markdown"])
    assert "<img" not in html and 'href="https://evil.example"' not in html
    # the one <details> block is the report's own
    assert html.count("<details>") == outputs["markdown"].count("<details><summary>")
    # the name is shown whole, inside code
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    ET.fromstring(outputs["junit"])  # still well-formed XML


@pytest.mark.parametrize(
    "text",
    ["a``b", "`start", "end`", "``", "a ` b", "<b>bold</b>", "| pipe |", "```fence```", " padded "],
)
def test_markdown_code_spans_hold_any_text(text: str) -> None:
    html = MarkdownIt("commonmark").render(markdown._code(text)).strip()
    assert html.startswith("<p><code>") and html.endswith("</code></p>") and html.count("<code>") == 1
    shown = html.removeprefix("<p><code>").removesuffix("</code></p>")
    unescaped = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace("&quot;", '"')
    assert unescaped.replace("\\|", "|").strip() == text.strip()


def test_a_symlink_out_of_the_scanned_folder_is_not_followed_unless_named(
    tmp_path: Path, runner: CliRunner
) -> None:
    secret = tmp_path / "outside" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text(SHARED.replace("Role:", "SecretRole:"), encoding="utf-8")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "template.yaml").write_text(TOPIC, encoding="utf-8")
    (tree / "inside.yaml").symlink_to(tree / "template.yaml")  # inside: followed
    (tree / "leak.yaml").symlink_to(secret)
    model = boundary.load([tree])
    assert sorted(Path(t.path).name for t in model.templates) == ["inside.yaml", "template.yaml"]
    (note,) = model.errors
    assert note.file == str(tree / "leak.yaml") and not note.is_error and "not followed" in note.message
    result = runner.invoke(app, ["scan", str(tree), "--no-progress"])
    assert "SecretRole" not in result.stdout and result.exit_code == 0, result.output
    named = boundary.load([tree / "leak.yaml"])
    assert [set(t.resources) for t in named.templates] == [{"SecretRole"}]


def test_error_lines_are_cut_to_a_sane_width(tmp_path: Path, runner: CliRunner) -> None:
    head = "Resources:\n  R:\n    Type: AWS::SNS::Topic\n    Properties: {X: "
    long_float = head + "!!float " + "9" * 100_000 + "z}\n"
    long_tag = head + "!Fn" + "A" * 100_000 + " x}\n"
    paths = [_policy(tmp_path, long_float, "float.yaml"), _policy(tmp_path, long_tag, "tag.yaml")]
    unreadable = [_policy(tmp_path, "{" + '"a": 1,' * 20_000, "policy.json")]
    result = runner.invoke(app, ["scan", *map(str, paths), "--no-progress"])
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 2 and all(len(line) <= 600 for line in errors), [len(e) for e in errors]
    assert all("…" in line for line in errors)
    checked = runner.invoke(app, ["validate-policy", *map(str, unreadable)])
    assert checked.exit_code == 2 and all(len(line) <= 600 for line in checked.stderr.splitlines())


def test_a_long_source_line_is_cut_in_the_code_frame() -> None:
    from boundary.report.text import code_frame

    line = "a" * 50_000 + "\x1b[31m" + "b" * 50_000
    frame = [str(row) for row in code_frame([line], 1, 50_001)]
    assert all(len(row) < 300 for row in frame)
    assert "\\x1b[31m" in frame[0] and "\x1b" not in "".join(frame)
    caret = frame[1].index("^")
    assert frame[0][caret : caret + 4] == "\\x1b"
