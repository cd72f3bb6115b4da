"""What every report format shares: the input shape, the options, counting, paths.

The formats take any object shaped like `boundary.ScanResult` (a Protocol, so
they can be tested on hand-made results and never import the pipeline), and
`ReportOptions` for what only the caller knows: the scan root, how many
findings a baseline hid, whether the terminal takes colour.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Protocol

from boundary.findings import Finding, Severity
from boundary.model import LoadError, Template

__all__ = [
    "ReportOptions",
    "RuleInfo",
    "ScanResultLike",
    "Summary",
    "display_path",
    "docs_url",
    "json_safe",
    "visible",
    "rule_catalog",
    "source_lines_by_file",
    "summarize",
    "tool_version",
]


class ScanResultLike(Protocol):
    """The part of `boundary.ScanResult` a report reads."""

    @property
    def findings(self) -> Sequence[Finding]: ...

    @property
    def errors(self) -> Sequence[LoadError]: ...

    @property
    def files(self) -> Sequence[str]: ...

    @property
    def templates(self) -> Sequence[Template]: ...


class RuleInfo(Protocol):
    """The part of `boundary.rules.RuleMeta` a report reads (SARIF rules, Markdown links)."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def description(self) -> str: ...

    @property
    def remediation(self) -> str: ...

    @property
    def docs(self) -> Mapping[str, str]: ...


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What a format needs beyond the scan result.

    `root` is the directory report paths are made relative to (SARIF URIs and
    GitHub annotations must be repository-relative); empty keeps paths as the
    scan gave them. `rules` is the rule catalog for SARIF and Markdown; None
    means `boundary.rules.registry()`. `include_errors` lets the CLI keep
    parse errors out of the terminal report when it already printed them on
    stderr. `compact` is the one-line-per-finding text of `--quiet`.
    """

    root: str = ""
    baselined: int = 0
    color: bool = False
    width: int = 100
    include_errors: bool = True
    compact: bool = False
    rules: Sequence[RuleInfo] | None = None
    tool_version: str | None = None


# Characters that steer a terminal or a renderer instead of printing: C0 and C1 controls
# (ESC starts CSI and OSC sequences; U+009B is a one-character CSI), DEL, zero-width
# and bidirectional marks and overrides ("Trojan Source"), line and paragraph separators,
# and the byte-order mark.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# What json.dumps(ensure_ascii=False) leaves raw although it is not printable (it escapes C0).
_JSON_RAW = re.compile("[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, keep: str = "") -> str:
    """`text` with every control character written as a visible escape (`\\x1b`, `\\n`,
    `\\u202e`), except those in `keep`: what a scanned file names can then never move
    the cursor, recolour or retitle a terminal, start a new line on stderr (where GitHub's
    runner reads workflow commands), or reorder what a reviewer reads."""
    if keep:
        return "".join(c if c in keep else _CONTROL.sub(_escape_char, c) for c in text)
    return _CONTROL.sub(_escape_char, text)


def json_safe(document: str) -> str:
    """JSON text with the non-printing characters `json.dumps` leaves raw (DEL, C1, bidi)
    written as `\\uXXXX` escapes: the same data, nothing a terminal acts on."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


_SEVERITIES_WORST_FIRST = sorted(Severity, key=lambda s: -s.rank)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True, slots=True)
class Summary:
    """Counts a report ends with. `findings` and `by_severity` count unsuppressed ones only."""

    files: int
    findings: int
    suppressed: int
    baselined: int
    errors: int
    by_severity: Mapping[Severity, int] = field(default_factory=dict)
    warnings: int = 0

    def line(self) -> str:
        """`3 findings (1 critical, 2 high) in 2 files, 1 suppressed, 0 errors`."""
        head = _plural(self.findings, "finding")
        parts = [
            f"{self.by_severity[s]} {s.value}" for s in _SEVERITIES_WORST_FIRST if self.by_severity.get(s)
        ]
        if parts:
            head += f" ({', '.join(parts)})"
        rest = [f"{self.suppressed} suppressed"]
        if self.baselined:
            rest.append(f"{self.baselined} in baseline")
        rest.append(_plural(self.errors, "error"))
        if self.warnings:
            rest.append(_plural(self.warnings, "warning"))
        return f"{head} in {_plural(self.files, 'file')}, {', '.join(rest)}"


def summarize(result: ScanResultLike, options: ReportOptions) -> Summary:
    active = [f for f in result.findings if not f.suppressed]
    counts = {s: sum(1 for f in active if f.severity is s) for s in _SEVERITIES_WORST_FIRST}
    return Summary(
        files=len(result.files),
        findings=len(active),
        suppressed=len(result.findings) - len(active),
        baselined=options.baselined,
        errors=sum(1 for e in result.errors if e.is_error),
        by_severity=counts,
        warnings=sum(1 for e in result.errors if not e.is_error),
    )


def display_path(file: str, root: str) -> str:
    """`file` relative to `root` with forward slashes, when it lies under it.

    Relative paths are taken as relative to the working directory, which is
    what the CLI passes as root; paths outside the root stay as they are.
    """
    if not file:
        return file
    path = PurePath(file)
    if root and path.is_absolute():
        try:
            path = PurePath(os.path.relpath(path, root))
        except ValueError:  # another drive on Windows
            return path.as_posix()
        if path.parts and path.parts[0] == "..":
            return PurePath(file).as_posix()
    return path.as_posix()


def source_lines_by_file(result: ScanResultLike) -> dict[str, Sequence[str]]:
    return {t.path: t.source_lines for t in result.templates if t.source_lines}


def rule_catalog(options: ReportOptions) -> tuple[RuleInfo, ...]:
    """The rules to describe: the caller's, else the built-in registry."""
    if options.rules is not None:
        return tuple(options.rules)
    from boundary.rules import registry

    return tuple(registry())


def docs_url(rule_id: str) -> str:
    """The help URI of a rule (its generated page under docs/rules/)."""
    from boundary.rules import docs_url as _docs_url

    return _docs_url(rule_id)


def tool_version(options: ReportOptions) -> str:
    if options.tool_version is not None:
        return options.tool_version
    import boundary

    return str(boundary.__version__)
