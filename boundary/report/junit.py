"""JUnit XML, for CI systems that only show test reports (Jenkins, GitLab, Azure).

One `testsuite` per scanned file. Inside it, one `testcase` per finding:
a `failure` when it counts, `skipped` when it is suppressed, so CI views count
exactly what the other formats count. A file without findings gets a single
passing `testcase` so it shows up as checked (a Terraform plan read with its `.tf`
sources shows up as the `.tf` files its findings are in). A file that could not be parsed
is a suite with one `error`. Every unsuppressed finding is a failure whatever
its severity: the `type` attribute carries the severity for filtering.

Case names are `<rule id> <rule name>: <resource>`, which CI systems use to
follow a test across runs; when one resource has several findings of a rule,
each name ends with the start of its fingerprint, which survives moved lines.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from boundary.findings import Finding
from boundary.model import LoadError
from boundary.report._base import ReportOptions, ScanResultLike, display_path, visible

__all__ = ["render"]

# XML 1.0 forbids most control characters even when escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _case_name(finding: Finding) -> str:
    return f"{finding.rule_id} {finding.rule_name}: {finding.resource}"


def _case_names(findings: list[Finding]) -> list[str]:
    names = [_case_name(f) for f in findings]
    return [
        f"{name} [{f.fingerprint[:8]}]" if names.count(name) > 1 else name
        for name, f in zip(names, findings, strict=True)
    ]


def _details(finding: Finding, root: str) -> str:
    loc = finding.location
    where = display_path(loc.file, root)
    if loc.line:
        where += f":{loc.line}:{loc.column}"
    lines = [
        f"{visible(where)}: {finding.severity.value} {finding.rule_id} {finding.rule_name}",
        visible(finding.message),
        f"resource: {visible(finding.resource)}",
        f"category: {finding.category.value}",
        f"fingerprint: {finding.fingerprint}",
    ]
    if finding.related:
        lines.insert(3, f"related: {visible(', '.join(finding.related))}")
    return "\n".join(lines)


def _set(element: ET.Element, **attributes: str | int) -> None:
    for key, value in attributes.items():
        element.set(key, _clean(visible(str(value))))


def render(result: ScanResultLike, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    root_path = options.root
    # a plan read with its `.tf` sources reports in those files: it is no suite of its own
    elsewhere = {
        t.path for t in result.templates if any(f.location.file in t.sources for f in result.findings)
    }
    by_file: dict[str, list[Finding]] = {file: [] for file in result.files if file not in elsewhere}
    for finding in result.findings:
        by_file.setdefault(finding.location.file, []).append(finding)
    errors: dict[str, list[LoadError]] = {}
    for error in result.errors:
        errors.setdefault(error.file, []).append(error)
        by_file.setdefault(error.file, [])

    suites = ET.Element("testsuites")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for file in sorted(by_file):
        name = display_path(file, root_path)
        suite = ET.SubElement(suites, "testsuite")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        findings = by_file[file]
        for finding, case_name in zip(findings, _case_names(findings), strict=True):
            case = ET.SubElement(suite, "testcase")
            _set(case, name=case_name, classname=name, file=name, time="0")
            if finding.location.line:
                _set(case, line=finding.location.line)
            counts["tests"] += 1
            if finding.suppression is not None:
                skipped = ET.SubElement(case, "skipped")
                _set(
                    skipped,
                    message=f"suppressed ({finding.suppression.source}): {finding.suppression.reason}",
                )
                counts["skipped"] += 1
                continue
            failure = ET.SubElement(case, "failure")
            _set(failure, message=finding.message, type=finding.severity.value)
            failure.text = _clean(_details(finding, root_path))
            counts["failures"] += 1
        warnings = [e for e in errors.get(file, []) if not e.is_error]
        for error in errors.get(file, []):
            if not error.is_error:
                continue
            case = ET.SubElement(suite, "testcase")
            _set(case, name="load", classname=name, file=name, time="0")
            element = ET.SubElement(case, "error")
            _set(element, message=error.message, type="load-error")
            element.text = _clean(visible(str(error)))
            counts["tests"] += 1
            counts["errors"] += 1
        if counts["tests"] == 0:
            case = ET.SubElement(suite, "testcase")
            _set(case, name="no findings", classname=name, file=name, time="0")
            counts["tests"] = 1
        _set(suite, name=name, time="0", **counts)
        if warnings:  # loaded all the same: not an error case; kept where CI shows the log
            ET.SubElement(suite, "system-err").text = _clean("\n".join(visible(str(w)) for w in warnings))
        for counter, value in counts.items():
            totals[counter] += value
    _set(suites, name="boundary", time="0", **totals)
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
