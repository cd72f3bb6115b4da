"""Issue 11, item 2: one statement too wide in several ways is one finding, the most severe,
the others listed with it; their rule ids stay queryable, suppressible and baselined."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

import boundary
from boundary.config import parse_config
from boundary.report import json as json_report
from boundary.report.baseline import apply_baseline, dump_baseline, read_baseline
from boundary.rules import Severity

TEMPLATE = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Book:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          InlineCode: "def handler(e, c): pass"
          Policies:
            - Statement:
                - Effect: Allow
                  Action: "*"
                  Resource: "*"
    """
)
GRANT_RULES = {"BND103", "BND104", "BND105", "BND106"}


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def _on_role(findings: tuple[boundary.Finding, ...]) -> list[boundary.Finding]:
    return [f for f in findings if f.resource == "BookRole" and f.rule_id in GRANT_RULES]


def test_one_star_statement_is_one_grant_finding(template: Path) -> None:
    findings = boundary.analyze([template]).findings
    (lead,) = _on_role(findings)
    assert (lead.rule_id, lead.severity) == ("BND105", Severity.CRITICAL)
    assert set(lead.rule_ids) == GRANT_RULES
    assert len(lead.merged) >= 3 and all(m.severity.rank <= lead.severity.rank for m in lead.merged)
    assert "also reported as: BND103 wildcard-action, BND104 wildcard-resource" in lead.message
    # a user reads one line per thing to fix: at most the grant, the function's reach, the validation
    assert len(findings) <= 3, [(f.rule_id, f.message) for f in findings]


def test_merged_rules_stay_in_the_json_report(template: Path) -> None:
    result = boundary.analyze([template])
    document = json_report.to_document(result)
    schema = json.loads(
        (Path(boundary.__file__).parent / "schemas" / "findings.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(document, schema)
    (lead,) = [f for f in document["findings"] if f["rule_id"] == "BND105"]
    assert {m["rule_id"] for m in lead["merged"]} == GRANT_RULES - {"BND105"}


def test_suppressing_the_lead_leaves_the_rest_reported(template: Path) -> None:
    config = parse_config(
        {"suppress": [{"rule": "BND105", "resource": "BookRole", "reason": "accepted for the demo"}]}
    )
    findings = boundary.analyze([template], config=config).findings
    suppressed = [f for f in findings if f.suppressed]
    assert [f.rule_id for f in suppressed] == ["BND105"] and not suppressed[0].merged
    (lead,) = [f for f in _on_role(findings) if not f.suppressed]
    assert lead.severity is Severity.CRITICAL and "BND105" not in lead.rule_ids
    assert set(lead.rule_ids) == GRANT_RULES - {"BND105"}


def test_ignoring_a_rule_removes_it_from_the_merge(template: Path) -> None:
    config = parse_config({"ignore": ["wildcard-resource"]})
    (lead,) = _on_role(boundary.analyze([template], config=config).findings)
    assert "BND104" not in lead.rule_ids


def test_a_baseline_holds_the_merged_fingerprints(template: Path, tmp_path: Path) -> None:
    findings = boundary.analyze([template]).findings
    path = tmp_path / "baseline.json"
    path.write_text(dump_baseline(findings), encoding="utf-8")
    fingerprints = read_baseline(path)
    assert {m.fingerprint for f in findings for m in f.merged} <= fingerprints
    assert apply_baseline(findings, fingerprints).findings == ()
    # a finding is new when one of the facts merged into it is new
    lead = _on_role(findings)[0]
    partial = fingerprints - {lead.merged[0].fingerprint}
    assert lead in apply_baseline(findings, partial).findings


def test_statements_apart_are_findings_apart(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        TEMPLATE.replace(
            '              Resource: "*"\n',
            '              Resource: "*"\n'
            "            - Effect: Allow\n"
            "              Action: dynamodb:*\n"
            '              Resource: "*"\n',
        ),
        encoding="utf-8",
    )
    on_role = _on_role(boundary.analyze([path]).findings)
    assert sorted(f.rule_id for f in on_role) == ["BND103", "BND105"], [(f.rule_id, f.key) for f in on_role]
    (second,) = [f for f in on_role if f.rule_id == "BND103"]
    assert "dynamodb:*" in second.message and "BND104" in second.rule_ids
