"""The whole pipeline in one call: load, build the graph, evaluate the rules."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from boundary.config import Config
from boundary.graph import build_graph
from boundary.load import load
from boundary.model import Limits, LoadError, Template
from boundary.rules import Finding, evaluate, rule_classes

__all__ = ["ScanResult", "analyze", "scan"]


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Findings (sorted; suppressed ones included and marked), files that could not be
    loaded, the files scanned, and the templates (for code frames)."""

    findings: tuple[Finding, ...]
    errors: tuple[LoadError, ...]
    files: tuple[str, ...]
    templates: tuple[Template, ...]


def analyze(
    paths: Sequence[str | os.PathLike[str]],
    *,
    config: Config | None = None,
    parameters: Mapping[str, str] | None = None,
    region: str = "us-east-1",
    account: str = "123456789012",
    exclude: Sequence[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
    limits: Limits | None = None,
) -> ScanResult:
    """Scan files and folders; never raises for bad input (see `ScanResult.errors`).

    `region` and `account` are what pseudo parameters and generated ARNs use: the
    stack's deployment target, a placeholder account by default. `limits` bound
    what each file may cost (default: the configuration's, docs/security.md); a
    file over a limit is one error and the others are still scanned.
    """
    config = config or Config()
    classes = rule_classes(config)
    model = load(
        paths,
        parameters=parameters,
        region=region,
        account=account,
        exclude=exclude,
        progress=progress,
        limits=limits or config.limits,
    )
    graph = build_graph(model)
    findings = evaluate(graph, model, config, classes)
    files = sorted({t.path for t in model.templates} | {e.file for e in model.errors})
    return ScanResult(findings=findings, errors=model.errors, files=tuple(files), templates=model.templates)


def scan(paths: Sequence[str | os.PathLike[str]], config: Config | None = None) -> list[Finding]:
    """The findings for `paths`: `boundary.scan(["template.yaml"])`."""
    return list(analyze(paths, config=config).findings)
