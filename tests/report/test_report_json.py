"""The JSON report: valid against the published schema, complete and deterministic."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from boundary.findings import Category, Decision, Severity
from boundary.report import ReportOptions, render
from boundary.report.json import SCHEMA_VERSION, to_document

from ._sample import build_result, clean_result


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    text = resources.files("boundary").joinpath("schemas/findings.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


@pytest.mark.parametrize("make", [build_result, clean_result], ids=["findings", "clean"])
def test_output_validates_against_schema(schema: dict[str, Any], make: Any) -> None:
    document = json.loads(render("json", make(), ReportOptions(baselined=2)))
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert document["version"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    ("definition", "enum"),
    [("category", Category), ("severity", Severity)],
)
def test_schema_enums_are_exactly_the_library_vocabulary(
    schema: dict[str, Any], definition: str, enum: Any
) -> None:
    assert schema["$defs"][definition]["enum"] == [member.value for member in enum]


def test_schema_decision_enum_matches(schema: dict[str, Any]) -> None:
    assert schema["$defs"]["finding"]["properties"]["decision"]["enum"] == [d.value for d in Decision]


@pytest.mark.parametrize(
    ("mutation", "path"),
    [
        (lambda d: d["findings"][0].update(category="not-a-category"), "category"),
        (lambda d: d["findings"][0].update(suppressed=True, suppression=None), "suppression"),
        (lambda d: d["findings"][0].pop("fingerprint"), "fingerprint"),
        (lambda d: d["summary"]["by_severity"].pop("info"), "info"),
        (lambda d: d.update(extra=1), "extra"),
    ],
    ids=["bad-category", "suppressed-without-reason", "missing-field", "missing-severity", "unknown-key"],
)
def test_schema_rejects_broken_documents(schema: dict[str, Any], mutation: Any, path: str) -> None:
    document = to_document(build_result())
    mutation(document)
    with pytest.raises(jsonschema.ValidationError) as caught:
        jsonschema.validate(document, schema)
    assert path in str(caught.value)


def test_every_finding_is_reported_with_its_fields() -> None:
    result = build_result()
    document = to_document(result)
    assert len(document["findings"]) == len(result.findings)
    for entry, finding in zip(document["findings"], result.findings, strict=True):
        assert entry["rule_id"] == finding.rule_id
        assert entry["fingerprint"] == finding.fingerprint
        assert entry["line"] == finding.location.line
        assert entry["address"] == finding.location.address
        assert entry["related"] == list(finding.related)
        assert entry["suppressed"] is finding.suppressed
        if finding.suppression is not None:
            assert entry["suppression"] == {
                "reason": finding.suppression.reason,
                "source": finding.suppression.source,
            }


def test_summary_counts_active_findings_by_severity() -> None:
    result = build_result()
    summary = to_document(result, ReportOptions(baselined=3))["summary"]
    active = [f for f in result.findings if not f.suppressed]
    assert summary["findings"] == len(active)
    assert summary["suppressed"] == len(result.findings) - len(active)
    assert summary["baselined"] == 3
    assert summary["errors"] == len(result.errors)
    assert summary["files"] == len(result.files)
    assert sum(summary["by_severity"].values()) == len(active)
    assert summary["by_severity"]["critical"] == sum(1 for f in active if f.severity is Severity.CRITICAL)


def test_paths_are_made_relative_to_the_root(tmp_path: Any) -> None:
    from dataclasses import replace

    from boundary.model import Location

    from ._sample import finding

    absolute = str(tmp_path / "sub" / "template.yaml")
    result = replace(clean_result(), findings=(finding(location=Location(absolute, 3, 1)),))
    document = to_document(result, ReportOptions(root=str(tmp_path)))
    assert document["findings"][0]["file"] == "sub/template.yaml"


def test_rendering_is_deterministic() -> None:
    assert render("json", build_result()) == render("json", build_result())
