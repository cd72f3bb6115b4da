"""SARIF 2.1.0, shaped for GitHub code scanning.

GitHub reads `properties.security-severity` (a number as a string) to rank
alerts, `partialFingerprints` to follow an alert across commits, and needs a
repository-relative `artifactLocation.uri` with a `region.startLine`. Files
that could not be parsed become tool execution notifications, and the
invocation is then marked unsuccessful, so a scan that saw only part of the
code never looks clean.

GitHub reads `security-severity` from the rule descriptor only, and by default
fails a pull request's check on high and critical alerts. A finding's severity
can differ from its rule's (a rule rates each case, and the configuration can
override it), so a finding whose severity is not its rule's default points at
a descriptor of its own, `<rule id>/<severity>` (`BND104/low`): GitHub then
ranks every alert by the severity boundary reports for it. The id depends only
on the finding's severity, so alerts keep their identity across runs.
"""

from __future__ import annotations

import copy
import json
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from boundary.findings import Decision, Finding, Severity
from boundary.model import LoadError, Location
from boundary.report._base import (
    ReportOptions,
    RuleInfo,
    ScanResultLike,
    display_path,
    docs_url,
    json_safe,
    rule_catalog,
    tool_version,
)

__all__ = [
    "FINGERPRINT_KEY",
    "SCHEMA_URI",
    "SECURITY_SEVERITY",
    "descriptor_id",
    "level",
    "render",
    "to_document",
]

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "boundary/v1"
INFORMATION_URI = "https://pypi.org/project/boundary/"

# GitHub's bands: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def level(severity: Severity, decision: Decision = Decision.DENY) -> str:
    """The SARIF level: a `warn` rule never shows as an error, whatever its severity."""
    result = _LEVEL[severity]
    if decision is Decision.WARN and result == "error":
        return "warning"
    return result


def descriptor_id(rule_id: str, severity: Severity, default: Severity) -> str:
    """The descriptor a result points at: the rule's own, or its `/<severity>` variant."""
    return rule_id if severity is default else f"{rule_id}/{severity.value}"


def _artifact(file: str, root: str) -> dict[str, Any]:
    """A URI relative to the scan root; a file outside it gets an absolute `file:` URI,
    since `%SRCROOT%` plus an absolute path names nothing."""
    shown = display_path(file, root)
    for flavour in (PurePosixPath, PureWindowsPath):
        path: PurePath = flavour(shown)
        if path.is_absolute():
            return {"uri": path.as_uri()}
    return {"uri": quote(shown, safe="/-._~"), "uriBaseId": SRCROOT}


def _physical(location: Location, root: str) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(location.line, 1)}
    if location.line and location.column:
        region["startColumn"] = location.column
    return {"artifactLocation": _artifact(location.file, root), "region": region}


def _rule_descriptor(rule: RuleInfo, decision: Decision) -> dict[str, Any]:
    # How a rule's time grows (`Cost`) is for rule authors, not help with a finding.
    sections = [
        f"## {title}\n\n{body.strip()}"
        for title, body in rule.docs.items()
        if body.strip() and title != "Cost"
    ]
    markdown = "\n\n".join(sections) or rule.description
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description or rule.title},
        "help": {"text": rule.remediation or rule.description or rule.title, "markdown": markdown},
        "defaultConfiguration": {"level": level(rule.severity, decision)},
        "properties": _rule_properties(rule.severity, getattr(rule, "category", None)),
    }
    uri = docs_url(rule.id)
    if uri:
        descriptor["helpUri"] = uri
    return descriptor


def _rule_properties(severity: Severity, category: object) -> dict[str, Any]:
    tags = ["security"]
    if category is not None:
        tags.append(str(category))
    properties: dict[str, Any] = {"tags": tags, "precision": "high"}
    if severity is not Severity.INFO:  # 0.0 would rank as "none"; leave GitHub to use the level
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    return properties


def _fallback_descriptor(finding: Finding) -> dict[str, Any]:
    """A rule the catalog does not know (a plugin, a hand-made finding): described by its finding."""
    return {
        "id": finding.rule_id,
        "name": finding.rule_name,
        "shortDescription": {"text": finding.rule_name},
        "fullDescription": {"text": finding.rule_name},
        "help": {"text": finding.rule_name, "markdown": finding.rule_name},
        "defaultConfiguration": {"level": level(finding.severity, finding.decision)},
        "properties": _rule_properties(finding.severity, finding.category),
    }


def _variant(base: dict[str, Any], rule_id: str, severity: Severity, decision: Decision) -> dict[str, Any]:
    """The descriptor of a rule's findings at a severity other than its default."""
    variant = copy.deepcopy(base)
    variant["id"] = rule_id
    variant["shortDescription"]["text"] = f"{base['shortDescription']['text']} ({severity.value})"
    variant["defaultConfiguration"] = {"level": level(severity, decision)}
    variant["properties"] = _rule_properties(severity, None) | {"tags": base["properties"]["tags"]}
    return variant


def _result(finding: Finding, rule_id: str, rule_index: int, root: str) -> dict[str, Any]:
    location = finding.location
    logical: dict[str, Any] = {"name": finding.resource, "kind": "resource"}
    if location.address:
        # the Terraform address of the resource at fault; where it is written is in properties
        logical["fullyQualifiedName"] = finding.resource
    properties: dict[str, Any] = {
        "rule": finding.rule_id,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "decision": finding.decision.value,
        "resource": finding.resource,
        "related": list(finding.related),
    }
    if location.address and location.address != finding.resource:
        properties["written-in"] = location.address
    if finding.merged:
        properties["merged"] = [
            {"rule": other.rule_id, "severity": other.severity.value, "fingerprint": other.fingerprint}
            for other in finding.merged
        ]
    if finding.severity is not Severity.INFO:
        properties["security-severity"] = SECURITY_SEVERITY[finding.severity]
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": level(finding.severity, finding.decision),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(location, root), "logicalLocations": [logical]}],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": properties,
    }
    if finding.suppression is not None:
        # A suppression written in the template is in source; config and baselines are external.
        in_source = finding.suppression.source in {"metadata", "checkov-metadata"}
        result["suppressions"] = [
            {
                "kind": "inSource" if in_source else "external",
                "justification": finding.suppression.reason,
                "properties": {"source": finding.suppression.source},
            }
        ]
    return result


def _notification(error: LoadError, root: str) -> dict[str, Any]:
    return {
        "level": error.severity.value,
        "message": {"text": error.message},
        "descriptor": {"id": "load-error" if error.is_error else "load-warning"},
        "locations": [{"physicalLocation": _physical(Location(error.file, error.line, error.column), root)}],
    }


def to_document(result: ScanResultLike, options: ReportOptions | None = None) -> dict[str, Any]:
    options = options or ReportOptions()
    descriptors: dict[str, dict[str, Any]] = {}
    defaults: dict[str, Severity] = {}
    for rule in rule_catalog(options):
        descriptors[rule.id] = _rule_descriptor(rule, getattr(rule, "decision", Decision.DENY))
        defaults[rule.id] = rule.severity
    for finding in result.findings:
        if finding.rule_id not in defaults:
            # Not in the catalog: described by its worst finding, whatever the order.
            worst = max(
                (f for f in result.findings if f.rule_id == finding.rule_id), key=lambda f: f.severity.rank
            )
            descriptors[finding.rule_id] = _fallback_descriptor(worst)
            defaults[finding.rule_id] = worst.severity
    result_ids: list[str] = []
    for finding in result.findings:
        rule_id = descriptor_id(finding.rule_id, finding.severity, defaults[finding.rule_id])
        if rule_id not in descriptors:
            descriptors[rule_id] = _variant(
                descriptors[finding.rule_id], rule_id, finding.severity, finding.decision
            )
        result_ids.append(rule_id)
    rule_ids = sorted(descriptors)
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    invocation: dict[str, Any] = {"executionSuccessful": not any(e.is_error for e in result.errors)}
    if result.errors:
        invocation["toolExecutionNotifications"] = [_notification(e, options.root) for e in result.errors]
    version = tool_version(options)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "boundary",
                "version": version,
                "semanticVersion": version,
                "informationUri": INFORMATION_URI,
                "rules": [descriptors[rule_id] for rule_id in rule_ids],
            }
        },
        "invocations": [invocation],
        "results": [
            _result(f, rule_id, index[rule_id], options.root)
            for f, rule_id in zip(result.findings, result_ids, strict=True)
        ],
        "columnKind": "unicodeCodePoints",
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ScanResultLike, options: ReportOptions | None = None) -> str:
    return json_safe(json.dumps(to_document(result, options), indent=2, ensure_ascii=False)) + "\n"
