"""The pull-request Markdown summary, parsed by a CommonMark parser with GFM tables."""

from __future__ import annotations

from typing import Any

import pytest

from boundary.report import ReportOptions, render
from boundary.report.markdown import escape

from ._sample import NASTY, build_result, clean_result

markdown_it = pytest.importorskip("markdown_it")


def _tokens(text: str) -> list[Any]:
    parser = markdown_it.MarkdownIt("commonmark").enable("table")
    tokens: list[Any] = parser.parse(text)
    return tokens


def _inline_text(token: Any) -> str:
    return "".join(child.content for child in token.children or [])


def test_findings_table_has_one_row_per_active_finding() -> None:
    result = build_result()
    tokens = _tokens(render("markdown", result))
    # the first table is the findings table; the second, the suppressed ones
    first_table_end = next(i for i, t in enumerate(tokens) if t.type == "table_close")
    rows = [t for t in tokens[:first_table_end] if t.type == "tr_open"]
    active = [f for f in result.findings if not f.suppressed]
    assert len(rows) == 1 + len(active)  # header row


def test_awkward_text_neither_breaks_the_table_nor_injects_html() -> None:
    text = render("markdown", build_result())
    tokens = _tokens(text)
    html = [t.content for t in tokens if t.type == "html_block"]
    html += [c.content for t in tokens if t.children for c in t.children if c.type == "html_inline"]
    # the only HTML is the report's own folding
    assert html
    assert all(h.strip().startswith(("<details>", "</details>")) for h in html), html
    cells = [_inline_text(t) for t in tokens if t.type == "inline"]
    assert " ".join(NASTY.split()).replace("\x01", "\\x01") in cells


def test_suppressed_and_errors_are_listed() -> None:
    result = build_result()
    text = render("markdown", result)
    assert f"<summary>{sum(1 for f in result.findings if f.suppressed)} suppressed</summary>" in text
    for error in result.errors:
        assert str(error) in text


def test_headline_is_the_summary_with_baseline_count() -> None:
    first = render("markdown", clean_result(), ReportOptions(baselined=4)).splitlines()[0]
    assert first == "## boundary: 0 findings in 1 file, 0 suppressed, 4 in baseline, 0 errors"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a | b", "a \\| b"),
        ("<b>", "\\<b\\>"),
        ("# heading", "\\# heading"),
        ("1. item", "1\\. item"),
        ("line\nbreak", "line break"),
        ("[x](y)", "\\[x\\](y)"),
    ],
)
def test_escape(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


def _many(count: int, message: str = "x" * 300) -> Any:
    from dataclasses import replace

    from boundary.model import LoadError, Location

    from ._sample import finding

    findings = tuple(
        finding(resource=f"Role{i:05d}", message=message, location=Location("app/template.yaml", i + 1, 3))
        for i in range(count)
    )
    errors = tuple(LoadError(f"broken{i}.yaml", 1, 1, "invalid YAML") for i in range(count // 10))
    return replace(clean_result(), findings=findings, errors=errors)


@pytest.mark.parametrize(("count", "limit"), [(1000, None), (40, 4000), (5, 300), (3, 10)])
def test_a_long_report_is_cut_to_fit_a_github_comment(count: int, limit: int | None) -> None:
    from boundary.report.markdown import COMMENT_LIMIT
    from boundary.report.markdown import render as render_markdown

    result = _many(count)
    maximum = COMMENT_LIMIT if limit is None else limit
    text = render_markdown(result, ReportOptions(), limit=maximum)
    assert len(text) <= maximum
    if maximum < 100:
        return  # too small for anything but the cut itself
    assert "Cut to fit a GitHub comment" in text
    assert "<details>" not in text
    tokens = _tokens(text)
    rows = sum(1 for t in tokens if t.type == "tr_open")
    shown = rows - 1 if rows else 0
    assert f"{shown} of {count} findings" in text
    if maximum == COMMENT_LIMIT:
        assert shown > 100  # the room is used, not given up


def test_a_report_that_fits_is_not_cut() -> None:
    from boundary.report.markdown import render as render_markdown

    text = render_markdown(build_result(), ReportOptions())
    assert "Cut to fit" not in text
    assert text == render("markdown", build_result())
