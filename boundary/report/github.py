"""GitHub Actions workflow commands: one annotation per finding on the pull request.

The escaping follows the runner's rules: in the message `%`, CR and LF are
percent-encoded; in properties `:` and `,` are too, since they delimit
properties. Without this a message with a newline or a file name with a comma
would silently cut the annotation short.
"""

from __future__ import annotations

from boundary.findings import Decision, Finding, Severity
from boundary.model import LoadError
from boundary.report._base import ReportOptions, ScanResultLike, display_path, summarize, visible

__all__ = ["escape_data", "escape_property", "render"]

_COMMAND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """Control characters but line breaks made visible first (`\\x1b`), then the runner's
    escapes (line breaks percent-encoded: the annotation stays one command line)."""
    return visible(text, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, file: str, line: int, column: int, title: str, message: str, root: str) -> str:
    props = [f"file={escape_property(display_path(file, root))}"]
    if line:
        props.append(f"line={line}")
        if column:
            props.append(f"col={column}")
    props.append(f"title={escape_property(title)}")
    return f"::{kind} {','.join(props)}::{escape_data(message)}"


def _finding(finding: Finding, root: str) -> str:
    kind = _COMMAND[finding.severity]
    if finding.decision is Decision.WARN and kind == "error":
        kind = "warning"
    title = f"{finding.rule_id} {finding.rule_name} ({finding.severity.value})"
    loc = finding.location
    message = finding.message
    if loc.address:  # a plan has no lines to annotate: name the resource, as every format does
        message = f"{finding.resource}: {message}"
    return _command(kind, loc.file, loc.line, loc.column, title, message, root)


def _error(error: LoadError, root: str) -> str:
    if not error.is_error:
        return _command("warning", error.file, error.line, error.column, "boundary", error.message, root)
    return _command(
        "error", error.file, error.line, error.column, "boundary: cannot load", error.message, root
    )


def render(result: ScanResultLike, options: ReportOptions | None = None) -> str:
    options = options or ReportOptions()
    lines = [_finding(f, options.root) for f in result.findings if not f.suppressed]
    lines += [_error(e, options.root) for e in result.errors]
    lines.append(f"boundary: {summarize(result, options).line()}")
    return "\n".join(lines) + "\n"
