"""Report formats for scan results, one module per format.

Each format module has a pure, deterministic `render(result, options) -> str`.
This package imports none of them until asked, and nothing else either until a
name other than `FORMATS` and `EXTENSIONS` is used, so the CLI's start-up stays
light (it offers `FORMATS` in `--help`); `render(name, ...)` loads the one it needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boundary.report._base import (
        ReportOptions,
        RuleInfo,
        ScanResultLike,
        Summary,
        json_safe,
        summarize,
        visible,
    )

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "ReportOptions",
    "RuleInfo",
    "ScanResultLike",
    "Summary",
    "json_safe",
    "render",
    "summarize",
    "visible",
]

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "junit", "markdown", "github")
"""Format names, in the order `--help` lists them."""

EXTENSIONS: Mapping[str, str] = MappingProxyType(
    {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md", "github": ""}
)
"""File extension per format for `--output-dir`; GitHub annotations only go to stdout."""


_LAZY = frozenset(
    {"ReportOptions", "RuleInfo", "ScanResultLike", "Summary", "json_safe", "summarize", "visible"}
)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'boundary.report' has no attribute {name!r}")
    value = getattr(importlib.import_module("boundary.report._base"), name)
    globals()[name] = value
    return value


def render(fmt: str, result: ScanResultLike, options: ReportOptions | None = None) -> str:
    """Render `result` in format `fmt` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    from boundary.report._base import ReportOptions

    module = importlib.import_module(f"boundary.report.{fmt}")
    text: str = module.render(result, options or ReportOptions())
    return text
