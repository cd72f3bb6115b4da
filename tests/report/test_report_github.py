"""GitHub Actions workflow commands: escaped per the runner's rules, parsed back losslessly."""

from __future__ import annotations

import re

import pytest

from boundary.report import render, visible
from boundary.report.github import escape_data, escape_property

from ._sample import NASTY, build_result, clean_result

COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape_data(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _unescape_property(text: str) -> str:
    return _unescape_data(text.replace("%3A", ":").replace("%2C", ","))


def _parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, line
    props = dict(p.split("=", 1) for p in match.group(2).split(","))
    return (
        match.group(1),
        {k: _unescape_property(v) for k, v in props.items()},
        _unescape_data(match.group(3)),
    )


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("50%", "50%25", "50%25"),
        ("a\nb\r", "a%0Ab%0D", "a%0Ab%0D"),
        ("x: y, z", "x: y, z", "x%3A y%2C z"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_escaping(text: str, data: str, prop: str) -> None:
    assert escape_data(text) == data
    assert escape_property(text) == prop


def test_one_annotation_per_active_finding_and_error_then_a_summary() -> None:
    result = build_result()
    lines = render("github", result).splitlines()
    commands = [_parse(line) for line in lines if line.startswith("::")]
    active = [f for f in result.findings if not f.suppressed]
    assert len(commands) == len(active) + len(result.errors)
    assert lines[-1].startswith("boundary: ")
    for (_kind, props, message), finding in zip(commands, active, strict=False):
        assert props["file"] == finding.location.file
        assert props["title"].startswith(f"{finding.rule_id} {finding.rule_name}")
        if finding.location.line:
            assert props["line"] == str(finding.location.line)
            assert props["col"] == str(finding.location.column)
        else:
            assert "line" not in props
            assert message.startswith(f"{finding.location.address}: ")
        assert message.endswith(visible(finding.message, keep="\r\n"))


def test_awkward_message_round_trips() -> None:
    commands = [
        _parse(line) for line in render("github", build_result()).splitlines() if line.startswith("::")
    ]
    # line breaks survive (percent-encoded); other control characters are shown as escapes
    assert any(message == NASTY.replace("\x01", "\\x01") for _, _, message in commands)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("BND201 wildcard-action (critical)", "error"),
        ("BND101 shared-execution-role (high)", "error"),
        ("BND202 wildcard-resource (medium)", "warning"),
        ("BND301 unauthenticated-endpoint (low)", "notice"),
        ("boundary: cannot load", "error"),
    ],
)
def test_annotation_level(title: str, kind: str) -> None:
    commands = [
        _parse(line) for line in render("github", build_result()).splitlines() if line.startswith("::")
    ]
    assert {k for k, props, _ in commands if props["title"] == title} == {kind}


def test_clean_scan_prints_only_the_summary() -> None:
    lines = render("github", clean_result()).splitlines()
    assert lines == ["boundary: 0 findings in 1 file, 0 suppressed, 0 errors"]
