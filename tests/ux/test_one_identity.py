"""Issue 11, item 4: a finding names one resource, the same in every output format and in
suppressions (a Terraform plan's policy address is where it is written, not its identity)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

import boundary
from boundary.cli import app

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "samples" / "terraform" / "insecure" / "plan.json"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("reports")
    done = CliRunner().invoke(
        app,
        [
            "scan",
            "--no-progress",
            "-f",
            "json,sarif,junit,markdown,text",
            "--output-dir",
            str(out),
            str(PLAN),
        ],
    )
    assert done.exit_code == 1, done.output
    quiet = CliRunner().invoke(app, ["scan", "--no-progress", "-q", str(PLAN)])
    github = CliRunner().invoke(app, ["scan", "--no-progress", "-f", "github", str(PLAN)])
    texts = {p.suffix: p.read_text(encoding="utf-8") for p in out.iterdir()}
    return {**texts, "quiet": quiet.output, "github": github.output}


def _disagreeing(outputs: dict[str, str]) -> list[tuple[str, str]]:
    """(resource, address) of the findings whose policy address is not the resource."""
    findings = json.loads(outputs[".json"])["findings"]
    return [(f["resource"], f["address"]) for f in findings if f["address"] and f["address"] != f["resource"]]


def test_the_sample_has_findings_written_elsewhere_than_their_resource(outputs: dict[str, str]) -> None:
    assert _disagreeing(outputs), "the sample plan no longer exercises this case"


def test_every_format_names_the_resource(outputs: dict[str, str]) -> None:
    findings = json.loads(outputs[".json"])["findings"]
    quiet_names = re.findall(r" \[([^\]]+)\]$", outputs["quiet"], re.MULTILINE)
    assert quiet_names == [f["resource"] for f in findings]
    sarif = json.loads(outputs[".sarif"])["runs"][0]["results"]
    assert [r["locations"][0]["logicalLocations"][0]["name"] for r in sarif] == [
        f["resource"] for f in findings
    ]
    assert all(
        r["locations"][0]["logicalLocations"][0].get("fullyQualifiedName", f["resource"]) == f["resource"]
        for r, f in zip(sarif, findings, strict=True)
    )
    cases = [c.get("name", "") for c in ET.fromstring(outputs[".xml"]).iter("testcase")]
    for case, f in zip(cases, findings, strict=True):
        assert case.startswith(f"{f['rule_id']} {f['rule_name']}: {f['resource']}"), case
    annotations = [line for line in outputs["github"].splitlines() if line.startswith("::")]
    for line, f in zip(annotations, findings, strict=True):
        assert line.split("::", 2)[2].startswith(f"{f['resource']}: "), line
    for resource, address in _disagreeing(outputs):
        assert f"[{address}]" not in outputs["quiet"] or f"[{address}]" in {
            f"[{f['resource']}]" for f in findings
        }
        assert f"resource: {resource}" in outputs[".txt"]


def test_suppressing_the_shown_name_suppresses(outputs: dict[str, str], tmp_path: Path) -> None:
    resource, _ = _disagreeing(outputs)[0]
    findings = json.loads(outputs[".json"])["findings"]
    rule = next(f["rule_id"] for f in findings if f["resource"] == resource and f["address"] != resource)
    from boundary.config import parse_config

    config = parse_config({"suppress": [{"rule": rule, "resource": resource, "reason": "accepted"}]})
    result = boundary.analyze([PLAN], config=config)
    hit = [f for f in result.findings if f.rule_id == rule and f.resource == resource]
    assert hit and all(f.suppressed for f in hit)
