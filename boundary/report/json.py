"""The JSON report: the stable, versioned machine interface (docs/output.md).

The shape is fixed by `boundary/schemas/findings.schema.json`; a field is
never removed or renamed without bumping `version`. Suppressed findings are
included and marked; findings matched by a baseline are left out and counted.
"""

from __future__ import annotations

import json
from typing import Any

from boundary.findings import Finding
from boundary.model import LoadError
from boundary.report._base import (
    ReportOptions,
    ScanResultLike,
    display_path,
    json_safe,
    summarize,
    tool_version,
)

__all__ = ["SCHEMA_VERSION", "finding_to_dict", "render", "to_document"]

SCHEMA_VERSION = "1"


def finding_to_dict(finding: Finding, root: str = "") -> dict[str, Any]:
    location = finding.location
    suppression = finding.suppression
    return {
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "decision": finding.decision.value,
        "message": finding.message,
        "resource": finding.resource,
        "related": list(finding.related),
        "file": display_path(location.file, root),
        "line": location.line,
        "column": location.column,
        "address": location.address,
        "fingerprint": finding.fingerprint,
        "merged": [
            {
                "rule_id": other.rule_id,
                "rule_name": other.rule_name,
                "severity": other.severity.value,
                "message": other.message,
                "fingerprint": other.fingerprint,
            }
            for other in finding.merged
        ],
        "suppressed": suppression is not None,
        "suppression": (
            None if suppression is None else {"reason": suppression.reason, "source": suppression.source}
        ),
    }


def _error_to_dict(error: LoadError, root: str) -> dict[str, Any]:
    return {
        "file": display_path(error.file, root),
        "line": error.line,
        "column": error.column,
        "message": error.message,
        "severity": error.severity.value,
    }


def to_document(result: ScanResultLike, options: ReportOptions | None = None) -> dict[str, Any]:
    options = options or ReportOptions()
    summary = summarize(result, options)
    return {
        "version": SCHEMA_VERSION,
        "tool": {"name": "boundary", "version": tool_version(options)},
        "findings": [finding_to_dict(f, options.root) for f in result.findings],
        "errors": [_error_to_dict(e, options.root) for e in result.errors],
        "summary": {
            "files": summary.files,
            "findings": summary.findings,
            "suppressed": summary.suppressed,
            "baselined": summary.baselined,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "by_severity": {s.value: n for s, n in summary.by_severity.items()},
        },
    }


def render(result: ScanResultLike, options: ReportOptions | None = None) -> str:
    return json_safe(json.dumps(to_document(result, options), indent=2, ensure_ascii=False)) + "\n"
