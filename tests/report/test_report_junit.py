"""JUnit XML, read back by a real JUnit reader (junitparser)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from boundary.report import render

from ._sample import NASTY, build_result, clean_result

junitparser = pytest.importorskip("junitparser")


def _read(tmp_path: Path, text: str) -> Any:
    path = tmp_path / "boundary.xml"
    path.write_text(text, encoding="utf-8")
    return junitparser.JUnitXml.fromfile(str(path))


def test_one_suite_per_file_with_failures_skips_and_errors(tmp_path: Path) -> None:
    result = build_result()
    xml = _read(tmp_path, render("junit", result))
    suites = {suite.name: suite for suite in xml}
    assert sorted(suites) == sorted(result.files)

    active = [f for f in result.findings if not f.suppressed]
    failures = sum(suite.failures for suite in suites.values())
    assert failures == len(active)
    assert sum(suite.skipped for suite in suites.values()) == sum(1 for f in result.findings if f.suppressed)
    assert sum(suite.errors for suite in suites.values()) == len(result.errors)

    broken = suites["app/broken.yaml"]
    (case,) = list(broken)
    (outcome,) = case.result
    assert isinstance(outcome, junitparser.Error)
    assert outcome.message == result.errors[0].message


def test_failure_carries_severity_and_message_including_awkward_text(tmp_path: Path) -> None:
    xml = _read(tmp_path, render("junit", build_result()))
    cases = {case.name: case for suite in xml for case in suite}
    case = cases["BND201 wildcard-action: FnA"]
    (outcome,) = case.result
    assert isinstance(outcome, junitparser.Failure)
    assert outcome.type == "critical"
    # control characters are shown as escapes (XML could not carry \x01 anyway)
    assert outcome.message == NASTY.replace("\x01", "\\x01").replace("\n", "\\n")
    assert "fingerprint:" in outcome.text


def test_clean_file_is_one_passing_case(tmp_path: Path) -> None:
    xml = _read(tmp_path, render("junit", clean_result()))
    (suite,) = list(xml)
    (case,) = list(suite)
    assert case.is_passed
    assert (suite.tests, suite.failures, suite.errors) == (1, 0, 0)


def test_totals_on_testsuites_match_the_suites(tmp_path: Path) -> None:
    xml = _read(tmp_path, render("junit", build_result()))
    suites = list(xml)
    assert xml.tests == sum(s.tests for s in suites)
    assert xml.failures == sum(s.failures for s in suites)
    assert xml.errors == sum(s.errors for s in suites)


def test_rendering_is_deterministic() -> None:
    assert render("junit", build_result()) == render("junit", build_result())


def test_one_failure_per_finding_even_on_one_resource(tmp_path: Path) -> None:
    """Two findings of one rule on one resource are two failing cases with distinct names."""
    from dataclasses import replace

    from boundary.model import Location

    from ._sample import finding

    twice = (
        finding(key="0", location=Location("app/template.yaml", 4, 3)),
        finding(key="1", location=Location("app/template.yaml", 9, 3)),
    )
    result = replace(clean_result(), findings=twice)
    (suite,) = list(_read(tmp_path, render("junit", result)))
    cases = list(suite)
    assert suite.failures == len(cases) == 2
    assert len({case.name for case in cases}) == 2
    for case, source in zip(cases, twice, strict=True):
        assert case.name.endswith(f"[{source.fingerprint[:8]}]")
        (outcome,) = case.result
        assert isinstance(outcome, junitparser.Failure)
        assert source.fingerprint in outcome.text
