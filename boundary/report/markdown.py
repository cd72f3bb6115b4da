"""A Markdown summary to post as a pull-request comment.

A headline with the counts, one table row per finding, and the details of
each finding folded in a `<details>` block so a long report stays readable.
Everything from templates is escaped: table cells cannot break the table,
and names cannot open HTML tags or Markdown links.

GitHub rejects a comment longer than 65,536 characters, and a failed
`gh pr comment` would hide the whole report. A report that would be longer is
cut: the details go first, then table rows and error lines beyond what fits,
and a note at the top says how much is listed and where the rest is.
"""

from __future__ import annotations

import re

from boundary.findings import Finding
from boundary.model import Location
from boundary.report._base import ReportOptions, ScanResultLike, display_path, docs_url, summarize, visible

__all__ = ["COMMENT_LIMIT", "escape", "render"]

COMMENT_LIMIT = 65_536
"""The most characters GitHub takes in an issue or pull-request comment body."""

_TABLE = ["| Severity | Rule | Resource | Location | Message |", "| --- | --- | --- | --- | --- |"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def escape(text: str) -> str:
    """Plain text safe inside a table cell: one line, Markdown and HTML characters escaped.

    A leading `#`, `-`, `+` or digit-dot could start a heading or a list when the
    text stands alone in a paragraph, so it is escaped too.
    """
    text = _SPECIAL.sub(r"\\\1", visible(" ".join(text.split())))
    text = re.sub(r"^(\d+)\.", r"\1\\.", text)
    return re.sub(r"^([#+-])", r"\\\1", text)


def _code(text: str) -> str:
    """Inline code that survives backticks, pipes and control characters in the text.

    The fence is one backtick longer than the longest run of backticks inside, so no
    run can close the span early (CommonMark); inside a code span HTML and Markdown
    are literal. Spaces pad the text when it starts or ends with a backtick.
    """
    text = visible(" ".join(text.split())).replace("|", "\\|")
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = (
        " "
        if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" "))
        else ""
    )
    return f"{fence}{pad}{text}{pad}{fence}"


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


def _row(f: Finding, root: str) -> str:
    return (
        f"| {f.severity.value} | {_rule_link(f)} {escape(f.rule_name)} | {_code(f.resource)} "
        f"| {_code(_where(f.location, root))} | {escape(f.message)} |"
    )


def render(
    result: ScanResultLike, options: ReportOptions | None = None, *, limit: int = COMMENT_LIMIT
) -> str:
    """The Markdown report, at most `limit` characters (GitHub's comment limit by default)."""
    options = options or ReportOptions()
    full = _full(result, options)
    if len(full) <= limit:
        return full
    return _cut(result, options, limit)


def _full(result: ScanResultLike, options: ReportOptions) -> str:
    summary = summarize(result, options)
    active = [f for f in result.findings if not f.suppressed]
    out: list[str] = [f"## boundary: {summary.line()}", ""]
    if active:
        out += _TABLE
        out += [_row(f, options.root) for f in active]
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
        out += [_error_title(result), ""]
        out += [f"- {_code(str(e))}" for e in result.errors]
        out.append("")
    return "\n".join(out)


def _error_title(result: ScanResultLike) -> str:
    if all(e.is_error for e in result.errors):
        return "### Files that could not be scanned"
    return "### Files that could not be scanned, and load warnings"


def _note(rows: int, total_rows: int, errors: int, total_errors: int) -> str:
    listed = f"{rows} of {total_rows} findings"
    if total_errors:
        listed += f" and {errors} of {total_errors} files that could not be scanned"
    return (
        f"> [!NOTE]\n> Cut to fit a GitHub comment: {listed} are listed, without details and "
        "suppressed findings. The text, JSON and SARIF reports have everything."
    )


def _take(lines: list[str], budget: int) -> list[str]:
    """The leading lines that fit in `budget` characters, one newline each."""
    taken: list[str] = []
    for line in lines:
        if len(line) + 1 > budget:
            break
        taken.append(line)
        budget -= len(line) + 1
    return taken


def _cut(result: ScanResultLike, options: ReportOptions, limit: int) -> str:
    summary = summarize(result, options)
    rows = [_row(f, options.root) for f in result.findings if not f.suppressed]
    errors = [f"- {_code(str(e))}" for e in result.errors]
    head = f"## boundary: {summary.line()}"
    error_title = _error_title(result)
    # Room for the note at its longest, the blank lines and the section titles.
    fixed = len(head) + len(_note(len(rows), len(rows), len(errors), len(errors))) + 16
    fixed += sum(len(line) + 1 for line in _TABLE) + len(error_title) + 2
    budget = max(limit - fixed, 0)
    # Errors first, with at most half the room: they say the scan is incomplete.
    shown_errors = _take(errors, budget // 2 if rows else budget)
    shown_rows = _take(rows, budget - sum(len(line) + 1 for line in shown_errors))
    out = [head, "", _note(len(shown_rows), len(rows), len(shown_errors), len(errors)), ""]
    if shown_rows:
        out += [*_TABLE, *shown_rows, ""]
    if shown_errors:
        out += [error_title, "", *shown_errors, ""]
    text = "\n".join(out)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "\n"
