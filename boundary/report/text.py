"""The terminal report: findings grouped by file, with a code frame under each.

Rendered through rich so colours follow the severity, but every piece of
user-controlled text (messages, resource names, source lines) goes in as a
`Text` object, never as markup, so a `[bold]` in a template prints as typed.
Without colour the output is plain text that greps well: nothing is wrapped.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from boundary.findings import Decision, Finding, Severity
from boundary.model import Location
from boundary.report._base import (
    ReportOptions,
    ScanResultLike,
    display_path,
    source_lines_by_file,
    summarize,
    visible,
)

__all__ = ["SEVERITY_STYLES", "code_frame", "render"]

SEVERITY_STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}

_CONTEXT = 2  # lines shown above and below the offending one
_FRAME_WIDTH = 200  # characters of a source line a code frame shows at most


def render(result: ScanResultLike, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        width=options.width,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=True,
        force_jupyter=False,
        force_interactive=False,
    )
    sources = source_lines_by_file(result)
    active = [f for f in result.findings if not f.suppressed]
    by_file: dict[str, list[Finding]] = {}
    for finding in active:
        by_file.setdefault(finding.location.file, []).append(finding)
    for file, findings in by_file.items():
        if options.compact:
            for finding in findings:
                console.print(_compact_line(finding, options.root))
            continue
        console.print(Text(visible(display_path(file, options.root)), style="bold underline"))
        for finding in findings:
            _print_finding(console, finding, sources.get(file, ()))
        console.print()
    if options.include_errors and result.errors:
        if not options.compact:
            title = "Errors" if all(e.is_error for e in result.errors) else "Errors and warnings"
            console.print(Text(title, style="bold underline"))
        for error in result.errors:
            console.print(Text(visible(str(error)), style="red" if error.is_error else "yellow"))
        if not options.compact:
            console.print()
    summary = summarize(result, options)
    if not (options.compact and summary.findings == 0 and summary.errors == 0):
        style = "bold red" if summary.findings or summary.errors else "bold green"
        console.print(Text(summary.line(), style=style))
    return buffer.getvalue()


def _where(location: Location, root: str) -> str:
    where = visible(display_path(location.file, root))
    if location.line:
        where += f":{location.line}"
        if location.column:
            where += f":{location.column}"
    return where


def _severity_label(finding: Finding) -> Text:
    label = Text(finding.severity.value, style=SEVERITY_STYLES[finding.severity])
    if finding.decision is Decision.WARN:
        label.append(" (warn)", style="dim")
    return label


def _compact_line(finding: Finding, root: str) -> Text:
    line = Text(_where(finding.location, root) + ": ")
    line.append_text(_severity_label(finding))
    line.append(f" {finding.rule_id} {finding.rule_name}: ", style="bold")
    line.append(visible(finding.message))
    line.append(f" [{visible(finding.resource)}]", style="dim")
    return line


def _print_finding(console: Console, finding: Finding, source: Sequence[str]) -> None:
    location = finding.location
    head = Text("  ")
    if location.line:
        head.append(f"{location.line}:{location.column or 1}", style="dim")
        head.append("  ")
    head.append_text(_severity_label(finding))
    head.append(f"  {finding.rule_id} {finding.rule_name}", style="bold")
    console.print(head)
    console.print(Text("    " + visible(finding.message)))
    resource = Text("    resource: ", style="dim")
    resource.append(visible(finding.resource))
    if location.address and location.address != finding.resource:
        resource.append("   written in: ", style="dim")
        resource.append(visible(location.address))
    if finding.related:
        resource.append("   related: ", style="dim")
        resource.append(visible(", ".join(finding.related)))
    console.print(resource)
    for line in code_frame(source, location.line, location.column):
        console.print(line)


def code_frame(source: Sequence[str], line: int, column: int) -> list[Text]:
    """The offending line with `_CONTEXT` lines around it, a `>` marker and a caret.

    Empty when the line is unknown (Terraform plans) or out of range. The caret
    line copies the tabs of the source so it stays under the right character.
    """
    if line < 1 or line > len(source):
        return []
    first, last = max(1, line - _CONTEXT), min(len(source), line + _CONTEXT)
    width = len(str(last))
    frame: list[Text] = []
    for number in range(first, last + 1):
        text = source[number - 1].rstrip("\r\n")
        start = 0
        if len(text) > _FRAME_WIDTH:  # a minified or hostile line: the part around the column
            start = (
                max(0, min(column - 1 - _FRAME_WIDTH // 2, len(text) - _FRAME_WIDTH)) if number == line else 0
            )
            cut = text[start : start + _FRAME_WIDTH]
            text = ("…" if start else "") + cut + ("…" if start + _FRAME_WIDTH < len(text) else "")
        shown = visible(text, keep="\t")
        marker = ">" if number == line else " "
        row = Text(f"  {marker} {number:>{width}} | ", style="bold red" if number == line else "dim")
        row.append(shown)
        frame.append(row)
        if number == line and column >= 1:
            before = text[: column - start - 1 + (1 if start else 0)]
            indent = "".join(ch if ch == "\t" else " " for ch in visible(before, keep="\t"))
            caret = Text(f"    {'':>{width}} | ", style="dim")
            caret.append(indent + "^", style="bold red")
            frame.append(caret)
    return frame
