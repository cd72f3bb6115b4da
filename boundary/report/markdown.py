"""A Markdown summary to post as a pull-request comment.

A headline with the counts, one table row per finding, and the details of
each finding folded in a `<details>` block so a long report stays readable.
Everything from templates is escaped: table cells cannot break the table,
and names cannot open HTML tags or Markdown links.
"""

from __future__ import annotations

import re

from boundary.model import Location
from boundary.report._base import ReportOptions, ScanResultLike, display_path, docs_url, summarize
from boundary.rules._finding import Finding

__all__ = ["escape", "render"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def escape(text: str) -> str:
    """Plain text safe inside a table cell: one line, Markdown and HTML characters escaped.

    A leading `#`, `-`, `+` or digit-dot could start a heading or a list when the
    text stands alone in a paragraph, so it is escaped too.
    """
    text = _SPECIAL.sub(r"\\\1", " ".join(text.split()))
    text = re.sub(r"^(\d+)\.", r"\1\\.", text)
    return re.sub(r"^([#+-])", r"\\\1", text)


def _code(text: str) -> str:
    """Inline code that survives backticks and pipes in the text."""
    text = " ".join(text.split()).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    return f"{fence} {text} {fence}" if fence == "``" else f"`{text}`"


def _where(location: Location, root: str) -> str:
    where = display_path(location.file, root)
    if location.line:
        where += f":{location.line}"
    elif location.address:
        where += f" ({location.address})"
    return where


def _rule_link(finding: Finding) -> str:
    uri = docs_url(finding.rule_id)
    label = escape(finding.rule_id)
    return f"[{label}]({uri})" if uri else label


def render(result: ScanResultLike, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    summary = summarize(result, options)
    active = [f for f in result.findings if not f.suppressed]
    out: list[str] = [f"## boundary: {summary.line()}", ""]
    if active:
        out += ["| Severity | Rule | Resource | Location | Message |", "| --- | --- | --- | --- | --- |"]
        for f in active:
            out.append(
                f"| {f.severity.value} | {_rule_link(f)} {escape(f.rule_name)} | {_code(f.resource)} "
                f"| {_code(_where(f.location, options.root))} | {escape(f.message)} |"
            )
        out += ["", "<details><summary>Details</summary>", ""]
        for f in active:
            out += [
                f"### {escape(f.rule_id)} {escape(f.rule_name)}: {escape(f.resource)}",
                "",
                f"- **Severity:** {f.severity.value} ({f.decision.value})",
                f"- **Category:** {f.category.value}",
                f"- **Location:** {_code(_where(f.location, options.root))}",
            ]
            if f.related:
                out.append(f"- **Related:** {', '.join(_code(r) for r in f.related)}")
            out += [f"- **Fingerprint:** `{f.fingerprint}`", "", escape(f.message), ""]
        out += ["</details>", ""]
    else:
        out += ["No findings.", ""]
    suppressed = [f for f in result.findings if f.suppressed]
    if suppressed:
        out += [f"<details><summary>{len(suppressed)} suppressed</summary>", ""]
        out += ["| Rule | Resource | Reason |", "| --- | --- | --- |"]
        for f in suppressed:
            reason = f.suppression.reason if f.suppression is not None else ""
            out.append(
                f"| {escape(f.rule_id)} {escape(f.rule_name)} | {_code(f.resource)} | {escape(reason)} |"
            )
        out += ["", "</details>", ""]
    if result.errors:
        out += ["### Files that could not be scanned", ""]
        out += [f"- {_code(str(e))}" for e in result.errors]
        out.append("")
    return "\n".join(out)
