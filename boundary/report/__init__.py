"""Report formats for scan results, one module per format.

Each format module has a pure, deterministic `render(result, options) -> str`.
This package imports none of them until asked, so the CLI's start-up stays
light; `render(name, ...)` loads the one it needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType

from boundary.report._base import ReportOptions, RuleInfo, ScanResultLike, Summary, summarize

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "ReportOptions",
    "RuleInfo",
    "ScanResultLike",
    "Summary",
    "render",
    "summarize",
]

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "junit", "markdown", "github")
"""Format names, in the order `--help` lists them."""

EXTENSIONS: Mapping[str, str] = MappingProxyType(
    {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md", "github": ""}
)
"""File extension per format for `--output-dir`; GitHub annotations only go to stdout."""


def render(fmt: str, result: ScanResultLike, options: ReportOptions | None = None) -> str:
    """Render `result` in format `fmt` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = importlib.import_module(f"boundary.report.{fmt}")
    text: str = module.render(result, options or ReportOptions())
    return text
