"""The terminal report: grouped by file, code frames with a caret, a summary, plain without colour."""

from __future__ import annotations

import pytest

from boundary.findings import Severity
from boundary.report import ReportOptions, render
from boundary.report._base import Summary, display_path
from boundary.report.text import code_frame

from ._sample import SAM_SOURCE, TAB_SOURCE, build_result, clean_result


def test_plain_output_has_no_escape_codes_and_keeps_markup_literal() -> None:
    text = render("text", build_result(), ReportOptions(color=False))
    assert "\x1b[" not in text
    assert "[bold]x[/bold]" in text


def test_colour_output_uses_ansi_codes() -> None:
    assert "\x1b[" in render("text", build_result(), ReportOptions(color=True))


def test_findings_are_grouped_under_their_file_in_order() -> None:
    result = build_result()
    text = render("text", result)
    headers = [line for line in text.splitlines() if line in result.files]
    assert headers == sorted({f.location.file for f in result.findings if not f.suppressed})
    assert "in-source suppressed" not in text  # suppressed findings are counted, not shown


def test_terraform_finding_shows_the_address_instead_of_a_frame() -> None:
    text = render("text", build_result())
    block = text.split("plans/plan.json\n", 1)[1]
    assert 'resource: aws_iam_access_key.deploy["ci"]' in block
    assert "|" not in block.split("\n\n", 1)[0]


@pytest.mark.parametrize(
    ("source", "line", "column", "expected"),
    [
        (
            SAM_SOURCE,
            4,
            3,
            [
                "    2 | Transform: AWS::Serverless-2016-10-31",
                "    3 | Resources:",
                "  > 4 |   SharedRole:",
                "      |   ^",
                "    5 |     Type: AWS::IAM::Role",
                "    6 |   FnA:",
            ],
        ),
        (
            SAM_SOURCE,
            1,
            0,
            [
                "  > 1 | AWSTemplateFormatVersion: '2010-09-09'",
                "    2 | Transform: AWS::Serverless-2016-10-31",
                "    3 | Resources:",
            ],
        ),
        (
            TAB_SOURCE,
            3,
            3,
            [
                "    1 | Resources:",
                "    2 | \tApi:",
                "  > 3 | \t\tType: AWS::Serverless::Api",
                "      | \t\t^",
            ],
        ),
        (SAM_SOURCE, 0, 0, []),
        (SAM_SOURCE, 99, 1, []),
        ((), 1, 1, []),
    ],
    ids=["middle", "first-line-no-column", "tabs", "unknown-line", "past-end", "no-source"],
)
def test_code_frame(source: tuple[str, ...], line: int, column: int, expected: list[str]) -> None:
    assert [row.plain for row in code_frame(source, line, column)] == expected


def test_gutter_widens_for_two_digit_lines() -> None:
    rows = [row.plain for row in code_frame(SAM_SOURCE, 9, 7)]
    assert rows[2] == "  >  9 |       Role: !GetAtt SharedRole.Arn"
    assert rows[3] == "       |       ^"


def test_summary_line_and_errors_section() -> None:
    result = build_result()
    lines = render("text", result).rstrip("\n").splitlines()
    assert lines[-1] == "5 findings (1 critical, 2 high, 1 medium, 1 low) in 4 files, 2 suppressed, 1 error"
    assert str(result.errors[0]) in lines
    without = render("text", result, ReportOptions(include_errors=False))
    assert str(result.errors[0]) not in without


def test_compact_mode_is_one_line_per_finding_and_silent_when_clean() -> None:
    result = build_result()
    lines = render("text", result, ReportOptions(compact=True, include_errors=False)).splitlines()
    active = [f for f in result.findings if not f.suppressed]
    assert len(lines) == len(active) + 1
    assert lines[0].startswith("app/tabs.yaml:2:2: low BND301 unauthenticated-endpoint: ")
    assert render("text", clean_result(), ReportOptions(compact=True)) == ""


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        (Summary(1, 0, 0, 0, 0, {}), "0 findings in 1 file, 0 suppressed, 0 errors"),
        (Summary(2, 1, 0, 0, 1, {Severity.LOW: 1}), "1 finding (1 low) in 2 files, 0 suppressed, 1 error"),
        (
            Summary(3, 3, 1, 2, 0, {Severity.INFO: 1, Severity.CRITICAL: 2}),
            "3 findings (2 critical, 1 info) in 3 files, 1 suppressed, 2 in baseline, 0 errors",
        ),
    ],
)
def test_summary_line(summary: Summary, expected: str) -> None:
    assert summary.line() == expected


@pytest.mark.parametrize(
    ("file", "root", "expected"),
    [
        ("app/t.yaml", "/repo", "app/t.yaml"),
        ("./app/t.yaml", "", "app/t.yaml"),
        ("/repo/app/t.yaml", "/repo", "app/t.yaml"),
        ("/elsewhere/t.yaml", "/repo", "/elsewhere/t.yaml"),
        ("/repo/t.yaml", "", "/repo/t.yaml"),
    ],
)
def test_display_path(file: str, root: str, expected: str) -> None:
    assert display_path(file, root) == expected


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown", "github"])
def test_every_format_is_deterministic_and_ends_with_a_newline(fmt: str) -> None:
    first = render(fmt, build_result())
    assert first == render(fmt, build_result())
    assert first.endswith("\n")
